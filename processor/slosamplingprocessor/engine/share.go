package engine

import (
	"math"

	"github.com/tailwise/tailwise/internal/neyman"
)

// share sets every stratum's probability for an output target (spans per
// second) and returns the output the probabilities predict.
//
//  1. Every stratum of non-violating traces is set aside its minimum
//     representation.
//  2. SLO-violating traces get what is left, up to violationCap, shared over
//     tenants by weighted max-min fairness of their violating span rates: a
//     tenant within its fair share keeps all its violating traces whatever
//     the others send; one above it keeps its smallest first.
//  3. The rest of the target is shared the same way over the tenants' other
//     traffic; a tenant's floor is the cost of its strata's minimum
//     representation. Each tenant's strata share its grant by
//     neyman.Probabilities.
func (e *Engine) share(target, violationCap float64) float64 {
	w := e.pop.rateWeight
	minRate := e.cfg.MinTracesPerStratumPerMinute / 60
	claims := make([]claim, len(e.pop.tenants))
	demands := make([][]neyman.Stratum, len(e.pop.tenants))
	sampled := make([][]*stratum, len(e.pop.tenants))
	floors := 0.0
	for i, tn := range e.pop.tenants {
		claims[i] = claim{weight: tn.weight}
		// The buffer holds the demand of the next seconds: when it holds
		// more than the rates predict, the rates are scaled up to it.
		scale, offered := 1.0, 0.0
		for _, st := range tn.strata {
			if st.name.Outcome != OutcomeViolation {
				offered += st.spanRate / w
			}
		}
		if buffered := tn.bufferedSpans / e.residence; offered > 0 && buffered > offered {
			scale = buffered / offered
		}
		for _, st := range tn.strata {
			if st.name.Outcome == OutcomeViolation {
				continue
			}
			d := neyman.Stratum{Traces: scale * st.traceRate / w, Spans: scale * st.spanRate / w, Sigma: e.sigma(st), Minimum: minRate}
			demands[i] = append(demands[i], d)
			sampled[i] = append(sampled[i], st)
			claims[i].demand += d.Spans
			if d.Traces > 0 {
				claims[i].floor += math.Min(d.Minimum, d.Traces) * d.Spans / d.Traces
			}
		}
		floors += math.Min(claims[i].floor, claims[i].demand)
	}

	violationClaims := make([]claim, len(e.pop.tenants))
	for i, tn := range e.pop.tenants {
		violationClaims[i] = claim{demand: tn.violatorSizes.demand(w), weight: tn.weight}
	}
	violating := 0.0
	for i, grant := range waterFill(violationClaims, math.Min(violationCap, math.Max(0, e.budget.spansPerSecond-floors))) {
		tn, rate := e.pop.tenants[i], violationClaims[i].demand
		tn.violationProbability = 1
		if rate > grant {
			tn.violationProbability = grant / rate
		}
		tn.violationGrant = math.Min(rate, grant)
		tn.violatorSizes.fit(grant, e.violationFloor(tn, minRate), w)
		violating += tn.violatorSizes.expected(w, e.residence)
		for _, st := range tn.strata {
			if st.name.Outcome == OutcomeViolation {
				st.probability = tn.violationProbability
			}
		}
	}

	estimated := violating
	for i, grant := range waterFill(claims, math.Max(floors, target-violating)) {
		e.pop.tenants[i].sampledGrant = grant
		for j, p := range neyman.Probabilities(demands[i], grant) {
			st, d := sampled[i][j], demands[i][j]
			st.probability, st.floorProbability = p, 1
			if d.Traces > 0 {
				st.floorProbability = min(1, d.Minimum/d.Traces)
			}
			estimated += p * d.Spans
		}
	}
	return estimated
}

// violationFloor is the probability that the minimum representation of a
// tenant's violating traces needs.
func (e *Engine) violationFloor(tn *tenant, minRate float64) float64 {
	rate := 0.0
	for _, st := range tn.strata {
		if st.name.Outcome == OutcomeViolation {
			rate += st.traceRate / e.pop.rateWeight
		}
	}
	if rate <= 0 {
		return 1
	}
	return min(1, minRate/rate)
}
