package tracectx

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const padded64 = "0000000000000000a3ce929d0e0e4736"

var textCases = []struct {
	resultCase
	in      string
	formats *Formats
}{
	{in: "TraceID: " + w3cTrace + " SpanID: " + w3cSpan + " Request started",
		resultCase: resultCase{name: "nezha style", trace: w3cTrace, span: w3cSpan, format: FormatKeyValue}},
	{in: `INFO frontend/server.go:96 HTTP request received {"service": "frontend", "trace_id": "` + w3cTrace + `", "span_id": "` + w3cSpan + `", "method": "GET"}`,
		resultCase: resultCase{name: "json text", trace: w3cTrace, span: w3cSpan, format: FormatKeyValue}},
	{in: "level=info msg=\"hello\" trace_id=" + w3cTrace + " span_id=" + w3cSpan + " trace_flags=01",
		resultCase: resultCase{name: "logfmt", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatKeyValue}},
	{in: "span_id=" + w3cSpan + " trace_id=a3ce929d0e0e4736",
		resultCase: resultCase{name: "span before trace, 64-bit trace", trace: padded64, span: w3cSpan, format: FormatKeyValue}},
	{in: "otelTraceID=" + w3cTrace + " otelSpanID=" + w3cSpan + " otelTraceSampled=True",
		resultCase: resultCase{name: "python logging", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatKeyValue}},
	{in: "headers: traceparent: 00-" + w3cTrace + "-" + w3cSpan + "-01, accept: */*",
		resultCase: resultCase{name: "traceparent", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatW3C}},
	{in: `{"traceparent":"00-` + w3cTrace + "-" + w3cSpan + `-00"}`,
		resultCase: resultCase{name: "traceparent in json text", trace: w3cTrace, span: w3cSpan, flags: notSampled, format: FormatW3C}},
	{in: "b3=" + w3cTrace + "-" + w3cSpan + "-1",
		resultCase: resultCase{name: "b3 single", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatB3}},
	{in: "X-B3-TraceId: a3ce929d0e0e4736\nX-B3-SpanId: " + w3cSpan + "\nX-B3-Sampled: 1\n",
		resultCase: resultCase{name: "b3 multi", trace: padded64, span: w3cSpan, flags: sampled, format: FormatB3}},
	{in: "Uber-Trace-Id: a3ce929d0e0e4736:" + w3cSpan + ":0:1",
		resultCase: resultCase{name: "uber-trace-id", trace: padded64, span: w3cSpan, flags: sampled, format: FormatJaeger}},
	{in: "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		resultCase: resultCase{name: "x-ray header", trace: "5759e988bd862e3fe1be46a994272793", span: "53995c3f42cd8ad8", flags: sampled, format: FormatXRay}},
	{in: "START RequestId: 1 _X_AMZN_TRACE_ID=Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
		resultCase: resultCase{name: "x-ray lambda env", trace: "5759e988bd862e3fe1be46a994272793", span: "53995c3f42cd8ad8", flags: notSampled, format: FormatXRay}},
	{in: "segment Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
		resultCase: resultCase{name: "x-ray bare root", trace: "5759e988bd862e3fe1be46a994272793", span: "53995c3f42cd8ad8", format: FormatXRay}},
	{in: "2024-01-01 INFO [checkout,a3ce929d0e0e4736," + w3cSpan + ",true] 1 --- placed order",
		resultCase: resultCase{name: "sleuth", trace: padded64, span: w3cSpan, flags: sampled, format: FormatSleuth}},
	{in: "dd.trace_id=5208512171318403364 dd.span_id=5208512171318403364 msg",
		resultCase: resultCase{name: "datadog decimal", trace: "000000000000000048485a3953bb6124", span: "48485a3953bb6124", format: FormatDatadog}},
	{in: "trace_id=" + strings.Repeat("0", 32) + " trace_id=" + w3cTrace,
		resultCase: resultCase{name: "all-zero rejected, next one taken", trace: w3cTrace, format: FormatKeyValue, rejected: map[IDKind]Reason{KindTraceID: ReasonAllZero}}},
	{in: "trace_id=abc123 span_id=xyz",
		resultCase: resultCase{name: "wrong length and not hex", rejected: map[IDKind]Reason{KindTraceID: ReasonWrongLength, KindSpanID: ReasonNotHex}}},
	{in: "trace_id= span_id=" + w3cSpan,
		resultCase: resultCase{name: "empty trace id; span alone is not a context", span: w3cSpan, rejected: map[IDKind]Reason{KindTraceID: ReasonEmpty}}},
	{in: "traceparent=00-" + w3cTrace + "-" + w3cSpan + "-01 span_id=1111111111111111 trace_id=" + padded64,
		resultCase: resultCase{name: "first trace id wins; its span is kept", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatW3C}},
	{in: "trace_id=" + w3cTrace + " then trace_id=" + padded64 + " span_id=" + w3cSpan,
		resultCase: resultCase{name: "ids after another trace id are not taken", trace: w3cTrace, format: FormatKeyValue}},
	{in: "05:18:40.664 INFO - GET http://host:8080/path?a=b [music vintage] root: /var",
		resultCase: resultCase{name: "nothing to find"}},
	{in: "TraceID: " + w3cTrace, formats: &Formats{W3C: true},
		resultCase: resultCase{name: "key_value switched off"}},
	{in: "trace_id=" + w3cTrace + " dd.trace_id=5208512171318403364", formats: &Formats{Datadog: true},
		resultCase: resultCase{name: "datadog keys without key_value", trace: "000000000000000048485a3953bb6124", format: FormatDatadog}},
	{in: "[checkout,a3ce929d0e0e4736," + w3cSpan + ",true]", formats: &Formats{KeyValue: true},
		resultCase: resultCase{name: "sleuth switched off"}},
	{in: "mytrace_id=" + w3cTrace + " trace_idx=" + w3cTrace,
		resultCase: resultCase{name: "key must be a whole word"}},
}

func TestScanText(t *testing.T) {
	for _, tc := range textCases {
		t.Run(tc.name, func(t *testing.T) {
			formats := allFormats
			if tc.formats != nil {
				formats = *tc.formats
			}
			var res Result
			NewScanner(defaultKeys, formats, nil).ScanText(tc.in, &res)
			checkResult(t, tc.resultCase, &res)
		})
	}
}

func TestScanTextTracksRanges(t *testing.T) {
	text := `msg {"a": 1, "trace_id": "` + w3cTrace + `", "span_id": "` + w3cSpan + `"}`
	res := Result{Track: true}
	NewScanner(defaultKeys, allFormats, nil).ScanText(text, &res)
	ranges := res.Ranges()
	if assert.Len(t, ranges, 2) {
		assert.Equal(t, `"trace_id": "`+w3cTrace+`"`, text[ranges[0].Start:ranges[0].End])
		assert.Equal(t, `"span_id": "`+w3cSpan+`"`, text[ranges[1].Start:ranges[1].End])
	}
	assert.Equal(t, `msg {"a": 1}`, RemoveRanges(text, ranges))
}

func FuzzScanText(f *testing.F) {
	for _, tc := range textCases {
		f.Add(tc.in)
	}
	scanner := NewScanner(defaultKeys, allFormats, nil)
	f.Fuzz(func(t *testing.T, s string) {
		res := Result{Track: true}
		scanner.ScanText(s, &res)
		if res.HasTrace && res.TraceID.IsEmpty() || res.HasSpan && res.SpanID.IsEmpty() {
			t.Fatalf("accepted an all-zero id from %q", s)
		}
		for _, r := range res.Ranges() {
			if r.Start < 0 || r.End > len(s) || r.Start >= r.End {
				t.Fatalf("range %v out of %q", r, s)
			}
		}
		if out := RemoveRanges(s, res.Ranges()); len(out) > len(s) {
			t.Fatalf("removal grew %q to %q", s, out)
		}
	})
}
