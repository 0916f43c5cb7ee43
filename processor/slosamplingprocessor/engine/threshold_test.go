package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestThresholdFromProbabilityKnownValues(t *testing.T) {
	tests := []struct {
		probability float64
		want        string
	}{
		{1, "0"},
		{0.5, "8"},
		{0.25, "c"},
		{0.1, "e666"},
		{0.01, "fd70a"},
		{1.0 / 3, "aaab"},
		{2, "0"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ThresholdFromProbability(tt.probability).String(), "p=%v", tt.probability)
	}
}

func TestThresholdPropertiesRandomised(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		p := math.Pow(2, -56*rng.Float64())
		th := ThresholdFromProbability(p)
		// Rounding to 4 significant hex digits keeps the probability within
		// 2^-11 relative, or within the 2^-56 grid for the tiniest ones.
		tolerance := math.Max(p/2048, sampling.MinSamplingProbability)
		assert.InDelta(t, p, th.Probability(), tolerance, "p=%v th=%s", p, th)
		assert.InEpsilon(t, 1/th.Probability(), th.AdjustedCount(), 1e-9)
		parsed, err := parseThreshold(th.String())
		require.NoError(t, err)
		assert.Equal(t, th, parsed, "round trip of %s", th)
		// Monotonic: a lower probability never gets a lower threshold.
		assert.GreaterOrEqual(t, ThresholdFromProbability(p/2), th)
	}
}

func TestShouldKeepMatchesProbability(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range []float64{1, 0.5, 0.1, 0.01} {
		th := ThresholdFromProbability(p)
		kept := 0
		const n = 200000
		for range n {
			if th.ShouldKeep(Randomness(rng.Uint64() >> 8)) {
				kept++
			}
		}
		sd := math.Sqrt(n * p * (1 - p))
		assert.InDelta(t, n*th.Probability(), float64(kept), 5*sd+1, "p=%v", p)
	}
}

func TestThresholdConsistencyAcrossProbabilities(t *testing.T) {
	// A trace kept at probability p is kept at every higher probability.
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		r := Randomness(rng.Uint64() >> 8)
		p := rng.Float64()
		if ThresholdFromProbability(p).ShouldKeep(r) {
			assert.True(t, ThresholdFromProbability(math.Min(1, p*1.5)).ShouldKeep(r))
		}
	}
}

func TestParseThresholdAndRandomness(t *testing.T) {
	tests := []struct {
		in      string
		th      Threshold
		wantErr bool
	}{
		{"0", 0, false},
		{"8", 1 << 55, false},
		{"ffffffffffffff", 1<<56 - 1, false},
		{"", 0, true},
		{"fffffffffffffff", 0, true},
		{"8G", 0, true},
	}
	for _, tt := range tests {
		th, err := parseThreshold(tt.in)
		if tt.wantErr {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.th, th, tt.in)
	}
	rv, err := parseRandomness("00000000000001")
	require.NoError(t, err)
	assert.Equal(t, Randomness(1), rv)
	_, err = parseRandomness("1")
	assert.Error(t, err)
}

func TestRandomnessFromTraceID(t *testing.T) {
	id := pcommon.TraceID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07}
	assert.Equal(t, Randomness(0x01020304050607), RandomnessFromTraceID(id))
}

func TestWithThreshold(t *testing.T) {
	tests := []struct {
		name, in string
		th       Threshold
		want     string
	}{
		{"empty", "", ThresholdFromProbability(0.5), "ot=th:8"},
		{"keeps other members", "vendor=x,other=y", ThresholdFromProbability(0.25), "ot=th:c,vendor=x,other=y"},
		{"keeps rv and other ot fields", "ot=rv:00000000000001;th:0;p:8", ThresholdFromProbability(0.5), "ot=rv:00000000000001;th:8;p:8"},
		{"keeps a higher upstream th", "a=b,ot=th:c", ThresholdFromProbability(0.5), "ot=th:c,a=b"},
		{"raises a lower upstream th", "ot=th:8", ThresholdFromProbability(0.25), "ot=th:c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, withThreshold(tt.in, tt.th))
		})
	}
}

func TestParseSamplingState(t *testing.T) {
	st := parseSamplingState("x=1, ot=th:c;rv:0123456789abcd")
	assert.True(t, st.hasThreshold)
	assert.Equal(t, ThresholdFromProbability(0.25), st.threshold)
	assert.True(t, st.hasRandomness)
	assert.Equal(t, Randomness(0x0123456789abcd), st.randomness)
	st = parseSamplingState("ot=th:zz;rv:short")
	assert.False(t, st.hasThreshold)
	assert.False(t, st.hasRandomness)
}

// parseThreshold decodes a tracestate th value.
func parseThreshold(s string) (Threshold, error) {
	th, err := sampling.TValueToThreshold(s)
	return Threshold(th.Unsigned()), err
}

// parseRandomness decodes a tracestate rv value (exactly 14 hex digits).
func parseRandomness(s string) (Randomness, error) {
	rv, err := sampling.RValueToRandomness(s)
	return Randomness(rv.Unsigned()), err
}
