package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drawStream decides n traces of the given shapes through the pivotal
// selection, each at a probability chosen by choose from what was kept so
// far (as the budget controller does), and returns the Horvitz–Thompson
// count of each shape and how many traces were kept.
func drawStream(t *testing.T, run uint64, shapes []shape, n int, choose func(kept int, r *rand.Rand) float64) (map[shape]float64, int) {
	e, rec := newTestEngine(t, testConfig())
	st := &stratum{}
	r := rand.New(rand.NewPCG(run, 7))
	var out []Decision
	for i := range n {
		id := traceID(run<<32 | uint64(i))
		tr := &bufferedTrace{id: id, shape: shapes[i%len(shapes)], spans: 1}
		e.buffer.traces[id] = tr
		th := ThresholdFromProbability(choose(len(rec.decisions), r))
		tr.draw = &draw{stratum: st, reason: ReasonSampled, threshold: th, carried: th.Probability()}
		out = e.selectTrace(tr, out)
	}
	for _, w := range e.waiting {
		if !w.decided {
			out = e.resolve(w, out)
		}
	}
	require.Len(t, out, n, "every trace is decided once")
	require.Empty(t, e.buffer.traces)
	counts, kept := map[shape]float64{}, 0
	byID := map[[16]byte]shape{}
	for i := range n {
		byID[traceID(run<<32|uint64(i))] = shapes[i%len(shapes)]
	}
	for _, d := range out {
		if d.Kept {
			kept++
			counts[byID[d.TraceID]] += d.Threshold.AdjustedCount()
			assert.True(t, d.Threshold.ShouldKeep(d.Randomness), "a kept trace's rv passes its threshold")
		}
	}
	return counts, kept
}

func TestPivotalSelectionIsUnbiasedUnderAdaptiveProbabilities(t *testing.T) {
	shapes := []shape{1, 2, 4}
	const n, runs = 3000, 200
	// The controller's feedback: the more was kept, the lower the next
	// probability, around a noisy level.
	choose := func(kept int, r *rand.Rand) float64 {
		return math.Min(1, 0.02+0.3*r.Float64()/(1+float64(kept)/100))
	}
	sum := map[shape]float64{}
	for run := range uint64(runs) {
		counts, _ := drawStream(t, run+1, shapes, n, choose)
		for s, c := range counts {
			sum[s] += c
		}
	}
	for _, s := range shapes {
		mean := sum[s] / runs
		assert.InEpsilon(t, float64(n/len(shapes)), mean, 0.02, "shape %d: mean HT count over %d runs", s, runs)
	}
}

func TestPivotalSelectionKeepsTheExpectedCountToWithinOne(t *testing.T) {
	shapes := []shape{1, 2, 4, 8}
	const n, p = 4000, 0.05
	counts, kept := drawStream(t, 42, shapes, n, func(int, *rand.Rand) float64 { return p })
	expected := p * n
	assert.InDelta(t, expected, kept, float64(len(shapes)), "Σp kept, to within one trace per shape")
	for _, s := range shapes {
		assert.InDelta(t, float64(n/len(shapes)), counts[s], 1/p, "shape %d: HT count within one weight", s)
	}
}
