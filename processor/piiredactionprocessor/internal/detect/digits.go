package detect

const (
	maxDigitGroups = 8
	maxDigits      = 24
)

// digitRun is a run of digit groups separated by single spaces or hyphens,
// as numbers are commonly printed ("4111 1111 1111 1111", "138-1234-5678").
type digitRun struct {
	digits  [maxDigits]byte
	n       int                 // digits gathered
	groups  int                 // groups gathered
	ends    [maxDigitGroups]int // byte offset after each group
	counts  [maxDigitGroups]int // digits up to and including each group
	lengths [maxDigitGroups]int // digits in each group
	seps    int                 // separators used
	hyphens int                 // separators that are hyphens
}

// gatherDigits reads the digit groups starting at s[i], which is a digit.
func gatherDigits(s string, i int, r *digitRun) {
	r.n, r.groups, r.seps, r.hyphens = 0, 0, 0, 0
	for r.groups < maxDigitGroups {
		start := i
		for i < len(s) && isDigit(s[i]) {
			if r.n == maxDigits {
				r.n = maxDigits + 1 // too long to be any supported number
				return
			}
			r.digits[r.n] = s[i]
			r.n++
			i++
		}
		r.ends[r.groups] = i
		r.counts[r.groups] = r.n
		r.lengths[r.groups] = i - start
		r.groups++
		if i+1 < len(s) && (s[i] == ' ' || s[i] == '-') && isDigit(s[i+1]) {
			r.seps++
			if s[i] == '-' {
				r.hyphens++
			}
			i++
			continue
		}
		return
	}
}

// scanDigits evaluates the number starting at s[i] (a digit at a word start,
// or a '+' before one). It returns the match end and detector, or -1. In
// identifier context (id: the value of an id-named key, or see
// numberInIdentifier) only a resident ID matches.
func (sc *Scanner) scanDigits(s string, start int, r *digitRun, id bool) (int, Detector) {
	i := start
	plus := s[i] == '+'
	if plus {
		i++
	}
	// Part of a decimal number or a version ("3.1415...", "10.21.3.4").
	if i >= 2 && s[i-1] == '.' && isDigit(s[i-2]) {
		return -1, 0
	}
	gatherDigits(s, i, r)
	if r.n > maxDigits {
		return -1, 0
	}
	for k := r.groups; k >= 1; k-- {
		end := r.ends[k-1]
		if !digitsEndAt(s, end) {
			continue
		}
		d := r.digits[:r.counts[k-1]]
		if det, ok := sc.classifyNumber(s, start, end, d, r, k, plus, id); ok {
			return end + sc.idSuffix(s, end, det), det
		}
	}
	return -1, 0
}

// digitsEndAt reports whether a number may end before s[end]: not inside a
// word, a decimal number, or the local part of an e-mail address.
func digitsEndAt(s string, end int) bool {
	if end >= len(s) {
		return true
	}
	c := s[end]
	if c == 'X' || c == 'x' { // resident ID check character, decided by the caller
		return end+1 >= len(s) || !isWord(s[end+1])
	}
	if isWord(c) || c == '@' {
		return false
	}
	return c != '.' || end+1 >= len(s) || !isDigit(s[end+1])
}

// idSuffix is 1 when a resident ID match includes a trailing X check character.
func (sc *Scanner) idSuffix(s string, end int, det Detector) int {
	if det == CNResidentID && end < len(s) && (s[end] == 'X' || s[end] == 'x') {
		return 1
	}
	return 0
}

// classifyNumber decides which detector, if any, the first k groups match.
// A number in identifier context or continuing a longer number (id) can
// only be a resident ID; phone numbers other than +86 mobiles are left to
// scanPhone.
func (sc *Scanner) classifyNumber(s string, start, end int, d []byte, r *digitRun, k int, plus, id bool) (Detector, bool) {
	trailingX := end < len(s) && (s[end] == 'X' || s[end] == 'x')
	if trailingX {
		ok := !plus && k == 1 && sc.on(CNResidentID) && validCNResidentID(d, 'X')
		return CNResidentID, ok
	}
	seps := k - 1
	if len(d) == 18 && seps == 0 && !plus && sc.on(CNResidentID) && validCNResidentID(d[:17], d[17]) && sc.accept(CNResidentID, s, start) {
		return CNResidentID, true
	}
	if id {
		return 0, false
	}
	if plus {
		ok := len(d) == 13 && d[0] == '8' && d[1] == '6' && sc.on(CNMobile) && validCNMobile(d[2:]) && sc.accept(CNMobile, s, start)
		return CNMobile, ok
	}
	switch len(d) {
	case 11:
		if (seps == 0 || seps == 2 && r.lengths[0] == 3 && r.lengths[1] == 4) && sc.on(CNMobile) && validCNMobile(d) && sc.accept(CNMobile, s, start) {
			return CNMobile, true
		}
	case 9:
		if sc.on(USSSN) && validSSN(d) {
			grouped := seps == 2 && r.lengths[0] == 3 && r.lengths[1] == 2
			dashed := grouped && r.hyphens >= 2
			if dashed && sc.accept(USSSN, s, start) || (seps == 0 || grouped) && sc.hasContext(USSSN, s, start) {
				return USSSN, true
			}
		}
	}
	// 17 and 18 digits are card lengths only when printed in groups: an
	// unseparated run of them is an identifier (resident ID, SKU) far more often.
	cardLength := len(d) >= 12 && len(d) <= 19 && (seps > 0 || len(d) != 17 && len(d) != 18)
	if cardLength && sc.on(PaymentCard) && validCard(d) && sc.accept(PaymentCard, s, start) {
		return PaymentCard, true
	}
	return 0, false
}
