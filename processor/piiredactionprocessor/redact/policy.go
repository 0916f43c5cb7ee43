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

// policy is one set of settings, compiled: the top-level settings or a
// tenant's effective settings.
type policy struct {
	scanner    *detect.Scanner
	rules      []rule   // by detector; the secret-key rule is last
	names      []string // by detector
	statIndex  []int    // the Stats index of each detector
	auditKeys  []string // audit attribute name by detector
	allowed    []*regexp.Regexp
	secretKeys []string
	maskText   string
	spanName   SpanNameConfig
	audit      AuditConfig
}

func newPolicy(cfg Config) (*policy, error) {
	opts := detect.DefaultOptions()
	opts.SecretNames = cfg.SecretKeys
	pol := &policy{
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
			return nil, fmt.Errorf("detectors::%s: unknown detector", name)
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
		if dc.Regions != nil {
			opts.PhoneRegions = dc.Regions
		}
		if len(dc.ContextKeywords) > 0 || dc.RequireContext {
			opts.Context[d] = detect.Context{Keywords: lower(dc.ContextKeywords), Required: dc.RequireContext, Window: dc.ContextWindow}
		}
	}
	pol.rules = builtinRules
	for i, cr := range cfg.CustomRules {
		re, err := regexp.Compile(cr.Pattern)
		if err != nil {
			return nil, fmt.Errorf("custom_rules::%d::pattern: %w", i, err)
		}
		opts.Custom = append(opts.Custom, detect.CustomRule{Name: cr.Name, Pattern: re, Validate: detect.Validators[cr.Validator]})
		rl := rule{action: cfg.DefaultAction, keepLast: defaultKeepLast}
		if cr.Action != "" {
			rl.action = cr.Action
		}
		if cr.KeepLast > 0 {
			rl.keepLast = cr.KeepLast
		}
		pol.rules = append(pol.rules, rl)
	}
	pol.rules = append(pol.rules, rule{action: cfg.SecretKeyAction, keepLast: defaultKeepLast})
	sc, err := detect.NewScanner(opts)
	if err != nil {
		return nil, err
	}
	pol.scanner = sc
	for i := 0; i < sc.NumDetectors(); i++ {
		pol.names = append(pol.names, sc.Name(detect.Detector(i)))
	}
	pol.names = append(pol.names, secretKeyDetector)
	if cfg.Audit.SummaryAttributes {
		for _, n := range pol.names {
			pol.auditKeys = append(pol.auditKeys, cfg.Audit.AttributePrefix+n)
		}
	}
	for i, p := range cfg.AllowedValues {
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return nil, fmt.Errorf("allowed_values::%d: %w", i, err)
		}
		pol.allowed = append(pol.allowed, re)
	}
	return pol, nil
}

// usesPseudonym reports whether any detector's action is pseudonym.
func (pol *policy) usesPseudonym() bool {
	for _, rl := range pol.rules {
		if rl.action == ActionPseudonym {
			return true
		}
	}
	return false
}

// secretKeyRule is the index of the secret-key rule.
func (pol *policy) secretKeyRule() int { return len(pol.rules) - 1 }

func (pol *policy) isAllowed(text string) bool {
	for _, re := range pol.allowed {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

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
