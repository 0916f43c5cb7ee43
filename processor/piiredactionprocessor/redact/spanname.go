package redact

import "strings"

// spanName redacts a span name: URL paths are templated first when
// configured, then detected values are replaced.
func (p *pass) spanName(name string) (string, bool) {
	templated := false
	if p.pol.spanName.TemplatePaths {
		name, templated = templatePaths(name)
	}
	out, redacted := p.field(name)
	return out, templated || redacted
}

// templatePaths replaces identifier segments of the URL paths in s with
// placeholders ({id}, {uuid}, {token}) and removes query strings, so that
// "GET /users/12345/orders?id=9" becomes "GET /users/{id}/orders".
func templatePaths(s string) (string, bool) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '/' || i > 0 && s[i-1] != ' ' {
			continue
		}
		end := i
		for end < len(s) && s[end] != ' ' {
			end++
		}
		path := s[i:end]
		query := strings.IndexAny(path, "?#")
		if query >= 0 {
			path = path[:query]
		}
		if query >= 0 || hasIdentifier(path) {
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			writeTemplated(&b, path)
			last = end
		}
		i = end
	}
	if b.Cap() == 0 {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

func hasIdentifier(path string) bool {
	for seg := range strings.SplitSeq(path[1:], "/") {
		if segmentPlaceholder(seg) != "" {
			return true
		}
	}
	return false
}

func writeTemplated(b *strings.Builder, path string) {
	for seg := range strings.SplitSeq(path[1:], "/") {
		b.WriteByte('/')
		if ph := segmentPlaceholder(seg); ph != "" {
			b.WriteString(ph)
		} else {
			b.WriteString(seg)
		}
	}
}

// segmentPlaceholder names an identifier path segment, or returns "".
func segmentPlaceholder(seg string) string {
	if seg == "" {
		return ""
	}
	digits, hexOnly, alnum := 0, true, true
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		isDigit := c >= '0' && c <= '9'
		isHex := isDigit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		if isDigit {
			digits++
		}
		hexOnly = hexOnly && (isHex || c == '-')
		alnum = alnum && (isHex || c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || c == '-' || c == '_')
	}
	switch {
	case digits == len(seg):
		return "{id}"
	case len(seg) == 36 && hexOnly && strings.Count(seg, "-") == 4:
		return "{uuid}"
	case len(seg) >= 16 && alnum && digits > 0:
		return "{token}"
	}
	return ""
}
