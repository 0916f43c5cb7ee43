package detect

import "fmt"

// Options configures a Scanner.
type Options struct {
	// Enabled switches each built-in detector on.
	Enabled [NumBuiltin]bool
	// Context holds each built-in detector's context keywords.
	Context [NumBuiltin]Context
	// SecretNames are the parameter names whose values the secret_parameter
	// detector matches (see NameMatches).
	SecretNames []string
	// PhoneRegions are the regions (ISO 3166 codes) whose numbering plans
	// national phone numbers are checked against.
	PhoneRegions []string
	// Custom rules run after the built-in detectors.
	Custom []CustomRule
}

// DefaultOptions enables every built-in detector except IP addresses,
// accepts an undashed US SSN only after an "ssn" or "social security"
// keyword, and checks phone numbers against DefaultPhoneRegions with
// DefaultPhoneKeywords.
func DefaultOptions() Options {
	var o Options
	for d := range o.Enabled {
		o.Enabled[d] = Detector(d) != IPAddress
		o.Context[d].Window = DefaultContextWindow
	}
	o.Context[USSSN].Keywords = []string{"ssn", "social security"}
	o.Context[Phone].Keywords = DefaultPhoneKeywords
	o.SecretNames = DefaultSecretNames
	o.PhoneRegions = DefaultPhoneRegions
	return o
}

// Scanner finds matches of the enabled detectors. It is safe for concurrent use.
type Scanner struct {
	enabled      [NumBuiltin]bool
	context      [NumBuiltin]Context
	secretNames  []string
	phoneRegions []phoneRegion
	custom       []customRule
}

// NewScanner builds a scanner from options.
func NewScanner(o Options) (*Scanner, error) {
	sc := &Scanner{enabled: o.Enabled, context: o.Context, secretNames: o.SecretNames}
	for d := range sc.context {
		if sc.context[d].Window <= 0 {
			sc.context[d].Window = DefaultContextWindow
		}
	}
	var err error
	if sc.phoneRegions, err = newPhoneRegions(o.PhoneRegions); err != nil {
		return nil, err
	}
	for _, r := range o.Custom {
		cr, err := compileCustom(r)
		if err != nil {
			return nil, err
		}
		sc.custom = append(sc.custom, cr)
	}
	return sc, nil
}

// NumDetectors is the number of built-in detectors plus custom rules.
func (sc *Scanner) NumDetectors() int { return int(NumBuiltin) + len(sc.custom) }

// Name returns the name of a built-in detector or custom rule.
func (sc *Scanner) Name(d Detector) string {
	if d < NumBuiltin {
		return builtinNames[d]
	}
	if i := int(d - NumBuiltin); i < len(sc.custom) {
		return sc.custom[i].Name
	}
	return fmt.Sprintf("detector_%d", int(d))
}

func (sc *Scanner) on(d Detector) bool { return sc.enabled[d] }

// Scan appends to out[:0] the matches in s, sorted and non-overlapping. It
// makes one pass over s, runs validators only at trigger bytes, and does not
// allocate when out has room.
func (sc *Scanner) Scan(s string, out []Match) []Match { return sc.scan(s, out, false) }

// ScanIdentifier is Scan for the value of a key named like an identifier
// (see IDName): no numeric detector but the resident ID matches in it.
func (sc *Scanner) ScanIdentifier(s string, out []Match) []Match { return sc.scan(s, out, true) }

func (sc *Scanner) scan(s string, out []Match, idValue bool) []Match {
	out = out[:0]
	var run digitRun
	var phone phoneShape
	floor := 0 // end of the last match; candidates start at or after it
	for i := 0; i < len(s); {
		c := s[i]
		start, end, det := -1, -1, Detector(0)
		switch {
		case c == '@':
			if sc.on(Email) {
				start, end = scanEmail(s, i, floor)
				det = Email
			}
		case c == ':' && i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/':
			if sc.on(URLUserinfo) {
				start, end = scanURLUserinfo(s, i)
				det = URLUserinfo
			}
		case c == '=' || c == ':':
			if sc.on(SecretParameter) {
				start, end = sc.scanSecretParameter(s, i, floor)
				det = SecretParameter
			}
		case !wordStartAt(s, i):
		case len(s)-i >= uuidLen && s[i+8] == '-' && uuidEnd(s, i) > 0:
			i += uuidLen // no detector inside a UUID
			continue
		case isDigit(c) || c == '+' && i+1 < len(s) && isDigit(s[i+1]):
			start = i
			id := idValue || numberInIdentifier(s, i)
			end, det = sc.scanDigits(s, i, &run, id)
			if end < 0 && sc.on(Phone) && !id {
				end, det = sc.scanPhone(s, i, &phone), Phone
			}
		case c == '(' && i+1 < len(s) && isDigit(s[i+1]):
			if sc.on(Phone) && !idValue && !numberInIdentifier(s, i) {
				start, end, det = i, sc.scanPhone(s, i, &phone), Phone
			}
		default:
			var skip int
			if start, end, det, skip = sc.scanWord(s, i, idValue); skip > i {
				i = skip
				continue
			}
		}
		if end < 0 && sc.on(IPAddress) && (isHex(c) || c == ':') && wordStartAt(s, i) && (i == 0 || s[i-1] != ':') {
			start, end, det = i, scanIP(s, i), IPAddress
		}
		if end <= start || start < floor {
			i++
			continue
		}
		out = append(out, Match{Start: start, End: end, Detector: det})
		floor, i = end, end
	}
	if len(sc.custom) > 0 {
		out = sc.scanCustom(s, out)
	}
	return out
}

// scanWord tries the detectors that start at the beginning of a word. When
// nothing matches but a shape must not be scanned further (an IBAN with a
// wrong checksum, or any IBAN shape where an identifier stands), skip is
// where scanning resumes.
func (sc *Scanner) scanWord(s string, i int, idValue bool) (start, end int, det Detector, skip int) {
	c := s[i]
	if c == 'e' && sc.on(JWT) && len(s)-i > 3 && s[i+1] == 'y' && s[i+2] == 'J' {
		if end := scanJWT(s, i); end > 0 {
			return i, end, JWT, 0
		}
	}
	if (c == 'B' || c == 'b') && sc.on(AuthCredential) {
		if start, end := scanAuthCredential(s, i); end > 0 {
			return start, end, AuthCredential, 0
		}
	}
	if sc.on(APIKey) {
		if keyTriggers[c] {
			if end := scanAPIKey(s, i); end > 0 {
				return i, end, APIKey, 0
			}
		}
		if c == '-' {
			if end := scanPrivateKey(s, i); end > 0 {
				return i, end, APIKey, 0
			}
		}
	}
	if isLetter(c) && sc.on(IBAN) {
		if end, valid := scanIBAN(s, i); valid && !idValue && !identifierAt(s, i) {
			return i, end, IBAN, 0
		} else if end > 0 {
			return -1, -1, 0, end
		}
	}
	return -1, -1, 0, 0
}
