//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/internal/replay"
	"github.com/tailwise/tailwise/test/harness"
)

// The crash test replays the web-shop recording at crashSpeed and kills the gateway killAfter
// into the replay, about half way.
const (
	crashSpeed = 2
	killAfter  = 17 * time.Second
)

// TestGatewayKill9 replays the bundled web-shop recording (fresh ids, shifted to the present)
// into the gateway, kills it with SIGKILL half way, starts it again on the same storage while
// the replay goes on (refused requests are retried), and accounts for every trace, log line and
// metric point through Jaeger, Loki and Prometheus. The sampler keeps every trace, so each one
// missing is a loss. Nothing the gateway acknowledged may be lost: what waited in slo_sampling
// and trace_decision comes back from their write-ahead logs, what waited for export from the
// persistent queues; and nothing may arrive twice. The second variant kills the restarted
// gateway again while it replays its write-ahead log.
func TestGatewayKill9(t *testing.T) {
	for _, c := range []struct {
		name           string
		killAtRecovery bool
	}{
		{name: "mid-replay"},
		{name: "again during recovery", killAtRecovery: true},
	} {
		t.Run(c.name, func(t *testing.T) { testKill9(t, c.killAtRecovery) })
	}
}

func testKill9(t *testing.T, killAtRecovery bool) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	env := harness.GatewayEnv(t, be, tenant)
	env["TAILWISE_TRACE_BUDGET_SPANS"] = "1000000" // keep every trace: each missing one is a loss
	col := harness.StartGatewayWithEnv(t, env, nil)
	client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)

	player, err := replay.NewPlayer([]string{filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop.jsonl.zst")},
		replay.Options{Speed: crashSpeed, Loops: 1, ShiftTime: true, RewriteIDs: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	ledger := newSendLedger()
	replayed := make(chan error, 1)
	go func() {
		_, err := player.Play(context.Background(), func(_ context.Context, e recording.Entry, _ replay.Sent) error {
			return ledger.send(client, e)
		})
		replayed <- err
	}()

	time.Sleep(killAfter)
	killedAt := time.Now()
	if err := col.Kill(); err != nil {
		t.Fatal(err)
	}
	if killAtRecovery {
		recovering := harness.LaunchGatewayWithEnv(t, env, nil)
		// Killed once the sampler has taken back its undecided traces and before it decides
		// them: what it replayed must still be in its log.
		replayed, err := recovering.WaitLog(30*time.Second, walReplayed, "slo_sampling")
		if err != nil {
			t.Fatal(err)
		}
		if err := recovering.Kill(); err != nil {
			t.Fatal(err)
		}
		t.Logf("killed again right after replaying its write-ahead log: %s", replayed)
	}
	restarted := harness.StartGatewayWithEnv(t, env, nil)
	t.Logf("killed %v into the replay, healthy again after %v", killedAt.Sub(started).Round(time.Millisecond), time.Since(killedAt).Round(time.Millisecond))
	// What the write-ahead logs gave back: without them, this is what the kill would have lost.
	self, err := scrapeSelfMetrics(restarted.SelfMetrics)
	if err != nil {
		t.Fatal(err)
	}
	replayedSpans := self.sum("otelcol_processor_slo_sampling_wal_replayed_spans", "")
	replayedLogs := self.sum("otelcol_processor_trace_decision_wal_replayed_records", "")
	t.Logf("replayed from the write-ahead logs on restart: %.0f spans of undecided traces, %.0f held log records", replayedSpans, replayedLogs)
	if replayedSpans == 0 {
		t.Error("the restarted gateway replayed no span: the kill did not catch undecided traces, and the test shows nothing")
	}
	select {
	case err := <-replayed:
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("replay did not finish within 2 minutes")
	}
	t.Logf("replay: %d traces, %d log lines with a trace id (%d without), %d metric points, %d refusals retried",
		len(ledger.traces), ledger.logLines(), ledger.untracedLogs, len(ledger.points), ledger.refusals)

	t.Run("traces", func(t *testing.T) {
		var lost, lostViolating, partial, duplicated int
		err := harness.Eventually(90*time.Second, 3*time.Second, func() error {
			held, err := jaegerSpanIDs(be.JaegerQueryURL, tenant, nil)
			if err != nil {
				return err
			}
			lost, lostViolating, partial, duplicated = 0, 0, 0, 0
			for id, sent := range ledger.traces {
				got := held[id]
				missing := 0
				for span := range sent.spans {
					if got[span] == 0 {
						missing++
					} else if got[span] > 1 {
						duplicated++
					}
				}
				switch {
				case missing == 0:
				case missing < len(sent.spans):
					partial++
				default:
					lost++
					if sent.violating {
						lostViolating++
					}
				}
			}
			if lost > 0 || partial > 0 || duplicated > 0 {
				return fmt.Errorf("of %d acknowledged traces, %d lost (%d SLO-violating) and %d in Jaeger in part; %d spans delivered twice",
					len(ledger.traces), lost, lostViolating, partial, duplicated)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
			logLostTraces(t, ledger, be.JaegerQueryURL, tenant, killedAt)
		}
		t.Logf("traces: %d acknowledged, %d lost, %d in part, %d spans delivered twice", len(ledger.traces), lost, partial, duplicated)
	})

	t.Run("log lines", func(t *testing.T) {
		var lost, doubled int
		err := harness.Eventually(90*time.Second, 3*time.Second, func() error {
			held, err := lokiLinesByTrace(be.LokiURL, tenant.Name, started.Add(-time.Minute), time.Now().Add(time.Minute))
			if err != nil {
				return err
			}
			lost, doubled = 0, 0
			for id, sent := range ledger.logs {
				lost += max(sent.lines-held[id], 0)
				doubled += max(held[id]-sent.lines, 0)
			}
			if lost > 0 || doubled > 0 {
				return fmt.Errorf("of %d acknowledged log lines, %d lost and %d delivered twice", ledger.logLines(), lost, doubled)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		t.Logf("log lines: %d acknowledged, %d lost, %d delivered twice", ledger.logLines(), lost, doubled)
	})

	t.Run("metric points", func(t *testing.T) {
		var stored int
		err := harness.Eventually(60*time.Second, 3*time.Second, func() error {
			var err error
			stored, err = promSamplesSince(be.PrometheusURL, ledger.pointMetric, started.Add(-time.Minute))
			if err != nil {
				return err
			}
			if stored != len(ledger.points) {
				var names struct {
					Data []string `json:"data"`
				}
				_ = harness.GetJSON(be.PrometheusURL, "/api/v1/label/__name__/values", nil, nil, &names)
				return fmt.Errorf("Prometheus holds %d samples of %s, %d points were acknowledged; it has the series %v",
					stored, ledger.pointMetric, len(ledger.points), names.Data)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%v\nthe restarted gateway's log ends:\n%s\nPrometheus's log ends:\n%s", err, harness.TailFile(restarted.LogPath, 20), be.LogTail("prometheus", 20))
		}
		t.Logf("metric points: %d acknowledged, %d stored", len(ledger.points), stored)
	})
}

// logLostTraces shows when the first lost traces were acknowledged, relative to the kill.
func logLostTraces(t *testing.T, ledger *sendLedger, jaegerURL string, tenant harness.Tenant, killedAt time.Time) {
	held, err := jaegerSpanIDs(jaegerURL, tenant, nil)
	if err != nil {
		t.Log(err)
		return
	}
	shown := 0
	for id, sent := range ledger.traces {
		if len(held[id]) == 0 && shown < 10 {
			shown++
			t.Logf("lost trace %s: %d spans, acknowledged %v before the kill", id, len(sent.spans), killedAt.Sub(sent.acked).Round(time.Millisecond))
		}
	}
}

// walReplayed is what the gateway logs when a write-ahead log replay took something back.
const walReplayed = "Replayed the write-ahead log"

// promSamplesSince counts the samples of every series whose name matches the regular
// expression, stamped from since to five minutes ahead (a replay faster than 1x stamps ahead
// of the clock), as exported over OTLP: not those Prometheus scraped from the gateway's own
// endpoint (job tailwise).
func promSamplesSince(promURL, nameRegexp string, since time.Time) (int, error) {
	at := time.Now().Add(5 * time.Minute)
	query := fmt.Sprintf(`count_over_time({__name__=~%q, job!="tailwise"}[%ds])`, nameRegexp, int(at.Sub(since).Seconds()))
	samples, err := harness.PromQueryAt(promURL, query, at)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, s := range samples {
		total += int(s.Value)
	}
	return total, nil
}

// sendLedger sends recorded entries, retrying refusals, and remembers what the gateway
// acknowledged: each trace's span ids and each trace's log lines, with the time of the last
// acknowledgment.
type sendLedger struct {
	mu           sync.Mutex
	traces       map[string]*sentTrace
	logs         map[string]*sentLogs
	untracedLogs int
	refusals     int
	// points holds a key (series, timestamp) of each acknowledged point of ledgerMetric;
	// pointMetric matches the name of the series with one sample per such point.
	points      map[string]bool
	pointMetric string
}

// ledgerMetric is the recording's metric whose points are accounted for, a histogram: each
// point is one sample of its _count series in Prometheus.
const ledgerMetric = "http.server.request.duration"

type sentTrace struct {
	spans     map[string]bool
	violating bool
	acked     time.Time
}

type sentLogs struct {
	lines int
	acked time.Time
}

func newSendLedger() *sendLedger {
	return &sendLedger{traces: map[string]*sentTrace{}, logs: map[string]*sentLogs{}, points: map[string]bool{},
		pointMetric: `http_server_request_duration(_[a-z]+)?_count`}
}

// send exports the entry until the gateway accepts it (retrying retryable refusals for up to a
// minute) and records it; another error stops the replay.
func (l *sendLedger) send(client *harness.OTLPClient, e recording.Entry) error {
	attempts := 0
	err := retryRefused(func() error {
		attempts++
		switch e.Signal {
		case recording.Traces:
			return client.SendTraces(e.Traces)
		case recording.Logs:
			return client.SendLogs(e.Logs)
		case recording.Metrics:
			return client.SendMetrics(e.Metrics)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s after %d attempts: %w", e.Signal, attempts, err)
	}
	acked := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refusals += attempts - 1
	switch e.Signal {
	case recording.Traces:
		l.recordTraces(e.Traces, acked)
	case recording.Logs:
		l.recordLogs(e.Logs, acked)
	case recording.Metrics:
		l.recordMetrics(e.Metrics)
	}
	return nil
}

func (l *sendLedger) recordMetrics(md pmetric.Metrics) {
	for _, rm := range md.ResourceMetrics().All() {
		service, _ := rm.Resource().Attributes().Get("service.name")
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != ledgerMetric || m.Type() != pmetric.MetricTypeHistogram {
					continue
				}
				for _, dp := range m.Histogram().DataPoints().All() {
					attrs := dp.Attributes().AsRaw()
					keys := make([]string, 0, len(attrs))
					for k, v := range attrs {
						keys = append(keys, fmt.Sprintf("%s=%v", k, v))
					}
					slices.Sort(keys)
					l.points[fmt.Sprintf("%s|%s|%d", service.AsString(), strings.Join(keys, ","), dp.Timestamp()/1e6)] = true
				}
			}
		}
	}
}

func (l *sendLedger) recordTraces(td ptrace.Traces, acked time.Time) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				id := sp.TraceID().String()
				tr := l.traces[id]
				if tr == nil {
					tr = &sentTrace{spans: map[string]bool{}}
					l.traces[id] = tr
				}
				tr.spans[sp.SpanID().String()] = true
				tr.violating = tr.violating || sp.Status().Code() == ptrace.StatusCodeError
				tr.acked = acked
			}
		}
	}
}

func (l *sendLedger) recordLogs(ld plog.Logs, acked time.Time) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				id := logTraceID(lr)
				if id == "" {
					l.untracedLogs++
					continue
				}
				lg := l.logs[id]
				if lg == nil {
					lg = &sentLogs{}
					l.logs[id] = lg
				}
				lg.lines++
				lg.acked = acked
			}
		}
	}
}

func (l *sendLedger) logLines() int {
	n := 0
	for _, lg := range l.logs {
		n += lg.lines
	}
	return n
}

var hexTraceID = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

// lokiLinesByTrace counts the tenant's log lines in Loki by their trace_id structured metadata.
func lokiLinesByTrace(lokiURL, orgID string, from, to time.Time) (map[string]int, error) {
	const limit = 5000 // harness.LokiQueryRange's
	entries, err := harness.LokiQueryRange(lokiURL, `{service_name=~".+"} | trace_id != ""`, from, to, orgID)
	if err != nil {
		return nil, err
	}
	if len(entries) >= limit {
		return nil, fmt.Errorf("loki returned %d lines, its limit: the count would be cut", len(entries))
	}
	lines := map[string]int{}
	for _, e := range entries {
		lines[e.StructuredMetadata["trace_id"]]++
	}
	return lines, nil
}
