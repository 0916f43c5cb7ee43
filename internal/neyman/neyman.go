// Package neyman shares a sampling budget over strata by Neyman allocation with costs: the
// allocation that minimises the variance of the strata's estimates for the budget, with a
// minimum representation for every stratum. The tail sampler and the head-sampling planner
// both share their budgets with it.
package neyman // import "github.com/tailwise/tailwise/internal/neyman"

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Stratum is what the allocation knows about one stratum.
type Stratum struct {
	Traces  float64 // arrivals, traces per second
	Spans   float64 // arrivals, spans per second
	Sigma   float64 // standard deviation of the stratum's indicator
	Minimum float64 // traces per second the stratum keeps at least
}

// Probabilities shares spanBudget (spans per second) over strata and returns each stratum's
// sampling probability, in [0, 1]. Every stratum first gets its minimum representation
// (scaled down evenly when the minimums alone exceed the budget); the rest follows Neyman
// allocation with costs: kept traces per second n_h ∝ N_h·σ_h/√c_h (N_h arrivals, c_h spans
// per trace), capped at N_h.
func Probabilities(strata []Stratum, spanBudget float64) []float64 {
	n := len(strata)
	probs := make([]float64, n)
	if n == 0 {
		return probs
	}
	arrivals, costs, minimum, neyman := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, d := range strata {
		arrivals[i] = d.Traces
		costs[i] = 1
		if d.Traces > 0 && d.Spans > 0 {
			costs[i] = d.Spans / d.Traces
		}
		minimum[i] = math.Min(d.Minimum, d.Traces)
		neyman[i] = d.Traces * d.Sigma / math.Sqrt(costs[i])
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
