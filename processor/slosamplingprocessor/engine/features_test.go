package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// shopTraffic feeds two minutes of home and checkout traces, checkout
// being slow with probability slowShare, and returns the engine and its
// kept traces per route.
func shopTraffic(t *testing.T, cfg Config, slowShare float64) (*Engine, map[string]int) {
	e, _ := newTestEngine(t, cfg)
	rng := rand.New(rand.NewPCG(21, 22))
	kept := map[string]int{}
	var n uint64
	for now := epoch; now.Before(epoch.Add(2 * time.Minute)); now = now.Add(100 * time.Millisecond) {
		td := ptrace.NewTraces()
		for range 20 {
			root := spanSpec{service: "frontend", name: "GET /home", root: true, duration: time.Millisecond}
			if rng.Float64() < 0.2 {
				root = checkout(time.Millisecond)
				if rng.Float64() < slowShare {
					root = checkout(time.Second)
				}
			}
			appendTrace(t, td, traceID(n), now, root, child("cart", "get"))
			n++
		}
		ingest(t, e, now, td)
		for _, d := range e.Advance(now) {
			if d.Kept {
				kept[d.Stratum.Route]++
			}
		}
	}
	return e, kept
}

// normalProbability is the sampling probability of route's stratum of traces that broke no objective.
func normalProbability(s Snapshot, route string) float64 {
	for _, st := range s.Strata {
		if st.Route == route && st.Outcome == OutcomeOK {
			return st.Probability
		}
	}
	return -1
}

func TestFastBurnGivesTheRouteMoreNormalTraces(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 40
	cfg.MinTracesPerStratumPerMinute = 0
	calm, _ := shopTraffic(t, cfg, 0)
	burning, _ := shopTraffic(t, cfg, 0.3)

	calmState, burningState := calm.Snapshot(), burning.Snapshot()
	require.Len(t, burningState.Objectives, 1)
	assert.True(t, burningState.Objectives[0].BurningFast, "30%% bad against a 1%% budget burns fast: %+v", burningState.Objectives[0])
	assert.Greater(t, burningState.Objectives[0].ShortBurnRate, cfg.BurnRate.Threshold)
	assert.False(t, calmState.Objectives[0].BurningFast)

	calmRatio := normalProbability(calmState, "GET /checkout") / normalProbability(calmState, "GET /home")
	burningRatio := normalProbability(burningState, "GET /checkout") / normalProbability(burningState, "GET /home")
	assert.Greater(t, burningRatio, 2*calmRatio, "normal checkout traces are boosted while checkout burns fast")
}

func TestTracesPerSecondBudget(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 1e6
	cfg.Budget.TracesPerSecond = 20
	cfg.MinTracesPerStratumPerMinute = 0
	_, kept := shopTraffic(t, cfg, 0)
	total := 0
	for _, n := range kept {
		total += n
	}
	// 200 traces/s offered for 2 minutes; after a few seconds of warm-up
	// the output follows 20 traces per second.
	assert.InDelta(t, 20*120, total, 0.1*20*120)
}

func TestRetain(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 1e-9
	cfg.MinTracesPerStratumPerMinute = 0
	e, _ := newTestEngine(t, cfg)
	for i := range 100 {
		ingest(t, e, epoch, buildTrace(t, traceID(uint64(1000+i)), epoch, checkout(time.Millisecond)))
	}
	e.DecideAll(epoch)
	e.Advance(epoch.Add(time.Second)) // the ok stratum now has a tiny probability

	now := epoch.Add(time.Second)
	retained, other := traceID(1), traceID(2)
	ingest(t, e, now, buildTrace(t, retained, now, checkout(time.Millisecond)))
	ingest(t, e, now, buildTrace(t, other, now, checkout(time.Millisecond)))
	assert.True(t, e.Retain(retained))
	assert.False(t, e.Retain(traceID(3)), "an unknown trace cannot be retained")

	decisions := e.Advance(now.Add(2 * time.Second))
	decisions = append(decisions, e.Advance(now.Add(2*time.Second+cfg.TraceTimeout))...)
	require.Len(t, decisions, 2)
	for _, d := range decisions {
		if d.TraceID == retained {
			assert.True(t, d.Kept)
			assert.Equal(t, ReasonRetained, d.Reason)
			assert.Equal(t, 1.0, d.Probability)
		} else {
			assert.False(t, d.Kept)
		}
	}
	assert.True(t, e.Retain(retained), "a kept trace stays retained")
	assert.False(t, e.Retain(other), "a dropped trace cannot be retained")
}

func TestUpstreamThresholdIsOnlyRaised(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	td := buildTrace(t, traceID(5), epoch, checkout(time.Second))
	upstream := ThresholdFromProbability(0.5)
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	span.TraceState().FromRaw("ot=th:" + upstream.String() + ";rv:ffffffffffffff")
	ingest(t, e, epoch, td)
	d := e.DecideAll(epoch)
	require.Len(t, d, 1)
	require.True(t, d[0].Kept, "rv is above every threshold")
	assert.Equal(t, upstream, d[0].Threshold, "a violating trace keeps its upstream threshold")
	assert.Equal(t, 2.0, d[0].Threshold.AdjustedCount())
	assert.Equal(t, "ot=rv:ffffffffffffff;th:8", d[0].Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceState().AsRaw())
}

func TestDecisionCaches(t *testing.T) {
	kept := newKeptCache(2)
	kept.add(traceID(1), mark{threshold: 1})
	kept.add(traceID(2), mark{threshold: 2})
	_, ok := kept.get(traceID(1)) // 1 becomes the most recent
	require.True(t, ok)
	kept.add(traceID(3), mark{threshold: 3}) // evicts 2, the least recent
	_, ok = kept.get(traceID(2))
	assert.False(t, ok)
	m, ok := kept.get(traceID(1))
	assert.True(t, ok)
	assert.Equal(t, Threshold(1), m.threshold)

	dropped := newDroppedFilter(1000)
	for i := range 1000 {
		dropped.add(traceID(uint64(i)))
	}
	for i := range 1000 {
		require.True(t, dropped.contains(traceID(uint64(i))), "no false negatives")
	}
	falsePositives := 0
	for i := range 100000 {
		if dropped.contains(traceID(uint64(1e6 + i))) {
			falsePositives++
		}
	}
	assert.Less(t, falsePositives, 100, "about 0.05%% false positives")
	for i := range 2000 {
		dropped.add(traceID(uint64(5000 + i))) // two rotations forget the first ids
	}
	forgotten := 0
	for i := range 1000 {
		if !dropped.contains(traceID(uint64(i))) {
			forgotten++
		}
	}
	assert.Greater(t, forgotten, 990)
}

func TestBytesPerSecondBudget(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 1e6
	cfg.MinTracesPerStratumPerMinute = 0
	td := buildTrace(t, traceID(1), epoch, checkout(time.Millisecond), child("cart", "get"))
	bytesPerSpan := float64((&ptrace.ProtoMarshaler{}).TracesSize(td)) / 2
	cfg.Budget.BytesPerSecond = 40 * bytesPerSpan // 40 spans per second, 20 traces
	_, kept := shopTraffic(t, cfg, 0)
	total := 0
	for _, n := range kept {
		total += n
	}
	assert.InDelta(t, 20*120, total, 0.1*20*120)
}

func TestStrataBeyondMaxShareTheOverflowStratum(t *testing.T) {
	cfg := testConfig()
	cfg.MaxStrata = 2
	e, _ := newTestEngine(t, cfg)
	for i, route := range []string{"GET /a", "GET /b", "GET /c", "GET /d"} {
		ingest(t, e, epoch, buildTrace(t, traceID(uint64(i)), epoch, spanSpec{service: "web", name: route, root: true}))
	}
	var strata []Stratum
	for _, d := range e.DecideAll(epoch) {
		strata = append(strata, d.Stratum)
	}
	assert.Equal(t, []Stratum{
		{Service: "web", Route: "GET /a"},
		{Service: "web", Route: "GET /b"},
		{Service: "_other", Route: "_other"},
		{Service: "_other", Route: "_other"},
	}, strata)
	assert.Len(t, e.Snapshot().Strata, 3)
}
