package redact

import (
	"fmt"
	"regexp"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/detect"
)

const defaultKeepLast = 4

// rule is how a detector's values are replaced.
type rule struct {
	action   Action
	keepLast int
}

// Redactor applies a policy. It is safe for concurrent use; each batch gets
// its own pass.
type Redactor struct {
	scanner    *detect.Scanner
	rules      []rule // by detector; the secret-key rule is last
	names      []string
	auditKeys  []string // audit attribute name by detector
	allowed    []*regexp.Regexp
	secretKeys []string
	maskText   string
	keys       *keyring
	spanName   SpanNameConfig
	audit      AuditConfig
}

// New builds a Redactor from a validated configuration; it reads the
// pseudonym key when a pseudonym action is configured.
func New(cfg Config) (*Redactor, error) {
	opts := detect.DefaultOptions()
	opts.SecretNames = cfg.SecretKeys
	r := &Redactor{
		secretKeys: cfg.SecretKeys,
		maskText:   cfg.MaskText,
		spanName:   cfg.SpanName,
		audit:      cfg.Audit,
	}
	builtinRules := make([]rule, detect.NumBuiltin)
	for d := range builtinRules {
		builtinRules[d] = rule{action: cfg.DefaultAction, keepLast: defaultKeepLast}
	}
	for name, dc := range cfg.Detectors {
		d, ok := detect.BuiltinByName(name)
		if !ok {
			return nil, fmt.Errorf("detectors.%s: unknown detector", name)
		}
		if dc.Enabled != nil {
			opts.Enabled[d] = *dc.Enabled
		}
		if dc.Action != "" {
			builtinRules[d].action = dc.Action
		}
		if dc.KeepLast > 0 {
			builtinRules[d].keepLast = dc.KeepLast
		}
		if len(dc.ContextKeywords) > 0 || dc.RequireContext {
			opts.Context[d] = detect.Context{Keywords: lower(dc.ContextKeywords), Required: dc.RequireContext, Window: dc.ContextWindow}
		}
	}
	r.rules = builtinRules
	for _, cr := range cfg.CustomRules {
		re, err := regexp.Compile(cr.Pattern)
		if err != nil {
			return nil, fmt.Errorf("custom rule %q: %w", cr.Name, err)
		}
		opts.Custom = append(opts.Custom, detect.CustomRule{Name: cr.Name, Pattern: re, Validate: detect.Validators[cr.Validator]})
		rl := rule{action: cfg.DefaultAction, keepLast: defaultKeepLast}
		if cr.Action != "" {
			rl.action = cr.Action
		}
		if cr.KeepLast > 0 {
			rl.keepLast = cr.KeepLast
		}
		r.rules = append(r.rules, rl)
	}
	r.rules = append(r.rules, rule{action: cfg.SecretKeyAction, keepLast: defaultKeepLast})
	sc, err := detect.NewScanner(opts)
	if err != nil {
		return nil, err
	}
	r.scanner = sc
	for i := 0; i < sc.NumDetectors(); i++ {
		r.names = append(r.names, sc.Name(detect.Detector(i)))
	}
	r.names = append(r.names, secretKeyDetector)
	if cfg.Audit.SummaryAttributes {
		for _, n := range r.names {
			r.auditKeys = append(r.auditKeys, cfg.Audit.AttributePrefix+n)
		}
	}
	for _, p := range cfg.AllowedValues {
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return nil, fmt.Errorf("allowed_values %q: %w", p, err)
		}
		r.allowed = append(r.allowed, re)
	}
	for _, rl := range r.rules {
		if rl.action == ActionPseudonym {
			if r.keys, err = loadKeyring(cfg.Pseudonym); err != nil {
				return nil, err
			}
			break
		}
	}
	return r, nil
}

// secretKeyDetector names the redactions made because of an attribute key.
const secretKeyDetector = "secret_key"

// secretKeyRule is the index of the secret-key rule.
func (r *Redactor) secretKeyRule() int { return len(r.rules) - 1 }

func lower(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		b := []byte(w)
		for j, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[j] = c + 'a' - 'A'
			}
		}
		out[i] = string(b)
	}
	return out
}
