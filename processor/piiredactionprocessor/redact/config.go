// Package redact applies the pii_redaction policy to OTLP data: it finds
// personal data and secrets in every string-bearing field and masks,
// partially masks, pseudonymizes or drops them.
package redact

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/tailwise/tailwise/internal/tenantid"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/detect"
)

// Action is what happens to a detected value.
type Action string

// The actions.
const (
	// ActionMask replaces the value with the mask text.
	ActionMask Action = "mask"
	// ActionPartial masks all but the last keep_last letters and digits.
	ActionPartial Action = "partial"
	// ActionPseudonym replaces the value with a keyed HMAC-SHA256 pseudonym.
	ActionPseudonym Action = "pseudonym"
	// ActionDrop removes the attribute holding the value (mask elsewhere).
	ActionDrop Action = "drop"
)

var actions = []Action{ActionMask, ActionPartial, ActionPseudonym, ActionDrop}

// Config is the pii_redaction policy, shared by the processor and `tailctl redact`.
type Config struct {
	// Detectors overrides the built-in detectors' settings, by detector name.
	Detectors map[string]DetectorConfig `mapstructure:"detectors"`
	// CustomRules are extra detectors: a named regular expression with an
	// optional checksum validator.
	CustomRules []CustomRuleConfig `mapstructure:"custom_rules"`
	// SecretKeys are attribute and parameter names whose whole value is secret.
	SecretKeys []string `mapstructure:"secret_keys"`
	// SecretKeyAction is the action for values under a secret key.
	SecretKeyAction Action `mapstructure:"secret_key_action"`
	// AllowedValues are regular expressions; a detected value that matches
	// one entirely is kept. Other values in the same string are still redacted.
	AllowedValues []string `mapstructure:"allowed_values"`
	// DefaultAction applies to detectors without their own action.
	DefaultAction Action `mapstructure:"default_action"`
	// MaskText replaces masked values.
	MaskText string `mapstructure:"mask_text"`
	// Pseudonym configures the key of the pseudonym action.
	Pseudonym PseudonymConfig `mapstructure:"pseudonym"`
	// SpanName configures the redaction of span names.
	SpanName SpanNameConfig `mapstructure:"span_name"`
	// Audit configures the summary attributes added to redacted items.
	Audit AuditConfig `mapstructure:"audit"`
	// TenantAttribute is the resource attribute naming the tenant: it selects
	// the tenant's settings in Tenants and derives its pseudonym key.
	TenantAttribute string `mapstructure:"tenant_attribute"`
	// Tenants are the effective settings of the tenants listed under `tenants`, for the
	// resources whose TenantAttribute holds the key: these settings with the options the
	// tenant lists replaced (see Unmarshal).
	Tenants map[string]Config `mapstructure:"-"`
}

// DetectorConfig configures one detector.
type DetectorConfig struct {
	// Enabled switches the detector on or off; nil keeps its default.
	Enabled *bool `mapstructure:"enabled"`
	// Action overrides default_action.
	Action Action `mapstructure:"action"`
	// KeepLast is the number of trailing letters and digits the partial action keeps.
	KeepLast int `mapstructure:"keep_last"`
	// ContextKeywords are words searched before a candidate.
	ContextKeywords []string `mapstructure:"context_keywords"`
	// RequireContext rejects candidates without a context keyword nearby.
	RequireContext bool `mapstructure:"require_context"`
	// ContextWindow is how many bytes before a candidate are searched.
	ContextWindow int `mapstructure:"context_window"`
	// Regions are the ISO 3166 codes of the numbering plans national phone
	// numbers are checked against; phone only.
	Regions []string `mapstructure:"regions"`
}

// CustomRuleConfig is a user-defined detector.
type CustomRuleConfig struct {
	Name      string `mapstructure:"name"`
	Pattern   string `mapstructure:"pattern"`
	Validator string `mapstructure:"validator"`
	Action    Action `mapstructure:"action"`
	KeepLast  int    `mapstructure:"keep_last"`
}

// PseudonymConfig names where the HMAC key comes from; the key itself is
// never part of the configuration.
type PseudonymConfig struct {
	// KeyEnv is the environment variable holding the key.
	KeyEnv string `mapstructure:"key_env"`
	// KeyFile is a file holding the key.
	KeyFile string `mapstructure:"key_file"`
	// TenantAttribute is the deprecated alias of the top-level
	// tenant_attribute.
	TenantAttribute string `mapstructure:"tenant_attribute"`
}

// SpanNameConfig configures span name redaction.
type SpanNameConfig struct {
	// Enabled redacts span names.
	Enabled bool `mapstructure:"enabled"`
	// TemplatePaths replaces identifiers in URL paths of span names with
	// placeholders and removes query strings.
	TemplatePaths bool `mapstructure:"template_paths"`
}

// AuditConfig configures the summary attributes.
type AuditConfig struct {
	// SummaryAttributes adds, to each redacted span, span event, log record
	// and resource, one integer attribute per detector with its count.
	SummaryAttributes bool `mapstructure:"summary_attributes"`
	// AttributePrefix prefixes the summary attribute names.
	AttributePrefix string `mapstructure:"attribute_prefix"`
}

const defaultTenantAttribute = "tenant.id"

// TenantAttributeName returns the resource attribute naming the tenant:
// tenant_attribute, or the deprecated pseudonym.tenant_attribute when only
// that one is set.
func (c *Config) TenantAttributeName() string {
	if c.Pseudonym.TenantAttribute != "" && c.TenantAttribute == defaultTenantAttribute {
		return c.Pseudonym.TenantAttribute
	}
	return c.TenantAttribute
}

// Warnings returns the start-up warnings of a valid configuration: the
// deprecated options it uses.
func (c *Config) Warnings() []string {
	if c.Pseudonym.TenantAttribute != "" {
		return []string{"pseudonym.tenant_attribute is deprecated; set the top-level tenant_attribute instead"}
	}
	return nil
}

// DefaultSecretKeys are the default secret attribute and parameter names.
var DefaultSecretKeys = detect.DefaultSecretNames

// DefaultConfig returns the default policy: every built-in detector except
// IP addresses on, values masked.
func DefaultConfig() Config {
	return Config{
		SecretKeys:      slices.Clone(DefaultSecretKeys),
		SecretKeyAction: ActionMask,
		DefaultAction:   ActionMask,
		MaskText:        "****",
		TenantAttribute: defaultTenantAttribute,
		SpanName:        SpanNameConfig{TemplatePaths: true},
		Audit:           AuditConfig{AttributePrefix: "pii_redaction."},
	}
}

// Validate checks the configuration and every tenant's effective settings;
// each error names the field with its path and the fix.
func (c *Config) Validate() error {
	errs := c.validatePolicy()
	if c.Pseudonym.KeyEnv != "" && c.Pseudonym.KeyFile != "" {
		errs = append(errs, errors.New("pseudonym: set key_env or key_file, not both"))
	}
	if c.Pseudonym.TenantAttribute != "" && c.TenantAttribute != defaultTenantAttribute && c.Pseudonym.TenantAttribute != c.TenantAttribute {
		errs = append(errs, fmt.Errorf("pseudonym::tenant_attribute: deprecated alias of tenant_attribute and set to %q, not %q; remove it", c.Pseudonym.TenantAttribute, c.TenantAttribute))
	}
	if len(c.Tenants) > 0 && c.TenantAttributeName() == "" {
		errs = append(errs, errors.New("tenant_attribute: must not be empty when tenants are configured; name the resource attribute holding the tenant, e.g. tenant.id"))
	}
	return errors.Join(append(errs, c.validateTenants(errs)...)...)
}

// validateTenants checks each tenant's ID and effective settings. An error
// the top-level settings already have is not repeated for each tenant.
func (c *Config) validateTenants(topLevel []error) []error {
	reported := make(map[string]bool, len(topLevel))
	for _, err := range topLevel {
		reported[err.Error()] = true
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(c.Tenants)) {
		if err := tenantid.ValidateID(id); err != nil {
			errs = append(errs, fmt.Errorf("tenants::%s: %w", id, err))
		}
		eff := c.ForTenant(id)
		for _, err := range eff.validatePolicy() {
			if !reported[err.Error()] {
				errs = append(errs, fmt.Errorf("tenants::%s::%w", id, err))
			}
		}
	}
	return errs
}

// validatePolicy checks the options a tenant may override.
func (c *Config) validatePolicy() []error {
	var errs []error
	usesPseudonym := c.DefaultAction == ActionPseudonym || c.SecretKeyAction == ActionPseudonym
	errs = appendErr(errs, checkAction("default_action", c.DefaultAction, false))
	errs = appendErr(errs, checkAction("secret_key_action", c.SecretKeyAction, true))
	for _, name := range slices.Sorted(maps.Keys(c.Detectors)) {
		d := c.Detectors[name]
		field := "detectors::" + name
		if _, ok := detect.BuiltinByName(name); !ok {
			errs = append(errs, fmt.Errorf("%s: unknown detector; use one of %v", field, detect.BuiltinNames()))
			continue
		}
		errs = appendErr(errs, checkAction(field+"::action", d.Action, true))
		if d.KeepLast < 0 {
			errs = append(errs, fmt.Errorf("%s::keep_last: must not be negative", field))
		}
		if d.ContextWindow < 0 {
			errs = append(errs, fmt.Errorf("%s::context_window: must not be negative", field))
		}
		if d.RequireContext && len(d.ContextKeywords) == 0 {
			errs = append(errs, fmt.Errorf("%s::require_context: needs context_keywords; list the words that must appear before a value", field))
		}
		errs = append(errs, checkRegions(field, name, d.Regions)...)
		usesPseudonym = usesPseudonym || d.Action == ActionPseudonym
	}
	names := map[string]bool{}
	for i, r := range c.CustomRules {
		field := fmt.Sprintf("custom_rules::%d", i)
		switch {
		case r.Name == "":
			errs = append(errs, fmt.Errorf("%s::name: is required; name the rule, e.g. employee_id", field))
		case names[r.Name]:
			errs = append(errs, fmt.Errorf("%s::name: %q is used twice; give each rule its own name", field, r.Name))
		default:
			if _, builtin := detect.BuiltinByName(r.Name); builtin {
				errs = append(errs, fmt.Errorf("%s::name: %q is a built-in detector; configure it under detectors or rename the rule", field, r.Name))
			}
		}
		names[r.Name] = true
		if r.Pattern == "" {
			errs = append(errs, fmt.Errorf("%s::pattern: must be a non-empty Go regular expression", field))
		} else if _, err := regexp.Compile(r.Pattern); err != nil {
			errs = append(errs, fmt.Errorf("%s::pattern: must be a non-empty Go regular expression: %w", field, err))
		}
		if _, ok := detect.Validators[r.Validator]; r.Validator != "" && !ok {
			errs = append(errs, fmt.Errorf("%s::validator: unknown validator %q; use luhn, mod97, mod11_2 or us_ssn", field, r.Validator))
		}
		errs = appendErr(errs, checkAction(field+"::action", r.Action, true))
		if r.KeepLast < 0 {
			errs = append(errs, fmt.Errorf("%s::keep_last: must not be negative", field))
		}
		usesPseudonym = usesPseudonym || r.Action == ActionPseudonym
	}
	for i, p := range c.AllowedValues {
		if _, err := regexp.Compile(p); err != nil {
			errs = append(errs, fmt.Errorf("allowed_values::%d: not a Go regular expression: %w", i, err))
		}
	}
	if usesPseudonym && c.Pseudonym.KeyEnv == "" && c.Pseudonym.KeyFile == "" {
		errs = append(errs, errors.New("pseudonym: the pseudonym action needs a key; set pseudonym::key_env to an environment variable or pseudonym::key_file to a file holding at least 32 random bytes"))
	}
	if c.Audit.SummaryAttributes && c.Audit.AttributePrefix == "" {
		errs = append(errs, errors.New("audit::attribute_prefix: must not be empty when audit::summary_attributes is on, e.g. \"pii_redaction.\""))
	}
	return errs
}

// checkRegions checks the phone regions of a detector.
func checkRegions(field, name string, regions []string) []error {
	if regions == nil {
		return nil
	}
	if name != "phone" {
		return []error{fmt.Errorf("%s::regions: only the phone detector has regions; remove it", field)}
	}
	if len(regions) == 0 {
		return []error{fmt.Errorf("%s::regions: must not be empty; list ISO 3166 region codes such as US, GB, DE, or remove it for the default regions", field)}
	}
	var errs []error
	for i, r := range regions {
		if !detect.ValidPhoneRegion(r) {
			errs = append(errs, fmt.Errorf("%s::regions::%d: unknown region %q; use an upper-case ISO 3166 code such as US, GB, DE", field, i, r))
		}
	}
	return errs
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

func checkAction(field string, a Action, emptyOK bool) error {
	if a == "" && emptyOK || slices.Contains(actions, a) {
		return nil
	}
	return fmt.Errorf("%s: %q is not one of mask, partial, pseudonym, drop", field, a)
}
