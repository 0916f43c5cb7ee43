package engine

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// demand is what the allocator knows about one stratum.
type demand struct {
	traceRate float64 // arrivals, traces per second
	spanRate  float64 // arrivals, spans per second
	sigma     float64 // standard deviation of the stratum's SLI indicator
	minRate   float64 // traces per second the stratum keeps at least
}

// allocate shares spanBudget (spans per second) over strata and returns
// each stratum's sampling probability. Every stratum first gets its minimum
// representation; the rest follows Neyman allocation with costs: kept
// traces per second n_h ∝ N_h·σ_h/√c_h (N_h arrivals, c_h spans per
// trace), capped at N_h. This minimises the variance of the per-stratum SLI
// estimates for the span budget. Probabilities are in [0, 1].
func allocate(strata []demand, spanBudget float64) []float64 {
	n := len(strata)
	probs := make([]float64, n)
	if n == 0 {
		return probs
	}
	arrivals, costs, minimum, neyman := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, d := range strata {
		arrivals[i] = d.traceRate
		costs[i] = 1
		if d.traceRate > 0 && d.spanRate > 0 {
			costs[i] = d.spanRate / d.traceRate
		}
		minimum[i] = math.Min(d.minRate, d.traceRate)
		neyman[i] = d.traceRate * d.sigma / math.Sqrt(costs[i])
	}
	kept := make([]float64, n)
	switch total, minimumSpans := floats.Dot(arrivals, costs), floats.Dot(minimum, costs); {
	case total <= spanBudget:
		copy(kept, arrivals)
	case spanBudget <= 0:
	case minimumSpans >= spanBudget:
		copy(kept, minimum)
		floats.Scale(spanBudget/minimumSpans, kept)
	default:
		fill := func(lambda float64) float64 {
			for i := range kept {
				kept[i] = math.Min(arrivals[i], math.Max(minimum[i], lambda*neyman[i]))
			}
			return floats.Dot(kept, costs)
		}
		lo, hi := 0.0, 1.0
		for fill(hi) < spanBudget && hi < 1e300 {
			hi *= 2
		}
		for range 100 {
			mid := (lo + hi) / 2
			if fill(mid) < spanBudget {
				lo = mid
			} else {
				hi = mid
			}
		}
		fill(lo)
	}
	for i := range probs {
		probs[i] = 1
		if arrivals[i] > 0 {
			probs[i] = math.Min(1, kept[i]/arrivals[i])
		}
	}
	return probs
}
