//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/internal/replay"
	"github.com/tailwise/tailwise/test/harness"
)

// The window of data a kill -9 may lose, from configs/gateway.yaml: a span acknowledged at t
// is decided by slo_sampling at most decisionDelay after its trace's last span, and leaves the
// batch processor at most its timeout later for the exporter's persistent queue; a log line
// waits in trace_decision for the same decision. crashMargin covers the rest of that way: the
// sampler's 100 ms decision tick, trace_decision's 250 ms re-check of held logs, and the write
// into the file_storage queue with the scheduling delays of a busy 2-core machine (650 ms).
const (
	batchTimeout = 200 * time.Millisecond // batch timeout
	crashMargin  = time.Second
	lossWindow   = decisionDelay + batchTimeout + crashMargin
)

// The crash test replays the web-shop recording at crashSpeed and kills the gateway killAfter
// into the replay, about half way.
const (
	crashSpeed = 2
	killAfter  = 17 * time.Second
)

// TestGatewayKill9 replays the bundled web-shop recording (fresh ids, shifted to the present)
// into the gateway, kills it with SIGKILL half way, starts it again on the same storage while
// the replay goes on (refused requests are retried), and accounts for every trace and log line
// through Jaeger and Loki. The sampler keeps every trace, so each one missing is a loss. Only
// data acknowledged within lossWindow before the kill, buffered and undecided in slo_sampling
// or trace_decision, may be lost; everything else, including what sat in the persistent
// export queues at the kill, must arrive whole.
func TestGatewayKill9(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	env := harness.GatewayEnv(t, be, tenant)
	env["TAILWISE_TRACE_BUDGET_SPANS"] = "1000000" // keep every trace: each missing one is a loss
	col := harness.StartGatewayWithEnv(t, env, nil)
	client, err := harness.DialOTLP(col.OTLPGRPC, tenant.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

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
	harness.StartGatewayWithEnv(t, env, nil)
	t.Logf("killed %v into the replay, healthy again after %v", killedAt.Sub(started).Round(time.Millisecond), time.Since(killedAt).Round(time.Millisecond))
	select {
	case err := <-replayed:
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("replay did not finish within 2 minutes")
	}
	t.Logf("replay: %d traces, %d log lines with a trace id (%d without), %d refusals retried",
		len(ledger.traces), ledger.logLines(), ledger.untracedLogs, ledger.refusals)

	windowStart := killedAt.Add(-lossWindow)
	inWindow := func(acked time.Time) bool { return !acked.Before(windowStart) && acked.Before(killedAt) }

	t.Run("traces", func(t *testing.T) {
		var lost, lostViolating, windowTraces, windowViolating, partial, outside, duplicated int
		var oldestLoss time.Duration
		err := harness.Eventually(90*time.Second, 3*time.Second, func() error {
			held, err := jaegerSpanIDs(be.JaegerQueryURL, tenant, nil)
			if err != nil {
				return err
			}
			previousLost := lost
			lost, lostViolating, windowTraces, windowViolating, partial, outside, duplicated, oldestLoss = 0, 0, 0, 0, 0, 0, 0, 0
			for id, sent := range ledger.traces {
				got := held[id]
				if inWindow(sent.acked) {
					windowTraces++
					if sent.violating {
						windowViolating++
					}
				}
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
				case inWindow(sent.acked):
					lost++
					if sent.violating {
						lostViolating++
					}
					oldestLoss = max(oldestLoss, killedAt.Sub(sent.acked))
				default:
					outside++
				}
			}
			if partial > 0 || outside > 0 {
				return fmt.Errorf("%d traces lost outside the %v window before the kill, %d in Jaeger in part", outside, lossWindow, partial)
			}
			if lost != previousLost {
				return fmt.Errorf("%d traces missing, %d at the previous look: still arriving", lost, previousLost)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		violating := 0
		for _, sent := range ledger.traces {
			if sent.violating {
				violating++
			}
		}
		t.Logf("traces: of %d (%d SLO-violating), %d lost outside the %v window before the kill and %d in part; "+
			"%d lost within it (%d SLO-violating; the oldest acknowledged %v before the kill), of the %d acknowledged "+
			"in it (%d SLO-violating); %d spans delivered twice",
			len(ledger.traces), violating, outside, lossWindow, partial, lost, lostViolating, oldestLoss.Round(time.Millisecond),
			windowTraces, windowViolating, duplicated)
	})

	t.Run("log lines", func(t *testing.T) {
		var lost, windowLines, outside int
		err := harness.Eventually(90*time.Second, 3*time.Second, func() error {
			held, err := lokiLinesByTrace(be.LokiURL, tenant.Name, started.Add(-time.Minute), time.Now().Add(time.Minute))
			if err != nil {
				return err
			}
			previousLost := lost
			lost, windowLines, outside = 0, 0, 0
			for id, sent := range ledger.logs {
				short := max(sent.lines-held[id], 0)
				if inWindow(sent.acked) {
					windowLines += sent.lines
					lost += short
				} else {
					outside += short
				}
			}
			if outside > 0 {
				return fmt.Errorf("%d log lines lost outside the %v window before the kill", outside, lossWindow)
			}
			if lost != previousLost {
				return fmt.Errorf("%d log lines missing, %d at the previous look: still arriving", lost, previousLost)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		t.Logf("log lines: of %d, %d lost outside the %v window before the kill; %d lost within it, of the %d acknowledged in it",
			ledger.logLines(), outside, lossWindow, lost, windowLines)
	})
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
}

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
	return &sendLedger{traces: map[string]*sentTrace{}, logs: map[string]*sentLogs{}}
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
	}
	return nil
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
