package engine

import (
	"math"
	"math/bits"
	"time"
)

// Within a stratum, the traces of each shape (shape.go) are drawn against
// each other rather than each on its own coin, by Deville and Tillé's
// pivotal method: a trace that comes due waits, still buffered, for the
// next trace of its shape, and the two are drawn so that one of them is
// decided (kept or dropped) while the other carries the probability left
// over, every step preserving each trace's probability of being kept. Each
// trace is thus kept with exactly its probability p, whatever the budget
// controller did before, and a shape keeps Σp of its traces to within one
// instead of a binomial number: the output follows the budget closely and
// Horvitz–Thompson counts of requests by route are nearly exact. Traces are
// drawn only against traces of probabilities within a factor of two, so that
// what one kept trace stands for is close to its own weight. A trace waits
// at most maxDrawWait; then, and on shutdown or memory pressure, it is drawn
// alone with the probability it carries.
//
// Consistent sampling downstream needs a kept trace's randomness to be at
// least its threshold, so the sampler writes an explicit randomness (rv),
// drawn from the trace id uniformly above the threshold; every trace's
// randomness is then uniform, as the specification asks. A trace that
// arrives with a threshold or an rv was sampled, or is to be sampled, on its
// own randomness upstream: it is decided on that randomness alone, at once.

// maxDrawWait bounds how long a due trace waits for the next of its kind
// (and trace_timeout, if shorter): long enough for the traces of a shape to
// meet, short enough that a kept trace reaches its backend soon and that
// the output of a minute stays in that minute.
const maxDrawWait = 10 * time.Second

// maxSelectorsPerStratum bounds the selectors of a stratum; further shapes
// share one per probability band.
const maxSelectorsPerStratum = 256

// draw is a due trace's decision in the making.
type draw struct {
	stratum   *stratum
	trigger   Trigger
	reason    Reason
	threshold Threshold // from its probability p: its weight if kept is 1/p
	carried   float64   // probability still to be decided while it waits
	selector  *selector // where it waits, if it does
	since     int64     // when it started waiting (unix nanos)
}

// selector holds the trace of one shape waiting for the next.
type selector struct {
	waiting *bufferedTrace
}

// randomnessValues is 2^56, the number of randomness values.
const randomnessValues = 1 << 56

// selectTrace decides a due trace, or makes it wait.
func (e *Engine) selectTrace(t *bufferedTrace, out []Decision) []Decision {
	dr := t.draw
	if dr.threshold == AlwaysKeep || t.upstreamThreshold != AlwaysKeep || t.hasRandomness {
		return e.resolve(t, out)
	}
	sel := dr.stratum.selector(t.shape, probabilityBand(dr.carried))
	w := sel.waiting
	if w == nil {
		e.wait(sel, t, dr.carried)
		return out
	}
	a, b := w.draw.carried, dr.carried
	u := uniform(w.id, t.id)
	if a+b < 1 {
		// One of them takes both probabilities and waits on; the other is dropped.
		if u < a/(a+b) {
			w.draw.carried = a + b
			return e.finish(t, false, mark{threshold: dr.threshold}, out)
		}
		e.wait(sel, t, a+b)
		return e.finish(w, false, mark{threshold: w.draw.threshold}, out)
	}
	// One of them is kept; the other waits with what is left over.
	if u < (1-b)/(2-a-b) {
		e.wait(sel, t, a+b-1)
		return e.keep(w, out)
	}
	w.draw.carried = a + b - 1
	return e.keep(t, out)
}

// wait makes t the waiting trace of sel, carrying probability p.
func (e *Engine) wait(sel *selector, t *bufferedTrace, p float64) {
	t.draw.carried, t.draw.selector, t.draw.since = p, sel, e.now
	sel.waiting = t
	e.waiting = append(e.waiting, t)
}

// resolve decides a trace alone: on its own randomness when it came with
// one, else drawn with the probability it carries. A trace retained while
// it waited is kept.
func (e *Engine) resolve(t *bufferedTrace, out []Decision) []Decision {
	dr := t.draw
	if sel := dr.selector; sel != nil && sel.waiting == t {
		sel.waiting = nil
	}
	switch {
	case t.upstreamThreshold != AlwaysKeep || t.hasRandomness:
		r := RandomnessFromTraceID(t.id)
		if t.hasRandomness {
			r = t.randomness
		}
		return e.finish(t, dr.threshold.ShouldKeep(r), mark{threshold: dr.threshold}, out)
	case dr.threshold == AlwaysKeep:
		return e.finish(t, true, mark{}, out)
	case t.retained || uniform(t.id, t.id) < dr.carried:
		return e.keep(t, out)
	}
	return e.finish(t, false, mark{threshold: dr.threshold}, out)
}

// keep finishes t as kept, with a randomness uniform above its threshold.
func (e *Engine) keep(t *bufferedTrace, out []Decision) []Decision {
	th := t.draw.threshold
	above := uint64(randomnessValues) - uint64(th)
	rv := Randomness(uint64(th) + uint64(RandomnessFromTraceID(t.id))%above)
	return e.finish(t, true, mark{threshold: th, randomness: rv}, out)
}

// expireWaiting resolves the traces that have waited trace_timeout.
func (e *Engine) expireWaiting(out []Decision) []Decision {
	limit := min(maxDrawWait, e.cfg.TraceTimeout).Nanoseconds()
	live := e.waiting[:0]
	for _, t := range e.waiting {
		switch {
		case t.decided || t.draw == nil:
		case e.now-t.draw.since >= limit:
			out = e.resolve(t, out)
		default:
			live = append(live, t)
		}
	}
	clear(e.waiting[len(live):])
	e.waiting = live
	return out
}

// uniform is a number in [0, 1) from two trace ids, independent of the
// randomness that thresholds compare.
func uniform(a, b [16]byte) float64 {
	h1, _ := idHashes(a)
	h2, _ := idHashes(b)
	x := mix64(h1 ^ bits.RotateLeft64(h2, 29) ^ 0x5851f42d4c957f2d)
	return float64(x>>11) / (1 << 53)
}

// probabilityBand groups probabilities within a factor of two, so that
// traces drawn against each other have similar weights.
func probabilityBand(p float64) uint8 {
	return uint8(min(63, max(0, int(-math.Log2(p)))))
}

// selectorKey is a shape and a probability band.
type selectorKey struct {
	shape shape
	band  uint8
}

// selector returns the selector of a shape and band.
func (st *stratum) selector(s shape, band uint8) *selector {
	k := selectorKey{s, band}
	if sel, ok := st.selectors[k]; ok {
		return sel
	}
	if len(st.selectors) >= maxSelectorsPerStratum {
		k = selectorKey{band: band}
		if sel, ok := st.selectors[k]; ok {
			return sel
		}
	}
	if st.selectors == nil {
		st.selectors = make(map[selectorKey]*selector)
	}
	sel := &selector{}
	st.selectors[k] = sel
	return sel
}
