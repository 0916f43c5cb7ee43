package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

// parsed is the outcome of parsing one value: the candidate, the bytes of the value it spans and
// the reasons its ids were rejected, if they were.
type parsed struct {
	Candidate
	n           int
	traceReason Reason
	spanReason  Reason
}

// setTrace keeps a valid trace id or records why it was rejected.
func (p *parsed) setTrace(tok string, lengths hexLengths) {
	p.TraceID, p.traceReason = parseTraceIDHex(tok, lengths)
	p.HasTrace = p.traceReason == ReasonNone
}

// setSpan keeps a valid span id or records why it was rejected.
func (p *parsed) setSpan(tok string, lengths hexLengths) {
	p.SpanID, p.spanReason = parseSpanIDHex(tok, lengths)
	p.HasSpan = p.spanReason == ReasonNone
}

// setSampled keeps a sampling decision.
func (p *parsed) setSampled(sampled, ok bool) {
	p.Sampled, p.HasFlags = sampled, ok
}

// report passes the candidate and its rejections to r; at is where the candidate was found.
func (p *parsed) report(r *Result, at Range) {
	r.Reject(KindTraceID, p.traceReason)
	r.Reject(KindSpanID, p.spanReason)
	r.offerText(p.Candidate, at)
}

// reportField passes the candidate and its rejections to r; at is the map entry it came from.
func (p *parsed) reportField(r *Result, at FieldRef) {
	r.Reject(KindTraceID, p.traceReason)
	r.Reject(KindSpanID, p.spanReason)
	r.offerField(p.Candidate, at)
}

// parseSampled reads a sampling flag: "1", "true", "d" (B3 debug) or a hex flags byte whose lowest
// bit is the sampled bit.
func parseSampled(s string) (sampled, ok bool) {
	switch s {
	case "true", "True", "TRUE", "d":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	if s == "" || len(s) > 2 || !isHex(s) {
		return false, false
	}
	return hexValue(s[len(s)-1])&1 == 1, true
}

// cut returns the alphanumeric token at the start of s and the rest after it.
func cut(s string) (tok, rest string) {
	tok = alnumToken(s)
	return tok, s[len(tok):]
}
