package engine

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// simulation replays synthetic web-shop traffic through an engine under
// virtual time and records what comes out.
type simulation struct {
	engine     *Engine
	rng        *rand.Rand
	next       uint64
	keptSpans  map[int64]float64 // output spans per virtual second
	truth      map[string]float64
	estimate   map[string]float64
	variance   map[string]float64
	violating  int
	violatKept int
}

func newSimulation(t *testing.T, cfg Config) *simulation {
	e, _ := newTestEngine(t, cfg)
	return &simulation{
		engine: e, rng: rand.New(rand.NewPCG(11, 12)),
		keptSpans: map[int64]float64{}, truth: map[string]float64{}, estimate: map[string]float64{}, variance: map[string]float64{},
	}
}

var simRoutes = []struct {
	name   string
	weight float64
}{{"GET /checkout", 0.05}, {"GET /home", 0.75}, {"GET /cart", 0.199}, {"GET /rare", 0.001}}

// run generates tracesPerSecond traces for the duration starting at from,
// in 100 ms ticks.
func (s *simulation) run(t *testing.T, from time.Time, d time.Duration, tracesPerSecond float64) {
	const tick = 100 * time.Millisecond
	for now := from; now.Before(from.Add(d)); now = now.Add(tick) {
		td := ptrace.NewTraces()
		n := int(tracesPerSecond * tick.Seconds())
		if s.rng.Float64() < tracesPerSecond*tick.Seconds()-float64(n) {
			n++
		}
		for range n {
			route := pickRoute(s.rng.Float64())
			duration := time.Duration(s.rng.ExpFloat64() * float64(128*time.Millisecond))
			root := spanSpec{service: "frontend", name: route, root: true, duration: duration}
			s.truth[route]++
			if route == "GET /checkout" && duration > 500*time.Millisecond {
				s.violating++
			}
			appendTrace(t, td, traceID(s.next), now, root, child("cart", "get"), child("db", "query"), child("db", "query"), child("cache", "get"))
			s.next++
		}
		if td.SpanCount() > 0 {
			out := ingest(t, s.engine, now, td)
			s.record(now, out.Decisions)
		}
		s.record(now, s.engine.Advance(now))
	}
}

func pickRoute(u float64) string {
	for _, r := range simRoutes {
		if u < r.weight {
			return r.name
		}
		u -= r.weight
	}
	return simRoutes[0].name
}

func (s *simulation) record(now time.Time, decisions []Decision) {
	for _, d := range decisions {
		if d.Reason == ReasonViolation || d.Reason == ReasonViolationOverShare {
			if d.Kept {
				s.violatKept++
			}
		}
		if !d.Kept {
			continue
		}
		s.keptSpans[now.Unix()] += float64(d.Spans)
		root := d.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		w := d.Threshold.AdjustedCount()
		s.estimate[root.Name()] += w
		s.variance[root.Name()] += w * (w - 1) // Horvitz–Thompson variance estimate: (1-p)/p²
	}
}

// windowDeviations returns |output - budget| / budget over sliding
// one-minute windows (10 s steps) between from and to.
func (s *simulation) windowDeviations(from, to time.Time, budget float64) []float64 {
	var devs []float64
	for start := from; !start.Add(time.Minute).After(to); start = start.Add(10 * time.Second) {
		total := 0.0
		for sec := start.Unix(); sec < start.Add(time.Minute).Unix(); sec++ {
			total += s.keptSpans[sec]
		}
		devs = append(devs, math.Abs(total/60-budget)/budget)
	}
	return devs
}

func p95(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[int(math.Ceil(0.95*float64(len(sorted))))-1]
}

func TestBudgetViolationsAndWeightsUnderVirtualTime(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 250
	s := newSimulation(t, cfg)
	s.run(t, epoch, 10*time.Minute, 200) // 1000 spans/s offered
	s.record(epoch.Add(10*time.Minute), s.engine.DecideAll(epoch.Add(10*time.Minute)))

	assert.Equal(t, s.violating, s.violatKept, "every SLO-violating trace is kept")
	devs := s.windowDeviations(epoch.Add(time.Minute), epoch.Add(10*time.Minute), cfg.Budget.SpansPerSecond)
	assert.Less(t, p95(devs), 0.05, "p95 deviation of one-minute output from budget: %v", devs)
	for route, truth := range s.truth {
		sd := math.Sqrt(s.variance[route])
		assert.InDelta(t, truth, s.estimate[route], 1.96*sd+1e-9, "%s: 95%% interval covers the truth", route)
		if truth > 10000 {
			assert.InEpsilon(t, truth, s.estimate[route], 0.02, route)
		}
	}
	require.Positive(t, s.estimate["GET /rare"], "a rare route stays visible")
}

func TestBudgetRecoversFromTenfoldStep(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 250
	s := newSimulation(t, cfg)
	s.run(t, epoch, 3*time.Minute, 100)
	step := epoch.Add(3 * time.Minute)
	s.run(t, step, 2*time.Minute, 1000)
	devs := s.windowDeviations(step.Add(30*time.Second), step.Add(2*time.Minute), cfg.Budget.SpansPerSecond)
	for _, d := range devs {
		assert.Less(t, d, 0.10, "30 s after a 10x step, one-minute output is within 10%% of budget: %v", devs)
	}
}
