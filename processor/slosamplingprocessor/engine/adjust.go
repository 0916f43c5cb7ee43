package engine

import "math"

// defaultBadRatio stands for the SLI variability of routes without an
// objective: as if they had a 99% target.
const defaultBadRatio = 0.01

// adjust updates the EWMA rates and burn rates over the last dt seconds
// and recomputes every probability for the budget.
func (e *Engine) adjust(dt float64) {
	e.lastAdjust = e.now
	if dt <= 0 {
		return
	}
	alpha := ewmaAlpha(dt, e.cfg.RateWindow.Seconds())
	// Idle time (no span for a rate_window, nothing buffered) leaves the
	// rates as they were: a burst after a quiet hour starts from the last
	// known mix.
	idle := e.buffer.len() == 0 && e.budget.idleSince(e.now, e.cfg.RateWindow.Nanoseconds())
	if !idle {
		e.pop.updateRates(dt, alpha)
	}
	offeredTraces, offered := e.pop.offered()
	for i := range e.burn {
		o := &e.matcher.objectives[i]
		e.burn[i].update(dt, e.cfg.BurnRate.ShortWindow.Seconds(), e.cfg.BurnRate.LongWindow.Seconds(), o.budgetedBadRatio, e.cfg.BurnRate.Threshold)
	}

	budget := e.budget.effective(offeredTraces, offered)
	w := max(e.pop.rateWeight, 1e-9)
	starting := e.budget.starting(e.now, (e.cfg.DecisionDelay + e.cfg.AdjustInterval).Nanoseconds())
	e.budget.settle(dt, alpha, budget, !idle && offered/w >= budget, idle, starting)

	e.measureBuffer()
	e.budget.estimated = e.share(e.budget.target, e.cfg.Budget.ViolationShare*budget)
	if e.observer != nil {
		s := e.Snapshot()
		e.observer.Adjusted(&s)
	}
}

// measureBuffer counts, per tenant, the spans of the undecided traces:
// violating ones by size, the others in all.
func (e *Engine) measureBuffer() {
	for _, tn := range e.pop.tenants {
		tn.bufferedSpans = 0
		clear(tn.violatorSizes.buffered[:])
	}
	for _, t := range e.buffer.traces {
		if t.draw != nil {
			continue
		}
		tn := e.pop.tenantOf(t.tenant)
		if t.violated != 0 {
			tn.violatorSizes.buffered[sizeBin(t.spans)] += float64(t.spans)
		} else {
			tn.bufferedSpans += float64(t.spans)
		}
	}
}

// sigma is the standard deviation of a stratum's SLI indicator: from its
// objective's observed bad ratio, at least the budgeted one, boosted while
// the objective burns its error budget fast.
func (e *Engine) sigma(st *stratum) float64 {
	q, boost := defaultBadRatio, 1.0
	if st.objective >= 0 {
		b := &e.burn[st.objective]
		q = math.Max(b.badRatio(), e.matcher.objectives[st.objective].budgetedBadRatio)
		if b.fast {
			boost = e.cfg.BurnRate.Boost
		}
	}
	q = math.Min(q, 0.5)
	return boost * math.Sqrt(q*(1-q))
}

// Snapshot reports the current rates, probabilities and burn rates.
func (e *Engine) Snapshot() Snapshot {
	w := e.pop.rateWeight
	if w == 0 {
		w = 1
	}
	s := Snapshot{
		BufferedTraces:          e.buffer.len(),
		BufferedBytes:           e.BufferedBytes(),
		BudgetSpansPerSecond:    e.budget.spansPerSecond,
		EstimatedSpansPerSecond: e.budget.estimated,
		OutputSpansPerSecond:    e.budget.outputRate / w,
		ViolationProbability:    1,
		Strata:                  make([]StratumState, len(e.pop.strata)),
		Tenants:                 make([]TenantState, len(e.pop.tenants)),
		Objectives:              make([]ObjectiveState, len(e.burn)),
	}
	for i, st := range e.pop.strata {
		s.Strata[i] = StratumState{Stratum: st.name, Probability: st.probability, TracesPerSecond: st.traceRate / w, SpansPerSecond: st.spanRate / w}
	}
	for i, tn := range e.pop.tenants {
		s.ViolationProbability = min(s.ViolationProbability, tn.violationProbability)
		s.Tenants[i] = TenantState{
			Name:                    tn.name,
			Weight:                  tn.weight,
			ViolationSpansPerSecond: tn.violatorSizes.demand(w),
			ViolationProbability:    tn.violationProbability,
			ViolationGrant:          tn.violationGrant,
			SampledGrant:            tn.sampledGrant,
		}
	}
	for i := range e.burn {
		b := &e.burn[i]
		s.Objectives[i] = ObjectiveState{
			Name:             e.cfg.Objectives[i].Name,
			ShortBurnRate:    b.shortBurn,
			LongBurnRate:     b.longBurn,
			BurningFast:      b.fast,
			BadRatio:         b.badRatio(),
			MatchedPerSecond: b.shortTotal,
			BudgetBadRatio:   e.matcher.objectives[i].budgetedBadRatio,
		}
	}
	return s
}
