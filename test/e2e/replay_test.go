//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/test/harness"
)

// TestReplayAtRecordedPaceThroughTheGateway replays the bundled 70 s recording with bin/tailctl at
// 1x into the gateway in front of the real backends: the pacing error stays under 2 %, every
// request is accepted, and the recorded traces arrive in Jaeger.
func TestReplayAtRecordedPaceThroughTheGateway(t *testing.T) {
	be := harness.StartBackends(t)
	token := randomHex(16)
	col := harness.StartGateway(t, be, token)
	rec := filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop.jsonl.zst")

	out, err := exec.Command(filepath.Join(harness.RepoRoot(), "bin", "tailctl"), "replay", rec,
		"--endpoint", col.OTLPGRPC, "--header", "authorization=Bearer "+token,
		"--speed", "1", "--shift-time", "--rewrite-ids", "--json").Output()
	if err != nil {
		t.Fatalf("tailctl replay: %v\n%s", err, out)
	}
	var rep struct {
		Requests    int            `json:"requests"`
		Accepted    int            `json:"requests_accepted"`
		Items       map[string]int `json:"items_sent"`
		PacingError float64        `json:"pacing_error"`
		Duration    float64        `json:"duration_seconds"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	t.Logf("1x replay: %d requests in %.1fs, pacing error %.3f%%", rep.Requests, rep.Duration, 100*rep.PacingError)
	wantRequests, traceIDs := 0, map[string]bool{}
	if _, err := recording.ReadFile(rec, false, func(e recording.Entry) error {
		wantRequests++
		if e.Signal == recording.Traces {
			traceIDs[e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rep.Requests != wantRequests || rep.Accepted != wantRequests {
		t.Errorf("%d requests sent, %d accepted; want all %d", rep.Requests, rep.Accepted, wantRequests)
	}
	if rep.Duration < 60 || rep.PacingError >= 0.02 {
		t.Errorf("pacing error %.3f%% over %.1fs; want under 2%% over at least a minute", 100*rep.PacingError, rep.Duration)
	}

	// Every request of the web shop starts at the frontend: Jaeger must find every trace there.
	q := url.Values{"service": {"frontend"}, "limit": {"5000"}, "lookback": {"10m"}}
	err = harness.Eventually(30*time.Second, time.Second, func() error {
		var found struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := harness.GetJSON(be.JaegerQueryURL, "/api/traces", q, nil, &found); err != nil {
			return err
		}
		if len(found.Data) != len(traceIDs) {
			return fmt.Errorf("Jaeger finds %d frontend traces, the recording has %d", len(found.Data), len(traceIDs))
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
