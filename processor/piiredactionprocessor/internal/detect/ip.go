package detect

import "net/netip"

func isIPChar(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// scanIP matches an IPv4 address (four decimal octets 0-255 without leading
// zeros) or an IPv6 address starting at s[i], except the unspecified and
// loopback addresses. Only IPv6-shaped candidates
// (two or more colons) reach the standard parser, so text that is neither
// costs no allocation.
func scanIP(s string, i int) int {
	end := spanWhile(s, i, isIPChar)
	for end > i && s[end-1] == '.' { // sentence end
		end--
	}
	if end-i < 2 || !wordEndAt(s, end) {
		return -1
	}
	candidate := s[i:end]
	colons, dots := 0, 0
	for j := 0; j < len(candidate); j++ {
		switch candidate[j] {
		case ':':
			colons++
		case '.':
			dots++
		}
	}
	switch {
	case colons == 0 && dots == 3 && validIPv4(candidate) && !localIPv4(candidate):
		return end
	case colons >= 2:
		if addr, err := netip.ParseAddr(candidate); err == nil && addr.Is6() && !addr.IsUnspecified() && !addr.IsLoopback() {
			return end
		}
	}
	return -1
}

// localIPv4 reports whether a valid IPv4 address is the unspecified address
// or a loopback address, which identify no one.
func localIPv4(s string) bool { return s == "0.0.0.0" || len(s) > 4 && s[:4] == "127." }

// validIPv4 checks four dot-separated decimal octets, 0-255, no leading zeros.
func validIPv4(s string) bool {
	octets, value, digits := 0, 0, 0
	for j := 0; j <= len(s); j++ {
		if j == len(s) || s[j] == '.' {
			if digits == 0 || value > 255 {
				return false
			}
			octets++
			value, digits = 0, 0
			continue
		}
		if !isDigit(s[j]) || digits > 0 && value == 0 {
			return false
		}
		value = value*10 + int(s[j]-'0')
		digits++
	}
	return octets == 4
}
