package detect

// validCNMobile checks an 11-digit mainland China mobile number: 1, then a
// second digit 3-9 (the operators' number blocks).
func validCNMobile(d []byte) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}

// validE164 checks the digits of an E.164 number written with a leading '+':
// a country code that does not start with 0 and 8 to 15 digits in total.
func validE164(d []byte) bool {
	return len(d) >= 8 && len(d) <= 15 && d[0] != '0'
}
