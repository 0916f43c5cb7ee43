package tracectx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var sleuthCases = []formatCase{
	{name: "sleuth 2", in: "[checkout,a3ce929d0e0e4736," + w3cSpan + ",true] msg", trace: "0000000000000000a3ce929d0e0e4736", span: w3cSpan, flags: sampled, n: 49},
	{name: "micrometer 128-bit", in: "[checkout," + w3cTrace + "," + w3cSpan + "]", trace: w3cTrace, span: w3cSpan, n: 60},
	{name: "spaces", in: "[checkout, " + w3cTrace + ", " + w3cSpan + ", false]", trace: w3cTrace, span: w3cSpan, flags: notSampled, n: 69},
	{name: "with parent", in: "[app," + w3cTrace + "," + w3cSpan + ",05e3ac9a4f6e3b90,true]", trace: w3cTrace, span: w3cSpan, flags: sampled, n: 77},
	{name: "all-zero trace id", in: "[app,0000000000000000,0000000000000000,false]", n: 45, traceReason: ReasonAllZero},
}

func TestParseSleuth(t *testing.T) {
	runFormatCases(t, sleuthCases, func(s string) parsed {
		p, ok := parseSleuth(s)
		assert.True(t, ok)
		return p
	})
}

func TestParseSleuthIgnoresOtherBrackets(t *testing.T) {
	for _, s := range []string{
		"[music vintage]",
		"['9SIQT8TOJO', '6E92ZMYYFZ', '1YMWWN1N4O']",
		"[1, 2, 3]",
		"[app,,,]",
		"[app,a3ce929d0e0e4736,0ba902b7]",
		"[app,a3ce929d0e0e4736," + w3cSpan + ",a,b,c]",
		"[app,a3ce929d0e0e4736," + w3cSpan,
		"",
	} {
		_, ok := parseSleuth(s)
		assert.False(t, ok, s)
	}
}

func FuzzParseSleuth(f *testing.F) {
	fuzzParser(f, sleuthCases, func(s string) parsed {
		p, _ := parseSleuth(s)
		return p
	})
}
