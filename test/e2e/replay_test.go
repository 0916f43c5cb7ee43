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
// 1x (with its own trace ids, which its logs also carry in their text) into the gateway in front
// of the real backends, with a sampling budget of about half the recorded spans (25 of 48 spans/s).
// The pacing error stays under 2 %, every request is accepted, every
// SLO-violating trace reaches Jaeger, and the links resolve: exemplars in Prometheus and log
// lines in Loki point to traces in Jaeger, except log lines marked as belonging to a dropped
// trace, whose trace is indeed not there.
func TestReplayAtRecordedPaceThroughTheGateway(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	env := harness.GatewayEnv(t, be, tenant)
	env["TAILWISE_TRACE_BUDGET_SPANS"] = "25"
	col := harness.StartGatewayWithEnv(t, env, nil)
	started := time.Now()
	rec := filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop.jsonl.zst")

	out, err := exec.Command(filepath.Join(harness.RepoRoot(), "bin", "tailctl"), "replay", rec,
		"--endpoint", col.OTLPGRPC, "--header", "authorization=Bearer "+tenant.Token,
		"--speed", "1", "--shift-time", "--json").Output()
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
	wantRequests, traceIDs, violating := 0, map[string]bool{}, []string{}
	if _, err := recording.ReadFile(rec, false, func(e recording.Entry) error {
		wantRequests++
		if e.Signal == recording.Traces {
			traceIDs[e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()] = true
			if id := e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String(); hasError(e.Traces) {
				violating = append(violating, id)
			}
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

	// Every recorded checkout that failed (an ERROR span) must be in Jaeger; count what was kept.
	q := url.Values{"service": {"frontend"}, "limit": {"5000"}, "lookback": {"10m"}}
	var found struct {
		Data []json.RawMessage `json:"data"`
	}
	err = harness.Eventually(30*time.Second, time.Second, func() error {
		return harness.GetJSON(be.JaegerQueryURL, "/api/traces", q, tenant.JaegerHeaders(), &found)
	})
	if err != nil {
		t.Fatal(err)
	}
	kept := len(found.Data)
	t.Logf("Jaeger holds %d of the %d recorded traces", kept, len(traceIDs))
	if kept == 0 || kept >= len(traceIDs) {
		t.Errorf("with a budget of half the traffic, %d of %d traces were kept", kept, len(traceIDs))
	}
	for _, id := range violating {
		if n, err := harness.JaegerTraceSpans(be.JaegerQueryURL, id, tenant.JaegerHeaders()); err != nil || n == 0 {
			t.Errorf("SLO-violating trace %s is not in Jaeger (%d spans, %v)", id, n, err)
		}
	}
	t.Logf("all %d SLO-violating traces are in Jaeger", len(violating))

	resolves := func(id string) bool {
		n, err := harness.JaegerTraceSpans(be.JaegerQueryURL, id, tenant.JaegerHeaders())
		return err == nil && n > 0
	}
	t.Run("exemplars resolve to kept traces", func(t *testing.T) {
		var exemplars []harness.PromExemplar
		err := harness.Eventually(60*time.Second, 2*time.Second, func() error {
			var err error
			exemplars, err = harness.PromExemplars(be.PrometheusURL, `slo_request_duration_milliseconds_bucket`, started, time.Now())
			if err == nil && len(exemplars) < 20 {
				err = fmt.Errorf("only %d exemplars so far", len(exemplars))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, ex := range exemplars {
			ids[ex.Labels["trace_id"]] = true
		}
		ok := 0
		for id := range ids {
			if resolves(id) {
				ok++
			}
		}
		t.Logf("exemplars: %d of %d distinct traces resolve in Jaeger (%.1f%%)", ok, len(ids), 100*float64(ok)/float64(len(ids)))
		if float64(ok) < 0.99*float64(len(ids)) {
			t.Errorf("%d of %d exemplar traces resolve, want at least 99%%", ok, len(ids))
		}
	})
	t.Run("log lines of kept traces resolve, those of dropped traces are marked", func(t *testing.T) {
		var entries []harness.LokiEntry
		err := harness.Eventually(60*time.Second, 2*time.Second, func() error {
			var err error
			entries, err = harness.LokiQueryRange(be.LokiURL, `{service_name=~".+"} | trace_id != ""`, started.Add(-time.Minute), time.Now().Add(time.Minute), tenant.Name)
			if err == nil && len(entries) < 1000 {
				err = fmt.Errorf("only %d log lines with a trace id so far", len(entries))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		fate := map[string]bool{} // trace id -> resolves in Jaeger
		var keptLines, keptResolving, markedLines, markedWrong int
		for _, e := range entries {
			id := e.StructuredMetadata["trace_id"]
			if _, seen := fate[id]; !seen {
				fate[id] = resolves(id)
			}
			if e.StructuredMetadata["trace_sampled"] == "false" {
				markedLines++
				if fate[id] {
					markedWrong++
				}
				continue
			}
			keptLines++
			if fate[id] {
				keptResolving++
			}
		}
		t.Logf("logs: %d lines of kept traces, %d resolve in Jaeger (%.1f%%); %d lines marked as of dropped traces, %d of them wrongly",
			keptLines, keptResolving, 100*float64(keptResolving)/float64(max(keptLines, 1)), markedLines, markedWrong)
		if float64(keptResolving) < 0.99*float64(keptLines) || markedLines == 0 || markedWrong > 0 {
			t.Errorf("log links: %d of %d resolve; %d marked, %d wrongly", keptResolving, keptLines, markedLines, markedWrong)
		}
	})
}
