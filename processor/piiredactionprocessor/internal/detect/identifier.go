package detect

// idNames are the last name segments that make a key name an identifier:
// "TraceID", "span_id", "x-request-id", "userIds", "traceparent".
var idNames = []string{"id", "ids", "uid", "uuid", "guid", "traceid", "spanid", "traceparent", "tracestate"}

// IDName reports whether a key names an identifier: its last segment, as
// NameMatches splits names, is one of idNames. A numeric detector never
// matches the value of such a key.
func IDName(name string) bool {
	if name == "" || !idNameEnd[name[len(name)-1]] {
		return false
	}
	for _, w := range idNames {
		i := len(name) - len(w)
		if i >= 0 && segmentStart(name, i) && equalName(name[i:], w) {
			return true
		}
	}
	return false
}

// idNameEnd holds the last letters of idNames, in both cases.
var idNameEnd = func() (t [256]bool) {
	for _, w := range idNames {
		c := w[len(w)-1]
		t[c], t[upper(c)] = true, true
	}
	return t
}()

// maxKeyLen bounds the key read back from a value.
const maxKeyLen = 64

// identifierAt reports whether the number at s[start] stands where an
// identifier stands: after a key named like an identifier ("SpanID: ",
// "trace_id=", `"spanId":"`), or continuing a token joined by '-' or '.'
// (the groups of a UUID, a traceparent or a hex run).
func identifierAt(s string, start int) bool {
	if start >= 2 && (s[start-1] == '-' || s[start-1] == '.') && isAlnum(s[start-2]) {
		return true
	}
	j, gap := start, 0
	for j > 0 && gap < 4 && isKeyGap(s[j-1]) {
		j--
		gap++
	}
	if gap == 0 {
		return false
	}
	k := j
	for k > 0 && j-k < maxKeyLen && (isWord(s[k-1]) || s[k-1] == '-' || s[k-1] == '.') {
		k--
	}
	return k < j && IDName(s[k:j])
}

// numberInIdentifier reports whether the number at s[start] stands where an
// identifier stands or continues a longer number: no numeric detector but
// the resident ID matches it.
func numberInIdentifier(s string, start int) bool {
	return identifierAt(s, start) || continuesNumber(s, start)
}

// continuesNumber reports whether s[start] follows a digit group and a
// single space or hyphen: the rest of a longer number, not a number itself.
func continuesNumber(s string, start int) bool {
	return start >= 2 && (s[start-1] == ' ' || s[start-1] == '-') && isDigit(s[start-2])
}

func isKeyGap(c byte) bool {
	return c == ' ' || c == ':' || c == '=' || c == '"' || c == '\'' || c == '\t'
}

// uuidLen is the length of a UUID in text.
const uuidLen = 36

// uuidEnd returns the end of a UUID (8-4-4-4-12 hex digits) at s[i], or -1.
func uuidEnd(s string, i int) int {
	const n = uuidLen
	if len(s)-i < n || s[i+8] != '-' || !wordEndAt(s, i+n) {
		return -1
	}
	for j := 0; j < n; j++ {
		c := s[i+j]
		if j == 8 || j == 13 || j == 18 || j == 23 {
			if c != '-' {
				return -1
			}
		} else if !isHex(c) {
			return -1
		}
	}
	return i + n
}
