package detect

// Issuer is the payment card network a card number belongs to.
type Issuer uint8

// The card issuers the payment_card detector accepts.
const (
	NoIssuer Issuer = iota
	Visa
	Mastercard
	Amex
	Discover
	JCB
	DinersClub
	Maestro
	UnionPay
	Mir
	RuPay
)

var issuerNames = [...]string{
	NoIssuer:   "",
	Visa:       "visa",
	Mastercard: "mastercard",
	Amex:       "amex",
	Discover:   "discover",
	JCB:        "jcb",
	DinersClub: "diners_club",
	Maestro:    "maestro",
	UnionPay:   "unionpay",
	Mir:        "mir",
	RuPay:      "rupay",
}

// NumIssuers is the number of Issuer values, NoIssuer included.
const NumIssuers = len(issuerNames)

// String is the issuer's name in telemetry: "visa", "diners_club", ...; ""
// for NoIssuer.
func (i Issuer) String() string { return issuerNames[i] }

// CardIssuer returns the issuer of a card number as the payment_card
// detector matched it (separators allowed), or NoIssuer.
func CardIssuer(value string) Issuer {
	var buf [19]byte
	d := buf[:0]
	for i := 0; i < len(value); i++ {
		if c := value[i]; c >= '0' && c <= '9' {
			if len(d) == len(buf) {
				return NoIssuer
			}
			d = append(d, c)
		}
	}
	return cardIssuer(d)
}

// issuerRange is an issuer identification number range with its card lengths.
type issuerRange struct {
	digits         int // length of the prefix compared
	low, high      int // inclusive prefix range
	minLen, maxLen int
	issuer         Issuer
}

// issuerRanges lists the ranges in common use; the first range that holds
// the prefix and the length wins, so narrower co-branded ranges come first.
var issuerRanges = []issuerRange{
	{6, 622126, 622925, 16, 19, Discover}, // Discover within UnionPay's 62
	{4, 2200, 2204, 16, 19, Mir},
	{4, 2221, 2720, 16, 16, Mastercard},
	{2, 51, 55, 16, 16, Mastercard},
	{1, 4, 4, 13, 19, Visa}, // 13, 16 and 19 (checked below)
	{2, 34, 34, 15, 15, Amex},
	{2, 37, 37, 15, 15, Amex},
	{4, 6011, 6011, 16, 19, Discover},
	{3, 644, 649, 16, 19, Discover},
	{2, 65, 65, 16, 19, Discover},
	{4, 3528, 3589, 16, 19, JCB},
	{4, 1800, 1800, 15, 15, JCB},
	{4, 2131, 2131, 15, 15, JCB},
	{3, 300, 305, 14, 19, DinersClub},
	{4, 3095, 3095, 14, 19, DinersClub},
	{2, 36, 36, 14, 19, DinersClub},
	{2, 38, 39, 14, 19, DinersClub},
	{2, 62, 62, 16, 19, UnionPay},
	{2, 81, 82, 16, 16, RuPay},
	{3, 508, 508, 16, 16, RuPay},
	{3, 353, 353, 16, 16, RuPay},
	{3, 356, 356, 16, 16, RuPay},
	{2, 60, 60, 16, 16, RuPay},
	{2, 50, 50, 12, 19, Maestro},
	{2, 56, 69, 12, 19, Maestro},
}

// validCard reports whether digits form a payment card number: a known
// issuer prefix with a length that issuer uses, and a valid Luhn check digit.
func validCard(digits []byte) bool { return cardIssuer(digits) != NoIssuer }

// cardIssuer returns the issuer of a valid card number, or NoIssuer.
func cardIssuer(d []byte) Issuer {
	n := len(d)
	if n < 12 || n > 19 || !luhn(d) {
		return NoIssuer
	}
	for _, r := range issuerRanges {
		if p := prefixInt(d, r.digits); p >= r.low && p <= r.high && n >= r.minLen && n <= r.maxLen {
			if r.issuer == Visa && n != 13 && n != 16 && n != 19 {
				continue
			}
			return r.issuer
		}
	}
	return NoIssuer
}

func prefixInt(d []byte, n int) int {
	v := 0
	for i := 0; i < n && i < len(d); i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

// luhn reports whether the last digit is the Luhn check digit of the others.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}
