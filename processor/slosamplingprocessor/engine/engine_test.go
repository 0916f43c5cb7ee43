package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// richTrace is one trace of three spans that sets every field of the span model.
func richTrace(t testing.TB) (ptrace.Traces, pcommon.TraceID) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
	rs.Resource().Attributes().PutStr("service.name", "frontend")
	rs.Resource().SetDroppedAttributesCount(2)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("lib")
	ss.Scope().SetVersion("1.0")
	ss.Scope().Attributes().PutBool("scoped", true)
	id := traceID(7)
	for i := range 3 {
		span := ss.Spans().AppendEmpty()
		span.SetTraceID(id)
		span.SetSpanID([8]byte{byte(i + 1)})
		if i > 0 {
			span.SetParentSpanID([8]byte{1})
		}
		span.SetName("op")
		span.SetKind(ptrace.SpanKindServer)
		span.SetStartTimestamp(pcommon.Timestamp(1000 + 30*(3-i)))
		span.SetEndTimestamp(span.StartTimestamp() + 5)
		span.TraceState().FromRaw("vendor=a")
		span.SetFlags(1)
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage("boom")
		span.SetDroppedAttributesCount(1)
		span.SetDroppedEventsCount(2)
		span.SetDroppedLinksCount(3)
		require.NoError(t, span.Attributes().FromRaw(map[string]any{
			"str": "value-0000000" + string(rune('0'+i)) + "-suffix", "int": int64(-i), "dbl": 1.5, "bool": i%2 == 0,
			"bytes": []byte{1, 2}, "slice": []any{"a", int64(1)}, "map": map[string]any{"k": "v"}, "empty": nil,
		}))
		ev := span.Events().AppendEmpty()
		ev.SetName("event")
		ev.SetTimestamp(span.StartTimestamp() + 1)
		ev.Attributes().PutStr("e", "v")
		ev.SetDroppedAttributesCount(4)
		link := span.Links().AppendEmpty()
		link.SetTraceID(traceID(8))
		link.SetSpanID([8]byte{9})
		link.TraceState().FromRaw("l=1")
		link.SetFlags(1)
		link.Attributes().PutInt("n", 1)
	}
	return td, id
}

func TestRoundTripKeepsEverySpanField(t *testing.T) {
	td, id := richTrace(t)
	e, _ := newTestEngine(t, testConfig())
	ingest(t, e, epoch, td)
	require.True(t, e.Retain(id))
	decisions := e.DecideAll(epoch)
	require.Len(t, decisions, 1)
	require.True(t, decisions[0].Kept)
	assert.Equal(t, ReasonRetained, decisions[0].Reason)

	want := ptrace.NewTraces()
	td.CopyTo(want)
	spans := want.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		spans.At(i).TraceState().FromRaw("ot=th:0,vendor=a")
	}
	assert.Equal(t, want, decisions[0].Traces)
}

func TestTriggers(t *testing.T) {
	cfg := testConfig()
	cfg.DecisionDelay = 2 * time.Second
	cfg.TraceTimeout = 30 * time.Second
	cfg.MaxSpansPerTrace = 5

	t.Run("root then quiet for decision_delay", func(t *testing.T) {
		e, _ := newTestEngine(t, cfg)
		ingest(t, e, epoch, buildTrace(t, traceID(1), epoch, checkout(time.Millisecond)))
		assert.Empty(t, e.Advance(epoch.Add(1900*time.Millisecond)))
		ingest(t, e, epoch.Add(1900*time.Millisecond), buildTrace(t, traceID(1), epoch, child("cart", "get")))
		assert.Empty(t, e.Advance(epoch.Add(3800*time.Millisecond)), "a new span restarts the quiet period")
		d := e.Advance(epoch.Add(3900 * time.Millisecond))
		require.Len(t, d, 1)
		assert.Equal(t, TriggerRootQuiet, d[0].Trigger)
		assert.Equal(t, 2, d[0].Spans)
		assert.Equal(t, 3900*time.Millisecond, d[0].Latency)
	})
	t.Run("no root waits for trace_timeout", func(t *testing.T) {
		e, _ := newTestEngine(t, cfg)
		ingest(t, e, epoch, buildTrace(t, traceID(2), epoch, child("cart", "get")))
		assert.Empty(t, e.Advance(epoch.Add(29*time.Second)))
		d := e.Advance(epoch.Add(30 * time.Second))
		require.Len(t, d, 1)
		assert.Equal(t, TriggerTimeout, d[0].Trigger)
		assert.Equal(t, 0, e.BufferedTraces())
	})
	t.Run("max_spans_per_trace decides at once", func(t *testing.T) {
		e, _ := newTestEngine(t, cfg)
		specs := []spanSpec{child("a", "x"), child("a", "x"), child("a", "x"), child("a", "x"), child("a", "x"), child("a", "x")}
		out := ingest(t, e, epoch, buildTrace(t, traceID(3), epoch, specs...))
		require.Len(t, out.Decisions, 1)
		assert.Equal(t, TriggerMaxSpans, out.Decisions[0].Trigger)
		assert.Equal(t, 5, out.Decisions[0].Spans)
	})
	t.Run("clock going backwards never decides early", func(t *testing.T) {
		e, _ := newTestEngine(t, cfg)
		ingest(t, e, epoch, buildTrace(t, traceID(4), epoch, checkout(time.Millisecond)))
		assert.Empty(t, e.Advance(epoch.Add(-time.Hour)))
		assert.Len(t, e.Advance(epoch.Add(2*time.Second)), 1)
	})
}

func TestMemoryPressureDecidesOldestFirst(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBufferedBytes = 1 << 20
	e, rec := newTestEngine(t, cfg)
	big := map[string]any{"payload": string(make([]byte, 4000))}
	n := 0
	for e.BufferedBytes() < cfg.MaxBufferedBytes-10000 {
		ingest(t, e, epoch, buildTrace(t, traceID(uint64(n)), epoch, spanSpec{service: "a", name: "x", attrs: big}))
		n++
	}
	out := ingest(t, e, epoch, buildTrace(t, traceID(uint64(n)), epoch, spanSpec{service: "a", name: "x", attrs: big}, spanSpec{service: "a", name: "x", attrs: big}, spanSpec{service: "a", name: "x", attrs: big}))
	require.NotEmpty(t, out.Decisions)
	assert.Equal(t, traceID(0), out.Decisions[0].TraceID, "the oldest trace goes first")
	for _, d := range out.Decisions {
		assert.Equal(t, TriggerMemoryPressure, d.Trigger)
	}
	assert.LessOrEqual(t, e.BufferedBytes(), cfg.MaxBufferedBytes)
	assert.Empty(t, rec.refused)
}

func TestBatchLargerThanBufferIsRefused(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBufferedBytes = 1 << 20
	e, rec := newTestEngine(t, cfg)
	huge := map[string]any{"payload": string(make([]byte, 2<<20))}
	_, err := e.Ingest(epoch, buildTrace(t, traceID(1), epoch, spanSpec{service: "a", name: "x", attrs: huge}))
	require.ErrorIs(t, err, ErrBufferFull)
	assert.Equal(t, 1, rec.refused[RefuseBufferFull])
	assert.Equal(t, 0, e.BufferedTraces())
}

func TestInvalidTraceIDIsCounted(t *testing.T) {
	e, rec := newTestEngine(t, testConfig())
	td := buildTrace(t, traceID(1), epoch, checkout(time.Millisecond), child("a", "b"))
	td.ResourceSpans().At(1).ScopeSpans().At(0).Spans().At(0).SetTraceID([16]byte{})
	ingest(t, e, epoch, td)
	assert.Equal(t, 1, rec.refused[RefuseInvalidTraceID])
	assert.Equal(t, 1, e.BufferedTraces())
}

func TestLateSpansFollowTheDecision(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 1e-9 // everything not violating is dropped after the first adjustment
	cfg.MinTracesPerStratumPerMinute = 0
	e, rec := newTestEngine(t, cfg)
	slow, fast := traceID(1), traceID(2)
	// Warm up so that the ok stratum gets a tiny probability.
	for i := range 50 {
		ingest(t, e, epoch, buildTrace(t, traceID(uint64(100+i)), epoch, checkout(time.Millisecond)))
	}
	e.DecideAll(epoch)
	e.Advance(epoch.Add(time.Second))

	now := epoch.Add(time.Second)
	ingest(t, e, now, buildTrace(t, slow, now, checkout(time.Second)))
	ingest(t, e, now, buildTrace(t, fast, now, checkout(time.Millisecond)))
	decisions := e.Advance(now.Add(2 * time.Second))
	require.Len(t, decisions, 1, "the fast trace waits for the next of its shape (select.go)")
	// Waiting traces are drawn alone after trace_timeout.
	decisions = append(decisions, e.Advance(now.Add(2*time.Second+cfg.TraceTimeout))...)
	require.Len(t, decisions, 2)
	byID := map[[16]byte]Decision{decisions[0].TraceID: decisions[0], decisions[1].TraceID: decisions[1]}
	require.True(t, byID[slow].Kept)
	require.False(t, byID[fast].Kept)

	late := now.Add(3*time.Second + cfg.TraceTimeout)
	out := ingest(t, e, late, buildTrace(t, slow, now, child("cart", "late")))
	out2 := ingest(t, e, late, buildTrace(t, fast, now, child("cart", "late")))
	assert.Equal(t, 1, rec.lateKept)
	assert.Equal(t, 1, rec.lateDropped)
	require.Equal(t, 1, out.Late.SpanCount())
	assert.Equal(t, 0, out2.Late.SpanCount())
	assert.Equal(t, "ot=th:0", out.Late.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceState().AsRaw())
	assert.Equal(t, 0, e.BufferedTraces())
}

func TestObjectivesDecideViolations(t *testing.T) {
	cfg := testConfig()
	cfg.Objectives = append(cfg.Objectives, Objective{
		Name:   "premium-errors",
		Match:  Match{Service: "cart", Condition: `attributes["tier"] == "premium"`},
		Errors: &ErrorObjective{Target: 0.999, GRPCStatusCodes: []int64{13}},
	}, Objective{
		Name:    "slow-requests",
		Match:   Match{Condition: "IsRootSpan()"},
		Latency: &LatencyObjective{Threshold: 2 * time.Second, Target: 0.99},
	})
	tests := []struct {
		name      string
		spans     []spanSpec
		violated  bool
		objective string
	}{
		{"fast checkout", []spanSpec{checkout(100 * time.Millisecond)}, false, "checkout-latency"},
		{"slow checkout", []spanSpec{checkout(600 * time.Millisecond)}, true, "checkout-latency"},
		{"slow other route", []spanSpec{{service: "frontend", name: "GET /home", root: true, duration: time.Second}}, false, "slow-requests"},
		{"http 503", []spanSpec{{service: "frontend", name: "GET /checkout", root: true, duration: time.Millisecond, attrs: map[string]any{"http.response.status_code": int64(503)}}}, true, "checkout-latency"},
		{"http 404 is not in 5xx", []spanSpec{{service: "frontend", name: "GET /checkout", root: true, duration: time.Millisecond, attrs: map[string]any{"http.status_code": "404"}}}, false, "checkout-latency"},
		{"status error", []spanSpec{{service: "frontend", name: "GET /checkout", root: true, duration: time.Millisecond, err: true}}, true, "checkout-latency"},
		{"ottl match with grpc 13", []spanSpec{checkout(time.Millisecond), {service: "cart", name: "Get", duration: time.Millisecond, attrs: map[string]any{"tier": "premium", "rpc.grpc.status_code": int64(13)}}}, true, "premium-errors"},
		{"ottl no match", []spanSpec{checkout(time.Millisecond), {service: "cart", name: "Get", duration: time.Millisecond, attrs: map[string]any{"tier": "free", "rpc.grpc.status_code": int64(13)}}}, false, "checkout-latency"},
		{"slow root span", []spanSpec{{service: "frontend", name: "GET /search", root: true, duration: 3 * time.Second}}, true, "slow-requests"},
		{"slow child span is no root", []spanSpec{{service: "frontend", name: "GET /search", root: true, duration: time.Millisecond}, {service: "search", name: "Query", duration: 3 * time.Second}}, false, "slow-requests"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t, cfg)
			ingest(t, e, epoch, buildTrace(t, traceID(uint64(i)), epoch, tt.spans...))
			d := e.DecideAll(epoch)
			require.Len(t, d, 1)
			assert.Equal(t, tt.objective, d[0].Objective)
			assert.Equal(t, tt.violated, d[0].Reason == ReasonViolation)
			assert.Equal(t, tt.violated, d[0].Stratum.Outcome == OutcomeViolation)
		})
	}
}

func TestDecidedTracesLeaveTheQueues(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	td := ptrace.NewTraces()
	for i := range 20000 {
		appendTrace(t, td, traceID(uint64(i)), epoch, checkout(time.Millisecond))
	}
	ingest(t, e, epoch, td)
	require.Len(t, e.Advance(epoch.Add(2*time.Second)), 20000)
	assert.Equal(t, 20000, e.buffer.arrivals.len(), "timeout entries of decided traces wait for their deadline")
	ingest(t, e, epoch.Add(2*time.Second), buildTrace(t, traceID(1e6), epoch, checkout(time.Millisecond)))
	assert.Equal(t, 1, e.buffer.arrivals.len(), "a queue of mostly decided traces is compacted")
	assert.LessOrEqual(t, e.buffer.quiet.len(), 1)
}
