package slosamplingprocessor

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// TestTwoStageCountsAreUnbiased: requests head-sampled as the Go SDK's jaegerremote sampler does
// (TraceIDRatioBased on the trace id's high bits, jaeger.sampler.param on the root, no th), then
// tail-sampled by the engine to a budget; the adjusted counts of the kept traces, read from
// their ot=th, add up to the number of requests.
func TestTwoStageCountsAreUnbiased(t *testing.T) {
	cfg := engine.DefaultConfig()
	cfg.Budget.SpansPerSecond = 60
	cfg.DecisionDelay = time.Second
	e, err := engine.New(cfg, nil)
	require.NoError(t, err)
	h := newHeadStage(&fakeSource{})
	rng := rand.New(rand.NewPCG(3, 4))
	heads := map[string]float64{"GET /": 0.2, "GET /products": 0.5, "POST /api/checkout": 1}
	truth := map[string]int{}
	estimate := map[string]float64{}
	now := time.Unix(1_700_000_000, 0)
	collect := func(ds []engine.Decision) {
		for i := range ds {
			if !ds[i].Kept {
				continue
			}
			h.stamp(ds[i].Traces)
			rs := ds[i].Traces.ResourceSpans()
			for j := range rs.Len() {
				spans := rs.At(j).ScopeSpans().At(0).Spans()
				for k := range spans.Len() {
					s := spans.At(k)
					if !s.ParentSpanID().IsEmpty() {
						continue
					}
					w3c, err := sampling.NewW3CTraceState(s.TraceState().AsRaw())
					require.NoError(t, err)
					estimate[s.Name()] += w3c.OTelValue().AdjustedCount()
				}
			}
		}
	}
	for second := range 300 {
		td := ptrace.NewTraces()
		for route, rate := range map[string]int{"GET /": 40, "GET /products": 10, "POST /api/checkout": 2} {
			for range rate {
				truth[route]++
				var id pcommon.TraceID
				binary.BigEndian.PutUint64(id[:8], rng.Uint64())
				binary.BigEndian.PutUint64(id[8:], rng.Uint64())
				p := heads[route]
				if binary.BigEndian.Uint64(id[8:])>>1 >= uint64(p*(1<<63)) && p < 1 { // TraceIDRatioBased
					continue
				}
				rs := td.ResourceSpans().AppendEmpty()
				rs.Resource().Attributes().PutStr("service.name", "frontend")
				spans := rs.ScopeSpans().AppendEmpty().Spans()
				root := spans.AppendEmpty()
				root.SetName(route)
				root.SetTraceID(id)
				root.SetSpanID(pcommon.SpanID{1})
				root.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
				root.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(10 * time.Millisecond)))
				if p < 1 {
					root.Attributes().PutStr(jaegerSamplerType, "probabilistic")
					root.Attributes().PutDouble(jaegerSamplerParam, p)
				}
				for c := range 4 {
					child := spans.AppendEmpty()
					child.SetName("db")
					child.SetTraceID(id)
					child.SetSpanID(pcommon.SpanID{2, byte(c)})
					child.SetParentSpanID(pcommon.SpanID{1})
				}
			}
		}
		h.intake(now, td)
		out, err := e.Ingest(now, td)
		require.NoError(t, err)
		collect(out.Decisions)
		for range 10 {
			now = now.Add(100 * time.Millisecond)
			collect(e.Advance(now))
		}
		_ = second
	}
	collect(e.DecideAll(now.Add(time.Minute)))
	for route, n := range truth {
		t.Logf("%-20s true %6d  estimated %8.1f  (%+.2f %%)", route, n, estimate[route], 100*(estimate[route]-float64(n))/float64(n))
		require.InEpsilon(t, float64(n), estimate[route], 0.05, route)
	}
}
