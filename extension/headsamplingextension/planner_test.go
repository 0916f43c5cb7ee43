package headsamplingextension

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sim drives a planner under virtual time with SDKs that apply every strategy at once.
type sim struct {
	t      *testing.T
	p      *planner
	now    time.Time
	routes map[RouteKey]*simRoute
	served map[string]*Strategy
	exact  bool // arrivals as expected values, without rounding to whole traces
}

type simRoute struct {
	rate, spans float64 // requests per second (at this gateway) and spans per trace
	violating   float64 // share of requests that violate an objective
	carry       float64
}

func newSim(t *testing.T, mutate func(*Config)) *sim {
	cfg := createDefaultConfig().(*Config)
	cfg.AdjustInterval = time.Second
	cfg.RateWindow = 5 * time.Second
	cfg.InputBudget.SpansPerSecond = 1000
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	return &sim{t: t, p: newPlanner(cfg), now: time.Unix(1_700_000_000, 0), routes: map[RouteKey]*simRoute{}, served: map[string]*Strategy{}}
}

func (s *sim) set(service, op string, rate, spans float64) *simRoute {
	r := s.routes[RouteKey{service, op}]
	if r == nil {
		r = &simRoute{}
		s.routes[RouteKey{service, op}] = r
	}
	r.rate, r.spans = rate, spans
	return r
}

// probability is what the SDK of service applies to op.
func (s *sim) probability(service, op string) float64 {
	st, ok := s.served[service]
	if !ok {
		return s.p.cfg.DefaultProbability
	}
	return st.Probability(op)
}

// step runs one adjust interval: requests arrive head-sampled, the tail sampler reports its
// arrival rates, the planner adjusts. It returns the input in spans per second.
func (s *sim) step() float64 {
	dt := s.p.cfg.AdjustInterval.Seconds()
	s.now = s.now.Add(s.p.cfg.AdjustInterval)
	var state State
	input := 0.0
	keys := make([]RouteKey, 0, len(s.routes))
	for k := range s.routes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Service+"\x00"+keys[i].Operation < keys[j].Service+"\x00"+keys[j].Operation
	})
	for _, k := range keys {
		r := s.routes[k]
		prob := s.probability(k.Service, k.Operation)
		if s.exact && r.rate > 0 {
			rt := s.p.route(s.p.key(k.Service, k.Operation))
			rt.weighted += r.rate * dt
			rt.arrived += int(r.rate * dt * prob)
			rt.lastRoot = s.now
		} else {
			r.carry += r.rate * dt * prob
			n := math.Floor(r.carry)
			r.carry -= n
			for range int(n) {
				s.p.observeRoot(s.now, k.Service, k.Operation, prob)
			}
		}
		if r.rate > 0 {
			arriving := r.rate * prob
			input += arriving * r.spans
			state.Strata = append(state.Strata,
				StratumRates{Service: k.Service, Route: k.Operation, TracesPerSecond: arriving * (1 - r.violating), SpansPerSecond: arriving * (1 - r.violating) * r.spans},
				StratumRates{Service: k.Service, Route: k.Operation, Violation: true, TracesPerSecond: arriving * r.violating, SpansPerSecond: arriving * r.violating * r.spans})
		}
	}
	s.p.observeState(state)
	s.served = s.p.adjust(s.now)
	return input
}

func TestTrafficStepConvergesToTheInputBudget(t *testing.T) {
	s := newSim(t, nil)
	s.set("frontend", "GET /", 400, 5)
	s.set("frontend", "POST /api/checkout", 20, 12)
	s.set("catalog", "GET /products", 100, 3)
	var inputs []float64
	for range 40 {
		inputs = append(inputs, s.step())
	}
	last := inputs[len(inputs)-1]
	assert.InDelta(t, 1000, last, 100, "input after 40 s: %v", inputs)
	t.Logf("steady input %.0f spans/s (budget 1000); p(GET /)=%.3f p(checkout)=%.3f p(products)=%.3f",
		last, s.probability("frontend", "GET /"), s.probability("frontend", "POST /api/checkout"), s.probability("catalog", "GET /products"))

	// Traffic on GET / quadruples: the input is back within 10 % of the budget in two steps.
	s.set("frontend", "GET /", 1600, 5)
	s.step() // the SDKs still apply the old strategy: the gateway measures the step
	s.step()
	in := s.step()
	assert.InDelta(t, 1000, in, 100, "input two adjustments after a 4x step")

	// Traffic falls back: increases are capped at +50 % a step, never overshoot, and settle.
	s.set("frontend", "GET /", 400, 5)
	prev := s.probability("frontend", "GET /")
	changes, direction := 0, 0
	for range 60 {
		s.step()
		p := s.probability("frontend", "GET /")
		assert.LessOrEqual(t, p, prev*1.5+1e-9, "increase capped at 50 %")
		d := 0
		if p > prev {
			d = 1
		} else if p < prev {
			d = -1
		}
		if d != 0 && direction != 0 && d != direction {
			changes++
		}
		if d != 0 {
			direction = d
		}
		prev = p
	}
	assert.LessOrEqual(t, changes, 1, "no oscillation")
	assert.InDelta(t, 1000, s.step(), 100)
}

func TestBurningRouteGetsProbabilityOneAtOnce(t *testing.T) {
	s := newSim(t, func(c *Config) { c.HotHold = 10 * time.Second })
	s.set("frontend", "GET /", 400, 5)
	checkout := s.set("frontend", "POST /api/checkout", 100, 12)
	for range 30 {
		s.step()
	}
	require.Less(t, s.probability("frontend", "POST /api/checkout"), 0.5)
	checkout.violating = 0.2
	s.step()
	assert.Equal(t, 1.0, s.probability("frontend", "POST /api/checkout"), "one adjustment after the violations arrive")
	assert.Less(t, s.probability("frontend", "GET /"), 0.5, "other routes pay for it")
	checkout.violating = 0
	for range 10 {
		s.step()
		assert.Equal(t, 1.0, s.probability("frontend", "POST /api/checkout"), "held for hot_hold")
	}
	for range 5 {
		s.step()
	}
	t.Logf("checkout after hot_hold: %v", s.served["frontend"])
	assert.Less(t, s.probability("frontend", "POST /api/checkout"), 0.5, "back to its share after hot_hold")

	// A fast-burning objective on the route does the same.
	s.p.state.Objectives = []ObjectiveState{{Service: "frontend", Route: "POST /api/checkout", Burning: true, BudgetBadRatio: 0.01}}
	s.served = s.p.adjust(s.now.Add(time.Second))
	assert.Equal(t, 1.0, s.served["frontend"].Probability("POST /api/checkout"))
}

func TestEveryRouteKeepsItsMinimumRepresentation(t *testing.T) {
	s := newSim(t, func(c *Config) { c.InputBudget.SpansPerSecond = 100 })
	s.set("frontend", "GET /", 2000, 10)
	s.set("frontend", "GET /api/gift-cards", 0.5, 10)
	for range 60 {
		s.step()
	}
	// 6 a minute of 0.5 a second: the head lets through 0.1 a second on average, within the noise
	// of estimating a rate from so few traces.
	var sum float64
	for range 600 {
		s.step()
		sum += 0.5 * s.probability("frontend", "GET /api/gift-cards")
	}
	t.Logf("gift-cards: %.3f traces/s head-sampled on average (minimum 0.1)", sum/600)
	assert.GreaterOrEqual(t, sum/600, 0.08)
	assert.Less(t, s.probability("frontend", "GET /"), 0.01)
}

func TestIdleServiceKeepsItsStrategyThenIsForgotten(t *testing.T) {
	s := newSim(t, nil)
	s.set("frontend", "GET /", 400, 5)
	batch := s.set("batch", "nightly", 300, 5)
	for range 40 {
		s.step()
	}
	require.Less(t, s.probability("batch", "nightly"), 1.0)
	batch.rate = 0
	for range 60 {
		s.step()
	}
	before := s.probability("batch", "nightly")
	for range 600 {
		s.step()
	}
	assert.Equal(t, before, s.probability("batch", "nightly"), "an idle route keeps what it was served")
	// Forgotten after an hour without traffic: the service gets the default again.
	s.now = s.now.Add(forgetAfter)
	s.step()
	_, known := s.served["batch"]
	assert.False(t, known)
	assert.Equal(t, s.p.cfg.DefaultProbability, s.probability("batch", "nightly"))
}

func TestUnknownServiceGetsTheDefault(t *testing.T) {
	s := newSim(t, func(c *Config) { c.DefaultProbability = 0.25 })
	s.set("frontend", "GET /", 10, 5)
	s.step()
	_, ok := s.served["never-seen"]
	assert.False(t, ok)
	assert.Equal(t, 0.25, s.probability("never-seen", "anything"))
}

func TestBoundedCardinality(t *testing.T) {
	s := newSim(t, func(c *Config) { c.MaxOperations = 2; c.MaxServices = 2 })
	for _, op := range []string{"a", "b", "c", "d"} {
		s.set("frontend", op, 100, 5)
	}
	s.set("catalog", "x", 100, 5)
	s.set("search", "y", 100, 5)
	for range 20 {
		s.step()
	}
	fe := s.served["frontend"]
	require.NotNil(t, fe)
	assert.Len(t, fe.Operations, 2, "max_operations")
	assert.NotEqual(t, s.p.cfg.DefaultProbability, fe.DefaultProbability, "the overflow operations' probability is the default")
	assert.Contains(t, s.served, OverflowName, "the third service shares the overflow")
	assert.Len(t, s.served, 3, "two services and the overflow")
	assert.NotContains(t, s.served, "search", "the third service in order of arrival")
	assert.LessOrEqual(t, len(s.p.routes), 2+1+1+1)
}

func TestFleetGatewaysServeTheSameStrategy(t *testing.T) {
	// One gateway of three sees a third of the traffic; it must serve what one gateway seeing all
	// of it serves.
	alone := newSim(t, nil)
	member := newSim(t, nil)
	member.p.fleet = 3
	for _, s := range []*sim{alone, member} {
		s.exact = true
		div := float64(s.p.fleet)
		s.set("frontend", "GET /", 900/div, 5)
		s.set("frontend", "POST /api/checkout", 60/div, 12)
		s.set("catalog", "GET /products", 300/div, 3)
	}
	for range 60 {
		alone.step()
		member.step()
	}
	for k := range alone.routes {
		assert.Equal(t, alone.probability(k.Service, k.Operation), member.probability(k.Service, k.Operation), "%v", k)
	}
}

func TestDefaultInputBudgetIsAMultipleOfTheOutputBudget(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	p := newPlanner(cfg)
	p.outputBudget = 250
	assert.Equal(t, 1000.0, p.inputBudget())
	p.outputPerGateway, p.fleet = true, 3
	assert.Equal(t, 3000.0, p.inputBudget(), "a per-gateway output budget times the fleet")
}

func TestQuantizeIsAGrid(t *testing.T) {
	assert.Equal(t, 1.0, quantize(1.2))
	assert.Equal(t, 0.5, quantize(0.5))
	assert.InDelta(t, 0.25, quantize(0.2510), 1e-12)
	for _, p := range []float64{0.9, 0.3, 0.01, 1e-4} {
		q := quantize(p)
		assert.InEpsilon(t, p, q, 0.03)
		assert.Equal(t, q, quantize(q))
	}
}

// A new route's first rate is measured over whole adjust intervals. Its first roots arrive in
// the SDKs' batches somewhere in an interval: counted over the whole interval they would be too
// few, over the time since the first batch too many, and a probability computed from either can
// stay wrong within the deadband.
func TestNewRouteIsMeasuredOverWholeIntervals(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AdjustInterval = time.Second
	cfg.RateWindow = 10 * time.Second
	p := newPlanner(cfg)
	t0 := time.Unix(1_700_000_000, 0)
	p.adjust(t0)
	// 200 requests a second, all sent (probability 1), from 0.55 s into the interval, in batches
	// of 40 every 200 ms.
	batch := func(at time.Duration) {
		for range 40 {
			p.observeRoot(t0.Add(at), "frontend", "GET /", 1)
		}
	}
	batch(750 * time.Millisecond)
	batch(950 * time.Millisecond)
	p.adjust(t0.Add(time.Second))
	r := p.routes[RouteKey{"frontend", "GET /"}]
	assert.False(t, r.hasRate, "the interval the route began in is left out")
	for at := 1150 * time.Millisecond; at < 2*time.Second; at += 200 * time.Millisecond {
		batch(at)
	}
	p.adjust(t0.Add(2 * time.Second))
	require.True(t, r.hasRate)
	assert.InDelta(t, 200, r.rate, 1e-9)

	// A sparse route is measured over the intervals until its roots arrive.
	p.observeRoot(t0.Add(2500*time.Millisecond), "frontend", "GET /cart", 0.5)
	p.adjust(t0.Add(3 * time.Second))
	cart := p.routes[RouteKey{"frontend", "GET /cart"}]
	p.adjust(t0.Add(4 * time.Second))
	assert.False(t, cart.hasRate)
	p.observeRoot(t0.Add(4500*time.Millisecond), "frontend", "GET /cart", 0.5)
	p.adjust(t0.Add(5 * time.Second))
	require.True(t, cart.hasRate)
	assert.InDelta(t, 1, cart.rate, 1e-9, "one root of weight 2 in the 2 s since the measure began")
}

// One interval that holds more roots than the rate (here two export batches of an SDK where
// there is usually one) is no step in traffic: the average moves by its EWMA weight only. A step
// seen in two intervals in a row replaces the average.
func TestStepNeedsTwoIntervals(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AdjustInterval = time.Second
	cfg.RateWindow = 10 * time.Second
	p := newPlanner(cfg)
	t0 := time.Unix(1_700_000_000, 0)
	at := t0
	interval := func(roots int) *route {
		for range roots {
			p.observeRoot(at.Add(500*time.Millisecond), "frontend", "GET /", 0.5)
		}
		at = at.Add(time.Second)
		p.adjust(at)
		return p.routes[RouteKey{"frontend", "GET /"}]
	}
	p.adjust(at)
	for range 5 {
		interval(30) // 60 requests a second, sent at 0.5
	}
	r := interval(30)
	require.InDelta(t, 60, r.rate, 1e-9)

	r = interval(60) // two batches in one interval...
	assert.Less(t, r.rate, 70.0, "one interval is no step")
	r = interval(0) // ...and none in the next
	assert.Less(t, r.rate, 70.0)
	for range 3 {
		interval(30)
	}

	interval(90) // traffic triples
	r = interval(90)
	assert.InDelta(t, 180, r.rate, 1e-9, "followed after two intervals")
}
