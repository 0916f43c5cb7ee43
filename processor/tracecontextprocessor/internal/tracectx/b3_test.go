package tracectx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var b3SingleCases = []formatCase{
	{name: "full", in: w3cTrace + "-" + w3cSpan + "-1-05e3ac9a4f6e3b90", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 68},
	{name: "ids only", in: w3cTrace + "-" + w3cSpan, trace: w3cTrace, span: w3cSpan, n: 49},
	{name: "64-bit trace id is left-padded", in: "a3ce929d0e0e4736-" + w3cSpan + "-0", trace: "0000000000000000a3ce929d0e0e4736", span: w3cSpan, flags: notSampled, n: 35},
	{name: "debug", in: w3cTrace + "-" + w3cSpan + "-d", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 51},
	{name: "sampling only", in: "0", flags: notSampled, n: 1},
	{name: "wrong length trace id", in: "a3ce929d0e0e47-" + w3cSpan + "-1", n: 33, traceReason: ReasonWrongLength},
	{name: "wrong length span id", in: w3cTrace + "-0ba902b7-1", trace: w3cTrace, flags: sampled, n: 43, spanReason: ReasonWrongLength},
	{name: "lone token", in: "abcdef", n: 6, traceReason: ReasonWrongLength},
	{name: "empty", in: "", traceReason: ReasonEmpty},
}

func TestParseB3Single(t *testing.T) {
	runFormatCases(t, b3SingleCases, parseB3Single)
}

func FuzzParseB3Single(f *testing.F) {
	fuzzParser(f, b3SingleCases, parseB3Single)
}

func TestParseB3Multi(t *testing.T) {
	p := parseB3Multi(roleB3TraceID, "a3ce929d0e0e4736\r\n")
	assert.True(t, p.HasTrace)
	assert.Equal(t, traceID(t, "0000000000000000a3ce929d0e0e4736"), p.TraceID)
	assert.Equal(t, 16, p.n)

	p = parseB3Multi(roleB3SpanID, w3cSpan)
	assert.Equal(t, spanID(t, w3cSpan), p.SpanID)

	p = parseB3Multi(roleB3SpanID, "123")
	assert.Equal(t, ReasonWrongLength, p.spanReason)

	p = parseB3Multi(roleB3Sampled, "true")
	assert.True(t, p.HasFlags && p.Sampled)

	p = parseB3Multi(roleB3Flags, "1")
	assert.True(t, p.HasFlags && p.Sampled)

	p = parseB3Multi(roleB3Flags, "0")
	assert.False(t, p.HasFlags)
}
