package replayreceiver

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/tailwise/tailwise/receiver/replayreceiver/internal/metadata"
)

// flakyLogs refuses the first failures calls with err, then hands over to the sink.
type flakyLogs struct {
	consumertest.LogsSink
	failures int32
	err      error
	calls    atomic.Int32
}

func (f *flakyLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if f.calls.Add(1) <= f.failures {
		return f.err
	}
	return f.LogsSink.ConsumeLogs(ctx, ld)
}

func startShared(t *testing.T, cfg *Config, traces consumer.Traces, logs consumer.Logs) {
	t.Helper()
	f := NewFactory()
	set := receivertest.NewNopSettings(metadata.Type)
	ctx := context.Background()
	rt, err := f.CreateTraces(ctx, set, cfg, traces)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := f.CreateLogs(ctx, set, cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	if rt != rl {
		t.Fatal("the receivers of one component ID are not shared")
	}
	host := componenttest.NewNopHost()
	if err := rt.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := rl.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := rl.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPlaysEverySignalOnceThroughOneSharedReceiver(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Path = []string{"testdata/recording.jsonl"}
	cfg.Speed, cfg.Loop, cfg.RewriteIDs = 0, 3, true
	traces := &consumertest.TracesSink{}
	logs := &consumertest.LogsSink{}
	startShared(t, cfg, traces, logs)

	waitFor(t, "3 loops of traces and logs", func() bool { return traces.SpanCount() == 3 && logs.LogRecordCount() == 3 })
	seen := map[string]bool{}
	for i, td := range traces.AllTraces() {
		id := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
		logID := logs.AllLogs()[i].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).TraceID()
		if id != logID {
			t.Errorf("loop %d: span trace id %v, log trace id %v", i, id, logID)
		}
		seen[id.String()] = true
	}
	if len(seen) != 3 {
		t.Errorf("3 loops with rewrite_ids gave %d distinct trace ids", len(seen))
	}
	// The recording's metrics line has no metrics pipeline here: not delivered, counted.
}

func TestRetryableRefusalsAreRetriedAndPermanentOnesCounted(t *testing.T) {
	for _, c := range []struct {
		name      string
		err       error
		wantLogs  int
		wantCalls int32
	}{
		{"retryable", errors.New("memory limiter: data refused"), 1, 3},
		{"permanent", consumererror.NewPermanent(errors.New("bad data")), 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			cfg.Path = []string{"testdata/recording.jsonl"}
			cfg.Speed, cfg.MaxRetryDelay = 0, 20*time.Millisecond
			traces := &consumertest.TracesSink{}
			logs := &flakyLogs{failures: 2, err: c.err}
			startShared(t, cfg, traces, logs)
			waitFor(t, "the traces", func() bool { return traces.SpanCount() == 1 })
			waitFor(t, "the log deliveries", func() bool { return logs.calls.Load() >= c.wantCalls })
			time.Sleep(50 * time.Millisecond)
			if got := logs.LogRecordCount(); got != c.wantLogs {
				t.Errorf("delivered %d log records, want %d", got, c.wantLogs)
			}
			if got := logs.calls.Load(); got != c.wantCalls {
				t.Errorf("%d delivery attempts, want %d", got, c.wantCalls)
			}
		})
	}
}

func TestStartFailsOnMissingFiles(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Path = []string{t.TempDir() + "/none-*.jsonl"}
	r, err := NewFactory().CreateTraces(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	err = r.Start(context.Background(), componenttest.NewNopHost())
	if err == nil || err.Error()[:5] != "path:" {
		t.Fatalf("got %v, want an error naming path", err)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
