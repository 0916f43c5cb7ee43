package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/detect"
)

// pseudonymHexLen is the length of a pseudonym's hexadecimal digest (64 bits).
const pseudonymHexLen = 16

// verdict is the result of redacting one string.
type verdict int

const (
	unchanged verdict = iota
	changed
	dropValue
)

// pass is the state of one batch: the stats, the scratch buffers, the
// current tenant's policy and HMAC.
type pass struct {
	r        *Redactor
	pol      *policy // the current resource's settings
	stats    *Stats
	matches  []detect.Match
	item     []int64 // per-detector counts of the current audit item
	tenant   string
	mac      hash.Hash
	scratch  []byte
	entryFn  func(string, pcommon.Value) bool
	itemHit  bool
	inSecret bool // walking a value under a secret key
	inID     bool // walking the value of a key named like an identifier
}

func (r *Redactor) newPass() *pass {
	p := &pass{r: r, pol: r.base, stats: newStats(r.names), matches: make([]detect.Match, 0, 8)}
	if r.audits {
		p.item = make([]int64, len(r.base.names), r.maxDetectors)
	}
	p.entryFn = p.entry
	return p
}

// use switches the pass to the settings pol and clears the audit counts,
// which are indexed by the policy's detectors.
func (p *pass) use(pol *policy) {
	p.pol = pol
	if p.item != nil {
		clear(p.item[:cap(p.item)])
		p.item = p.item[:len(pol.names)]
		p.itemHit = false
	}
}

func (p *pass) count(detector int, o Outcome) {
	p.stats.add(p.pol.statIndex[detector], o)
	if p.pol.audit.SummaryAttributes && o != OutcomeAllowed {
		p.item[detector]++
		p.itemHit = true
	}
}

// countCard counts a payment card match by its issuer.
func (p *pass) countCard(m detect.Match, s string, o Outcome) {
	if m.Detector == detect.PaymentCard {
		p.stats.addCard(detect.CardIssuer(s[m.Start:m.End]), o)
	}
}

// text redacts the detected values in s. With droppable, a value whose
// detector's action is drop drops the whole value.
func (p *pass) text(s string, droppable bool) (string, verdict) {
	if p.inID {
		p.matches = p.pol.scanner.ScanIdentifier(s, p.matches)
	} else {
		p.matches = p.pol.scanner.Scan(s, p.matches)
	}
	if len(p.matches) == 0 {
		return s, unchanged
	}
	if droppable {
		for _, m := range p.matches {
			if p.pol.rules[m.Detector].action == ActionDrop && !p.pol.isAllowed(s[m.Start:m.End]) {
				p.count(int(m.Detector), OutcomeDrop)
				p.countCard(m, s, OutcomeDrop)
				return "", dropValue
			}
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range p.matches {
		value := s[m.Start:m.End]
		if p.pol.isAllowed(value) {
			p.count(int(m.Detector), OutcomeAllowed)
			p.countCard(m, s, OutcomeAllowed)
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:m.Start])
		p.countCard(m, s, p.replace(&b, int(m.Detector), value))
		last = m.End
	}
	if b.Cap() == 0 {
		return s, unchanged
	}
	b.WriteString(s[last:])
	return b.String(), changed
}

// whole redacts all of s, a value under a secret key.
func (p *pass) whole(s string, droppable bool) (string, verdict) {
	d := p.pol.secretKeyRule()
	if s == "" || p.pol.isAllowed(s) {
		return s, unchanged
	}
	if p.pol.rules[d].action == ActionDrop && droppable {
		p.count(d, OutcomeDrop)
		return "", dropValue
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	p.replace(&b, d, s)
	return b.String(), changed
}

// replace writes the replacement of value, found by detector d, counts it
// and returns its outcome.
func (p *pass) replace(b *strings.Builder, d int, value string) Outcome {
	rl := p.pol.rules[d]
	o := OutcomeMask // mask, and drop where a value cannot be dropped
	switch rl.action {
	case ActionPartial:
		o = OutcomePartial
		writePartial(b, value, rl.keepLast)
	case ActionPseudonym:
		o = OutcomePseudonym
		p.writePseudonym(b, d, value)
	default:
		b.WriteString(p.pol.maskText)
	}
	p.count(d, o)
	return o
}

// writePartial masks every letter, digit and non-ASCII character of value
// with '*' except the last keep ones; ASCII punctuation and separators stay.
func writePartial(b *strings.Builder, value string, keep int) {
	kept := 0
	cut := len(value)
	for cut > 0 && kept < keep {
		r, size := utf8.DecodeLastRuneInString(value[:cut])
		cut -= size
		if isAlnumRune(r) {
			kept++
		}
	}
	for _, r := range value[:cut] {
		if isAlnumRune(r) {
			b.WriteByte('*')
		} else {
			b.WriteRune(r)
		}
	}
	b.WriteString(value[cut:])
}

func isAlnumRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf
}

// writePseudonym writes "<detector>:<hex>", the first 64 bits of
// HMAC-SHA256(tenant key, value).
func (p *pass) writePseudonym(b *strings.Builder, d int, value string) {
	if p.mac == nil {
		p.mac = hmac.New(sha256.New, p.r.keys.tenantKey(p.tenant))
	}
	p.mac.Reset()
	p.scratch = append(p.scratch[:0], value...)
	p.mac.Write(p.scratch)
	var sum [sha256.Size]byte
	var digest [2 * sha256.Size]byte
	hex.Encode(digest[:], p.mac.Sum(sum[:0]))
	b.WriteString(p.pol.names[d])
	b.WriteByte(':')
	b.Write(digest[:pseudonymHexLen])
}

// setTenant switches the settings and the pseudonym key to the tenant of a
// resource.
func (p *pass) setTenant(resource pcommon.Map) {
	if p.r.tenantAttribute == "" {
		return
	}
	tenant := ""
	if v, ok := resource.Get(p.r.tenantAttribute); ok {
		tenant = v.AsString()
	}
	if tenant != p.tenant {
		p.tenant = tenant
		p.mac = nil
		if pol := p.r.policyOf(tenant); pol != p.pol {
			p.use(pol)
		}
	}
}
