package piiredactionprocessor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/internal/yamlconf"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/metadata"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"
)

func TestLoadConfig(t *testing.T) {
	full := redact.DefaultConfig()
	full.MaskText = "[REDACTED]"
	full.Detectors = map[string]redact.DetectorConfig{
		"payment_card": {Action: redact.ActionPartial, KeepLast: 4},
		"email":        {Action: redact.ActionPseudonym},
		"ip_address":   {Enabled: ptr(true)},
		"cn_mobile":    {ContextKeywords: []string{"手机", "mobile", "tel"}, RequireContext: true},
	}
	full.CustomRules = []redact.CustomRuleConfig{
		{Name: "employee_id", Pattern: `EMP-\d{6}`, Action: redact.ActionMask},
		{Name: "order_card", Pattern: `ORD-\d{16}`, Validator: "luhn", Action: redact.ActionDrop},
	}
	full.SecretKeys = []string{"password", "secret", "token", "authorization", "cookie", "api_key"}
	full.SecretKeyAction = redact.ActionDrop
	full.AllowedValues = []string{`.+@example\.com`}
	full.Pseudonym = redact.PseudonymConfig{KeyEnv: "TAILWISE_PII_KEY"}
	full.SpanName = redact.SpanNameConfig{Enabled: true, TemplatePaths: true}
	full.Audit = redact.AuditConfig{SummaryAttributes: true, AttributePrefix: "pii_redaction."}

	tenants := redact.DefaultConfig()
	tenants.Detectors = map[string]redact.DetectorConfig{"ip_address": {Enabled: ptr(true)}}
	teamA, teamB := tenants, tenants
	teamA.DefaultAction = redact.ActionDrop
	teamA.Detectors = map[string]redact.DetectorConfig{"ip_address": {Enabled: ptr(true)}, "payment_card": {Action: redact.ActionDrop}}
	teamB.Detectors = map[string]redact.DetectorConfig{"ip_address": {Enabled: ptr(false)}}
	teamB.AllowedValues = []string{`.*@team-b\.example\.com`}
	teamB.CustomRules = []redact.CustomRuleConfig{}
	teamB.Audit.SummaryAttributes = true
	tenants.Tenants = map[string]redact.Config{"team-a": teamA, "team-b": teamB}

	tests := []struct {
		id      component.ID
		want    component.Config
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "full"), want: &full},
		{id: component.NewIDWithName(metadata.Type, "tenants"), want: &tenants},
		{id: component.NewIDWithName(metadata.Type, "invalid_tenants"), wantErr: []string{
			`tenants::team-a::detectors::payment_card::action: "shred" is not one of mask, partial, pseudonym, drop`,
			"tenants::team-a::detectors::credit_card: unknown detector",
			`tenants::team a: tenant ID "team a" has the character ' ' at byte 4`,
		}},
		{id: component.NewIDWithName(metadata.Type, "invalid"), wantErr: []string{
			`default_action: "erase" is not one of mask, partial, pseudonym, drop`,
			"detectors::credit_card: unknown detector",
			"custom_rules::0::name: is required",
			"custom_rules::0::pattern: must be a non-empty Go regular expression",
			`custom_rules::0::validator: unknown validator "crc32"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			err := configtest.Load(t, tt.id, cfg)
			if len(tt.wantErr) > 0 {
				configtest.ErrorSays(t, err, tt.wantErr...)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"default is valid", func(*Config) {}, ""},
		{"pseudonym without key", func(c *Config) { c.DefaultAction = redact.ActionPseudonym }, "pseudonym: the pseudonym action needs a key; set pseudonym::key_env"},
		{"two key sources", func(c *Config) { c.Pseudonym.KeyEnv, c.Pseudonym.KeyFile = "K", "/k" }, "pseudonym: set key_env or key_file, not both"},
		{"bad allow pattern", func(c *Config) { c.AllowedValues = []string{"("} }, "allowed_values::0: not a Go regular expression"},
		{"context required without keywords", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"phone": {RequireContext: true}}
		}, "detectors::phone::require_context: needs context_keywords"},
		{"custom rule named like a built-in", func(c *Config) {
			c.CustomRules = []redact.CustomRuleConfig{{Name: "email", Pattern: "x"}}
		}, `custom_rules::0::name: "email" is a built-in detector`},
		{"duplicate custom rule", func(c *Config) {
			c.CustomRules = []redact.CustomRuleConfig{{Name: "a", Pattern: "x"}, {Name: "a", Pattern: "y"}}
		}, `custom_rules::1::name: "a" is used twice`},
		{"negative keep_last", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"iban": {KeepLast: -1}}
		}, "detectors::iban::keep_last: must not be negative"},
		{"audit without prefix", func(c *Config) { c.Audit = redact.AuditConfig{SummaryAttributes: true} }, "audit::attribute_prefix: must not be empty"},
		{"unknown secret key action", func(c *Config) { c.SecretKeyAction = "hash" }, `secret_key_action: "hash" is not one of mask, partial, pseudonym, drop`},
		{"tenant detector action", func(c *Config) {
			setTenants(c, `tenants: {team-a: {detectors: {payment_card: {action: shred}}}}`)
		}, `tenants::team-a::detectors::payment_card::action: "shred" is not one of mask, partial, pseudonym, drop`},
		{"tenant default action", func(c *Config) {
			setTenants(c, `tenants: {team-a: {default_action: erase}}`)
		}, `tenants::team-a::default_action: "erase" is not one of`},
		{"tenant ID", func(c *Config) { setTenants(c, `tenants: {team/a: {}}`) }, `tenants::team/a: tenant ID "team/a" has the character '/'`},
		{"empty tenant ID", func(c *Config) { setTenants(c, `tenants: {"": {}}`) }, "tenants::: "},
		{"tenant pseudonym without key", func(c *Config) {
			setTenants(c, `tenants: {team-a: {secret_key_action: pseudonym}}`)
		}, "tenants::team-a::pseudonym: the pseudonym action needs a key"},
		{"tenant requires context the top level lacks", func(c *Config) {
			setTenants(c, `tenants: {team-a: {detectors: {phone: {require_context: true}}}}`)
		}, "tenants::team-a::detectors::phone::require_context: needs context_keywords"},
		{"tenant custom rule named like a built-in", func(c *Config) {
			setTenants(c, `tenants: {team-b: {custom_rules: [{name: email, pattern: x}]}}`)
		}, `tenants::team-b::custom_rules::0::name: "email" is a built-in detector`},
		{"tenant allowed value", func(c *Config) {
			setTenants(c, `tenants: {team-b: {allowed_values: ["("]}}`)
		}, "tenants::team-b::allowed_values::0: not a Go regular expression"},
		{"tenant audit without prefix", func(c *Config) {
			setTenants(c, `tenants: {team-a: {audit: {summary_attributes: true, attribute_prefix: ""}}}`)
		}, "tenants::team-a::audit::attribute_prefix: must not be empty"},
		{"tenants without a tenant attribute", func(c *Config) {
			c.TenantAttribute = ""
			setTenants(c, `tenants: {team-a: {}}`)
		}, "tenant_attribute: must not be empty when tenants are configured"},
		{"deprecated tenant attribute alias", func(c *Config) {
			c.Pseudonym.TenantAttribute = "team"
			setTenants(c, `tenants: {team-a: {}}`)
		}, ""},
		{"tenant attribute and a different alias", func(c *Config) {
			c.TenantAttribute = "org"
			c.Pseudonym.TenantAttribute = "team"
		}, `pseudonym::tenant_attribute: deprecated alias of tenant_attribute and set to "team", not "org"; remove it`},
		{"phone regions", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"phone": {Regions: []string{"US", "GB"}}}
		}, ""},
		{"unknown phone region", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"phone": {Regions: []string{"US", "uk"}}}
		}, `detectors::phone::regions::1: unknown region "uk"; use an upper-case ISO 3166 code`},
		{"empty phone regions", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"phone": {Regions: []string{}}}
		}, "detectors::phone::regions: must not be empty"},
		{"regions on another detector", func(c *Config) {
			c.Detectors = map[string]redact.DetectorConfig{"email": {Regions: []string{"US"}}}
		}, "detectors::email::regions: only the phone detector has regions"},
		{"tenant phone region", func(c *Config) {
			setTenants(c, `tenants: {team-a: {detectors: {phone: {regions: [XX]}}}}`)
		}, `tenants::team-a::detectors::phone::regions::0: unknown region "XX"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.edit(cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestValidateReportsTopLevelErrorsOnce(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AllowedValues = []string{"("}
	setTenants(cfg, `tenants: {team-a: {mask_text: "[x]"}, team-b: {allowed_values: ["["]}}`)
	err := cfg.Validate()
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "missing closing ): `(`"), "the top-level error, which team-a inherits, is reported once: %v", err)
	assert.NotContains(t, err.Error(), "tenants::team-a")
	assert.Contains(t, err.Error(), "tenants::team-b::allowed_values::0: not a Go regular expression", "team-b's own list is checked")
}

func ptr[T any](v T) *T { return &v }

func TestTenantCannotOverrideKeySource(t *testing.T) {
	cm := confmap.NewFromStringMap(map[string]any{
		"tenants": map[string]any{"team-a": map[string]any{"pseudonym": map[string]any{"key_env": "TEAM_A_KEY"}}},
	})
	err := cm.Unmarshal(createDefaultConfig())
	assert.ErrorContains(t, err, "tenants::team-a::pseudonym: global, not per tenant; set it at the top level")
}

// setTenants decodes a YAML `tenants:` block over c, as the collector decodes it.
func setTenants(c *Config, yaml string) {
	if err := yamlconf.Decode([]byte(yaml), c); err != nil {
		panic(err)
	}
}
