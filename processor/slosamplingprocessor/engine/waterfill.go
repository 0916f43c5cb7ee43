package engine

import (
	"cmp"
	"math"
	"slices"
)

// claim is one party's request on a shared capacity.
type claim struct {
	demand float64 // what the party would use
	floor  float64 // what it gets before any fair sharing, at most demand
	weight float64 // its relative right to the capacity, positive
}

// waterFill shares capacity over claims by weighted max-min fairness with
// floors: party t gets min(demand_t, max(floor_t, λ·weight_t)), with the
// level λ that spends the capacity exactly. A party whose demand is below
// its fair level keeps its whole demand and leaves the rest to the others.
// When the floors alone exceed the capacity they are scaled down evenly;
// when every demand fits, the spare capacity is added by weight.
func waterFill(claims []claim, capacity float64) []float64 {
	grants := make([]float64, len(claims))
	if len(claims) == 0 || capacity <= 0 {
		return grants
	}
	var demands, floors, weights float64
	for _, c := range claims {
		demands += c.demand
		floors += min(c.floor, c.demand)
		weights += c.weight
	}
	switch {
	case demands <= capacity:
		for i, c := range claims {
			grants[i] = c.demand + (capacity-demands)*(c.weight/weights)
		}
		return grants
	case floors >= capacity:
		for i, c := range claims {
			grants[i] = capacity * (min(c.floor, c.demand) / floors)
		}
		return grants
	}
	level := fairLevel(claims, capacity, floors)
	for i, c := range claims {
		floor := min(c.floor, c.demand)
		switch {
		case level.value*c.weight <= floor:
			grants[i] = floor
		case level.value*c.weight >= c.demand:
			grants[i] = c.demand
		default:
			// Written so that a lone party gets exactly the spare capacity.
			grants[i] = min(c.demand, max(floor, (capacity-level.fixed)*(c.weight/level.weight)))
		}
	}
	return grants
}

// waterLevel is the solution of the fill: the level λ, the capacity taken
// by the parties held at their floor or demand, and the weight of the
// others.
type waterLevel struct {
	value, fixed, weight float64
}

// fairLevel sweeps the levels where parties start or stop rising (floor
// and demand over weight) and solves the linear piece where the filled
// capacity reaches capacity. It requires floors < capacity < Σ demands.
func fairLevel(claims []claim, capacity, floors float64) waterLevel {
	type event struct {
		level         float64
		fixed, rising float64 // changes of the fixed capacity and rising weight
		startsRising  bool
	}
	events := make([]event, 0, 2*len(claims))
	for _, c := range claims {
		floor := min(c.floor, c.demand)
		events = append(events,
			event{level: floor / c.weight, fixed: -floor, rising: c.weight, startsRising: true},
			event{level: c.demand / c.weight, fixed: c.demand, rising: -c.weight})
	}
	slices.SortFunc(events, func(a, b event) int {
		if c := cmp.Compare(a.level, b.level); c != 0 {
			return c
		}
		if a.startsRising == b.startsRising {
			return 0
		}
		if a.startsRising {
			return -1
		}
		return 1
	})
	state := waterLevel{fixed: floors}
	for _, ev := range events {
		if state.weight > 0 && state.fixed+ev.level*state.weight >= capacity {
			break
		}
		state.fixed += ev.fixed
		state.weight += ev.rising
	}
	state.value = math.Inf(1) // only reached through rounding: every demand is met
	if state.weight > 0 {
		state.value = (capacity - state.fixed) / state.weight
	}
	return state
}
