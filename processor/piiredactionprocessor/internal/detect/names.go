package detect

// DefaultSecretNames are the attribute and parameter names whose values are
// secrets by default.
var DefaultSecretNames = []string{
	"password", "passwd", "pwd", "secret", "token", "authorization", "cookie",
	"api_key", "apikey", "access_key", "private_key", "credential", "credentials",
	"session_id", "signature", "cvv", "cvc",
}

// NameMatches reports whether name contains one of the secret names as whole
// segments. Comparison ignores case and treats '.', '_' and '-' alike;
// segments end at the ends of name, at a separator, at a plural 's' or at a
// lower-to-upper case change ("db.password", "X-Api-Key", "userPassword").
func NameMatches(name string, secrets []string) bool {
	for i := 0; i < len(name); i++ {
		if !segmentStart(name, i) {
			continue
		}
		for _, sec := range secrets {
			if len(sec) <= len(name)-i && equalName(name[i:i+len(sec)], sec) && segmentEnd(name, i+len(sec)) {
				return true
			}
		}
	}
	return false
}

func isSeparator(c byte) bool { return c == '.' || c == '_' || c == '-' }

func equalName(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if isUpper(x) {
			x += 'a' - 'A'
		}
		if isUpper(y) {
			y += 'a' - 'A'
		}
		if x != y && (!isSeparator(x) || !isSeparator(y)) {
			return false
		}
	}
	return true
}

func segmentStart(name string, i int) bool {
	if i == 0 || isSeparator(name[i-1]) || !isAlnum(name[i-1]) {
		return true
	}
	return !isUpper(name[i-1]) && isUpper(name[i])
}

func segmentEnd(name string, j int) bool {
	if j == len(name) || isSeparator(name[j]) || !isAlnum(name[j]) {
		return true
	}
	if (name[j] == 's' || name[j] == 'S') && (j+1 == len(name) || !isAlnum(name[j+1]) || isSeparator(name[j+1])) {
		return true
	}
	return isUpper(name[j]) && !isUpper(name[j-1])
}
