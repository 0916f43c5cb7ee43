package engine

import "math"

// share sets every stratum's probability for an output target (spans per
// second) of which up to reserve goes to SLO-violating traces, and returns
// the output the probabilities predict.
//
//  1. The reserve is shared over tenants by weighted max-min fairness of
//     their violating span rates: a tenant within its fair share keeps all
//     its violating traces whatever the others send.
//  2. The rest of the target is shared the same way over their other
//     traffic; a tenant's floor is the cost of its strata's minimum
//     representation.
//  3. Each tenant's strata share its grant by allocate.
func (e *Engine) share(target, reserve float64) float64 {
	w := e.rateWeight
	claims := make([]claim, len(e.tenantList))
	for i, tn := range e.tenantList {
		claims[i] = claim{demand: tn.violationSpanRate / w, weight: tn.weight}
	}
	violating := 0.0
	for i, grant := range waterFill(claims, reserve) {
		tn, rate := e.tenantList[i], claims[i].demand
		tn.violationProbability = 1
		if rate > grant {
			tn.violationProbability = grant / rate
		}
		tn.violationGrant = math.Min(rate, grant)
		violating += tn.violationGrant
	}

	minRate := e.cfg.MinTracesPerStratumPerMinute / 60
	demands := make([][]demand, len(e.tenantList))
	sampled := make([][]*stratum, len(e.tenantList))
	for i, tn := range e.tenantList {
		claims[i] = claim{weight: tn.weight}
		for _, st := range tn.strata {
			if st.name.Outcome == OutcomeViolation {
				st.probability = tn.violationProbability
				continue
			}
			d := demand{traceRate: st.traceRate / w, spanRate: st.spanRate / w, sigma: e.sigma(st), minRate: minRate}
			demands[i] = append(demands[i], d)
			sampled[i] = append(sampled[i], st)
			claims[i].demand += d.spanRate
			if d.traceRate > 0 {
				claims[i].floor += math.Min(d.minRate, d.traceRate) * d.spanRate / d.traceRate
			}
		}
	}
	estimated := violating
	for i, grant := range waterFill(claims, target-violating) {
		e.tenantList[i].sampledGrant = grant
		for j, p := range allocate(demands[i], grant) {
			sampled[i][j].probability = p
			estimated += p * demands[i][j].spanRate
		}
	}
	return estimated
}
