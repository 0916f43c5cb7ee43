package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// parseB3Single reads a B3 single-header value: traceid-spanid[-sampled[-parentspanid]], or only
// the sampling state (0, 1 or d). 64-bit trace ids are left-padded to 128 bits.
func parseB3Single(s string) parsed {
	p := parsed{Candidate: Candidate{Format: FormatB3}}
	trace, rest := cut(s)
	rest, hasSpan := strings.CutPrefix(rest, "-")
	if !hasSpan {
		p.n = len(trace)
		switch len(trace) {
		case 0:
			p.traceReason = ReasonEmpty
		case 1:
			p.setSampled(parseSampled(trace))
		default:
			p.traceReason = ReasonWrongLength
		}
		return p
	}
	span, rest := cut(rest)
	if after, ok := strings.CutPrefix(rest, "-"); ok {
		var sampled string
		sampled, rest = cut(after)
		p.setSampled(parseSampled(sampled))
		if after, ok := strings.CutPrefix(rest, "-"); ok {
			_, rest = cut(after)
		}
	}
	p.n = len(s) - len(rest)
	if p.setTrace(trace, exactOrHalf); !p.HasTrace {
		p.HasFlags = false
		return p
	}
	p.setSpan(span, exact)
	return p
}

// parseB3Multi reads the value of one of the B3 multi-header keys (X-B3-TraceId, X-B3-SpanId,
// X-B3-Sampled, X-B3-Flags).
func parseB3Multi(r role, s string) parsed {
	p := parsed{Candidate: Candidate{Format: FormatB3}}
	tok := alnumToken(s)
	p.n = len(tok)
	switch r {
	case roleB3TraceID:
		p.setTrace(tok, exactOrHalf)
	case roleB3SpanID:
		p.setSpan(tok, exact)
	case roleB3Sampled:
		p.setSampled(parseSampled(tok))
	case roleB3Flags:
		// Debug (flags=1) implies sampled; other values say nothing.
		p.setSampled(true, tok == "1")
	}
	return p
}
