package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEstimates(t *testing.T) {
	half := func() TotalEstimate { var h TotalEstimate; h.Add(2, 1); return h }()
	low, high := half.Interval95()
	// One trace of two kept at p = 1/2: 2 ± 1.96·√2, cut at zero.
	assert.InDelta(t, 2, half.Estimate, 1e-9)
	assert.InDelta(t, 0, low, 1e-9)
	assert.InDelta(t, 2+1.959963984540054*math.Sqrt2, high, 1e-9)

	exact := TotalEstimate{}
	exact.Add(1, 3)
	low, high = exact.Interval95()
	assert.Equal(t, [3]float64{3, 3, 3}, [3]float64{exact.Estimate, low, high}, "all kept: exact")

	ratio, low, high := RatioEstimate{}.Estimate95()
	assert.Equal(t, [3]float64{0, 0, 1}, [3]float64{ratio, low, high}, "nothing kept: ratio unknown")

	var certain RatioEstimate
	certain.Add(1, 1, 4)
	certain.Add(1, 0, 4)
	ratio, low, high = certain.Estimate95()
	assert.Equal(t, [3]float64{0.125, 0.125, 0.125}, [3]float64{ratio, low, high}, "kept with certainty: exact")
}
