package detect

func isBase64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// scanJWT matches a JSON Web Token at s[i] ("eyJ"): three base64url
// segments separated by dots, header and payload both JSON objects.
func scanJWT(s string, i int) int {
	header := spanWhile(s, i, isBase64URL)
	if header-i < 10 || len(s)-header < 4 || s[header] != '.' || s[header+1:header+4] != "eyJ" {
		return -1
	}
	payload := spanWhile(s, header+1, isBase64URL)
	if payload-header < 10 || payload >= len(s) || s[payload] != '.' {
		return -1
	}
	sig := spanWhile(s, payload+1, isBase64URL)
	if !wordEndAt(s, sig) && s[sig] != '-' {
		return -1
	}
	return sig
}
