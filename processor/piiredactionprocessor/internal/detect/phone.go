package detect

const (
	maxPhoneDigits = 15 // E.164's longest number
	maxPhoneGroups = 8
	maxExtDigits   = 6
)

// phoneShape is a phone number candidate as written: digit groups joined by
// single spaces, dots or hyphens, an optional leading '+', an area code in
// parentheses and an extension.
type phoneShape struct {
	digits  [maxPhoneDigits]byte
	n       int // digits, without the extension
	groups  int
	lengths [maxPhoneGroups]int
	seps    [maxPhoneGroups]byte // separator after each group but the last
	plus    bool
	paren   bool // a group in parentheses
	ext     bool
	end     int // after the last digit of the number or its extension
}

// readPhone reads the phone shape at s[i], a '+', '(' or digit at a word
// start. It reports false when the text there cannot be a phone number.
func readPhone(s string, i int, p *phoneShape) bool {
	p.n, p.groups, p.plus, p.paren, p.ext = 0, 0, false, false, false
	if s[i] == '+' {
		p.plus = true
		i++
	}
	for {
		closing := i < len(s) && s[i] == '(' && (p.groups == 0 || p.plus && p.groups == 1)
		if closing {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			if p.n == maxPhoneDigits {
				return false
			}
			p.digits[p.n] = s[i]
			p.n++
			i++
		}
		if i == start || p.groups == maxPhoneGroups {
			return false
		}
		p.lengths[p.groups] = i - start
		p.groups++
		if closing {
			if i >= len(s) || s[i] != ')' || i-start > 5 {
				return false
			}
			p.paren = true
			i++
			if i < len(s) && isDigit(s[i]) {
				p.seps[p.groups-1] = ')'
				continue
			}
		}
		if i+1 < len(s) && (s[i] == ' ' || s[i] == '-' || s[i] == '.') && (isDigit(s[i+1]) || s[i+1] == '(') {
			p.seps[p.groups-1] = s[i]
			i++
			continue
		}
		break
	}
	p.end = i
	if e := extensionEnd(s, i); e > 0 {
		p.ext, p.end = true, e
	}
	return true
}

// extensionEnd returns the end of an extension ("x123", " ext. 45") at
// s[i], or -1.
func extensionEnd(s string, i int) int {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	switch {
	case hasPrefixFold(s, i, "ext."):
		i += 4
	case hasPrefixFold(s, i, "ext"):
		i += 3
	case i < len(s) && (s[i] == 'x' || s[i] == 'X'):
		i++
	default:
		return -1
	}
	if i < len(s) && s[i] == ' ' {
		i++
	}
	end := spanWhile(s, i, isDigit)
	if end == i || end-i > maxExtDigits || !digitsEndAt(s, end) {
		return -1
	}
	return end
}

// phoneBoundary reports whether a phone number may stand between start and
// end: not continuing a path, a time, a port or a decimal, and not followed
// by one.
func phoneBoundary(s string, start, end int) bool {
	if start > 0 {
		c := s[start-1]
		if c == '/' || (c == ':' || c == ',') && start >= 2 && isDigit(s[start-2]) {
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if isWord(c) || c == '@' || c == '(' {
			return false
		}
		if (c == '/' || c == ':' || c == ',' || c == '.') && end+1 < len(s) && isDigit(s[end+1]) {
			return false
		}
	}
	return true
}

// dateLike reports whether the first groups read as a date: year-month-day
// or day-month-year.
func (p *phoneShape) dateLike() bool {
	if p.groups < 3 || p.paren || p.seps[0] != p.seps[1] {
		return false
	}
	l := p.lengths
	switch {
	case l[0] == 4 && l[1] == 2 && l[2] == 2:
		return monthDigits(p.digits[4:6])
	case l[0] == 2 && l[1] == 2 && l[2] == 4:
		return monthDigits(p.digits[2:4]) || monthDigits(p.digits[0:2])
	}
	return false
}

// ipv4Like reports whether the groups read as an IPv4 address: four groups
// of at most three digits.
func (p *phoneShape) ipv4Like() bool {
	if p.groups != 4 {
		return false
	}
	for _, l := range p.lengths[:4] {
		if l > 3 {
			return false
		}
	}
	return true
}

// epochLike reports whether the number reads as Unix time in seconds: ten
// unseparated digits from 1, a form national phone numbers rarely take.
func (p *phoneShape) epochLike() bool { return p.groups == 1 && p.n == 10 && p.digits[0] == '1' }

// units are the words after a number that make it a quantity.
var units = []string{"ms", "us", "ns", "s", "sec", "secs", "seconds", "min", "mins", "minutes", "h", "hours",
	"b", "bytes", "kb", "mb", "gb", "kib", "mib", "gib", "rows", "items", "records", "requests", "times"}

// quantityAt reports whether a unit follows the number ending at s[end].
func quantityAt(s string, end int) bool {
	if end < len(s) && s[end] == ' ' {
		end++
	}
	w := spanWhile(s, end, isLetter)
	for _, u := range units {
		if w-end == len(u) && hasPrefixFold(s, end, u) {
			return true
		}
	}
	return false
}

// ssnLike reports whether the number has the US SSN form 3-2-4 with
// hyphens, which the us_ssn detector decides.
func (p *phoneShape) ssnLike() bool {
	return p.groups == 3 && p.lengths[0] == 3 && p.lengths[1] == 2 && p.lengths[2] == 4 && p.seps[0] == '-' && p.seps[1] == '-'
}

func monthDigits(d []byte) bool {
	m := prefixInt(d, 2)
	return m >= 1 && m <= 12
}

// thousands reports whether the groups read as a number with thousands
// separators ("1 234 567", "12.345.678").
func (p *phoneShape) thousands() bool {
	if p.groups < 2 || p.paren || p.lengths[0] > 3 {
		return false
	}
	for g := 1; g < p.groups; g++ {
		if p.lengths[g] != 3 || p.seps[g-1] != p.seps[0] || p.seps[0] == '-' {
			return false
		}
	}
	return true
}

// dotted reports whether the groups are joined by dots only.
func (p *phoneShape) dotted() bool {
	for g := 0; g+1 < p.groups; g++ {
		if p.seps[g] != '.' {
			return false
		}
	}
	return p.groups > 1
}

// scanPhone returns the end of the phone number at s[start], or -1. Numbers
// with an international prefix ('+' or "00") need a length the country
// uses. National numbers in a strong form (an extension, an area code in
// parentheses, groups starting with the trunk prefix 0, the North American
// 3-3-4 groups) must be valid in one of the regions; every other form
// needs a keyword nearby and a length possible in one of the regions. The
// caller has ruled out identifier context.
func (sc *Scanner) scanPhone(s string, start int, p *phoneShape) int {
	// Fewer than 6 digits is no phone number in any form: the international
	// ones need 8 after the prefix.
	if !readPhone(s, start, p) || p.n < 6 || !phoneBoundary(s, start, p.end) || p.dateLike() || p.ssnLike() {
		return -1
	}
	d := p.digits[:p.n]
	required := sc.context[Phone].Required
	if p.plus || p.n > 2 && d[0] == '0' && d[1] == '0' {
		if !p.plus {
			d = d[2:]
		}
		if len(d) >= 8 && internationalPhone(d) && (!required || sc.phoneContext(s, start, p.end)) {
			return p.end
		}
		return -1
	}
	if p.n < 6 || p.n > 12 || p.dotted() && (p.n < 9 || p.groups < 3 || p.ipv4Like()) || p.epochLike() || quantityAt(s, p.end) {
		return -1
	}
	grouped := p.groups >= 2 && !p.thousands()
	strong := p.ext && p.n >= 10 || p.paren && p.n >= 8 || grouped && p.n >= 9 && d[0] == '0' || grouped && p.nanp()
	if !strong && p.n < 7 && p.groups < 3 {
		return -1
	}
	if strong && !required && (p.nanp() || nationalPhone(sc.phoneRegions, d, true)) {
		return p.end
	}
	if sc.phoneContext(s, start, p.end) && nationalPhone(sc.phoneRegions, d, false) {
		return p.end
	}
	return -1
}

// phoneContext reports whether a phone keyword stands before start or
// labels the number after end.
func (sc *Scanner) phoneContext(s string, start, end int) bool {
	return sc.hasContext(Phone, s, start) || sc.hasContextAfter(Phone, s, end)
}

// nanp reports whether the groups have the North American form
// 3-3-4 or (3) 3-4, optionally after a leading 1.
func (p *phoneShape) nanp() bool {
	l := p.lengths[:p.groups]
	if len(l) == 4 && l[0] == 1 && p.digits[0] == '1' {
		l = l[1:]
	}
	return len(l) == 3 && l[0] == 3 && l[1] == 3 && l[2] == 4
}
