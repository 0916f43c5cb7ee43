package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// maxSleuthLen bounds the bracketed block considered as a Spring Sleuth context.
const maxSleuthLen = 256

// parseSleuth reads a Spring Sleuth / Micrometer Tracing block at the start of s:
// [app,traceId,spanId], [app,traceId,spanId,exportable] or [app,traceId,spanId,parentId,exportable].
// Blocks whose trace and span fields are not hex ids of a valid width are not a context and are
// ignored without counting a rejection, since brackets with commas are common in log text.
func parseSleuth(s string) (parsed, bool) {
	p := parsed{Candidate: Candidate{Format: FormatSleuth}}
	end := strings.IndexByte(s[:min(len(s), maxSleuthLen)], ']')
	if len(s) == 0 || s[0] != '[' || end < 0 {
		return p, false
	}
	var fields [5]string
	n := 0
	for field := range strings.SplitSeq(s[1:end], ",") {
		if n == len(fields) {
			return p, false
		}
		fields[n] = strings.TrimSpace(field)
		n++
	}
	if n < 3 {
		return p, false
	}
	trace, span := fields[1], fields[2]
	if len(trace) != 16 && len(trace) != 32 || len(span) != 16 || !isHex(trace) || !isHex(span) {
		return p, false
	}
	p.n = end + 1
	if p.setTrace(trace, exactOrHalf); !p.HasTrace {
		return p, true
	}
	p.setSpan(span, exact)
	if n >= 4 {
		p.setSampled(parseSampled(fields[n-1]))
	}
	return p, true
}
