package slosamplingprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"

	"github.com/tailwise/tailwise/internal/wal"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

func journaledConfig(t *testing.T) *Config {
	cfg := shopConfig()
	cfg.WAL = wal.DefaultConfig()
	cfg.WAL.Directory = t.TempDir()
	cfg.WAL.SyncInterval = time.Millisecond
	return cfg
}

// crash stops a sampler as a kill would: no decisions at shutdown, nothing flushed.
func crash(t *testing.T, p *sloSampler) {
	p.ticks.Stop()
	require.NoError(t, p.journal.close())
	p.telemetry.Shutdown()
}

// spanCounts counts the spans of each trace id the sink received.
func spanCounts(sink *consumertest.TracesSink) map[byte]int {
	counts := map[byte]int{}
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					counts[s.TraceID()[0]]++
				}
			}
		}
	}
	return counts
}

func TestRestartAfterCrashTakesBackUndecidedTracesAndSendsNoneTwice(t *testing.T) {
	cfg := journaledConfig(t)
	ctx := context.Background()
	before := new(consumertest.TracesSink)
	p, _, clock := newTestSampler(t, cfg, before)
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	for i := 1; i <= 10; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(byte(i), time.Second)))
	}
	clock.now = start.Add(2 * time.Second)
	p.advance(ctx) // traces 1..10 decided and passed on
	require.Equal(t, 10, before.SpanCount())
	for i := 11; i <= 20; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(byte(i), time.Second)))
	}
	crash(t, p)

	after := new(consumertest.TracesSink)
	again, tel, _ := newTestSampler(t, cfg, after)
	require.NoError(t, again.Start(ctx, componenttest.NewNopHost()))
	assert.Equal(t, 10, again.engine.BufferedTraces(), "the undecided traces are back in the buffer")
	require.NoError(t, again.Shutdown(ctx))

	got := spanCounts(before)
	for id, n := range spanCounts(after) {
		got[id] += n
	}
	for i := 1; i <= 20; i++ {
		assert.Equal(t, 1, got[byte(i)], "trace %d delivered %d times", i, got[byte(i)])
	}
	assert.Len(t, got, 20)
	assert.Equal(t, int64(10), sumOf(t, tel, "otelcol_processor_slo_sampling_wal_replayed_spans"))

	segments, err := filepath.Glob(filepath.Join(cfg.WAL.InstanceDirectory(component.KindProcessor, again.id), "*.wal"))
	require.NoError(t, err)
	assert.Empty(t, segments, "a stop with every trace decided leaves an empty log")
}

// A second crash right after a restart's replay, before any decision, loses nothing: the
// replayed traces hold the segments they came from.
func TestCrashAfterReplayKeepsTheReplayedTraces(t *testing.T) {
	cfg := journaledConfig(t)
	ctx := context.Background()
	p, _, _ := newTestSampler(t, cfg, consumertest.NewNop())
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	for i := 1; i <= 10; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(byte(i), time.Second)))
	}
	crash(t, p)

	recovering, _, _ := newTestSampler(t, cfg, consumertest.NewNop())
	require.NoError(t, recovering.Start(ctx, componenttest.NewNopHost()))
	require.Equal(t, 10, recovering.engine.BufferedTraces())
	crash(t, recovering)

	sink := new(consumertest.TracesSink)
	again, _, _ := newTestSampler(t, cfg, sink)
	require.NoError(t, again.Start(ctx, componenttest.NewNopHost()))
	assert.Equal(t, 10, again.engine.BufferedTraces(), "the second crash lost replayed traces")
	require.NoError(t, again.Shutdown(ctx))
	assert.Len(t, spanCounts(sink), 10)
}

func TestTornTailIsSkippedAndCounted(t *testing.T) {
	cfg := journaledConfig(t)
	ctx := context.Background()
	p, _, _ := newTestSampler(t, cfg, consumertest.NewNop())
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(1, time.Second)))
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(2, time.Second)))
	crash(t, p)
	segments, err := filepath.Glob(filepath.Join(cfg.WAL.InstanceDirectory(component.KindProcessor, p.id), "*.wal"))
	require.NoError(t, err)
	last := segments[len(segments)-1]
	info, err := os.Stat(last)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(last, info.Size()-3)) // the second batch torn by the crash

	sink := new(consumertest.TracesSink)
	again, tel, _ := newTestSampler(t, cfg, sink)
	require.NoError(t, again.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, again.Shutdown(ctx))
	assert.Equal(t, map[byte]int{1: 1}, spanCounts(sink))
	assert.Positive(t, sumOf(t, tel, "otelcol_processor_slo_sampling_wal_damaged_bytes"))
}

func TestFullLogRefusesBeforeBuffering(t *testing.T) {
	cfg := journaledConfig(t)
	cfg.WAL.MaxBytes = settledHeadroom + 64<<10
	ctx := context.Background()
	p, tel, _ := newTestSampler(t, cfg, consumertest.NewNop())
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	td := checkoutTrace(1, time.Second)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("payload", string(make([]byte, 128<<10)))
	err := p.ConsumeTraces(ctx, td)
	require.ErrorIs(t, err, engine.ErrJournalFull)
	assert.Zero(t, p.engine.BufferedTraces(), "a refused batch leaves nothing behind that a retry would duplicate")
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_spans_refused", attribute.String("reason", "wal_full")))
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(2, time.Second)), "a batch that fits is taken")
	require.NoError(t, p.Shutdown(ctx))
}

func TestLateSpansOfADecidedTraceAreNotReplayed(t *testing.T) {
	cfg := journaledConfig(t)
	ctx := context.Background()
	before := new(consumertest.TracesSink)
	p, _, clock := newTestSampler(t, cfg, before)
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(1, time.Second)))
	clock.now = start.Add(2 * time.Second)
	p.advance(ctx)
	late := checkoutTrace(1, time.Second)
	late.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetSpanID([8]byte{9, 9})
	late.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetParentSpanID([8]byte{1, 1})
	require.NoError(t, p.ConsumeTraces(ctx, late))
	require.Equal(t, 2, before.SpanCount(), "the late span follows its kept trace at once")
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(2, time.Second))) // keeps the segment alive
	crash(t, p)

	after := new(consumertest.TracesSink)
	again, _, _ := newTestSampler(t, cfg, after)
	require.NoError(t, again.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, again.Shutdown(ctx))
	assert.Equal(t, map[byte]int{2: 1}, spanCounts(after))
}

// FuzzJournalRecord: whatever a crash or a disk leaves in a record, reading it gives whole
// spans or an error, without panic.
func FuzzJournalRecord(f *testing.F) {
	e, err := engine.New(shopConfig().Config, nil)
	require.NoError(f, err)
	e.SetJournal(func() int64 { return 1 << 30 })
	out, err := e.Ingest(start, checkoutTrace(1, time.Second))
	require.NoError(f, err)
	batch := append([]byte{recordBatch, 1, 2, 3, 4, 5, 6, 7, 8}, out.Journal...)
	f.Add(batch)
	f.Add(append([]byte{recordSettled}, make([]byte, 40)...))
	f.Add([]byte{recordBatch})
	decoder := engine.NewJournalDecoder()
	f.Fuzz(func(t *testing.T, rec []byte) {
		settled := map[pcommon.TraceID]struct{}{}
		readSettled(rec, settled)
		if len(settled) > len(rec)/16 {
			t.Fatalf("%d settled ids from %d bytes", len(settled), len(rec))
		}
		_, td, ok, err := readBatch(decoder, rec)
		if ok && (err != nil || td.SpanCount() > len(rec)) {
			t.Fatalf("a batch of %d spans from %d bytes, err %v", td.SpanCount(), len(rec), err)
		}
	})
}
