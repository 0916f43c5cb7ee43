package main

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/spans"
)

// routeKey names a service's route: the name of its request spans.
type routeKey struct {
	service, route string
}

// requestTally counts requests and failed requests.
type requestTally struct {
	requests, errors float64
}

// groundTruth is what the whole recording holds, for every config alike.
type groundTruth struct {
	traceSpans map[pcommon.TraceID]int32
	traceStart map[pcommon.TraceID]int32 // window of the first span's arrival
	spans      int
	routes     map[routeKey]*requestTally
	binSpans   []float64 // spans in per binSeconds of virtual time
}

func newGroundTruth() *groundTruth {
	return &groundTruth{traceSpans: map[pcommon.TraceID]int32{}, traceStart: map[pcommon.TraceID]int32{}, routes: map[routeKey]*requestTally{}}
}

// observe counts the spans and requests of a batch that arrived at elapsed
// virtual time.
func (g *groundTruth) observe(elapsed time.Duration, td ptrace.Traces) {
	window := int32(elapsed / (windowSeconds * time.Second))
	forEachRequest(td, func(k routeKey, _ pcommon.TraceID, failed bool) {
		t := g.routes[k]
		if t == nil {
			t = &requestTally{}
			g.routes[k] = t
		}
		t.requests++
		if failed {
			t.errors++
		}
	})
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				id := span.TraceID()
				if _, seen := g.traceSpans[id]; !seen {
					g.traceStart[id] = window
				}
				g.traceSpans[id]++
				g.spans++
			}
		}
	}
}

// arrived counts spans into the time bin of elapsed virtual time.
func (g *groundTruth) arrived(elapsed time.Duration, spans int) {
	i := int(elapsed / (binSeconds * time.Second))
	for len(g.binSpans) <= i {
		g.binSpans = append(g.binSpans, 0)
	}
	g.binSpans[i] += float64(spans)
}

// forEachRequest calls fn for every request span of td: a server span, or a
// root span, named by its service and span name; failed when its status is
// ERROR.
func forEachRequest(td ptrace.Traces, fn func(k routeKey, id pcommon.TraceID, failed bool)) {
	spans.ForEach(td, func(service string, span ptrace.Span) {
		if span.Kind() == ptrace.SpanKindServer || span.ParentSpanID().IsEmpty() {
			fn(routeKey{service: service, route: span.Name()}, span.TraceID(), span.Status().Code() == ptrace.StatusCodeError)
		}
	})
}
