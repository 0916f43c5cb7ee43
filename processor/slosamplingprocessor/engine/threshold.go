package engine

import (
	"math"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Consistent probability sampling as specified for the OpenTelemetry tracestate "ot" member: a
// trace carries 56 bits of randomness and a span is kept when that randomness is at least the
// rejection threshold. The arithmetic and the encodings are contrib's pkg/sampling; the engine
// keeps thresholds and randomness as plain 56-bit values in its compact caches.

// thresholdPrecision is the number of significant hex digits kept when a probability is turned
// into a threshold, as the specification recommends.
const thresholdPrecision = 4

// Randomness is the 56-bit random value of a trace.
type Randomness uint64

// Threshold is a 56-bit rejection threshold: a trace is kept iff its randomness is >= the
// threshold. Zero keeps everything.
type Threshold uint64

// AlwaysKeep is the threshold of probability 1.
const AlwaysKeep Threshold = 0

// RandomnessFromTraceID takes the least significant 56 bits of a trace id.
func RandomnessFromTraceID(id pcommon.TraceID) Randomness {
	return Randomness(sampling.TraceIDToRandomness(id).Unsigned())
}

// ThresholdFromProbability returns the threshold for sampling probability p, rounded to
// thresholdPrecision significant hex digits. p is clamped to [2^-56, 1].
func ThresholdFromProbability(p float64) Threshold {
	if !(p < 1) || math.IsNaN(p) {
		return AlwaysKeep
	}
	p = max(p, sampling.MinSamplingProbability)
	th, err := sampling.ProbabilityToThresholdWithPrecision(p, thresholdPrecision)
	if err != nil {
		return AlwaysKeep
	}
	return Threshold(th.Unsigned())
}

func (t Threshold) sampling() sampling.Threshold {
	th, err := sampling.UnsignedToThreshold(uint64(t))
	if err != nil {
		return sampling.NeverSampleThreshold
	}
	return th
}

// Probability is the sampling probability the threshold stands for.
func (t Threshold) Probability() float64 { return t.sampling().Probability() }

// AdjustedCount is the number of traces a kept trace represents: 1/p.
func (t Threshold) AdjustedCount() float64 { return t.sampling().AdjustedCount() }

// ShouldKeep reports whether randomness r passes the threshold.
func (t Threshold) ShouldKeep(r Randomness) bool {
	rnd, err := sampling.UnsignedToRandomness(uint64(r))
	return err == nil && t.sampling().ShouldSample(rnd)
}

// String encodes the threshold as in tracestate: up to 14 hex digits with trailing zeros
// removed, "0" for probability 1.
func (t Threshold) String() string { return t.sampling().TValue() }
