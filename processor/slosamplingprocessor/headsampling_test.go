package slosamplingprocessor

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/extension/headsamplingextension"
)

type fakeSource struct {
	roots  []headsamplingextension.Root
	served map[string]float64
}

func (*fakeSource) AttachSampler(float64, bool)              {}
func (*fakeSource) ObserveState(headsamplingextension.State) {}
func (f *fakeSource) ObserveRoots(_ time.Time, roots []headsamplingextension.Root) {
	f.roots = append(f.roots, roots...)
}

func (f *fakeSource) ServedProbability(service, operation string) (float64, bool) {
	p, ok := f.served[service+"/"+operation]
	return p, ok
}

func rootSpan(td ptrace.Traces, service, name string, id pcommon.TraceID) ptrace.Span {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName(name)
	span.SetTraceID(id)
	span.SetSpanID(pcommon.SpanID{1})
	return span
}

func TestHeadProbabilityRule(t *testing.T) {
	src := &fakeSource{served: map[string]float64{"legacy/GET /": 0.25}}
	h := newHeadStage(src)
	td := ptrace.NewTraces()
	jaeger := rootSpan(td, "frontend", "GET /", pcommon.TraceID{1})
	jaeger.Attributes().PutStr(jaegerSamplerType, "probabilistic")
	jaeger.Attributes().PutDouble(jaegerSamplerParam, 0.1)
	consistent := rootSpan(td, "frontend", "GET /a", pcommon.TraceID{2})
	consistent.TraceState().FromRaw("ot=th:c") // p = 0.25
	limited := rootSpan(td, "frontend", "GET /b", pcommon.TraceID{3})
	limited.Attributes().PutStr(jaegerSamplerType, "ratelimiting")
	rootSpan(td, "legacy", "GET /", pcommon.TraceID{4})
	rootSpan(td, "other", "GET /", pcommon.TraceID{5})
	child := rootSpan(td, "frontend", "child", pcommon.TraceID{1})
	child.SetParentSpanID(pcommon.SpanID{9})

	h.intake(time.Now(), td)
	require.Len(t, src.roots, 5, "roots only")
	want := []float64{0.1, 0.25, 1, 0.25, 1}
	for i, r := range src.roots {
		assert.InDelta(t, want[i], r.Probability, 1e-9, "%v", r)
	}
	_, stamped := h.threshold(pcommon.TraceID{1})
	assert.True(t, stamped, "jaeger.sampler.param")
	_, stamped = h.threshold(pcommon.TraceID{2})
	assert.False(t, stamped, "an SDK's own th is left to the engine")
	_, stamped = h.threshold(pcommon.TraceID{4})
	assert.True(t, stamped, "the strategy served to a polling service")
	_, stamped = h.threshold(pcommon.TraceID{5})
	assert.False(t, stamped)
}

// TestJoinedThresholdIsConsistent: for every randomness and tail threshold, the joined rv is at
// least the joined th exactly when the tail sampler kept the trace, and th = T_h + T_t·p_h.
func TestJoinedThresholdIsConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		ph := []float64{0.5, 0.1, 0.013, 0.9}[rng.IntN(4)]
		head := headThreshold(ph)
		tail := rng.Uint64N(maxThreshold)
		var id pcommon.TraceID
		for i := range id {
			id[i] = byte(rng.UintN(256))
		}
		r := sampling.TraceIDToRandomness(id).Unsigned()
		th, _ := sampling.UnsignedToThreshold(tail)
		ts, ok := joinThresholds("ot=th:"+th.TValue()+",vendor=x", id, head)
		require.True(t, ok)
		w3c, err := sampling.NewW3CTraceState(ts)
		require.NoError(t, err)
		jth, ok := w3c.OTelValue().TValueThreshold()
		require.True(t, ok)
		jrv, ok := w3c.OTelValue().RValueRandomness()
		require.True(t, ok)
		assert.Equal(t, r >= tail, jrv.Unsigned() >= jth.Unsigned(), "consistency")
		assert.GreaterOrEqual(t, jth.Unsigned(), max(head, tail), "only ever raised")
		pt := float64(maxThreshold-tail) / float64(maxThreshold)
		assert.InEpsilon(t, ph*pt, jth.Probability(), 1e-6)
		assert.Contains(t, ts, "vendor=x")
	}
}
