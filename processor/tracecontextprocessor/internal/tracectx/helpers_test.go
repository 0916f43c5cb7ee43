package tracectx

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func traceID(t testing.TB, s string) pcommon.TraceID {
	t.Helper()
	var id pcommon.TraceID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		t.Fatalf("bad test trace id %q", s)
	}
	copy(id[:], b)
	return id
}

func spanID(t testing.TB, s string) pcommon.SpanID {
	t.Helper()
	var id pcommon.SpanID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		t.Fatalf("bad test span id %q", s)
	}
	copy(id[:], b)
	return id
}

// checkParsed verifies the invariants every parser keeps, whatever its input.
func checkParsed(t *testing.T, input string, p parsed) {
	t.Helper()
	if p.n < 0 || p.n > len(input) {
		t.Fatalf("consumed %d bytes of a %d-byte input %q", p.n, len(input), input)
	}
	if p.HasTrace && (p.TraceID.IsEmpty() || p.traceReason != ReasonNone) {
		t.Fatalf("accepted trace id %v with reason %v for %q", p.TraceID, p.traceReason, input)
	}
	if p.HasSpan && (p.SpanID.IsEmpty() || p.spanReason != ReasonNone) {
		t.Fatalf("accepted span id %v with reason %v for %q", p.SpanID, p.spanReason, input)
	}
}

const (
	w3cTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	w3cSpan  = "00f067aa0ba902b7"
)

// Flag expectations of a formatCase.
const (
	noFlags = iota
	sampled
	notSampled
)

// formatCase is one input of a format parser and what it must yield.
type formatCase struct {
	name        string
	in          string
	trace       string // expected trace id in hex; "" for none
	span        string // expected span id in hex; "" for none
	flags       int
	n           int // bytes consumed
	traceReason Reason
	spanReason  Reason
}

func runFormatCases(t *testing.T, cases []formatCase, parse func(string) parsed) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(tc.in)
			checkParsed(t, tc.in, p)
			if tc.trace == "" {
				assert.False(t, p.HasTrace, "trace id")
			} else if assert.True(t, p.HasTrace, "trace id") {
				assert.Equal(t, traceID(t, tc.trace), p.TraceID)
			}
			if tc.span == "" {
				assert.False(t, p.HasSpan, "span id")
			} else if assert.True(t, p.HasSpan, "span id") {
				assert.Equal(t, spanID(t, tc.span), p.SpanID)
			}
			assert.Equal(t, tc.flags != noFlags, p.HasFlags, "has flags")
			if tc.flags != noFlags {
				assert.Equal(t, tc.flags == sampled, p.Sampled, "sampled")
			}
			assert.Equal(t, tc.n, p.n, "consumed")
			assert.Equal(t, tc.traceReason, p.traceReason, "trace reason")
			assert.Equal(t, tc.spanReason, p.spanReason, "span reason")
		})
	}
}

// fuzzParser checks the invariants of a parser on arbitrary input.
func fuzzParser(f *testing.F, seeds []formatCase, parse func(string) parsed) {
	for _, tc := range seeds {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParsed(t, s, parse(s))
	})
}

var allFormats = Formats{W3C: true, B3: true, Jaeger: true, XRay: true, KeyValue: true, Sleuth: true, Datadog: true}

var defaultKeys = Keys{
	TraceID:        []string{"trace_id", "traceId", "trace.id", "otelTraceID"},
	SpanID:         []string{"span_id", "spanId", "span.id", "otelSpanID"},
	TraceFlags:     []string{"trace_flags", "traceFlags", "trace.flags", "otelTraceSampled"},
	DatadogTraceID: []string{"dd.trace_id"},
	DatadogSpanID:  []string{"dd.span_id"},
}

// resultCase is one input of a scanner and the result it must give.
type resultCase struct {
	name     string
	trace    string
	span     string
	flags    int
	format   Format
	rejected map[IDKind]Reason // one rejection of each listed kind
}

func checkResult(t *testing.T, tc resultCase, res *Result) {
	t.Helper()
	if tc.trace == "" {
		assert.False(t, res.HasTrace, "trace id")
	} else if assert.True(t, res.HasTrace, "trace id") {
		assert.Equal(t, traceID(t, tc.trace), res.TraceID)
		assert.Equal(t, tc.format, res.Format, "format")
	}
	if tc.span == "" {
		assert.False(t, res.HasSpan, "span id")
	} else if assert.True(t, res.HasSpan, "span id") {
		assert.Equal(t, spanID(t, tc.span), res.SpanID)
	}
	assert.Equal(t, tc.flags != noFlags, res.HasFlags, "has flags")
	if tc.flags != noFlags {
		assert.Equal(t, tc.flags == sampled, res.Sampled, "sampled")
	}
	var want [NumKinds][NumReasons]uint16
	for kind, reason := range tc.rejected {
		want[kind][reason] = 1
	}
	assert.Equal(t, want, res.Rejected, "rejections")
}
