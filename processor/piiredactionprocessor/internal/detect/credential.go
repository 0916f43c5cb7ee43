package detect

func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}

// scanAuthCredential matches the credential after an HTTP "Bearer" or
// "Basic" scheme word at s[i]; the scheme word itself is kept.
func scanAuthCredential(s string, i int) (int, int) {
	var tok int
	switch {
	case hasPrefixFold(s, i, "bearer "):
		tok = i + len("bearer ")
	case hasPrefixFold(s, i, "basic "):
		tok = i + len("basic ")
	default:
		return -1, -1
	}
	for tok < len(s) && s[tok] == ' ' {
		tok++
	}
	end := spanWhile(s, tok, isToken68)
	if end-tok < 8 {
		return -1, -1
	}
	return tok, end
}
