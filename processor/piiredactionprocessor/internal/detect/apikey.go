package detect

import "strings"

// keyFormat is a well-known credential format: a literal prefix followed by
// a minimum number of body characters.
type keyFormat struct {
	prefix  string
	minBody int
	maxBody int
	body    func(byte) bool
}

func isUpperDigit(c byte) bool { return isUpper(c) || isDigit(c) }
func isKeyBody(c byte) bool    { return isAlnum(c) || c == '_' || c == '-' }

var keyFormats = []keyFormat{
	// AWS access key IDs (long-term, temporary, and other IAM unique IDs).
	{prefix: "AKIA", minBody: 16, maxBody: 16, body: isUpperDigit},
	{prefix: "ASIA", minBody: 16, maxBody: 16, body: isUpperDigit},
	{prefix: "AIza", minBody: 35, maxBody: 35, body: isKeyBody}, // Google API key
	{prefix: "ghp_", minBody: 36, maxBody: 255, body: isAlnum},  // GitHub tokens
	{prefix: "gho_", minBody: 36, maxBody: 255, body: isAlnum},
	{prefix: "ghu_", minBody: 36, maxBody: 255, body: isAlnum},
	{prefix: "ghs_", minBody: 36, maxBody: 255, body: isAlnum},
	{prefix: "ghr_", minBody: 36, maxBody: 255, body: isAlnum},
	{prefix: "github_pat_", minBody: 22, maxBody: 255, body: isKeyBody},
	{prefix: "glpat-", minBody: 20, maxBody: 255, body: isKeyBody}, // GitLab
	{prefix: "xoxb-", minBody: 10, maxBody: 255, body: isKeyBody},  // Slack
	{prefix: "xoxp-", minBody: 10, maxBody: 255, body: isKeyBody},
	{prefix: "xoxa-", minBody: 10, maxBody: 255, body: isKeyBody},
	{prefix: "xoxr-", minBody: 10, maxBody: 255, body: isKeyBody},
	{prefix: "sk_live_", minBody: 16, maxBody: 255, body: isAlnum}, // Stripe
	{prefix: "rk_live_", minBody: 16, maxBody: 255, body: isAlnum},
	{prefix: "sk_test_", minBody: 16, maxBody: 255, body: isAlnum},
	{prefix: "sk-ant-", minBody: 32, maxBody: 255, body: isKeyBody},                                        // Anthropic
	{prefix: "sk-proj-", minBody: 32, maxBody: 255, body: isKeyBody},                                       // OpenAI
	{prefix: "SG.", minBody: 60, maxBody: 80, body: func(c byte) bool { return isKeyBody(c) || c == '.' }}, // SendGrid
}

// keyTriggers marks the first bytes of the key formats.
var keyTriggers = func() (t [256]bool) {
	for _, f := range keyFormats {
		t[f.prefix[0]] = true
	}
	return t
}()

const (
	privateKeyBegin = "-----BEGIN "
	privateKeyEnd   = "-----END "
	keyBlockClose   = "PRIVATE KEY-----"
)

// scanAPIKey matches a well-known key format at s[i].
func scanAPIKey(s string, i int) int {
	for _, f := range keyFormats {
		if len(s)-i <= len(f.prefix) || s[i] != f.prefix[0] || s[i:i+len(f.prefix)] != f.prefix {
			continue
		}
		end := spanWhile(s, i+len(f.prefix), f.body)
		n := end - i - len(f.prefix)
		if n >= f.minBody && n <= f.maxBody && wordEndAt(s, end) {
			return end
		}
	}
	return -1
}

// scanPrivateKey matches a PEM private key block at s[i] up to its END line,
// or to the end of the text when the block is truncated.
func scanPrivateKey(s string, i int) int {
	if len(s)-i < len(privateKeyBegin) || s[i:i+len(privateKeyBegin)] != privateKeyBegin {
		return -1
	}
	header := indexFrom(s, i, "-----\n")
	if header < 0 {
		header = indexFrom(s, i, "----- ")
	}
	if header < 0 || !containsFold(s[i:header+5], "private key") {
		return -1
	}
	endLine := indexFrom(s, header+5, privateKeyEnd)
	if endLine < 0 {
		return len(s)
	}
	closeAt := indexFrom(s, endLine, keyBlockClose)
	if closeAt < 0 {
		return len(s)
	}
	return closeAt + len(keyBlockClose)
}

// indexFrom is strings.Index over s[from:], as an offset in s.
func indexFrom(s string, from int, sub string) int {
	if j := strings.Index(s[from:], sub); j >= 0 {
		return from + j
	}
	return -1
}
