package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

// isPlain reports whether the role holds a single id or flag rather than a propagation header.
func (r role) isPlain() bool {
	switch r {
	case roleTraceID, roleSpanID, roleFlags, roleDatadogTraceID, roleDatadogSpanID:
		return true
	}
	return false
}

// isKeyValue reports whether the role is one of the configured generic id and flags keys, which
// formats.key_value switches on and off in text.
func (r role) isKeyValue() bool {
	return r == roleTraceID || r == roleSpanID || r == roleFlags
}

// parsePlain reads a single id or flag token under a configured key. Datadog ids are decimal
// (64 or 128 bits), or hex when Datadog logs 128-bit ids in hex.
func parsePlain(r role, tok string, format Format) parsed {
	p := parsed{Candidate: Candidate{Format: format}, n: len(tok)}
	switch r {
	case roleTraceID:
		p.setTrace(tok, exactOrHalf)
	case roleSpanID:
		p.setSpan(tok, exact)
	case roleFlags:
		p.setSampled(parseSampled(tok))
	case roleDatadogTraceID:
		p.Format = FormatDatadog
		if isDecimal(tok) {
			p.TraceID, p.traceReason = ParseTraceIDDecimal(tok)
			p.HasTrace = p.traceReason == ReasonNone
		} else {
			p.setTrace(tok, exactOrHalf)
		}
	case roleDatadogSpanID:
		p.Format = FormatDatadog
		if isDecimal(tok) {
			p.SpanID, p.spanReason = ParseSpanIDDecimal(tok)
			p.HasSpan = p.spanReason == ReasonNone
		} else {
			p.setSpan(tok, exact)
		}
	}
	return p
}

// parseHeader reads the value of a propagation header key.
func parseHeader(r role, s string) parsed {
	switch r {
	case roleTraceparent:
		return parseTraceparent(s)
	case roleB3:
		return parseB3Single(s)
	case roleB3TraceID, roleB3SpanID, roleB3Sampled, roleB3Flags:
		return parseB3Multi(r, s)
	case roleUberTraceID:
		return parseUberTraceID(s)
	case roleXRayHeader:
		return parseXRay(s)
	}
	return parsed{}
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
