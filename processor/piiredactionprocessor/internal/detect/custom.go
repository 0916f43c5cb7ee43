package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// CustomRule is a named regular expression with an optional validator of the
// matched text. Its regular expression runs only on strings that contain the
// pattern's literal prefix, when it has one.
type CustomRule struct {
	Name     string
	Pattern  *regexp.Regexp
	Validate func(string) bool
}

// Validators are the checksum validators a custom rule can name.
var Validators = map[string]func(string) bool{
	"luhn": func(m string) bool {
		var buf [maxDigits]byte
		d, ok := digitsOf(m, buf[:0])
		return ok && len(d) >= 2 && luhn(d)
	},
	"mod97": func(m string) bool {
		var buf [34]byte
		n := 0
		for i := 0; i < len(m); i++ {
			c := m[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if isUpper(c) || isDigit(c) {
				if n == len(buf) {
					return false
				}
				buf[n] = c
				n++
			}
		}
		return n >= 5 && mod97(buf[:n])
	},
	"mod11_2": func(m string) bool {
		var buf [maxDigits]byte
		if len(m) == 0 {
			return false
		}
		d, ok := digitsOf(m[:len(m)-1], buf[:0])
		return ok && len(d) == 17 && mod112Check(d) == upper(m[len(m)-1])
	},
	"us_ssn": func(m string) bool {
		var buf [maxDigits]byte
		d, ok := digitsOf(m, buf[:0])
		return ok && validSSN(d)
	},
}

// digitsOf appends the digits of s to buf, failing when they do not fit.
func digitsOf(s string, buf []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if len(buf) == cap(buf) {
				return buf, false
			}
			buf = append(buf, s[i])
		}
	}
	return buf, true
}

type customRule struct {
	CustomRule
	literal string
}

func compileCustom(r CustomRule) (customRule, error) {
	if r.Pattern == nil {
		return customRule{}, fmt.Errorf("custom rule %q has no pattern", r.Name)
	}
	lit, _ := r.Pattern.LiteralPrefix()
	return customRule{CustomRule: r, literal: lit}, nil
}

// scanCustom adds the custom rules' matches, keeping out sorted.
func (sc *Scanner) scanCustom(s string, out []Match) []Match {
	for ri := range sc.custom {
		r := &sc.custom[ri]
		if r.literal != "" && !strings.Contains(s, r.literal) {
			continue
		}
		for _, loc := range r.Pattern.FindAllStringIndex(s, -1) {
			if loc[0] == loc[1] || r.Validate != nil && !r.Validate(s[loc[0]:loc[1]]) {
				continue
			}
			out = insertMatch(out, Match{Start: loc[0], End: loc[1], Detector: NumBuiltin + Detector(ri)})
		}
	}
	return out
}

// insertMatch inserts m into the sorted, non-overlapping out. Matches that m
// contains are replaced by it; m is dropped when it overlaps one partially.
func insertMatch(out []Match, m Match) []Match {
	first := 0
	for first < len(out) && out[first].End <= m.Start {
		first++
	}
	last := first
	for last < len(out) && out[last].Start < m.End {
		if out[last].Start < m.Start || out[last].End > m.End {
			return out
		}
		last++
	}
	if last > first {
		out[first] = m
		return append(out[:first+1], out[last:]...)
	}
	out = append(out, Match{})
	copy(out[first+1:], out[first:])
	out[first] = m
	return out
}
