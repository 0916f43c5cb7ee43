package engine

import "math"

// defaultBadRatio stands for the SLI variability of routes without an
// objective: as if they had a 99% target.
const defaultBadRatio = 0.01

// controlHorizon is the time, in seconds, over which the controller makes
// up for the difference between output and budget: longer than the output
// one trace brings, so that keeping a large one does not swing the target.
const controlHorizon = 10

// deficitHorizon bounds, in seconds of budget, how much past over-output
// the controller makes up for.
const deficitHorizon = 30

// burstAllowance bounds, in seconds of budget, how much unspent budget the
// controller may spend later, as a rate limiter's token bucket does: a
// twentieth of a minute's budget.
const burstAllowance = 3

// maxCorrectionDown bounds the controller's downward correction of the
// target, as a share of the budget: it may take the target to zero, as
// every stratum's minimum representation and the violating traces are
// granted apart from it.
const maxCorrectionDown = 1

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
	idle := len(e.traces) == 0 && e.now-e.lastArrival > e.cfg.RateWindow.Nanoseconds()
	offered := 0.0
	if !idle {
		// rateWeight corrects the EWMAs' bias towards zero during warm-up.
		e.rateWeight = ewma(e.rateWeight, 1, alpha)
		for _, st := range e.strataList {
			st.traceRate = ewma(st.traceRate, st.arrivedTraces/dt, alpha)
			st.spanRate = ewma(st.spanRate, st.arrivedSpans/dt, alpha)
			st.arrivedTraces, st.arrivedSpans = 0, 0
		}
		for _, tn := range e.tenantList {
			tn.violationSpanRate = ewma(tn.violationSpanRate, tn.violationArrivedSpans/dt, alpha)
			tn.violationArrivedSpans = 0
			tn.violatorSizes.update(dt, alpha)
		}
	}
	for _, st := range e.strataList {
		offered += st.spanRate
	}
	for i := range e.burn {
		o := &e.matcher.objectives[i]
		e.burn[i].update(dt, e.cfg.BurnRate.ShortWindow.Seconds(), e.cfg.BurnRate.LongWindow.Seconds(), o.budgetedBadRatio, e.cfg.BurnRate.Threshold)
	}

	// Integral control, as a token bucket: output above budget lowers the
	// next target and output below raises it. Unspent budget is kept up to
	// burstAllowance seconds of it, and a full allowance after an idle gap,
	// so that a short burst is kept whole; debt is kept up to
	// deficitHorizon seconds of budget.
	budget := e.effectiveBudget()
	e.budgetSpansPerSecond = budget
	e.outputRate = ewma(e.outputRate, e.outputSpans/dt, alpha)
	w := max(e.rateWeight, 1e-9)
	e.saturated = !idle && offered/w >= budget
	// A burst's first seconds after an idle gap decide nothing yet: no
	// output is owed for them.
	starting := e.now-e.burstStart < (e.cfg.DecisionDelay + e.cfg.AdjustInterval).Nanoseconds()
	switch {
	case idle:
		e.outputDeficit = budget * burstAllowance
	case !starting:
		e.outputDeficit += budget*dt - e.outputSpans
	}
	e.outputDeficit = math.Max(-budget*deficitHorizon, math.Min(budget*burstAllowance, e.outputDeficit))
	e.outputSpans = 0
	e.adjustTarget = budget + e.correction(e.outputDeficit)

	e.measureBuffer()
	e.estimatedRate = e.share(e.adjustTarget, e.cfg.Budget.ViolationShare*budget)
	if e.observer != nil {
		s := e.Snapshot()
		e.observer.Adjusted(&s)
	}
}

// measureBuffer counts, per tenant, the spans of the undecided traces:
// violating ones by size, the others in all.
func (e *Engine) measureBuffer() {
	for _, tn := range e.tenantList {
		tn.bufferedSpans = 0
		clear(tn.violatorSizes.buffered[:])
	}
	for _, t := range e.traces {
		if t.draw != nil {
			continue
		}
		tn := e.tenantOf(t.tenant)
		if t.violated != 0 {
			tn.violatorSizes.buffered[sizeBin(t.spans)] += float64(t.spans)
		} else {
			tn.bufferedSpans += float64(t.spans)
		}
	}
}

// correction is the change of the output target that pays deficit back over
// controlHorizon, within the bounds.
func (e *Engine) correction(deficit float64) float64 {
	b := e.budgetSpansPerSecond
	return math.Max(-maxCorrectionDown*b, deficit/controlHorizon)
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
