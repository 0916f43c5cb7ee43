package neyman

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keptSpans(strata []Stratum, probs []float64) float64 {
	total := 0.0
	for i, d := range strata {
		total += probs[i] * d.Spans
	}
	return total
}

func TestProbabilities(t *testing.T) {
	tests := []struct {
		name   string
		strata []Stratum
		budget float64
		check  func(t *testing.T, strata []Stratum, probs []float64)
	}{
		{
			name:   "everything fits",
			strata: []Stratum{{Traces: 1, Spans: 10, Sigma: 0.1}, {Traces: 2, Spans: 20, Sigma: 0.1}},
			budget: 100,
			check: func(t *testing.T, _ []Stratum, probs []float64) {
				assert.Equal(t, []float64{1, 1}, probs)
			},
		},
		{
			name:   "spends exactly the budget",
			strata: []Stratum{{Traces: 100, Spans: 1000, Sigma: 0.1}, {Traces: 50, Spans: 2000, Sigma: 0.3}},
			budget: 300,
			check: func(t *testing.T, strata []Stratum, probs []float64) {
				assert.InDelta(t, 300, keptSpans(strata, probs), 1e-6)
			},
		},
		{
			name: "neyman: kept traces proportional to sigma at equal rates and costs",
			strata: []Stratum{
				{Traces: 100, Spans: 1000, Sigma: 0.1},
				{Traces: 100, Spans: 1000, Sigma: 0.2},
			},
			budget: 300,
			check: func(t *testing.T, _ []Stratum, probs []float64) {
				assert.InDelta(t, 2, probs[1]/probs[0], 1e-6)
			},
		},
		{
			name: "neyman: costlier traces get fewer by the square root of the cost",
			strata: []Stratum{
				{Traces: 100, Spans: 100, Sigma: 0.1},
				{Traces: 100, Spans: 400, Sigma: 0.1},
			},
			budget: 100,
			check: func(t *testing.T, _ []Stratum, probs []float64) {
				assert.InDelta(t, 2, probs[0]/probs[1], 1e-6)
			},
		},
		{
			name: "minimum representation for a rare route",
			strata: []Stratum{
				{Traces: 1000, Spans: 10000, Sigma: 0.1, Minimum: 1.0 / 60},
				{Traces: 0.001, Spans: 0.01, Sigma: 0.0001, Minimum: 1.0 / 60},
			},
			budget: 100,
			check: func(t *testing.T, strata []Stratum, probs []float64) {
				assert.Equal(t, 1.0, probs[1], "a route rarer than the minimum is kept whole")
				assert.InDelta(t, 100, keptSpans(strata, probs), 1e-6)
			},
		},
		{
			name: "minimums alone exceed the budget: scaled down evenly",
			strata: []Stratum{
				{Traces: 1, Spans: 100, Sigma: 0.1, Minimum: 1},
				{Traces: 1, Spans: 100, Sigma: 0.1, Minimum: 1},
			},
			budget: 100,
			check: func(t *testing.T, strata []Stratum, probs []float64) {
				assert.InDelta(t, 0.5, probs[0], 1e-9)
				assert.InDelta(t, 0.5, probs[1], 1e-9)
			},
		},
		{
			name:   "a stratum without arrivals keeps probability 1",
			strata: []Stratum{{}, {Traces: 10, Spans: 100, Sigma: 0.1}},
			budget: 10,
			check: func(t *testing.T, _ []Stratum, probs []float64) {
				assert.Equal(t, 1.0, probs[0])
				assert.InDelta(t, 0.1, probs[1], 1e-6)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := Probabilities(tt.strata, tt.budget)
			for _, p := range probs {
				assert.True(t, p >= 0 && p <= 1, "probability %v", p)
			}
			tt.check(t, tt.strata, probs)
		})
	}
}

func TestProbabilitiesRandomisedStaysInBudgetAndRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		strata := make([]Stratum, 1+rng.IntN(20))
		offered := 0.0
		for i := range strata {
			traces := rng.ExpFloat64() * 10
			if rng.IntN(5) == 0 {
				traces = 0
			}
			strata[i] = Stratum{Traces: traces, Spans: traces * (1 + rng.Float64()*50), Sigma: rng.Float64(), Minimum: rng.Float64() / 60}
			offered += strata[i].Spans
		}
		budget := rng.Float64() * offered * 1.2
		if rng.IntN(10) == 0 {
			budget = 0
		}
		probs := Probabilities(strata, budget)
		for _, p := range probs {
			require.False(t, math.IsNaN(p))
			require.True(t, p >= 0 && p <= 1, "probability %v", p)
		}
		assert.InDelta(t, math.Min(budget, offered), keptSpans(strata, probs), 1e-6*offered+1e-9)
	}
}
