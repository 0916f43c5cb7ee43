package tracectx

import (
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseTraceIDHex(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason Reason
	}{
		{"128-bit", w3cTrace, w3cTrace, ReasonNone},
		{"upper case", strings.ToUpper(w3cTrace), w3cTrace, ReasonNone},
		{"64-bit is left-padded", "a3ce929d0e0e4736", "0000000000000000a3ce929d0e0e4736", ReasonNone},
		{"empty", "", "", ReasonEmpty},
		{"31 chars", w3cTrace[1:], "", ReasonWrongLength},
		{"33 chars", w3cTrace + "0", "", ReasonWrongLength},
		{"48-bit", "a3ce929d0e0e", "", ReasonWrongLength},
		{"not hex", "zbf92f3577b34da6a3ce929d0e0e4736", "", ReasonNotHex},
		{"all zero", strings.Repeat("0", 32), "", ReasonAllZero},
		{"64-bit all zero", strings.Repeat("0", 16), "", ReasonAllZero},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := parseTraceIDHex(tt.in, exactOrHalf)
			assert.Equal(t, tt.reason, reason)
			if tt.reason == ReasonNone {
				assert.Equal(t, traceID(t, tt.want), got)
			} else {
				assert.True(t, got.IsEmpty())
			}
		})
	}
}

func TestParseSpanIDHex(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason Reason
	}{
		{"valid", w3cSpan, ReasonNone},
		{"32-bit", "0ba902b7", ReasonWrongLength},
		{"128-bit", w3cTrace, ReasonWrongLength},
		{"not hex", "00f067aa0ba902bx", ReasonNotHex},
		{"all zero", strings.Repeat("0", 16), ReasonAllZero},
		{"empty", "", ReasonEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := parseSpanIDHex(tt.in, exact)
			assert.Equal(t, tt.reason, reason)
			if tt.reason == ReasonNone {
				assert.Equal(t, spanID(t, tt.in), got)
			}
		})
	}
}

func TestUberLengthsPadLeft(t *testing.T) {
	got, reason := parseTraceIDHex("abc", upToFull)
	assert.Equal(t, ReasonNone, reason)
	assert.Equal(t, traceID(t, "00000000000000000000000000000abc"), got)
	span, reason := parseSpanIDHex("1", upToFull)
	assert.Equal(t, ReasonNone, reason)
	assert.Equal(t, spanID(t, "0000000000000001"), span)
}

func TestParseTraceIDDecimal(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason Reason
	}{
		{"64-bit", "5208512171318403364", "000000000000000048485a3953bb6124", ReasonNone},
		{"max uint64", "18446744073709551615", "0000000000000000ffffffffffffffff", ReasonNone},
		{"2^64", "18446744073709551616", "00000000000000010000000000000000", ReasonNone},
		{"max uint128", "340282366920938463463374607431768211455", strings.Repeat("f", 32), ReasonNone},
		{"2^128", "340282366920938463463374607431768211456", "", ReasonOutOfRange},
		{"zero", "0", "", ReasonAllZero},
		{"sign", "-1", "", ReasonNotDecimal},
		{"hex letters", "12ab", "", ReasonNotDecimal},
		{"empty", "", "", ReasonEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ParseTraceIDDecimal(tt.in)
			assert.Equal(t, tt.reason, reason)
			if tt.reason == ReasonNone {
				assert.Equal(t, traceID(t, tt.want), got)
			}
		})
	}
}

func TestParseSpanIDDecimal(t *testing.T) {
	got, reason := ParseSpanIDDecimal("5208512171318403364")
	assert.Equal(t, ReasonNone, reason)
	assert.Equal(t, spanID(t, "48485a3953bb6124"), got)
	_, reason = ParseSpanIDDecimal("18446744073709551616")
	assert.Equal(t, ReasonOutOfRange, reason)
	_, reason = ParseSpanIDDecimal("0")
	assert.Equal(t, ReasonAllZero, reason)
}

// FuzzParseTraceIDDecimal checks the 128-bit decimal conversion against math/big.
func FuzzParseTraceIDDecimal(f *testing.F) {
	for _, s := range []string{"0", "1", "18446744073709551616", "340282366920938463463374607431768211455", "340282366920938463463374607431768211456", "12a", ""} {
		f.Add(s)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	f.Fuzz(func(t *testing.T, s string) {
		got, reason := ParseTraceIDDecimal(s)
		want, ok := new(big.Int).SetString(s, 10)
		if !ok || !isDecimal(s) {
			if reason == ReasonNone {
				t.Fatalf("accepted %q", s)
			}
			return
		}
		switch {
		case want.Cmp(limit) >= 0:
			assert.Equal(t, ReasonOutOfRange, reason, s)
		case want.Sign() == 0:
			assert.Equal(t, ReasonAllZero, reason, s)
		default:
			assert.Equal(t, ReasonNone, reason, s)
			assert.Equal(t, want.FillBytes(make([]byte, 16)), got[:], s)
		}
	})
}

// FuzzParseTraceIDHex checks hex decoding against encoding/hex.
func FuzzParseTraceIDHex(f *testing.F) {
	for _, s := range []string{w3cTrace, "a3ce929d0e0e4736", "abc", strings.Repeat("0", 32), "xyz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, reason := parseTraceIDHex(s, exactOrHalf)
		if reason != ReasonNone {
			assert.True(t, got.IsEmpty())
			return
		}
		want, err := hex.DecodeString(s)
		if err != nil || len(want) != 16 && len(want) != 8 {
			t.Fatalf("accepted %q", s)
		}
		assert.Equal(t, want, got[16-len(want):])
		assert.False(t, got.IsEmpty())
	})
}
