package tracectx

import "testing"

const (
	xrayRoot  = "1-5759e988-bd862e3fe1be46a994272793"
	xrayTrace = "5759e988bd862e3fe1be46a994272793"
)

var xrayCases = []formatCase{
	{name: "full", in: "Root=" + xrayRoot + ";Parent=53995c3f42cd8ad8;Sampled=1", trace: xrayTrace, span: "53995c3f42cd8ad8", flags: sampled, n: 74},
	{name: "any order, text after", in: "Sampled=0;Root=" + xrayRoot + ";Parent=53995c3f42cd8ad8 end", trace: xrayTrace, span: "53995c3f42cd8ad8", flags: notSampled, n: 74},
	{name: "root only", in: "Root=" + xrayRoot, trace: xrayTrace, n: 40, spanReason: ReasonEmpty},
	{name: "self field first", in: "Self=1-67891234-12456789abcdef012345678;Root=" + xrayRoot, trace: xrayTrace, n: 80, spanReason: ReasonEmpty},
	{name: "lambda sampling decision", in: "Root=" + xrayRoot + ";Parent=53995c3f42cd8ad8;Sampled=?", trace: xrayTrace, span: "53995c3f42cd8ad8", n: 73},
	{name: "short root", in: "Root=1-5759e988-bd86", n: 20, traceReason: ReasonWrongLength},
	{name: "repeated root, the last malformed", in: "Root=" + xrayRoot + ";Root=", n: 46, traceReason: ReasonWrongLength},
	{name: "not hex root", in: "Root=1-5759e988-bd862e3fe1be46a99427279z", n: 40, traceReason: ReasonNotHex},
	{name: "no root", in: "Parent=53995c3f42cd8ad8", n: 23, traceReason: ReasonEmpty},
	{name: "empty", in: "", traceReason: ReasonEmpty},
}

func TestParseXRay(t *testing.T) {
	runFormatCases(t, xrayCases, parseXRay)
}

func FuzzParseXRay(f *testing.F) {
	fuzzParser(f, xrayCases, parseXRay)
}
