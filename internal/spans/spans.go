// Package spans walks the spans of a pdata batch with the service that emitted them.
package spans // import "github.com/tailwise/tailwise/internal/spans"

import "go.opentelemetry.io/collector/pdata/ptrace"

// ForEach calls fn for every span of td with its resource's service.name ("" without one).
func ForEach(td ptrace.Traces, fn func(service string, span ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				fn(service, span)
			}
		}
	}
}
