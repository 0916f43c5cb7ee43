package detect

// DefaultContextWindow is how many bytes before a candidate are searched
// for context keywords.
const DefaultContextWindow = 32

// labelWindow is how many bytes after a phone number are searched for a
// keyword labelling it ("555 0142 office", "555 0199 (fax)").
const labelWindow = 16

// Context configures the keywords that make an ambiguous candidate count.
type Context struct {
	// Keywords, lower case, searched case-insensitively before a candidate.
	Keywords []string
	// Required rejects candidates with no keyword in the window.
	Required bool
	// Window is the number of bytes searched before the candidate.
	Window int
}

// hasContext reports whether a keyword of the detector appears as a whole
// word in the window before s[start].
func (sc *Scanner) hasContext(d Detector, s string, start int) bool {
	c := &sc.context[d]
	return containsKeyword(s[max(0, start-c.Window):start], c.Keywords)
}

// hasContextAfter reports whether a keyword of the detector appears as a
// whole word in the label window after s[end].
func (sc *Scanner) hasContextAfter(d Detector, s string, end int) bool {
	return containsKeyword(s[end:min(len(s), end+labelWindow)], sc.context[d].Keywords)
}

// containsKeyword reports whether one of the keywords appears in s as whole
// words, ignoring case; a plural 's' may follow.
func containsKeyword(s string, keywords []string) bool {
	for i := 0; i < len(s); i++ {
		if i > 0 && isAlnum(s[i-1]) {
			continue
		}
		for _, k := range keywords {
			if !hasPrefixFold(s, i, k) {
				continue
			}
			j := i + len(k)
			if j < len(s) && (s[j] == 's' || s[j] == 'S') {
				j++
			}
			if j == len(s) || !isAlnum(s[j]) {
				return true
			}
		}
	}
	return false
}

// accept applies the detector's context requirement to a candidate.
func (sc *Scanner) accept(d Detector, s string, start int) bool {
	return !sc.context[d].Required || sc.hasContext(d, s, start)
}
