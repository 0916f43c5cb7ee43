package detect

// validCard reports whether digits form a payment card number: a length the
// issuer uses, a known issuer prefix and a valid Luhn check digit. Lengths 14,
// 17 and 18 are not accepted: they are rare for cards (old Diners Club,
// some Maestro) and common for identifiers such as user ids and SKUs.
func validCard(digits []byte) bool {
	n := len(digits)
	if n != 13 && n != 15 && n != 16 && n != 19 || !issuerAccepts(digits) {
		return false
	}
	return luhn(digits)
}

// issuerAccepts checks the issuer identification number against the lengths
// that issuer uses.
func issuerAccepts(d []byte) bool {
	n := len(d)
	p2 := prefixInt(d, 2)
	p3 := prefixInt(d, 3)
	p4 := prefixInt(d, 4)
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65: // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 62: // UnionPay
		return n >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 16
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro
		return n >= 12
	}
	return false
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
