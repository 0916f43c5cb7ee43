package main

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// z95 is the standard normal quantile of a two-sided 95% interval.
var z95 = distuv.UnitNormal.Quantile(0.975)

// htTotal is a Horvitz–Thompson estimate of a total from kept traces, each
// weighted by its adjusted count w = 1/p, with the unbiased variance
// estimate Σ y²(1-p)/p² = Σ w(w-1)y².
type htTotal struct {
	estimate, variance float64
}

func (h *htTotal) add(w, y float64) {
	h.estimate += w * y
	h.variance += w * (w - 1) * y * y
}

// htRatio estimates a ratio of two totals (errors per request) from kept
// traces; its variance is linearized: Σ w(w-1)(e - R·n)² / N², expanded so
// that R need not be known while adding.
type htRatio struct {
	numerator, denominator float64
	ee, en, nn             float64
}

func (r *htRatio) add(w, e, n float64) {
	r.numerator += w * e
	r.denominator += w * n
	f := w * (w - 1)
	r.ee += f * e * e
	r.en += f * e * n
	r.nn += f * n * n
}

// estimate is a true value beside its estimate and 95% interval.
type estimate struct {
	Truth    float64 `json:"truth"`
	Estimate float64 `json:"estimate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// totalEstimate reports a total with its interval, never below zero.
func totalEstimate(truth float64, h htTotal) estimate {
	half := z95 * math.Sqrt(max(0, h.variance))
	return estimate{Truth: truth, Estimate: h.estimate, Low: max(0, h.estimate-half), High: h.estimate + half}
}

// ratioEstimate reports a ratio with its interval, within [0, 1]. With no
// kept data the estimate is 0 over [0, 1]: nothing is known.
func ratioEstimate(truth float64, r htRatio) estimate {
	if r.denominator <= 0 {
		return estimate{Truth: truth, High: 1}
	}
	ratio := r.numerator / r.denominator
	variance := (r.ee - 2*ratio*r.en + ratio*ratio*r.nn) / (r.denominator * r.denominator)
	half := z95 * math.Sqrt(max(0, variance))
	return estimate{Truth: truth, Estimate: ratio, Low: max(0, ratio-half), High: min(1, ratio+half)}
}

// covers tells whether the interval contains the true value.
func (e estimate) covers() bool { return e.Low <= e.Truth && e.Truth <= e.High }
