package replayreceiver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/tailwise/tailwise/receiver/replayreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id      component.ID
		want    *Config
		wantErr []string
	}{
		{
			id:   component.NewID(metadata.Type),
			want: &Config{Path: []string{"testdata/recording.jsonl"}, Speed: 1, Loop: 1, ShiftTime: true, MaxRetryDelay: 5 * time.Second},
		},
		{
			id: component.NewIDWithName(metadata.Type, "fast"),
			want: &Config{
				Path:  []string{"testdata/*.jsonl", "/var/lib/tailwise/rec/*.jsonl.gz"},
				Speed: 10, Loop: 0, ShiftTime: false, RewriteIDs: true, SkipBad: true, MaxRetryDelay: time.Second,
			},
		},
		{
			id:      component.NewIDWithName(metadata.Type, "bad"),
			wantErr: []string{"path: set at least one", "speed: -1 is negative", "loop: -1 is negative", "max_retry_delay: 0s must be positive"},
		},
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
			if got := *cfg; !equalConfig(got, *c.want) {
				t.Errorf("got %+v, want %+v", got, *c.want)
			}
		})
	}
}

func equalConfig(a, b Config) bool {
	return strings.Join(a.Path, "|") == strings.Join(b.Path, "|") && a.Speed == b.Speed && a.Loop == b.Loop &&
		a.ShiftTime == b.ShiftTime && a.RewriteIDs == b.RewriteIDs && a.SkipBad == b.SkipBad && a.MaxRetryDelay == b.MaxRetryDelay
}
