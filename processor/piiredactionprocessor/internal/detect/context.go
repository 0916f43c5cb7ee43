package detect

// DefaultContextWindow is how many bytes before a candidate are searched
// for context keywords.
const DefaultContextWindow = 32

// Context configures the keywords that make an ambiguous candidate count.
type Context struct {
	// Keywords, lower case, searched case-insensitively before a candidate.
	Keywords []string
	// Required rejects candidates with no keyword in the window.
	Required bool
	// Window is the number of bytes searched before the candidate.
	Window int
}

// hasContext reports whether a keyword of the detector appears in the
// window before s[start].
func (sc *Scanner) hasContext(d Detector, s string, start int) bool {
	c := &sc.context[d]
	from := max(0, start-c.Window)
	for _, k := range c.Keywords {
		if containsFold(s[from:start], k) {
			return true
		}
	}
	return false
}

// accept applies the detector's context requirement to a candidate.
func (sc *Scanner) accept(d Detector, s string, start int) bool {
	return !sc.context[d].Required || sc.hasContext(d, s, start)
}
