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
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/internal/metadata"
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

// FuzzJournalReplay: whatever a crash or a disk leaves in the log, the processor starts, takes
// back only whole spans, and stops without panic.
func FuzzJournalReplay(f *testing.F) {
	seedDir := f.TempDir()
	seed, err := wal.Open(seedDir, wal.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	j := &traceJournal{log: seed, live: map[pcommon.TraceID]uint64{}}
	e, err := engine.New(shopConfig().Config, nil)
	require.NoError(f, err)
	e.SetJournal(j.room)
	out, err := e.Ingest(start, checkoutTrace(1, time.Second))
	require.NoError(f, err)
	if _, err := j.appendBatch(start, out.Journal, out.Started); err != nil {
		f.Fatal(err)
	}
	if err := j.settle([]pcommon.TraceID{{2}}); err != nil {
		f.Fatal(err)
	}
	require.NoError(f, seed.Close())
	files, err := filepath.Glob(filepath.Join(seedDir, "*.wal"))
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, segment []byte) {
		cfg := journaledConfig(t)
		dir := cfg.WAL.InstanceDirectory(component.KindProcessor, component.NewID(metadata.Type))
		require.NoError(t, os.MkdirAll(dir, 0o750))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0000000000000001.wal"), segment, 0o640))
		sink := new(consumertest.TracesSink)
		p, _, _ := newTestSampler(t, cfg, sink)
		require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, p.Shutdown(context.Background()))
	})
}
