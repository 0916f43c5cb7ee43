package replayreceiver

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/receiver/replayreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
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
			err := configtest.Load(t, c.id, cfg)
			if len(c.wantErr) > 0 {
				configtest.ErrorSays(t, err, c.wantErr...)
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
