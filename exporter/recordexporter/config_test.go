package recordexporter

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/tailwise/tailwise/exporter/recordexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id      component.ID
		want    Config
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), want: Config{Path: "/var/lib/tailwise/rec/traffic.jsonl.zst", FlushInterval: time.Second}},
		{id: component.NewIDWithName(metadata.Type, "rotated"), want: Config{
			Path: "/var/lib/tailwise/rec/traffic.jsonl.gz", Rotation: Rotation{MaxMegabytes: 50, MaxFiles: 10}, FlushInterval: 5 * time.Second,
		}},
		{id: component.NewIDWithName(metadata.Type, "bad"), wantErr: []string{
			"path: set the recording file", "rotation.max_megabytes: -1 is negative", "rotation.max_files: -2 is negative", "flush_interval: 0s must be positive",
		}},
	} {
		t.Run(c.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			sub, err := cm.Sub(c.id.String())
			if err != nil {
				t.Fatal(err)
			}
			if err := sub.Unmarshal(cfg); err != nil {
				t.Fatal(err)
			}
			err = xconfmap.Validate(cfg)
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatal("invalid config accepted")
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *cfg != c.want {
				t.Errorf("got %+v, want %+v", *cfg, c.want)
			}
		})
	}
}
