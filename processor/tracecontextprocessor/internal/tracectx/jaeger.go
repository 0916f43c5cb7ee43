package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// parseUberTraceID reads a Jaeger uber-trace-id value: traceid:spanid:parentid:flags, with ':'
// possibly URL-encoded as %3A. Ids may be shorter than full width; they are left-padded with zeros.
func parseUberTraceID(s string) parsed {
	p := parsed{Candidate: Candidate{Format: FormatJaeger}}
	var parts [4]string
	rest := s
	n := 0
	for {
		parts[n], rest = cut(rest)
		n++
		if n == len(parts) {
			break
		}
		var ok bool
		if rest, ok = cutJaegerSep(rest); !ok {
			break
		}
	}
	p.n = len(s) - len(rest)
	if n < 4 {
		p.traceReason = ReasonWrongLength
		if parts[0] == "" {
			p.traceReason = ReasonEmpty
		}
		return p
	}
	if p.setTrace(parts[0], upToFull); !p.HasTrace {
		return p
	}
	p.setSpan(parts[1], upToFull)
	p.setSampled(parseSampled(parts[3]))
	return p
}

func cutJaegerSep(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, ":"); ok {
		return rest, true
	}
	if rest, ok := strings.CutPrefix(s, "%3A"); ok {
		return rest, true
	}
	return strings.CutPrefix(s, "%3a")
}
