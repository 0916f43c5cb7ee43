package engine

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Consistent probability sampling as specified for the OpenTelemetry
// tracestate "ot" member: a trace carries 56 bits of randomness and a span is
// kept when that randomness is at least the rejection threshold.

const (
	randomnessBits = 56
	maxAdjustable  = uint64(1) << randomnessBits // 2^56: one past the largest randomness
	thresholdHex   = randomnessBits / 4          // 14 hex digits
	// thresholdPrecision is the number of significant hex digits kept when a
	// probability is turned into a threshold, as recommended by the spec.
	thresholdPrecision = 4
)

// Randomness is the 56-bit random value of a trace.
type Randomness uint64

// Threshold is a 56-bit rejection threshold: a trace is kept iff its
// randomness is >= the threshold. Zero keeps everything.
type Threshold uint64

// AlwaysKeep is the threshold of probability 1.
const AlwaysKeep Threshold = 0

// RandomnessFromTraceID takes the least significant 56 bits of a trace id.
func RandomnessFromTraceID(id pcommon.TraceID) Randomness {
	var r uint64
	for _, b := range id[9:16] {
		r = r<<8 | uint64(b)
	}
	return Randomness(r)
}

// ThresholdFromProbability returns the threshold for sampling probability p,
// rounded to thresholdPrecision significant hex digits. p is clamped to
// (0, 1]; the smallest representable probability is 2^-56.
func ThresholdFromProbability(p float64) Threshold {
	if !(p < 1) || math.IsNaN(p) {
		return AlwaysKeep
	}
	if p <= 0 {
		return Threshold(maxAdjustable - 1)
	}
	// Round the keep count p·2^56 to thresholdPrecision significant hex
	// digits, so that the probability keeps that relative precision.
	keep := uint64(p * float64(maxAdjustable))
	if keep == 0 {
		keep = 1
	}
	digits := (bits.Len64(keep) + 3) / 4
	if shift := uint(4 * max(0, digits-thresholdPrecision)); shift > 0 {
		unit := uint64(1) << shift
		keep = (keep + unit/2) &^ (unit - 1)
	}
	if keep >= maxAdjustable {
		return AlwaysKeep
	}
	t := maxAdjustable - keep
	return Threshold(t)
}

// Probability is the sampling probability the threshold stands for.
func (t Threshold) Probability() float64 {
	return float64(maxAdjustable-uint64(t)) / float64(maxAdjustable)
}

// AdjustedCount is the number of traces a kept trace represents: 1/p.
func (t Threshold) AdjustedCount() float64 {
	return float64(maxAdjustable) / float64(maxAdjustable-uint64(t))
}

// ShouldKeep reports whether randomness r passes the threshold.
func (t Threshold) ShouldKeep(r Randomness) bool {
	return uint64(r) >= uint64(t)
}

// String encodes the threshold as in tracestate: up to 14 hex digits with
// trailing zeros removed, "0" for probability 1.
func (t Threshold) String() string {
	if t == AlwaysKeep {
		return "0"
	}
	s := strconv.FormatUint(uint64(t), 16)
	s = strings.Repeat("0", thresholdHex-len(s)) + s
	return strings.TrimRight(s, "0")
}

var errBadHex = errors.New("want 1 to 14 lowercase hex digits")

// ParseThreshold decodes a tracestate th value.
func ParseThreshold(s string) (Threshold, error) {
	v, err := parseHex56(s, false)
	return Threshold(v), err
}

// ParseRandomness decodes a tracestate rv value (exactly 14 hex digits).
func ParseRandomness(s string) (Randomness, error) {
	v, err := parseHex56(s, true)
	return Randomness(v), err
}

func parseHex56(s string, exact bool) (uint64, error) {
	if s == "" || len(s) > thresholdHex || (exact && len(s) != thresholdHex) {
		return 0, errBadHex
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, errBadHex
		}
		v = v<<4 | uint64(d)
	}
	return v << (4 * uint(thresholdHex-len(s))), nil
}
