package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import (
	"math/bits"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Reason says why a candidate id was rejected. ReasonNone means it was accepted.
type Reason uint8

const (
	ReasonNone Reason = iota
	ReasonEmpty
	ReasonWrongLength
	ReasonNotHex
	ReasonNotDecimal
	ReasonOutOfRange
	ReasonAllZero
	NumReasons
)

var reasonNames = [NumReasons]string{"", "empty", "wrong_length", "not_hex", "not_decimal", "out_of_range", "all_zero"}

func (r Reason) String() string { return reasonNames[r] }

// IDKind tells a trace id from a span id in rejection counts.
type IDKind uint8

const (
	KindTraceID IDKind = iota
	KindSpanID
	NumKinds
)

var kindNames = [NumKinds]string{"trace_id", "span_id"}

func (k IDKind) String() string { return kindNames[k] }

// hexLengths lists the accepted lengths of a hex id in characters.
type hexLengths uint8

const (
	// exact accepts only the full width (32 for a trace id, 16 for a span id).
	exact hexLengths = iota
	// exactOrHalf also accepts a 64-bit trace id (16 characters), left-padded with zeros.
	exactOrHalf
	// upToFull accepts 1 to the full width, left-padded with zeros (uber-trace-id).
	upToFull
)

func parseTraceIDHex(s string, lengths hexLengths) (pcommon.TraceID, Reason) {
	var id pcommon.TraceID
	if r := decodeHexRight(id[:], s, lengths); r != ReasonNone {
		return pcommon.TraceID{}, r
	}
	if id.IsEmpty() {
		return id, ReasonAllZero
	}
	return id, ReasonNone
}

func parseSpanIDHex(s string, lengths hexLengths) (pcommon.SpanID, Reason) {
	var id pcommon.SpanID
	if r := decodeHexRight(id[:], s, lengths); r != ReasonNone {
		return pcommon.SpanID{}, r
	}
	if id.IsEmpty() {
		return id, ReasonAllZero
	}
	return id, ReasonNone
}

// decodeHexRight decodes s into the right end of dst, leaving leading bytes zero.
func decodeHexRight(dst []byte, s string, lengths hexLengths) Reason {
	full := 2 * len(dst)
	switch {
	case s == "":
		return ReasonEmpty
	case !isHex(s):
		return ReasonNotHex
	case len(s) == full:
	case lengths == exactOrHalf && len(s) == full/2:
	case lengths == upToFull && len(s) < full:
	default:
		return ReasonWrongLength
	}
	// Walk from the last character so that an odd length pads a zero nibble on the left.
	for i, b := len(s)-1, len(dst)-1; i >= 0; i, b = i-2, b-1 {
		v := hexValue(s[i])
		if i > 0 {
			v |= hexValue(s[i-1]) << 4
		}
		dst[b] = v
	}
	return ReasonNone
}

// ParseTraceIDDecimal decodes an unsigned decimal trace id of up to 128 bits, as Datadog logs it.
func ParseTraceIDDecimal(s string) (pcommon.TraceID, Reason) {
	hi, lo, r := parseDecimal128(s)
	if r != ReasonNone {
		return pcommon.TraceID{}, r
	}
	var id pcommon.TraceID
	putUint64(id[:8], hi)
	putUint64(id[8:], lo)
	if id.IsEmpty() {
		return id, ReasonAllZero
	}
	return id, ReasonNone
}

// ParseSpanIDDecimal decodes an unsigned 64-bit decimal span id, as Datadog logs it.
func ParseSpanIDDecimal(s string) (pcommon.SpanID, Reason) {
	hi, lo, r := parseDecimal128(s)
	switch {
	case r != ReasonNone:
		return pcommon.SpanID{}, r
	case hi != 0:
		return pcommon.SpanID{}, ReasonOutOfRange
	case lo == 0:
		return pcommon.SpanID{}, ReasonAllZero
	}
	var id pcommon.SpanID
	putUint64(id[:], lo)
	return id, ReasonNone
}

func parseDecimal128(s string) (hi, lo uint64, r Reason) {
	if s == "" {
		return 0, 0, ReasonEmpty
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, 0, ReasonNotDecimal
		}
		// (hi, lo) = (hi, lo)*10 + digit, failing when the product leaves 128 bits.
		hiCarry, hiTimes10 := bits.Mul64(hi, 10)
		loCarry, loTimes10 := bits.Mul64(lo, 10)
		var carry uint64
		lo, carry = bits.Add64(loTimes10, uint64(c-'0'), 0)
		var overflow uint64
		hi, overflow = bits.Add64(hiTimes10, loCarry, carry)
		if hiCarry != 0 || overflow != 0 {
			return 0, 0, ReasonOutOfRange
		}
	}
	return hi, lo, ReasonNone
}

func putUint64(dst []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		dst[i] = byte(v)
		v >>= 8
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexByte(s[i]) {
			return false
		}
	}
	return true
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// alnumToken returns the leading run of ASCII letters and digits of s.
func alnumToken(s string) string {
	i := 0
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	return s[:i]
}
