package engine

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// traceID makes a trace id whose randomness is spread by n.
func traceID(n uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], n)
	binary.BigEndian.PutUint64(id[8:], mix64(n+1))
	return id
}

// spanSpec describes one span of a test trace.
type spanSpec struct {
	service  string
	name     string
	root     bool
	duration time.Duration
	err      bool
	attrs    map[string]any
}

// buildTrace returns the spans of one trace, one resource per span.
func buildTrace(t testing.TB, id pcommon.TraceID, start time.Time, specs ...spanSpec) ptrace.Traces {
	td := ptrace.NewTraces()
	appendTrace(t, td, id, start, specs...)
	return td
}

func appendTrace(t testing.TB, td ptrace.Traces, id pcommon.TraceID, start time.Time, specs ...spanSpec) {
	rootID := pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
	for i, s := range specs {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", s.service)
		span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		span.SetTraceID(id)
		if s.root {
			span.SetSpanID(rootID)
		} else {
			span.SetSpanID(pcommon.SpanID{9, byte(i), 3, 4, 5, 6, 7, byte(i >> 8)})
			span.SetParentSpanID(rootID)
		}
		span.SetName(s.name)
		span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(s.duration)))
		if s.err {
			span.Status().SetCode(ptrace.StatusCodeError)
		}
		require.NoError(t, span.Attributes().FromRaw(s.attrs))
	}
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Objectives = []Objective{{
		Name:    "checkout-latency",
		Match:   Match{Service: "frontend", Route: "GET /checkout"},
		Latency: &LatencyObjective{Threshold: 500 * time.Millisecond, Target: 0.99},
		Errors:  &ErrorObjective{Target: 0.999, HTTPStatusClasses: []string{"5xx"}},
	}}
	return cfg
}

func newTestEngine(t testing.TB, cfg Config) (*Engine, *recorder) {
	rec := &recorder{refused: map[RefuseReason]int{}}
	e, err := New(cfg, rec)
	require.NoError(t, err)
	return e, rec
}

// recorder is an Observer that remembers everything.
type recorder struct {
	started               int
	decisions             []Decision
	lateKept, lateDropped int
	refused               map[RefuseReason]int
	snapshots             int
}

func (r *recorder) TracesStarted(n int) { r.started += n }
func (r *recorder) Decided(d *Decision) { r.decisions = append(r.decisions, *d) }
func (r *recorder) LateSpans(n int, kept bool) {
	if kept {
		r.lateKept += n
	} else {
		r.lateDropped += n
	}
}
func (r *recorder) Refused(n int, reason RefuseReason) { r.refused[reason] += n }
func (r *recorder) Adjusted(*Snapshot)                 { r.snapshots++ }

func ingest(t testing.TB, e *Engine, now time.Time, td ptrace.Traces) Output {
	out, err := e.Ingest(now, td)
	require.NoError(t, err)
	return out
}

func checkout(d time.Duration) spanSpec {
	return spanSpec{service: "frontend", name: "GET /checkout", root: true, duration: d}
}

func child(service, name string) spanSpec {
	return spanSpec{service: service, name: name, duration: time.Millisecond}
}
