package engine

import "math"

// Violating traces are kept smallest first: when a tenant's violating
// traces do not all fit in its grant, those with the fewest spans are kept,
// which keeps the most of them. The sampler knows each trace's span count
// when it decides, so a trace's probability may depend on it: traces up to a
// cut-off size are kept, those at the cut-off with the probability that
// spends the grant, and larger ones the probability that their stratum's
// minimum representation needs, so that every violating trace has a known,
// useful probability.

// sizeBinsPerDoubling is the resolution of the size histogram: a bin spans
// a factor of 2^(1/8), about 9%.
const sizeBinsPerDoubling = 8

// sizeBins covers traces of up to 2^16 spans; larger ones share the last bin.
const sizeBins = 16 * sizeBinsPerDoubling

func sizeBin(spans int) int {
	if spans <= 1 {
		return 0
	}
	return min(sizeBins-1, int(sizeBinsPerDoubling*math.Log2(float64(spans))))
}

// violatorSizes is one tenant's arrival rate of violating spans by trace
// size and the probabilities its grant allows.
type violatorSizes struct {
	arrived  [sizeBins]float64 // spans since the last adjustment
	rate     [sizeBins]float64 // EWMA spans per second
	buffered [sizeBins]float64 // spans of undecided violating traces

	// The grant, the floor probability and the demand of the last adjustment.
	grant       float64
	floor       float64
	demandBins  [sizeBins]float64
	demandTotal float64
}

func (v *violatorSizes) add(spans int) { v.arrived[sizeBin(spans)] += float64(spans) }

// update blends the last interval's arrivals into the rates.
func (v *violatorSizes) update(dt, alpha float64) {
	for i := range v.rate {
		v.rate[i] = ewma(v.rate[i], v.arrived[i]/dt, alpha)
		v.arrived[i] = 0
	}
}

// expected is the violating output the next seconds will bring, for the
// budget's accounting: the recent rate or what the buffer holds, whichever
// is higher, at most the grant.
func (v *violatorSizes) expected(w, residence float64) float64 {
	rate, buffered := 0.0, 0.0
	for i := range v.rate {
		rate += v.rate[i]
		buffered += v.buffered[i]
	}
	return min(v.grant, max(rate/w, buffered/residence))
}

// demand is the rate of violating spans, the EWMA rates divided by w (their
// warm-up correction).
func (v *violatorSizes) demand(w float64) float64 {
	total := 0.0
	for _, r := range v.rate {
		total += r / w
	}
	return total
}

// fit remembers the grant in spans per second, the floor probability and the
// demand by size (rates over w) that the probabilities follow until the next
// adjustment.
func (v *violatorSizes) fit(grant, floor, w float64) {
	v.grant, v.floor, v.demandTotal = grant, floor, 0
	for i, r := range v.rate {
		v.demandBins[i] = r / w
		v.demandTotal += v.demandBins[i]
	}
}

// limited tells whether the grant falls short of the demand.
func (v *violatorSizes) limited() bool { return v.demandTotal > v.grant }

// probability is the keep probability of a violating trace of that many
// spans, with the grant scaled by scale (the controller's live correction):
// traces up to the cut-off size that spends the grant are kept, those at the
// cut-off with the probability that spends it exactly, and larger ones with
// the floor probability of their stratum's minimum representation.
func (v *violatorSizes) probability(spans int, scale float64) float64 {
	grant := v.grant * scale
	if v.demandTotal <= grant {
		return 1
	}
	if v.floor*v.demandTotal >= grant {
		return grant / v.demandTotal
	}
	bin := sizeBin(spans)
	kept, rest := 0.0, v.demandTotal // spans kept whole below the cut; demand from the cut on
	for i, r := range v.demandBins {
		rest -= r
		need := kept + r + v.floor*rest
		if need <= grant {
			kept += r
			if i == bin {
				return 1
			}
			continue
		}
		switch {
		case bin < i:
			return 1
		case bin > i:
			return v.floor
		}
		return max(v.floor, (grant-kept-v.floor*rest)/r)
	}
	return 1
}
