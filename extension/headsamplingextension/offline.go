package headsamplingextension // import "github.com/tailwise/tailwise/extension/headsamplingextension"

import "time"

// Planner computes strategies offline, on recorded traffic under virtual time, as the extension
// does every adjust_interval on one gateway; `tailctl tune --head-sampling` runs it.
type Planner struct{ p *planner }

// NewPlanner returns a planner for a validated cfg, fed by a tail sampler whose budget is
// outputBudget spans per second.
func NewPlanner(cfg *Config, outputBudget float64) *Planner {
	p := newPlanner(cfg)
	p.outputBudget = outputBudget
	return &Planner{p: p}
}

// ObserveRoot counts a root span that arrived at now, head-sampled with r.Probability.
func (pl *Planner) ObserveRoot(now time.Time, r Root) {
	pl.p.observeRoot(now, r.Service, r.Operation, r.Probability)
}

// ObserveState takes the tail sampler's state after one of its adjustments.
func (pl *Planner) ObserveState(s State) { pl.p.observeState(s) }

// Adjust recomputes the strategies at now and returns them by service.
func (pl *Planner) Adjust(now time.Time) map[string]*Strategy { return pl.p.adjust(now) }

// Probability is the probability strategies, as Adjust returned them, give a root span: the
// service's own strategy, the overflow one once max_services is reached, or the configured
// default, as the extension serves them.
func (pl *Planner) Probability(strategies map[string]*Strategy, service, operation string) float64 {
	if s, ok := strategyOf(strategies, len(pl.p.services) >= pl.p.cfg.MaxServices, service); ok {
		return s.Probability(operation)
	}
	return pl.p.cfg.DefaultProbability
}

// strategyOf is the strategy served to a service: its own, or the overflow one once the bound
// on services is reached (full); false means the configured default.
func strategyOf[S any](strategies map[string]S, full bool, service string) (S, bool) {
	if s, ok := strategies[service]; ok && service != OverflowName {
		return s, true
	}
	if full {
		if s, ok := strategies[OverflowName]; ok {
			return s, true
		}
	}
	var none S
	return none, false
}

// InputBudget is the input budget in spans per second.
func (pl *Planner) InputBudget() float64 { return pl.p.inputBudget() }
