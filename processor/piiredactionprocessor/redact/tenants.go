package redact

import "maps"

// TenantConfig overrides the top-level settings for the resources of one
// tenant. An option the tenant leaves unset keeps its top-level value; the
// pseudonym key source is global and cannot be overridden.
type TenantConfig struct {
	// DefaultAction replaces the top-level default_action.
	DefaultAction Action `mapstructure:"default_action"`
	// MaskText replaces the top-level mask_text.
	MaskText *string `mapstructure:"mask_text"`
	// Detectors are merged into the top-level detectors per detector and per field.
	Detectors map[string]TenantDetectorConfig `mapstructure:"detectors"`
	// CustomRules, when listed, replaces the top-level list.
	CustomRules []CustomRuleConfig `mapstructure:"custom_rules"`
	// SecretKeys, when listed, replaces the top-level list.
	SecretKeys []string `mapstructure:"secret_keys"`
	// SecretKeyAction replaces the top-level secret_key_action.
	SecretKeyAction Action `mapstructure:"secret_key_action"`
	// AllowedValues, when listed, replaces the top-level list.
	AllowedValues []string `mapstructure:"allowed_values"`
	// SpanName is merged into the top-level span_name per field.
	SpanName TenantSpanNameConfig `mapstructure:"span_name"`
	// Audit is merged into the top-level audit per field.
	Audit TenantAuditConfig `mapstructure:"audit"`
}

// TenantDetectorConfig overrides the fields of one detector; nil fields keep
// the top-level value.
type TenantDetectorConfig struct {
	Enabled         *bool    `mapstructure:"enabled"`
	Action          Action   `mapstructure:"action"`
	KeepLast        *int     `mapstructure:"keep_last"`
	ContextKeywords []string `mapstructure:"context_keywords"`
	RequireContext  *bool    `mapstructure:"require_context"`
	ContextWindow   *int     `mapstructure:"context_window"`
	Regions         []string `mapstructure:"regions"`
}

// TenantSpanNameConfig overrides the fields of span_name.
type TenantSpanNameConfig struct {
	Enabled       *bool `mapstructure:"enabled"`
	TemplatePaths *bool `mapstructure:"template_paths"`
}

// TenantAuditConfig overrides the fields of audit.
type TenantAuditConfig struct {
	SummaryAttributes *bool   `mapstructure:"summary_attributes"`
	AttributePrefix   *string `mapstructure:"attribute_prefix"`
}

// ForTenant returns the effective settings of a tenant: the top-level
// settings with the options the tenant lists replaced. An unlisted tenant
// gets the top-level settings. The result has no tenants.
func (c *Config) ForTenant(id string) Config {
	eff := *c
	eff.Tenants = nil
	t, ok := c.Tenants[id]
	if !ok {
		return eff
	}
	if t.DefaultAction != "" {
		eff.DefaultAction = t.DefaultAction
	}
	if t.SecretKeyAction != "" {
		eff.SecretKeyAction = t.SecretKeyAction
	}
	setIfListed(&eff.MaskText, t.MaskText)
	if t.CustomRules != nil {
		eff.CustomRules = t.CustomRules
	}
	if t.SecretKeys != nil {
		eff.SecretKeys = t.SecretKeys
	}
	if t.AllowedValues != nil {
		eff.AllowedValues = t.AllowedValues
	}
	if len(t.Detectors) > 0 {
		eff.Detectors = maps.Clone(c.Detectors)
		if eff.Detectors == nil {
			eff.Detectors = make(map[string]DetectorConfig, len(t.Detectors))
		}
		for name, td := range t.Detectors {
			eff.Detectors[name] = td.mergeInto(eff.Detectors[name])
		}
	}
	setIfListed(&eff.SpanName.Enabled, t.SpanName.Enabled)
	setIfListed(&eff.SpanName.TemplatePaths, t.SpanName.TemplatePaths)
	setIfListed(&eff.Audit.SummaryAttributes, t.Audit.SummaryAttributes)
	setIfListed(&eff.Audit.AttributePrefix, t.Audit.AttributePrefix)
	return eff
}

// mergeInto returns d with the fields the tenant sets replaced.
func (td TenantDetectorConfig) mergeInto(d DetectorConfig) DetectorConfig {
	if td.Enabled != nil {
		d.Enabled = td.Enabled
	}
	if td.Action != "" {
		d.Action = td.Action
	}
	if td.ContextKeywords != nil {
		d.ContextKeywords = td.ContextKeywords
	}
	if td.Regions != nil {
		d.Regions = td.Regions
	}
	setIfListed(&d.KeepLast, td.KeepLast)
	setIfListed(&d.RequireContext, td.RequireContext)
	setIfListed(&d.ContextWindow, td.ContextWindow)
	return d
}

func setIfListed[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
