package engine

import "math"

// defaultBadRatio stands for the SLI variability of routes without an
// objective: as if they had a 99% target.
const defaultBadRatio = 0.01

// controlHorizon is the time, in seconds, over which the controller makes
// up for the difference between output and budget.
const controlHorizon = 4

// deficitHorizon bounds, in seconds of budget, how much past over- or
// under-output the controller makes up for.
const deficitHorizon = 60

// adjust updates the EWMA rates and burn rates over the last dt seconds
// and recomputes every probability for the budget.
func (e *Engine) adjust(dt float64) {
	e.lastAdjust = e.now
	if dt <= 0 {
		return
	}
	alpha := ewmaAlpha(dt, e.cfg.RateWindow.Seconds())
	// rateWeight corrects the EWMAs' bias towards zero during warm-up.
	e.rateWeight = ewma(e.rateWeight, 1, alpha)
	offered := 0.0
	for _, st := range e.strataList {
		st.traceRate = ewma(st.traceRate, st.arrivedTraces/dt, alpha)
		st.spanRate = ewma(st.spanRate, st.arrivedSpans/dt, alpha)
		offered += st.spanRate
		st.arrivedTraces, st.arrivedSpans = 0, 0
	}
	for _, tn := range e.tenantList {
		tn.violationSpanRate = ewma(tn.violationSpanRate, tn.violationArrivedSpans/dt, alpha)
		tn.violationArrivedSpans = 0
	}
	for i := range e.burn {
		o := &e.matcher.objectives[i]
		e.burn[i].update(dt, e.cfg.BurnRate.ShortWindow.Seconds(), e.cfg.BurnRate.LongWindow.Seconds(), o.budgetedBadRatio, e.cfg.BurnRate.Threshold)
	}

	// Integral control: output above budget lowers the next target and
	// output below raises it, within one minute of budget. This only runs
	// while arrivals exceed the budget; otherwise the debt fades away, as
	// idle time is no reason to overshoot later.
	budget := e.effectiveBudget()
	e.budgetSpansPerSecond = budget
	e.outputRate = ewma(e.outputRate, e.outputSpans/dt, alpha)
	e.saturated = offered/e.rateWeight >= budget
	if e.saturated {
		e.outputDeficit += budget*dt - e.outputSpans
	} else {
		e.outputDeficit -= alpha * e.outputDeficit
	}
	e.outputDeficit = math.Max(-budget*deficitHorizon, math.Min(budget*deficitHorizon, e.outputDeficit))
	e.outputSpans = 0
	target := math.Max(0, budget+e.outputDeficit/controlHorizon)
	e.adjustTarget = target

	e.estimatedRate = e.share(target, e.cfg.Budget.ViolationShare*budget)
	if e.observer != nil {
		s := e.Snapshot()
		e.observer.Adjusted(&s)
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
	w := e.rateWeight
	if w == 0 {
		w = 1
	}
	s := Snapshot{
		BufferedTraces:          len(e.traces),
		BufferedBytes:           e.BufferedBytes(),
		BudgetSpansPerSecond:    e.budgetSpansPerSecond,
		EstimatedSpansPerSecond: e.estimatedRate,
		OutputSpansPerSecond:    e.outputRate / w,
		ViolationProbability:    1,
		Strata:                  make([]StratumState, len(e.strataList)),
		Tenants:                 make([]TenantState, len(e.tenantList)),
		Objectives:              make([]ObjectiveState, len(e.burn)),
	}
	for i, st := range e.strataList {
		s.Strata[i] = StratumState{Stratum: st.name, Probability: st.probability, TracesPerSecond: st.traceRate / w, SpansPerSecond: st.spanRate / w}
	}
	for i, tn := range e.tenantList {
		s.ViolationProbability = min(s.ViolationProbability, tn.violationProbability)
		s.Tenants[i] = TenantState{
			Name:                    tn.name,
			Weight:                  tn.weight,
			ViolationSpansPerSecond: tn.violationSpanRate / w,
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
