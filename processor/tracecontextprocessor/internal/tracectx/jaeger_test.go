package tracectx

import "testing"

var uberTraceIDCases = []formatCase{
	{name: "128-bit", in: w3cTrace + ":" + w3cSpan + ":0:1", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 53},
	{name: "64-bit left-padded", in: "a3ce929d0e0e4736:" + w3cSpan + ":0:0 rest", trace: "0000000000000000a3ce929d0e0e4736", span: w3cSpan, flags: notSampled, n: 37},
	{name: "short ids left-padded", in: "abc:1:0:3", trace: "00000000000000000000000000000abc", span: "0000000000000001", flags: sampled, n: 9},
	{name: "url-encoded", in: "abc%3A1%3A0%3A1", trace: "00000000000000000000000000000abc", span: "0000000000000001", flags: sampled, n: 15},
	{name: "debug flag alone is not sampled", in: "abc:1:0:2", trace: "00000000000000000000000000000abc", span: "0000000000000001", flags: notSampled, n: 9},
	{name: "too few parts", in: "abc:1:0", n: 7, traceReason: ReasonWrongLength},
	{name: "zero trace id", in: "0:1:0:1", n: 7, traceReason: ReasonAllZero},
	{name: "zero span id", in: "abc:0:0:1", trace: "00000000000000000000000000000abc", flags: sampled, n: 9, spanReason: ReasonAllZero},
	{name: "trace id too long", in: w3cTrace + "0:1:0:1", n: 39, traceReason: ReasonWrongLength},
	{name: "empty", in: "", traceReason: ReasonEmpty},
}

func TestParseUberTraceID(t *testing.T) {
	runFormatCases(t, uberTraceIDCases, parseUberTraceID)
}

func FuzzParseUberTraceID(f *testing.F) {
	fuzzParser(f, uberTraceIDCases, parseUberTraceID)
}
