package detect

// validCNResidentID checks an 18-character mainland China resident identity
// number: province code, birth date (YYYYMMDD at offset 6) and the ISO 7064
// MOD 11-2 check character (0-9 or X).
func validCNResidentID(d []byte, check byte) bool {
	if len(d) != 17 || !cnProvince(prefixInt(d, 2)) {
		return false
	}
	year := prefixInt(d[6:], 4)
	month := prefixInt(d[10:], 2)
	day := prefixInt(d[12:], 2)
	if year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return false
	}
	return mod112Check(d) == upper(check)
}

var mod112Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// mod112Check returns the MOD 11-2 check character of 17 digits.
func mod112Check(d []byte) byte {
	sum := 0
	for i, w := range mod112Weights {
		sum += int(d[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

func cnProvince(code int) bool {
	switch {
	case code >= 11 && code <= 15, code >= 21 && code <= 23, code >= 31 && code <= 37,
		code >= 41 && code <= 46, code >= 50 && code <= 54, code >= 61 && code <= 65,
		code == 71, code == 81, code == 82:
		return true
	}
	return false
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
