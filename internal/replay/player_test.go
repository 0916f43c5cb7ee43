package replay

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/recording"
)

// virtualClock jumps to whatever time is slept until.
type virtualClock struct{ now time.Time }

func (c *virtualClock) Now() time.Time { return c.now }
func (c *virtualClock) SleepUntil(ctx context.Context, t time.Time) error {
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err()
}

var (
	recStart = time.Date(2022, 8, 22, 5, 18, 0, 0, time.UTC)
	traceA   = pcommon.TraceID{0xa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	traceB   = pcommon.TraceID{0xb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	rootSpan = pcommon.SpanID{1, 1, 1, 1, 1, 1, 1, 1}
	kidSpan  = pcommon.SpanID{2, 2, 2, 2, 2, 2, 2, 2}
)

func ts(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(recStart.Add(d)) }

// writeRecording writes: traces of A at 0s (root + child in one request), a log of A at 1s,
// a histogram with an exemplar of A at 2.5s, traces of B at 4s. With arrival times when asked,
// otherwise the replay infers them from the telemetry.
func writeRecording(t *testing.T, withArrival bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := recording.NewWriter(path, recording.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arrival := func(d time.Duration) time.Time {
		if withArrival {
			return recStart.Add(d)
		}
		return time.Time{}
	}

	tdA := ptrace.NewTraces()
	spans := tdA.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	root := spans.AppendEmpty()
	root.SetTraceID(traceA)
	root.SetSpanID(rootSpan)
	root.SetStartTimestamp(ts(-300 * time.Millisecond))
	root.SetEndTimestamp(ts(0))
	kid := spans.AppendEmpty()
	kid.SetTraceID(traceA)
	kid.SetSpanID(kidSpan)
	kid.SetParentSpanID(rootSpan)
	kid.SetStartTimestamp(ts(-200 * time.Millisecond))
	kid.SetEndTimestamp(ts(-100 * time.Millisecond))
	link := kid.Links().AppendEmpty()
	link.SetTraceID(traceB)
	link.SetSpanID(rootSpan)

	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTraceID(traceA)
	lr.SetSpanID(kidSpan)
	lr.SetTimestamp(ts(time.Second))

	md := pmetric.NewMetrics()
	h := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyHistogram()
	dp := h.DataPoints().AppendEmpty()
	dp.SetStartTimestamp(ts(-time.Minute))
	dp.SetTimestamp(ts(2500 * time.Millisecond))
	ex := dp.Exemplars().AppendEmpty()
	ex.SetTraceID(traceA)
	ex.SetSpanID(rootSpan)
	ex.SetTimestamp(ts(-100 * time.Millisecond))

	tdB := ptrace.NewTraces()
	b := tdB.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	b.SetTraceID(traceB)
	b.SetSpanID(rootSpan)
	b.SetStartTimestamp(ts(3 * time.Second))
	b.SetEndTimestamp(ts(4 * time.Second))

	for _, e := range []recording.Entry{
		{Signal: recording.Traces, Traces: tdA, Arrival: arrival(0)},
		{Signal: recording.Logs, Logs: ld, Arrival: arrival(time.Second)},
		{Signal: recording.Metrics, Metrics: md, Arrival: arrival(2500 * time.Millisecond)},
		{Signal: recording.Traces, Traces: tdB, Arrival: arrival(4 * time.Second)},
	} {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPacingFollowsTheRecording(t *testing.T) {
	offsets := []time.Duration{0, time.Second, 2500 * time.Millisecond, 4 * time.Second}
	for _, c := range []struct {
		name        string
		withArrival bool
		speed       float64
		loops       int
	}{
		{"arrival times at 1x", true, 1, 1},
		{"arrival times at 10x", true, 10, 1},
		{"inferred times at 2x, two loops", false, 2, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := &virtualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			p, err := NewPlayer([]string{writeRecording(t, c.withArrival)}, Options{Speed: c.speed, Loops: c.loops}, clock)
			if err != nil {
				t.Fatal(err)
			}
			var sentAt []time.Time
			st, err := p.Play(context.Background(), func(_ context.Context, _ recording.Entry, s Sent) error {
				if !s.Due.Equal(clock.Now()) {
					t.Errorf("entry %s:%d handed over at %v, due %v", s.File, s.Line, clock.Now(), s.Due)
				}
				sentAt = append(sentAt, clock.Now())
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.Entries != 4*c.loops || st.Loops != c.loops {
				t.Fatalf("stats %+v, want %d loops of 4 entries", st, c.loops)
			}
			for loop := range c.loops {
				loopStart := sentAt[loop*4]
				for i, off := range offsets {
					want := loopStart.Add(time.Duration(float64(off) / c.speed))
					if got := sentAt[loop*4+i]; !got.Equal(want) {
						t.Errorf("loop %d entry %d sent at +%v, want +%v", loop, i, got.Sub(loopStart), want.Sub(loopStart))
					}
				}
			}
			if want := time.Duration(float64(4*time.Second) / c.speed); st.ExpectedLoopDuration != want {
				t.Errorf("expected loop duration %v, want %v", st.ExpectedLoopDuration, want)
			}
		})
	}
}

func TestShiftTimeKeepsDurationsAndOrder(t *testing.T) {
	now := time.Date(2026, 11, 21, 7, 0, 0, 0, time.UTC)
	clock := &virtualClock{now: now}
	p, err := NewPlayer([]string{writeRecording(t, true)}, Options{Speed: 1, Loops: 1, ShiftTime: true}, clock)
	if err != nil {
		t.Fatal(err)
	}
	var got []recording.Entry
	if _, err := p.Play(context.Background(), func(_ context.Context, e recording.Entry, _ Sent) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	offset := now.Sub(recStart)
	shifted := func(d time.Duration) pcommon.Timestamp { return ts(d + offset) }
	spans := got[0].Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	if spans.At(0).EndTimestamp() != shifted(0) || spans.At(0).StartTimestamp() != shifted(-300*time.Millisecond) {
		t.Errorf("root span %v..%v not shifted by %v", spans.At(0).StartTimestamp(), spans.At(0).EndTimestamp(), offset)
	}
	if lr := got[1].Logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0); lr.Timestamp() != shifted(time.Second) {
		t.Errorf("log at %v, want %v", lr.Timestamp(), shifted(time.Second))
	}
	dp := got[2].Metrics.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0)
	if dp.StartTimestamp() != shifted(-time.Minute) || dp.Timestamp() != shifted(2500*time.Millisecond) ||
		dp.Exemplars().At(0).Timestamp() != shifted(-100*time.Millisecond) {
		t.Errorf("histogram point %v..%v exemplar %v not shifted", dp.StartTimestamp(), dp.Timestamp(), dp.Exemplars().At(0).Timestamp())
	}
}

func TestRewriteIDsIsConsistentWithinALoopAndFreshAcrossLoops(t *testing.T) {
	clock := &virtualClock{now: time.Unix(0, 0)}
	p, err := NewPlayer([]string{writeRecording(t, true)}, Options{Loops: 2, RewriteIDs: true}, clock)
	if err != nil {
		t.Fatal(err)
	}
	type ids struct{ spanTrace, logTrace, exTrace, linkTrace, bTrace pcommon.TraceID }
	var loops [2]ids
	var rootNew, kidParent, kidNew, logSpan, exSpan [2]pcommon.SpanID
	if _, err := p.Play(context.Background(), func(_ context.Context, e recording.Entry, s Sent) error {
		l := s.Loop
		switch s.Line {
		case 1:
			spans := e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			loops[l].spanTrace = spans.At(0).TraceID()
			rootNew[l], kidNew[l], kidParent[l] = spans.At(0).SpanID(), spans.At(1).SpanID(), spans.At(1).ParentSpanID()
			loops[l].linkTrace = spans.At(1).Links().At(0).TraceID()
			if !spans.At(0).ParentSpanID().IsEmpty() {
				t.Error("empty parent span id became non-empty")
			}
		case 2:
			lr := e.Logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			loops[l].logTrace, logSpan[l] = lr.TraceID(), lr.SpanID()
		case 3:
			ex := e.Metrics.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0).Exemplars().At(0)
			loops[l].exTrace, exSpan[l] = ex.TraceID(), ex.SpanID()
		case 4:
			loops[l].bTrace = e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for l, x := range loops {
		if x.spanTrace == traceA || x.bTrace == traceB {
			t.Errorf("loop %d kept original trace ids", l)
		}
		if x.logTrace != x.spanTrace || x.exTrace != x.spanTrace {
			t.Errorf("loop %d: trace A is %v in spans, %v in logs, %v in exemplars", l, x.spanTrace, x.logTrace, x.exTrace)
		}
		if x.linkTrace != x.bTrace {
			t.Errorf("loop %d: link points to %v, trace B is %v", l, x.linkTrace, x.bTrace)
		}
		if kidParent[l] != rootNew[l] || logSpan[l] != kidNew[l] || exSpan[l] != rootNew[l] {
			t.Errorf("loop %d: span ids not rewritten consistently", l)
		}
	}
	if loops[0].spanTrace == loops[1].spanTrace || loops[0].bTrace == loops[1].bTrace {
		t.Error("two loops produced the same trace ids")
	}
}

func TestBadLines(t *testing.T) {
	path := writeRecording(t, true)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, []byte("{\"resourceLogs\": 12}\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	send := func(context.Context, recording.Entry, Sent) error { return nil }

	p, _ := NewPlayer([]string{path}, Options{Loops: 1}, &virtualClock{})
	if _, err := p.Play(context.Background(), send); err == nil || err.Error()[:len(path)+2] != path+":5" {
		t.Fatalf("got %v, want an error at %s:5", err, path)
	}
	p, _ = NewPlayer([]string{path}, Options{Loops: 1, SkipBad: true}, &virtualClock{})
	st, err := p.Play(context.Background(), send)
	if err != nil || st.Skipped != 1 || st.Entries != 4 {
		t.Fatalf("skip bad: %v, stats %+v", err, st)
	}
}

func TestOptionsAndPathsAreChecked(t *testing.T) {
	if _, err := NewPlayer([]string{filepath.Join(t.TempDir(), "*.jsonl")}, Options{}, nil); err == nil {
		t.Error("a glob that matches nothing was accepted")
	}
	path := writeRecording(t, true)
	for _, o := range []Options{{Speed: -1}, {Loops: -2}} {
		if _, err := NewPlayer([]string{path}, o, nil); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

func TestRewriteIDsAlsoRewritesRecordedIDsInLogText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := recording.NewWriter(path, recording.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(traceA)
	sp.SetSpanID(kidSpan)
	const md5 = "9e107d9d372bb6826bd81d3542a419d6" // 32 hex digits, but no recorded trace id
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr("level=info trace_id=" + traceA.String() + " span_id=" + kidSpan.String() + " digest=" + md5)
	nested := lr.Attributes().PutEmptyMap("http")
	nested.PutStr("traceparent", "00-"+strings.ToUpper(traceA.String())+"-"+kidSpan.String()+"-01")
	for _, e := range []recording.Entry{{Signal: recording.Traces, Traces: td}, {Signal: recording.Logs, Logs: ld}} {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := NewPlayer([]string{path}, Options{Loops: 2, RewriteIDs: true}, &virtualClock{})
	if err != nil {
		t.Fatal(err)
	}
	var trace pcommon.TraceID
	var span pcommon.SpanID
	if _, err := p.Play(context.Background(), func(_ context.Context, e recording.Entry, _ Sent) error {
		if e.Signal == recording.Traces {
			s := e.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			trace, span = s.TraceID(), s.SpanID()
			return nil
		}
		lr := e.Logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
		want := "level=info trace_id=" + trace.String() + " span_id=" + span.String() + " digest=" + md5
		if got := lr.Body().Str(); got != want {
			t.Errorf("body %q, want %q", got, want)
		}
		m, _ := lr.Attributes().Get("http")
		tp, _ := m.Map().Get("traceparent")
		if want := "00-" + strings.ToUpper(trace.String()) + "-" + span.String() + "-01"; tp.Str() != want {
			t.Errorf("nested traceparent %q, want %q", tp.Str(), want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if trace == traceA {
		t.Fatal("trace id not rewritten")
	}
}

func TestTotalCountsEveryLoopsEntries(t *testing.T) {
	path := writeRecording(t, true)
	for _, c := range []struct {
		loops  int
		want   int
		wantOK bool
	}{
		{1, 4, true},
		{3, 12, true},
		{0, 0, false},
	} {
		p, err := NewPlayer([]string{path, path}, Options{Speed: 1, Loops: c.loops}, nil)
		if err != nil {
			t.Fatal(err)
		}
		total, ok, err := p.Total()
		if err != nil || total != 2*c.want || ok != c.wantOK {
			t.Errorf("loops %d: Total() = %d, %v, %v; want %d, %v", c.loops, total, ok, err, 2*c.want, c.wantOK)
		}
	}
}
