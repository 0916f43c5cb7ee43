package recordexporter

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/exporter/recordexporter/internal/metadata"
	"github.com/tailwise/tailwise/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
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
			"path: set the recording file", "rotation::max_megabytes: -1 is negative", "rotation::max_files: -2 is negative", "flush_interval: 0s must be positive",
		}},
	} {
		t.Run(c.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			err := configtest.Load(t, c.id, cfg)
			if len(c.wantErr) > 0 {
				configtest.ErrorSays(t, err, c.wantErr...)
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
