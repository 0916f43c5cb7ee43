package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWaterFill(t *testing.T) {
	tests := []struct {
		name     string
		claims   []claim
		capacity float64
		want     []float64
	}{
		{
			name:     "no capacity",
			claims:   []claim{{demand: 10, weight: 1}},
			capacity: 0,
			want:     []float64{0},
		},
		{
			name:     "everything fits: spare capacity added by weight",
			claims:   []claim{{demand: 10, weight: 1}, {demand: 20, weight: 3}},
			capacity: 70,
			want:     []float64{20, 50},
		},
		{
			name:     "a lone party gets the whole capacity",
			claims:   []claim{{demand: 1000, floor: 3, weight: 0.7}},
			capacity: 123.456,
			want:     []float64{123.456},
		},
		{
			name:     "max-min: a small demand is met, the rest goes to the large one",
			claims:   []claim{{demand: 30, weight: 1}, {demand: 1000, weight: 1}},
			capacity: 100,
			want:     []float64{30, 70},
		},
		{
			name:     "equal weights split evenly when both want more",
			claims:   []claim{{demand: 100, weight: 1}, {demand: 1000, weight: 1}},
			capacity: 150,
			want:     []float64{75, 75},
		},
		{
			name:     "weights 2:1",
			claims:   []claim{{demand: 500, weight: 2}, {demand: 500, weight: 1}},
			capacity: 150,
			want:     []float64{100, 50},
		},
		{
			name:     "a floor above the fair level is honoured",
			claims:   []claim{{demand: 100, floor: 60, weight: 1}, {demand: 1000, weight: 1}},
			capacity: 100,
			want:     []float64{60, 40},
		},
		{
			name:     "floors above the capacity are scaled down evenly",
			claims:   []claim{{demand: 100, floor: 60, weight: 1}, {demand: 100, floor: 140, weight: 5}},
			capacity: 100,
			want:     []float64{37.5, 62.5}, // the second floor counts up to its demand
		},
		{
			name:     "three parties: the smallest met, two share the rest by weight",
			claims:   []claim{{demand: 10, weight: 1}, {demand: 1000, weight: 1}, {demand: 1000, weight: 3}},
			capacity: 410,
			want:     []float64{10, 100, 300},
		},
		{
			name:     "an idle party takes nothing",
			claims:   []claim{{demand: 0, weight: 1}, {demand: 1000, weight: 1}},
			capacity: 100,
			want:     []float64{0, 100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := waterFill(tt.claims, tt.capacity)
			require.Len(t, got, len(tt.want))
			for i := range got {
				assert.InDelta(t, tt.want[i], got[i], 1e-9, "party %d of %v", i, got)
			}
		})
	}
}

// TestWaterFillRandomisedIsFair checks the defining properties on random
// claims: capacity spent (or every demand met), grants within [floor,
// demand], and no party below its fair level while another is above it.
func TestWaterFillRandomisedIsFair(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		claims := make([]claim, 1+rng.IntN(8))
		demands, floors := 0.0, 0.0
		for i := range claims {
			d := rng.ExpFloat64() * 100
			claims[i] = claim{demand: d, floor: d * rng.Float64() * 0.2, weight: 0.1 + rng.Float64()*3}
			demands += d
			floors += claims[i].floor
		}
		capacity := rng.Float64() * demands * 1.2
		grants := waterFill(claims, capacity)
		total := 0.0
		for _, g := range grants {
			total += g
		}
		assert.InDelta(t, math.Max(capacity, 0), total, 1e-6*math.Max(1, capacity))
		if capacity >= demands || capacity <= floors {
			continue
		}
		for i, c := range claims {
			assert.GreaterOrEqual(t, grants[i], c.floor-1e-9)
			assert.LessOrEqual(t, grants[i], c.demand+1e-9)
			for j, o := range claims {
				// Party i is held below its demand and above its floor while
				// j got more per weight than i's level from fair sharing.
				if grants[i] < c.demand-1e-9 && grants[j] > o.floor+1e-9 {
					assert.LessOrEqual(t, grants[j]/o.weight, grants[i]/c.weight+1e-6, "claims %v grants %v", claims, grants)
				}
			}
		}
	}
}
