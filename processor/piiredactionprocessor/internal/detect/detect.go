// Package detect finds personal data and secrets in text with one pass per
// string: cheap byte triggers first, validators (checksums, issuer and date
// rules) only on candidates.
package detect

// Detector identifies a built-in detector; custom rules follow the built-ins.
type Detector int

// The built-in detectors.
const (
	Email Detector = iota
	PaymentCard
	IBAN
	CNResidentID
	CNMobile
	Phone
	USSSN
	IPAddress
	JWT
	AuthCredential
	APIKey
	URLUserinfo
	SecretParameter
	// NumBuiltin is the number of built-in detectors.
	NumBuiltin
)

var builtinNames = [NumBuiltin]string{
	Email:           "email",
	PaymentCard:     "payment_card",
	IBAN:            "iban",
	CNResidentID:    "cn_resident_id",
	CNMobile:        "cn_mobile",
	Phone:           "phone",
	USSSN:           "us_ssn",
	IPAddress:       "ip_address",
	JWT:             "jwt",
	AuthCredential:  "auth_credential",
	APIKey:          "api_key",
	URLUserinfo:     "url_userinfo",
	SecretParameter: "secret_parameter",
}

// BuiltinNames returns the names of the built-in detectors, indexed by Detector.
func BuiltinNames() []string { return builtinNames[:] }

// BuiltinByName returns the detector with the given name.
func BuiltinByName(name string) (Detector, bool) {
	for i, n := range builtinNames {
		if n == name {
			return Detector(i), true
		}
	}
	return 0, false
}

// Match is a detected span of text, [Start, End) in bytes.
type Match struct {
	Start, End int
	Detector   Detector
}

const (
	classDigit = 1 << iota
	classUpper
	classLower
	classHex
	classWordOther // '_'
)

var charClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit | classHex
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = classLower
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= classHex
		t[c-'a'+'A'] |= classHex
	}
	t['_'] = classWordOther
	return t
}()

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool  { return charClass[c]&(classDigit|classUpper|classLower) != 0 }
func isWord(c byte) bool   { return charClass[c] != 0 }
func isHex(c byte) bool    { return charClass[c]&classHex != 0 }
func isLetter(c byte) bool { return charClass[c]&(classUpper|classLower) != 0 }

// upper returns the upper-case form of an ASCII letter, other bytes unchanged.
func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// wordStartAt reports whether s[i] begins a word.
func wordStartAt(s string, i int) bool { return i == 0 || !isWord(s[i-1]) }

// wordEndAt reports whether a word ending before s[i] ends there.
func wordEndAt(s string, i int) bool { return i >= len(s) || !isWord(s[i]) }

// hasPrefixFold reports whether s[i:] starts with the ASCII-lowercase prefix p, ignoring case.
func hasPrefixFold(s string, i int, p string) bool {
	if len(s)-i < len(p) {
		return false
	}
	for j := 0; j < len(p); j++ {
		c := s[i+j]
		if isUpper(c) {
			c += 'a' - 'A'
		}
		if c != p[j] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the ASCII-lowercase needle, ignoring case.
func containsFold(s, needle string) bool {
	for i := 0; i+len(needle) <= len(s); i++ {
		if hasPrefixFold(s, i, needle) {
			return true
		}
	}
	return false
}

// spanWhile returns the end of the run starting at i of bytes accepted by ok.
func spanWhile(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}
