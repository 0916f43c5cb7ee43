package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// ScanText offers to res every trace context found in a string body. Built-in formats are found
// in one pass: each ':' or '=' looks up the word before it among the known keys (logfmt, JSON
// text, "TraceID: <hex>", header dumps) and each '[' is tried as a Spring Sleuth block. User
// patterns run only when the built-in formats found no trace id.
func (s *Scanner) ScanText(text string, res *Result) {
	for i := 0; i < len(text); i++ {
		for i < len(text) && !triggers[text[i]] {
			i++
		}
		if i == len(text) {
			break
		}
		switch text[i] {
		case '=', ':':
			i = s.scanKeyed(text, i, res)
		case '[':
			if !s.formats.Sleuth {
				continue
			}
			if p, ok := parseSleuth(text[i:]); ok {
				p.report(res, Range{i, i + p.n})
				i += p.n - 1
			}
		default:
			continue
		}
		if res.Complete() {
			break
		}
	}
	if !res.HasTrace {
		for _, pat := range s.patterns {
			if pat.scan(text, res) {
				return
			}
		}
	}
}

// triggers are the bytes at which a built-in text format may be found.
var triggers = [256]bool{'=': true, ':': true, '[': true}

// scanKeyed handles the separator at text[sep] and returns the index of the last byte consumed.
func (s *Scanner) scanKeyed(text string, sep int, res *Result) int {
	keyEnd := sep
	for keyEnd > 0 && text[keyEnd-1] == ' ' {
		keyEnd--
	}
	keyQuote := byte(0)
	if keyEnd > 0 && isQuote(text[keyEnd-1]) {
		keyEnd--
		keyQuote = text[keyEnd]
	}
	if keyEnd == 0 || !s.keys.lastByte[text[keyEnd-1]] {
		return sep
	}
	keyStart := keyEnd
	for keyStart > 0 && isKeyByte(text[keyStart-1]) {
		if keyEnd-keyStart == MaxKeyLen {
			return sep
		}
		keyStart--
	}
	r := s.keys.lookup(text[keyStart:keyEnd])
	if r == roleNone || r == roleDisabled || r.isKeyValue() && !s.formats.KeyValue {
		return sep
	}
	start := keyStart
	if keyQuote != 0 && start > 0 && text[start-1] == keyQuote {
		start--
	}

	var p parsed
	valueQuote := byte(0)
	valueStart := sep + 1
	if r == roleXRayRoot {
		// The X-Ray fields start at the key itself: Root=1-...;Parent=...;Sampled=...
		if text[sep] != '=' || !strings.HasPrefix(text[valueStart:], "1-") {
			return sep
		}
		valueStart = keyStart
		p = parseXRay(text[keyStart:])
	} else {
		// "key: value" may have spaces after the colon; logfmt "key= next" has an empty value.
		for text[sep] == ':' && valueStart < len(text) && text[valueStart] == ' ' {
			valueStart++
		}
		if valueStart < len(text) && isQuote(text[valueStart]) {
			valueQuote = text[valueStart]
			valueStart++
		}
		value := text[valueStart:]
		if r.isPlain() {
			p = parsePlain(r, alnumToken(value), FormatKeyValue)
		} else {
			p = parseHeader(r, value)
		}
	}
	end := valueStart + p.n
	if valueQuote != 0 && end < len(text) && text[end] == valueQuote {
		end++
	}
	p.report(res, Range{start, end})
	return max(end-1, sep)
}

func isQuote(c byte) bool { return c == '"' || c == '\'' }

func isKeyByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '.' || c == '-'
}
