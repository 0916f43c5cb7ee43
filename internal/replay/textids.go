package replay

import (
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxRememberedIDs bounds the recorded ids remembered for rewriting ids in log text.
const maxRememberedIDs = 1 << 20

// recordedIDs are the trace and span ids the recording's spans carry. Logs often carry trace
// context only in their text (logfmt, traceparent, Sleuth, JSON bodies...); a hex token in a log
// string that equals one of these ids is rewritten like the id itself, so that a loop's logs still
// point to the loop's traces. Other hex text is left alone.
type recordedIDs struct {
	traces map[pcommon.TraceID]struct{}
	spans  map[pcommon.SpanID]struct{}
}

func newRecordedIDs() *recordedIDs {
	return &recordedIDs{traces: map[pcommon.TraceID]struct{}{}, spans: map[pcommon.SpanID]struct{}{}}
}

func (r *recordedIDs) add(t pcommon.TraceID, s pcommon.SpanID) {
	if len(r.traces) < maxRememberedIDs && !t.IsEmpty() {
		r.traces[t] = struct{}{}
	}
	if len(r.spans) < maxRememberedIDs && !s.IsEmpty() {
		r.spans[s] = struct{}{}
	}
}

// rewriteText replaces the recorded ids written in hex in s (a run of exactly 32 or 16 hex
// digits) with their rewritten values, in the same letter case.
func (rw *Rewrite) rewriteText(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isHexDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if repl, ok := rw.rewriteToken(s[i:j]); ok {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			b.WriteString(repl)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func (rw *Rewrite) rewriteToken(tok string) (string, bool) {
	upper := strings.ToUpper(tok) == tok && strings.ToLower(tok) != tok
	var out string
	switch len(tok) {
	case 32:
		var id pcommon.TraceID
		if _, err := hex.Decode(id[:], []byte(tok)); err != nil {
			return "", false
		}
		if _, ok := rw.ids.traces[id]; !ok {
			return "", false
		}
		n := rw.traceID(id)
		out = hex.EncodeToString(n[:])
	case 16:
		var id pcommon.SpanID
		if _, err := hex.Decode(id[:], []byte(tok)); err != nil {
			return "", false
		}
		if _, ok := rw.ids.spans[id]; !ok {
			return "", false
		}
		n := rw.spanID(id)
		out = hex.EncodeToString(n[:])
	default:
		return "", false
	}
	if upper {
		out = strings.ToUpper(out)
	}
	return out, true
}

// rewriteValue rewrites ids in a string value, and in the strings nested in maps and slices.
func (rw *Rewrite) rewriteValue(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if s := rw.rewriteText(v.Str()); s != v.Str() {
			v.SetStr(s)
		}
	case pcommon.ValueTypeMap:
		for _, e := range v.Map().All() {
			rw.rewriteValue(e)
		}
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			rw.rewriteValue(e)
		}
	}
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
