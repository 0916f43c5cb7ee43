package tracectx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestScanMap(t *testing.T) {
	tests := []struct {
		resultCase
		raw map[string]any
	}{
		{raw: map[string]any{"trace_id": w3cTrace, "span_id": w3cSpan, "trace_flags": "01"},
			resultCase: resultCase{name: "flat keys", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatFields}},
		{raw: map[string]any{"TraceId": " " + w3cTrace + " ", "SpanId": w3cSpan},
			resultCase: resultCase{name: "case-insensitive, trimmed", trace: w3cTrace, span: w3cSpan, format: FormatFields}},
		{raw: map[string]any{"trace.id": "a3ce929d0e0e4736", "span.id": w3cSpan},
			resultCase: resultCase{name: "ecs 64-bit", trace: padded64, span: w3cSpan, format: FormatFields}},
		{raw: map[string]any{"dd.trace_id": "5208512171318403364", "dd.span_id": int64(5208512171318403364)},
			resultCase: resultCase{name: "datadog decimal string and int", trace: "000000000000000048485a3953bb6124", span: "48485a3953bb6124", format: FormatDatadog}},
		{raw: map[string]any{"dd": map[string]any{"trace_id": "5208512171318403364", "span_id": "5208512171318403364"}},
			resultCase: resultCase{name: "datadog nested", trace: "000000000000000048485a3953bb6124", span: "48485a3953bb6124", format: FormatDatadog}},
		{raw: map[string]any{"ctx": map[string]any{"otel": map[string]any{"trace_id": w3cTrace}}, "otelTraceSampled": false},
			resultCase: resultCase{name: "nested generic key, bool flags", trace: w3cTrace, flags: notSampled, format: FormatFields}},
		{raw: map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"trace_id": w3cTrace}}}},
			resultCase: resultCase{name: "at the depth limit", trace: w3cTrace, format: FormatFields}},
		{raw: map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{"trace_id": w3cTrace}}}}},
			resultCase: resultCase{name: "deeper than the limit"}},
		{raw: map[string]any{"headers": map[string]any{"traceparent": "00-" + w3cTrace + "-" + w3cSpan + "-01"}},
			resultCase: resultCase{name: "traceparent header", trace: w3cTrace, span: w3cSpan, flags: sampled, format: FormatW3C}},
		{raw: map[string]any{"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"},
			resultCase: resultCase{name: "x-ray header", trace: "5759e988bd862e3fe1be46a994272793", flags: sampled, format: FormatXRay, rejected: map[IDKind]Reason{KindSpanID: ReasonEmpty}}},
		{raw: map[string]any{"trace_id": w3cTrace + "ff", "span_id": 3.5},
			resultCase: resultCase{name: "wrong length, wrong type", rejected: map[IDKind]Reason{KindTraceID: ReasonWrongLength, KindSpanID: ReasonNotHex}}},
		{raw: map[string]any{"trace_id": int64(-5), "span_id": int64(0)},
			resultCase: resultCase{name: "negative and zero ints", rejected: map[IDKind]Reason{KindTraceID: ReasonOutOfRange, KindSpanID: ReasonAllZero}}},
		{raw: map[string]any{"root": "1-5759e988-bd862e3fe1be46a994272793", "msg": "x"},
			resultCase: resultCase{name: "a root key is not x-ray in maps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := pcommon.NewMap()
			require.NoError(t, m.FromRaw(tt.raw))
			var res Result
			NewScanner(defaultKeys, allFormats, nil).ScanMap(m, &res)
			checkResult(t, tt.resultCase, &res)
		})
	}
}

func TestScanMapDatadogOff(t *testing.T) {
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(map[string]any{"dd": map[string]any{"trace_id": "1234567890123456"}, "dd.span_id": "1234567890123456"}))
	var res Result
	NewScanner(defaultKeys, Formats{KeyValue: true}, nil).ScanMap(m, &res)
	checkResult(t, resultCase{}, &res)
}

func TestScanMapBytes(t *testing.T) {
	m := pcommon.NewMap()
	trace := traceID(t, w3cTrace)
	m.PutEmptyBytes("trace_id").FromRaw(trace[:])
	m.PutEmptyBytes("span_id").FromRaw([]byte{1, 2, 3})
	var res Result
	NewScanner(defaultKeys, allFormats, nil).ScanMap(m, &res)
	checkResult(t, resultCase{trace: w3cTrace, format: FormatFields, rejected: map[IDKind]Reason{KindSpanID: ReasonWrongLength}}, &res)
}

func TestScanMapTracksFields(t *testing.T) {
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(map[string]any{"msg": "hi", "ctx": map[string]any{"trace_id": w3cTrace, "span_id": w3cSpan}}))
	res := Result{Track: true}
	NewScanner(defaultKeys, allFormats, nil).ScanMap(m, &res)
	fields := res.Fields()
	require.Len(t, fields, 2)
	for _, f := range fields {
		f.Map.Remove(f.Key)
	}
	assert.Equal(t, map[string]any{"msg": "hi", "ctx": map[string]any{}}, m.AsRaw())
}

func FuzzScanMap(f *testing.F) {
	f.Add("trace_id", w3cTrace, "span_id", w3cSpan, int64(1))
	f.Add("dd", "5208512171318403364", "trace_id", "x", int64(-1))
	f.Add("traceparent", "00-"+w3cTrace+"-"+w3cSpan+"-01", "X-Amzn-Trace-Id", "Root=1-", int64(0))
	scanner := NewScanner(defaultKeys, allFormats, nil)
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string, n int64) {
		m := pcommon.NewMap()
		m.PutStr(k1, v1)
		m.PutInt(k2, n)
		nested := m.PutEmptyMap(k1 + "_")
		nested.PutStr(k2, v2)
		nested.PutEmptyBytes(k1).FromRaw([]byte(v2))
		res := Result{Track: true}
		scanner.ScanMap(m, &res)
		if res.HasTrace && res.TraceID.IsEmpty() || res.HasSpan && res.SpanID.IsEmpty() {
			t.Fatalf("accepted an all-zero id from %v", m.AsRaw())
		}
		for _, ref := range res.Fields() {
			if _, ok := ref.Map.Get(ref.Key); !ok {
				t.Fatalf("tracked field %q is not in its map", ref.Key)
			}
		}
	})
}
