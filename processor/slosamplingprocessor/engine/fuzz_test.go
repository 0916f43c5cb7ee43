package engine

import (
	"encoding/binary"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// FuzzIngestSpans builds batches from raw bytes: arbitrary (also zero and
// repeated) trace ids, missing roots, skewed clocks, zero and negative
// durations, odd tracestates. Whatever comes in, every span is accounted
// for exactly once and the buffer stays bounded.
func FuzzIngestSpans(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), int64(0), "ot=th:8;rv:00000000000001")
	f.Add(make([]byte, 64), int64(-1e12), "")
	f.Add([]byte("slow checkout trace with a root and a child span......"), int64(3e9), "ot=th:zz,x=y")
	f.Fuzz(func(t *testing.T, data []byte, skew int64, traceState string) {
		cfg := testConfig()
		cfg.MaxSpansPerTrace = 4
		cfg.MaxBufferedBytes = 1 << 20
		cfg.DecisionCache = DecisionCache{KeptTraces: 64, DroppedTraces: 64}
		e, rec := newTestEngine(t, cfg)
		td, spans := fuzzTraces(data, traceState)
		now := epoch.Add(time.Duration(skew))
		out, err := e.Ingest(now, td)
		if err == nil && out.Late.SpanCount() != rec.lateKept {
			t.Fatalf("%d late spans returned, %d counted", out.Late.SpanCount(), rec.lateKept)
		}
		e.Advance(now.Add(-time.Duration(skew)))
		e.DecideAll(now.Add(time.Hour))
		if rec.started != len(rec.decisions) {
			t.Fatalf("%d traces started, %d decided", rec.started, len(rec.decisions))
		}
		if e.BufferedTraces() != 0 || e.BufferedBytes() != 0 {
			t.Fatalf("buffer not empty after DecideAll: %d traces, %d bytes", e.BufferedTraces(), e.BufferedBytes())
		}
		accounted := rec.lateKept + rec.lateDropped
		for _, d := range rec.decisions {
			accounted += d.Spans
			if d.Kept && d.Traces.SpanCount() != d.Spans {
				t.Fatalf("kept trace has %d spans, decision says %d", d.Traces.SpanCount(), d.Spans)
			}
		}
		accounted += rec.lateDropped
		for _, n := range rec.refused {
			accounted += n
		}
		if accounted != spans {
			t.Fatalf("accounted %d spans of %d", accounted, spans)
		}
	})
}

// fuzzTraces turns bytes into spans, 12 bytes each: trace id seed, parent
// flag, name, and start/end offsets.
func fuzzTraces(data []byte, traceState string) (ptrace.Traces, int) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "frontend")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for ; len(data) >= 12; data = data[12:] {
		span := spans.AppendEmpty()
		var id pcommon.TraceID
		id[15], id[0] = data[0]%4, data[1]%2 // few, sometimes all-zero, ids
		span.SetTraceID(id)
		span.SetSpanID(pcommon.SpanID{data[2], data[3]})
		if data[4]%3 != 0 {
			span.SetParentSpanID(pcommon.SpanID{data[5]})
		}
		span.SetName([]string{"GET /checkout", "GET /home", ""}[data[6]%3])
		start := binary.LittleEndian.Uint16(data[7:9])
		span.SetStartTimestamp(pcommon.Timestamp(uint64(start) * 1e7))
		span.SetEndTimestamp(pcommon.Timestamp(uint64(int64(start)+int64(int8(data[9]))) * 1e7))
		span.TraceState().FromRaw(traceState)
		if data[10]%5 == 0 {
			span.Status().SetCode(ptrace.StatusCodeError)
		}
		span.Attributes().PutStr("k", string(data[:data[11]%12]))
	}
	return td, spans.Len()
}

// FuzzIngestOTLPJSON feeds whatever the OTLP JSON decoder accepts.
func FuzzIngestOTLPJSON(f *testing.F) {
	f.Add([]byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"frontend"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /checkout","startTimeUnixNano":"1","endTimeUnixNano":"1000000000","attributes":[{"key":"m","value":{"kvlistValue":{"values":[{"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{"doubleValue":1.5},{"bytesValue":"AQI="}]}}}]}}}],"events":[{"name":"e"}],"links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}]}`))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"","spanId":"","parentSpanId":"00"}]}]}]}`))
	f.Add([]byte(`{"resourceSpans":[` +
		`{"resource":{"attributes":[{"key":"tenant.id","value":{"stringValue":"team-a"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /"}]}]},` +
		`{"resource":{"attributes":[{"key":"tenant.id","value":{"intValue":"7"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60d","spanId":"eee19b7ec3c1b174","name":"GET /"}]}]},` +
		`{"resource":{"attributes":[{"key":"tenant.id","value":{"kvlistValue":{}}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60e","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b175"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return
		}
		cfg := testConfig()
		cfg.Tenants = Tenants{Attribute: "tenant.id", Weights: map[string]float64{"team-a": 2}, DefaultWeight: 1, MaxTenants: 2}
		e, rec := newTestEngine(t, cfg)
		if _, err := e.Ingest(epoch, td); err != nil {
			return
		}
		kept := 0
		for _, d := range e.DecideAll(epoch) {
			if d.Kept {
				kept += d.Traces.SpanCount()
			}
		}
		if rec.refused[RefuseCorrupt] != 0 {
			t.Fatalf("%d spans failed to decode", rec.refused[RefuseCorrupt])
		}
		if kept > td.SpanCount() {
			t.Fatalf("kept %d spans of %d", kept, td.SpanCount())
		}
	})
}

// FuzzDecodeChunk checks that corrupt encoded chunks are rejected, never
// a panic.
func FuzzDecodeChunk(f *testing.F) {
	e, _ := newTestEngine(f, testConfig())
	e.encoder.beginChunk()
	td := buildTrace(f, traceID(1), epoch, checkout(time.Second), spanSpec{service: "cart", name: "get", attrs: map[string]any{"a": "value-1", "b": []any{int64(1), map[string]any{"c": true}}}})
	var seed []byte
	for _, rs := range td.ResourceSpans().All() {
		seed = e.encoder.appendSpan(seed, rs.ScopeSpans().At(0).Spans().At(0), 0)
	}
	f.Add(seed, 2)
	f.Add([]byte{0xff, 0xff, 0xff}, 1)
	f.Fuzz(func(t *testing.T, data []byte, count int) {
		if count < 0 || count > 64 {
			return
		}
		dst := ptrace.NewSpanSlice()
		_ = e.decoder.decodeChunk(data, count, traceID(1), mark{}, dst)
		_ = decodeResourceScope(data, ptrace.NewResourceSpans(), ptrace.NewScopeSpans())
	})
}

// FuzzTraceState checks parsing and rewriting of the ot tracestate member:
// the written threshold is never below the one asked for.
func FuzzTraceState(f *testing.F) {
	f.Add("ot=th:8;rv:0123456789abcd,vendor=x", 0.25)
	f.Add("ot=th:,ot=rv:zz;;,", 1.0)
	f.Add("", 0.001)
	f.Fuzz(func(t *testing.T, traceState string, probability float64) {
		th := ThresholdFromProbability(probability)
		updated := withThreshold(traceState, th)
		st := parseSamplingState(updated)
		if !st.hasThreshold || st.threshold < th {
			t.Fatalf("withThreshold(%q, %s) = %q: threshold lost or lowered", traceState, th, updated)
		}
		if p := st.threshold.Probability(); p <= 0 || p > 1 {
			t.Fatalf("probability %v out of range", p)
		}
	})
}
