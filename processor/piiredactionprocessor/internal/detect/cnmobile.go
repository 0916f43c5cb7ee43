package detect

// validCNMobile checks an 11-digit mainland China mobile number: 1, then a
// second digit 3-9 (the operators' number blocks).
func validCNMobile(d []byte) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}
