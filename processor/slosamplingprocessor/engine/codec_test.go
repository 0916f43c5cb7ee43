package engine

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func naivePrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func naiveSuffix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

func TestCommonPrefixAndSuffixMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	alphabet := "ab"
	random := func() string {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	for range 20000 {
		a, b := random(), random()
		require.Equal(t, naivePrefix(a, b), commonPrefix(a, b), "%q %q", a, b)
		require.Equal(t, naiveSuffix(a, b), commonSuffix(a, b), "%q %q", a, b)
	}
}

func TestDeltaStringRoundTrip(t *testing.T) {
	tests := []struct{ s, prev string }{
		{"value-1-00000002-some-ordinary-text", "value-1-00000001-some-ordinary-text"},
		{"GET /a", "GET /a"},
		{"/api/v1/orders/42", "/api/v1/orders/4242"},
		{"aaaa", "aaaaaaaa"},
		{"aaaaaaaa", "aaaa"},
	}
	for _, tt := range tests {
		b, ok := appendDeltaString(nil, tt.s, tt.prev)
		require.True(t, ok, tt.s)
		assert.Less(t, len(b), len(tt.s)+1, "delta is shorter than a literal")
		r := reader{b: b[1:]}
		assert.Equal(t, tt.s, r.deltaString(tt.prev))
		assert.False(t, r.failed)
	}
	_, ok := appendDeltaString(nil, "abc", "xyz")
	assert.False(t, ok, "nothing shared: a literal is cheaper")
}
