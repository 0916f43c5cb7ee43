package detect

func isSchemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '-' || c == '.' }

func isAuthorityEnd(c byte) bool {
	switch c {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '<', '>':
		return true
	}
	return false
}

// scanURLUserinfo matches the user-info of a URL whose "://" is at s[i]
// ("https://user:password@host" yields "user:password").
func scanURLUserinfo(s string, i int) (int, int) {
	if len(s)-i < 4 || s[i+1] != '/' || s[i+2] != '/' || i == 0 || !isSchemeChar(s[i-1]) {
		return -1, -1
	}
	start := i + 3
	at := -1
	j := start
	for ; j < len(s) && !isAuthorityEnd(s[j]); j++ {
		if s[j] == '@' {
			at = j
		}
	}
	if at <= start {
		return -1, -1
	}
	return start, at
}

func isParamNameChar(c byte) bool { return isWord(c) || c == '-' || c == '.' }

func isValueEnd(c byte) bool {
	switch c {
	case '&', ' ', '\t', '\n', '\r', ';', ',', '"', '\'', '<', '>', ')', '}', ']':
		return true
	}
	return false
}

// scanSecretParameter matches the value of a secret-named parameter whose
// '=' or ':' separator is at s[i]: query parameters ("?access_token=..."),
// key=value pairs and "password: ..." or "\"password\":\"...\"" in text.
func (sc *Scanner) scanSecretParameter(s string, i, floor int) (int, int) {
	nameEnd := i
	if s[i] == ':' && nameEnd > 0 && (s[nameEnd-1] == '"' || s[nameEnd-1] == '\'') {
		nameEnd--
	}
	nameStart := nameEnd
	for nameStart > floor && isParamNameChar(s[nameStart-1]) {
		nameStart--
	}
	if nameStart == nameEnd || !sc.secretName(s[nameStart:nameEnd]) {
		return -1, -1
	}
	v := i + 1
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v < len(s) && (s[v] == '"' || s[v] == '\'') {
		quote := s[v]
		end := indexFrom(s, v+1, string(quote))
		if end < 0 {
			end = len(s)
		}
		if end == v+1 {
			return -1, -1
		}
		return v + 1, end
	}
	if _, credEnd := scanAuthCredential(s, v); credEnd > 0 {
		return v, credEnd
	}
	end := v
	for end < len(s) && !isValueEnd(s[end]) {
		end++
	}
	if end == v {
		return -1, -1
	}
	return v, end
}

// secretName reports whether a parameter name is secret.
func (sc *Scanner) secretName(name string) bool { return NameMatches(name, sc.secretNames) }
