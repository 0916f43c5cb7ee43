package tracectx

import (
	"strings"
	"testing"
)

var traceparentCases = []formatCase{
	{name: "sampled", in: "00-" + w3cTrace + "-" + w3cSpan + "-01", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 55},
	{name: "not sampled, text after", in: "00-" + w3cTrace + "-" + w3cSpan + "-00 GET /", trace: w3cTrace, span: w3cSpan, flags: notSampled, n: 55},
	{name: "future version with more fields", in: "01-" + w3cTrace + "-" + w3cSpan + "-03-what", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 55},
	{name: "no flags", in: "00-" + w3cTrace + "-" + w3cSpan, trace: w3cTrace, span: w3cSpan, n: 52},
	{name: "64-bit trace id is invalid in W3C", in: "00-a3ce929d0e0e4736-" + w3cSpan + "-01", n: 39, traceReason: ReasonWrongLength},
	{name: "all-zero trace id", in: "00-" + strings.Repeat("0", 32) + "-" + w3cSpan + "-01", n: 55, traceReason: ReasonAllZero},
	{name: "all-zero span id keeps the trace", in: "00-" + w3cTrace + "-0000000000000000-01", trace: w3cTrace, flags: sampled, n: 55, spanReason: ReasonAllZero},
	{name: "version ff", in: "ff-" + w3cTrace + "-" + w3cSpan + "-01", n: 55, traceReason: ReasonNotHex},
	{name: "bad version", in: "0-" + w3cTrace, n: 34, traceReason: ReasonWrongLength},
	{name: "empty", in: "", traceReason: ReasonWrongLength},
	{name: "not hex", in: "00-" + strings.Repeat("g", 32) + "-" + w3cSpan + "-01", n: 55, traceReason: ReasonNotHex},
}

func TestParseTraceparent(t *testing.T) {
	runFormatCases(t, traceparentCases, parseTraceparent)
}

func FuzzParseTraceparent(f *testing.F) {
	fuzzParser(f, traceparentCases, parseTraceparent)
}
