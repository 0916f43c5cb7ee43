package headsamplingextension

import (
	"math"
	"sort"
	"time"

	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/neyman"
)

// OverflowName stands for the services beyond max_services and, within a service, for the
// operations beyond max_operations.
const OverflowName = cardinality.Overflow

// hotViolationRate is the rate of SLO-violating traces (per second, as the tail sampler measures
// them) above which a route counts as violating its objective.
const hotViolationRate = 0.001

// forgetAfter is how long a route without traffic keeps its strategy before it is forgotten.
const forgetAfter = time.Hour

// defaultBadRatio is the bad ratio assumed for routes without an objective, as the tail sampler
// does.
const defaultBadRatio = 0.01

// StratumRates is the tail sampler's view of one of its strata at this gateway.
type StratumRates struct {
	Service, Route string
	// Violation is true for the stratum of the route's SLO-violating traces.
	Violation                       bool
	TracesPerSecond, SpansPerSecond float64
}

// ObjectiveState is one objective of the tail sampler with what it matches.
type ObjectiveState struct {
	// Service and Route are the objective's match (empty matches any).
	Service, Route string
	// Burning is true while the objective burns its error budget fast.
	Burning bool
	// BadRatio is the observed bad ratio; BudgetBadRatio is 1 - target.
	BadRatio, BudgetBadRatio float64
}

// State is what the tail sampler reports after each of its adjustments.
type State struct {
	Strata     []StratumRates
	Objectives []ObjectiveState
}

// RouteKey names a (service, operation): an operation is the name of a trace's root span.
type RouteKey struct{ Service, Operation string }

// Strategy is what is served to one service.
type Strategy struct {
	Service string
	// DefaultProbability applies to the operations not listed.
	DefaultProbability float64
	// LowerBound is served as defaultLowerBoundTracesPerSecond.
	LowerBound float64
	// Operations lists the per-operation probabilities, sorted by operation.
	Operations []OperationProbability
	// Default is true for the configured default strategy (a service never seen).
	Default bool
}

// OperationProbability is one operation's head-sampling probability.
type OperationProbability struct {
	Operation   string
	Probability float64
}

// Probability returns the probability the strategy gives operation.
func (s *Strategy) Probability(operation string) float64 {
	i := sort.Search(len(s.Operations), func(i int) bool { return s.Operations[i].Operation >= operation })
	if i < len(s.Operations) && s.Operations[i].Operation == operation {
		return s.Operations[i].Probability
	}
	return s.DefaultProbability
}

type route struct {
	// weighted counts roots since the last adjustment, each 1/p of its head probability.
	weighted float64
	arrived  int // roots since the last adjustment
	// rate is the EWMA of requests per second at this gateway (all requests, before head sampling).
	rate    float64
	hasRate bool
	// since is when the measure of a route without a rate began: its first rate is taken over
	// whole adjust intervals, from the first adjustment after its first root.
	since time.Time
	// stepInst is the rate measured in the previous interval when it was a step above the
	// average (0 otherwise): a step is followed when two intervals in a row show it.
	stepInst  float64
	lastRoot  time.Time
	spanRatio float64 // spans per trace as the tail sampler receives them
	violating float64 // SLO-violating traces per second (tail sampler's measure)
	burning   bool
	sigma     float64
	lastHot   time.Time
	served    float64 // the probability served, 0 until computed
}

// planner computes the strategies. It is not safe for concurrent use: the extension locks it.
type planner struct {
	cfg          *Config
	fleet        int
	outputBudget float64 // the slo_sampling budget, for the default input budget
	// outputPerGateway: outputBudget is one gateway's (the sampler has no fleet option).
	outputPerGateway bool
	routes           map[RouteKey]*route
	services         map[string]int // operations per service (overflow excluded)
	lastAdjust       time.Time
	state            State

	// estimated is the input the served probabilities predict, fleet-wide spans per second.
	estimated float64
	// arriving is the measured input, fleet-wide spans per second.
	arriving float64
}

func newPlanner(cfg *Config) *planner {
	return &planner{cfg: cfg, fleet: 1, routes: map[RouteKey]*route{}, services: map[string]int{}}
}

// key bounds the cardinality: services beyond max_services and operations beyond max_operations
// share overflow keys.
func (p *planner) key(service, operation string) RouteKey {
	k := RouteKey{service, operation}
	if _, ok := p.routes[k]; ok {
		return k
	}
	n, known := p.services[service]
	if !known {
		if len(p.services) >= p.cfg.MaxServices {
			return RouteKey{OverflowName, OverflowName}
		}
		p.services[service] = 0
	}
	if n >= p.cfg.MaxOperations {
		return RouteKey{service, OverflowName}
	}
	p.services[service] = n + 1
	return k
}

// lookup finds the key of an existing route, or of the overflow that holds it.
func (p *planner) lookup(service, operation string) (RouteKey, bool) {
	for _, k := range [...]RouteKey{{service, operation}, {service, OverflowName}, {OverflowName, OverflowName}} {
		if _, ok := p.routes[k]; ok {
			if k.Service == OverflowName {
				if _, known := p.services[service]; known {
					return RouteKey{}, false
				}
			}
			return k, true
		}
	}
	return RouteKey{}, false
}

func (p *planner) route(k RouteKey) *route {
	r, ok := p.routes[k]
	if !ok {
		r = &route{spanRatio: 1, sigma: math.Sqrt(defaultBadRatio * (1 - defaultBadRatio))}
		p.routes[k] = r
	}
	return r
}

// observeRoot counts a root span that arrived with head probability prob.
func (p *planner) observeRoot(now time.Time, service, operation string, prob float64) {
	if !(prob > 0 && prob <= 1) {
		prob = 1
	}
	r := p.route(p.key(service, operation))
	if !r.hasRate && r.since.IsZero() {
		r.since = now
	}
	r.weighted += 1 / prob
	r.arrived++
	r.lastRoot = now
}

// observeState takes the tail sampler's latest state.
func (p *planner) observeState(s State) { p.state = s }

// inputBudget is the fleet's input budget in spans per second.
func (p *planner) inputBudget() float64 {
	if p.cfg.InputBudget.SpansPerSecond > 0 {
		return p.cfg.InputBudget.SpansPerSecond
	}
	b := p.cfg.InputBudget.OutputMultiple * p.outputBudget
	if p.outputPerGateway {
		b *= float64(max(p.fleet, 1))
	}
	return b
}

// adjust recomputes the probabilities at now and returns the strategies by service.
func (p *planner) adjust(now time.Time) map[string]*Strategy {
	prev := p.lastAdjust
	dt := now.Sub(p.lastAdjust).Seconds()
	first := p.lastAdjust.IsZero()
	p.lastAdjust = now
	if first || dt <= 0 {
		dt = p.cfg.AdjustInterval.Seconds()
	}
	alpha := 1 - math.Exp(-dt/p.cfg.RateWindow.Seconds())
	fleet := float64(max(p.fleet, 1))

	// Rates, spans per trace and violations from the tail sampler, by route.
	type tail struct{ traces, spans, violating float64 }
	tails := map[RouteKey]*tail{}
	p.arriving = 0
	for _, st := range p.state.Strata {
		k, ok := p.lookup(st.Service, st.Route)
		if !ok {
			continue
		}
		t := tails[k]
		if t == nil {
			t = &tail{}
			tails[k] = t
		}
		t.traces += st.TracesPerSecond
		t.spans += st.SpansPerSecond
		if st.Violation {
			t.violating += st.TracesPerSecond
		}
		p.arriving += st.SpansPerSecond * fleet
	}
	for k, r := range p.routes {
		idle := p.idle(now, r)
		inst := r.weighted / dt
		switch {
		case !r.hasRate && !r.since.IsZero():
			// A new route. Its first roots came during this interval, in the SDKs' batches:
			// counted over the whole interval they would be too few, over the time since the first
			// batch too many. They are left out, and the rate is measured from this adjustment on,
			// over whole intervals (several for a sparse route, until roots arrive).
			if r.since.After(prev) {
				r.since = now
			} else if r.arrived > 0 {
				r.rate, r.hasRate = r.weighted/now.Sub(r.since).Seconds(), true
			}
		case !r.hasRate && inst > 0:
			r.rate, r.hasRate = inst, true
		case r.hasRate && r.arrived >= stepArrivals && inst > stepFactor*r.rate && r.stepInst > 0:
			// A step up in traffic, measured on enough roots in two intervals in a row to be no
			// accident (one interval can hold two of an SDK's export batches, or a chance excess
			// of a few head-sampled roots of large weight): followed at once, so that the
			// probability falls at the next adjustment.
			r.rate = (r.stepInst + inst) / 2
			r.stepInst = 0
		case r.hasRate && !idle:
			if r.arrived >= stepArrivals && inst > stepFactor*r.rate {
				r.stepInst = inst
			} else {
				r.stepInst = 0
			}
			r.rate += alpha * (inst - r.rate)
		}
		r.weighted, r.arrived = 0, 0
		if t := tails[k]; t != nil {
			if t.traces > 0 && t.spans > 0 {
				r.spanRatio = t.spans / t.traces
			}
			r.violating = t.violating
		} else {
			r.violating = 0
		}
		r.burning = false
		q := defaultBadRatio
		for _, o := range p.state.Objectives {
			if o.Service == k.Service && o.Route == k.Operation {
				r.burning = r.burning || o.Burning
				q = math.Max(o.BadRatio, o.BudgetBadRatio)
			}
		}
		q = math.Min(q, 0.5)
		r.sigma = math.Sqrt(q * (1 - q))
		if r.violating > hotViolationRate || r.burning {
			r.lastHot = now
		}
		if idle && now.Sub(r.lastRoot) > forgetAfter {
			delete(p.routes, k)
			if k.Operation != OverflowName {
				p.services[k.Service]--
			}
			if p.services[k.Service] <= 0 && !p.hasRoutes(k.Service) {
				delete(p.services, k.Service)
			}
		}
	}

	targets := p.allocate(now, fleet)
	p.estimated = 0
	for k, r := range p.routes {
		t, ok := targets[k]
		if !ok {
			continue // idle: keeps what it was served
		}
		r.served = p.damp(r.served, t, p.hot(now, r))
		p.estimated += r.served * r.rate * fleet * r.spanRatio
	}
	return p.strategies()
}

// idle tells a route whose traffic stopped: no root for idleWindows rate windows. Its rate and
// probability are then left as they were (a sparse route is not idle: its rate decays and its
// probability rises until its roots arrive again).
func (p *planner) idle(now time.Time, r *route) bool {
	if r.arrived > 0 {
		return false
	}
	wait := idleWindows * p.cfg.RateWindow
	if expected := r.rate * r.served; expected > 0 {
		// A route sampled so low that its roots are rare is idle only after several missed ones.
		wait = max(wait, time.Duration(idleWindows/expected*float64(time.Second)))
	}
	return now.Sub(r.lastRoot) > wait
}

// idleWindows is how many rate windows without a root make a route idle.
const idleWindows = 6

// A rate at least stepFactor times the average, measured on at least stepArrivals roots in each
// of two adjustments in a row, replaces the average at once.
const (
	stepFactor   = 1.5
	stepArrivals = 20
)

func (p *planner) hasRoutes(service string) bool {
	for k := range p.routes {
		if k.Service == service {
			return true
		}
	}
	return false
}

func (p *planner) hot(now time.Time, r *route) bool {
	return !r.lastHot.IsZero() && now.Sub(r.lastHot) <= p.cfg.HotHold
}

// allocate shares the input budget over the active routes and returns their target
// probabilities: hot routes 1; every route at least its minimum representation, even when the
// minimums alone exceed what is left; the rest of the budget by neyman.Probabilities.
func (p *planner) allocate(now time.Time, fleet float64) map[RouteKey]float64 {
	targets := map[RouteKey]float64{}
	left := p.inputBudget()
	var keys []RouteKey
	var strata []neyman.Stratum
	floors := 0.0
	for k, r := range p.routes {
		if !r.hasRate || p.idle(now, r) {
			continue
		}
		lambda := r.rate * fleet
		if lambda <= 0 {
			continue
		}
		if p.hot(now, r) {
			targets[k] = 1
			left -= lambda * r.spanRatio
			continue
		}
		minimum := math.Min(lambda, p.cfg.MinTracesPerMinute/60)
		floors += minimum * r.spanRatio
		keys = append(keys, k)
		strata = append(strata, neyman.Stratum{Traces: lambda, Spans: lambda * r.spanRatio, Sigma: r.sigma, Minimum: minimum})
	}
	if floors >= left {
		for i, k := range keys {
			targets[k] = strata[i].Minimum / strata[i].Traces
		}
		return targets
	}
	for i, prob := range neyman.Probabilities(strata, left) {
		targets[keys[i]] = prob
	}
	return targets
}

// grid is the number of probability steps per halving: served probabilities are powers of
// 2^(-1/grid), so that gateways whose measured rates differ slightly serve the same numbers.
const grid = 8

func quantize(prob float64) float64 {
	if prob >= 1 {
		return 1
	}
	const minProbability = 1e-6
	prob = math.Max(prob, minProbability)
	step := math.Round(-math.Log2(prob) * grid)
	return math.Pow(2, -step/grid)
}

// damp turns a target into the probability served: a hot route gets 1 at once; otherwise a
// change within the deadband is not made, an increase is capped at max_increase of the served
// probability, and a decrease is made at once (the gateway is protected first).
func (p *planner) damp(served, target float64, hot bool) float64 {
	if hot {
		return 1
	}
	target = math.Min(target, 1)
	if served == 0 {
		served = p.cfg.DefaultProbability
	}
	if math.Abs(target-served) <= p.cfg.Deadband*served {
		return served
	}
	if target > served {
		target = math.Min(target, served*(1+p.cfg.MaxIncrease))
	}
	return quantize(target)
}

// strategies builds the strategy of every known service.
func (p *planner) strategies() map[string]*Strategy {
	out := map[string]*Strategy{}
	for k, r := range p.routes {
		if r.served == 0 {
			continue
		}
		s := out[k.Service]
		if s == nil {
			s = &Strategy{Service: k.Service, DefaultProbability: p.cfg.DefaultProbability, LowerBound: p.cfg.LowerBoundTracesPerSecond}
			out[k.Service] = s
		}
		if k.Operation == OverflowName {
			s.DefaultProbability = r.served
			continue
		}
		s.Operations = append(s.Operations, OperationProbability{Operation: k.Operation, Probability: r.served})
	}
	for _, s := range out {
		sort.Slice(s.Operations, func(i, j int) bool { return s.Operations[i].Operation < s.Operations[j].Operation })
	}
	return out
}
