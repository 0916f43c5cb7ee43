package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// parseTraceparent reads a W3C traceparent value: version-traceid-spanid-flags, for example
// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01. Only full 128-bit trace ids are valid.
func parseTraceparent(s string) parsed {
	p := parsed{Candidate: Candidate{Format: FormatW3C}}
	version, rest := cut(s)
	var trace, span, flags string
	var ok bool
	if rest, ok = strings.CutPrefix(rest, "-"); ok {
		trace, rest = cut(rest)
	}
	if rest, ok = strings.CutPrefix(rest, "-"); ok {
		span, rest = cut(rest)
	}
	if rest, ok = strings.CutPrefix(rest, "-"); ok {
		flags, rest = cut(rest)
	}
	p.n = len(s) - len(rest)
	switch {
	case len(version) != 2:
		p.traceReason = ReasonWrongLength
		return p
	case !isHex(version) || version == "ff" || version == "FF":
		p.traceReason = ReasonNotHex
		return p
	}
	if p.setTrace(trace, exact); !p.HasTrace {
		return p
	}
	p.setSpan(span, exact)
	if len(flags) == 2 {
		p.setSampled(parseSampled(flags))
	}
	return p
}
