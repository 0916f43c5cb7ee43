package main

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Horvitz–Thompson estimation from kept traces: each kept trace stands for its adjusted count
// w = 1/p (Decision.Threshold.AdjustedCount()), so sums over kept traces weighted by w are
// unbiased estimates of sums over all traces.

// z95 is the standard normal quantile of a two-sided 95% interval.
var z95 = distuv.UnitNormal.Quantile(0.975)

// TotalEstimate estimates a total (requests, errors, ...) from kept traces.
type TotalEstimate struct {
	Estimate float64
	// Variance is the unbiased variance estimate Σ y²(1-p)/p² = Σ w(w-1)y².
	Variance float64
}

// Add counts a kept trace of adjusted count w that contributes y to the total.
func (h *TotalEstimate) Add(w, y float64) {
	h.Estimate += w * y
	h.Variance += w * (w - 1) * y * y
}

// Interval95 is the normal 95% interval of the estimate, never below zero.
func (h TotalEstimate) Interval95() (low, high float64) {
	half := z95 * math.Sqrt(max(0, h.Variance))
	return max(0, h.Estimate-half), h.Estimate + half
}

// RatioEstimate estimates a ratio of two totals (errors per request) from kept traces, with the
// linearized variance Σ w(w-1)(e - R·n)² / N², accumulated so that R need not be known while
// adding.
type RatioEstimate struct {
	numerator, denominator float64
	ee, en, nn             float64
}

// Add counts a kept trace of adjusted count w that contributes e to the numerator and n to the
// denominator.
func (r *RatioEstimate) Add(w, e, n float64) {
	r.numerator += w * e
	r.denominator += w * n
	f := w * (w - 1)
	r.ee += f * e * e
	r.en += f * e * n
	r.nn += f * n * n
}

// Estimate95 is the ratio and its normal 95% interval within [0, 1]; with no kept data it is 0
// over [0, 1]: nothing is known.
func (r RatioEstimate) Estimate95() (ratio, low, high float64) {
	if r.denominator <= 0 {
		return 0, 0, 1
	}
	ratio = r.numerator / r.denominator
	variance := (r.ee - 2*ratio*r.en + ratio*ratio*r.nn) / (r.denominator * r.denominator)
	half := z95 * math.Sqrt(max(0, variance))
	return ratio, max(0, ratio-half), min(1, ratio+half)
}
