package main

// estimate is a true value beside its estimate and 95% interval.
type estimate struct {
	Truth    float64 `json:"truth"`
	Estimate float64 `json:"estimate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// totalEstimate reports a total with its 95% interval.
func totalEstimate(truth float64, h TotalEstimate) estimate {
	low, high := h.Interval95()
	return estimate{Truth: truth, Estimate: h.Estimate, Low: low, High: high}
}

// ratioEstimate reports a ratio with its 95% interval.
func ratioEstimate(truth float64, r RatioEstimate) estimate {
	ratio, low, high := r.Estimate95()
	return estimate{Truth: truth, Estimate: ratio, Low: low, High: high}
}

// covers tells whether the interval contains the true value.
func (e estimate) covers() bool { return e.Low <= e.Truth && e.Truth <= e.High }
