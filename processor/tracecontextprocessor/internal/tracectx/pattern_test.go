package tracectx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompilePattern(t *testing.T) {
	_, err := CompilePattern(`(?P<trace>[0-9a-f]+)`)
	assert.ErrorContains(t, err, "trace_id")
	_, err = CompilePattern(`([`)
	assert.Error(t, err)
	_, err = CompilePattern(`(?P<trace_id>[0-9a-f]+)`)
	assert.NoError(t, err)
}

func TestScanTextPatterns(t *testing.T) {
	pat, err := CompilePattern(`req=(?P<trace_id>[0-9a-f]+)/(?P<span_id>[0-9a-f]+)(?:/(?P<trace_flags>\d))?`)
	require.NoError(t, err)
	scanner := NewScanner(defaultKeys, allFormats, []Pattern{pat})
	tests := []struct {
		resultCase
		in string
	}{
		{in: "GET req=" + w3cTrace + "/" + w3cSpan + "/1 done",
			resultCase: resultCase{name: "all groups", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatPattern}},
		{in: "req=a3ce929d0e0e4736/" + w3cSpan,
			resultCase: resultCase{name: "64-bit, no flags", trace: padded64, span: w3cSpan, format: FormatPattern}},
		{in: "req=abc/" + w3cSpan,
			resultCase: resultCase{name: "wrong length", rejected: map[IDKind]Reason{KindTraceID: ReasonWrongLength}}},
		{in: "trace_id=" + w3cTrace + " req=a3ce929d0e0e4736/" + w3cSpan,
			resultCase: resultCase{name: "built-in formats first", trace: w3cTrace, format: FormatKeyValue}},
		{in: "nothing here", resultCase: resultCase{name: "no match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			scanner.ScanText(tt.in, &res)
			checkResult(t, tt.resultCase, &res)
		})
	}
}
