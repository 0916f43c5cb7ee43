package detect

var emailLocal = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c))
	}
	for _, c := range "._%+-" {
		t[c] = true
	}
	return t
}()

func isDomainChar(c byte) bool { return isAlnum(c) || c == '-' }

// scanEmail matches an address around the '@' at s[at]; the local part may
// not start before floor. It returns the match bounds or -1.
func scanEmail(s string, at, floor int) (int, int) {
	start := at
	for start > floor && emailLocal[s[start-1]] {
		start--
	}
	for start < at && s[start] == '.' {
		start++
	}
	if start == at || s[at-1] == '.' {
		return -1, -1
	}
	// Domain: labels of letters, digits and hyphens; the last one (TLD) is
	// at least two letters. A trailing '.' ends the sentence, not the domain.
	end, labels, tldLetters := at+1, 0, false
	for {
		labelEnd := spanWhile(s, end, isDomainChar)
		if labelEnd == end {
			break
		}
		labels++
		tldLetters = labelEnd-end >= 2 && allLetters(s[end:labelEnd])
		end = labelEnd
		if end+1 < len(s) && s[end] == '.' && isDomainChar(s[end+1]) {
			end++
			continue
		}
		break
	}
	if labels < 2 || !tldLetters {
		return -1, -1
	}
	return start, end
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&(classUpper|classLower) == 0 {
			return false
		}
	}
	return true
}
