package slosamplingprocessor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/internal/metadata"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func shopConfig() *Config {
	cfg := createDefaultConfig()
	cfg.Objectives = []engine.Objective{{
		Name:    "checkout",
		Match:   engine.Match{Service: "frontend", Route: "POST /checkout"},
		Latency: &engine.LatencyObjective{Threshold: 500 * time.Millisecond, Target: 0.99},
	}}
	return cfg
}

func newTestSampler(t *testing.T, cfg *Config, next consumer.Traces) (*sloSampler, *componenttest.Telemetry, *fakeClock) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	p, err := newSLOSampler(set, cfg, next)
	require.NoError(t, err)
	clock := &fakeClock{now: start}
	p.now = clock.Now
	return p, tel, clock
}

func checkoutTrace(id byte, duration time.Duration) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "frontend")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetTraceID(pcommon.TraceID{id, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, id})
	span.SetSpanID(pcommon.SpanID{id, 1})
	span.SetName("POST /checkout")
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(duration)))
	return td
}

func sumOf(t *testing.T, tel *componenttest.Telemetry, name string, attrs ...attribute.KeyValue) int64 {
	m, err := tel.GetMetric(name)
	require.NoError(t, err)
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		match := true
		for _, a := range attrs {
			if v, ok := dp.Attributes.Value(a.Key); !ok || v != a.Value {
				match = false
			}
		}
		if match {
			total += dp.Value
		}
	}
	return total
}

func TestDecidesAfterDelayAndForwardsWithThreshold(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tel, clock := newTestSampler(t, shopConfig(), sink)
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(1, time.Second)))
	p.advance(ctx)
	assert.Zero(t, sink.SpanCount(), "nothing is decided before decision_delay")

	clock.now = start.Add(2 * time.Second)
	p.advance(ctx)
	require.Equal(t, 1, sink.SpanCount())
	span := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "ot=th:0", span.TraceState().AsRaw())
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_traces_decided",
		attribute.String("decision", "kept"), attribute.String("reason", "slo_violation"), attribute.String("objective", "checkout")))
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_spans_received"))
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_traces_received"))
	require.NoError(t, p.Shutdown(ctx))
}

func TestShutdownFlushesEveryBufferedTrace(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tel, _ := newTestSampler(t, shopConfig(), sink)
	ctx := context.Background()
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	for i := range 20 {
		require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(byte(i), time.Millisecond)))
	}
	require.NoError(t, p.Shutdown(ctx))
	assert.Equal(t, 20, sink.SpanCount(), "before the first adjustment every stratum has probability 1")
	assert.Equal(t, int64(20), sumOf(t, tel, "otelcol_processor_slo_sampling_traces_decided", attribute.String("trigger", "shutdown")))
}

func TestBackPressureIsRetryableAndCounted(t *testing.T) {
	cfg := shopConfig()
	cfg.MaxBufferedBytes = 1 << 20
	p, tel, _ := newTestSampler(t, cfg, consumertest.NewNop())
	td := checkoutTrace(1, time.Millisecond)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("payload", string(make([]byte, 2<<20)))
	err := p.ConsumeTraces(context.Background(), td)
	require.ErrorIs(t, err, engine.ErrBufferFull)
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_spans_refused", attribute.String("reason", "buffer_full")))
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestDownstreamErrorIsCounted(t *testing.T) {
	p, tel, _ := newTestSampler(t, shopConfig(), consumertest.NewErr(errors.New("backend down")))
	require.NoError(t, p.ConsumeTraces(context.Background(), checkoutTrace(1, time.Second)))
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_spans_refused", attribute.String("reason", "downstream_error")))
}

func TestShutdownHonoursItsDeadline(t *testing.T) {
	cfg := shopConfig()
	cfg.ShutdownTimeout = 10 * time.Millisecond
	blocked := consumerFunc(func(ctx context.Context, _ ptrace.Traces) error {
		<-ctx.Done()
		return ctx.Err()
	})
	p, _, _ := newTestSampler(t, cfg, blocked)
	require.NoError(t, p.ConsumeTraces(context.Background(), checkoutTrace(1, time.Second)))
	assert.ErrorIs(t, p.Shutdown(context.Background()), context.DeadlineExceeded)
}

type consumerFunc func(context.Context, ptrace.Traces) error

func (f consumerFunc) ConsumeTraces(ctx context.Context, td ptrace.Traces) error { return f(ctx, td) }
func (consumerFunc) Capabilities() consumer.Capabilities                         { return consumer.Capabilities{} }

func TestAdjustmentsAreReported(t *testing.T) {
	p, tel, clock := newTestSampler(t, shopConfig(), consumertest.NewNop())
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(1, time.Millisecond)))
	clock.now = start.Add(3 * time.Second)
	p.advance(ctx) // decides the trace
	clock.now = start.Add(4 * time.Second)
	p.advance(ctx) // adjusts with its stratum known
	m, err := tel.GetMetric("otelcol_processor_slo_sampling_stratum_probability")
	require.NoError(t, err)
	points := m.Data.(metricdata.Gauge[float64]).DataPoints
	require.Len(t, points, 1)
	route, _ := points[0].Attributes.Value("route")
	assert.Equal(t, "POST /checkout", route.AsString())
	assert.Equal(t, 1.0, points[0].Value)
	m, err = tel.GetMetric("otelcol_processor_slo_sampling_output_rate")
	require.NoError(t, err)
	assert.Len(t, m.Data.(metricdata.Gauge[float64]).DataPoints, 3)
	require.NoError(t, p.Shutdown(ctx))
}

func TestConcurrentIntakeWithTheTickerRunning(t *testing.T) {
	sink := new(consumertest.TracesSink)
	set := processortest.NewNopSettings(metadata.Type)
	p, err := NewFactory().CreateTraces(context.Background(), set, shopConfig(), sink)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, p.Start(ctx, componenttest.NewNopHost()))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				assert.NoError(t, p.ConsumeTraces(ctx, checkoutTrace(byte(g*50+i), time.Millisecond)))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(ctx))
	assert.Equal(t, 200, sink.SpanCount(), "200 spans a second fit in the budget: all are kept")
}
