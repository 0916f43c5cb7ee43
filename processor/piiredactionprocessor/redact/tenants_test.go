package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/internal/yamlconf"
)

func ptr[T any](v T) *T { return &v }

// topLevel is a policy with a detector, a custom rule and lists that the
// tenants of TestForTenant override.
func topLevel() Config {
	c := DefaultConfig()
	c.Detectors = map[string]DetectorConfig{
		"payment_card": {Enabled: ptr(true), Action: ActionPartial, KeepLast: 6, ContextKeywords: []string{"card"}, RequireContext: true, ContextWindow: 20},
	}
	c.CustomRules = []CustomRuleConfig{{Name: "employee_id", Pattern: `EMP-\d{6}`}}
	c.AllowedValues = []string{`.+@example\.com`}
	c.SpanName = SpanNameConfig{Enabled: false, TemplatePaths: true}
	return c
}

// setTenants decodes a YAML `tenants:` block over c, as the collector decodes it.
func setTenants(c *Config, yaml string) {
	if err := yamlconf.Decode([]byte(yaml), c); err != nil {
		panic(err)
	}
}

func TestForTenant(t *testing.T) {
	tests := []struct {
		name   string
		tenant string        // the tenant's block of options, in YAML
		want   func(*Config) // edits topLevel() into the expected settings
	}{
		{"nothing listed keeps everything", `{}`, func(*Config) {}},
		{"scalars replace", `{default_action: drop, mask_text: "[x]", secret_key_action: partial}`, func(c *Config) {
			c.DefaultAction, c.MaskText, c.SecretKeyAction = ActionDrop, "[x]", ActionPartial
		}},
		{"an empty mask text is a value", `{mask_text: ""}`, func(c *Config) { c.MaskText = "" }},
		{"a detector's action keeps its other fields", `{detectors: {payment_card: {action: drop}}}`, func(c *Config) {
			c.Detectors = map[string]DetectorConfig{"payment_card": {Enabled: ptr(true), Action: ActionDrop, KeepLast: 6, ContextKeywords: []string{"card"}, RequireContext: true, ContextWindow: 20}}
		}},
		{"every detector field replaces its own", `{detectors: {payment_card: {enabled: false, keep_last: 2, context_keywords: [cc], require_context: false, context_window: 8}}}`, func(c *Config) {
			c.Detectors = map[string]DetectorConfig{"payment_card": {Enabled: ptr(false), Action: ActionPartial, KeepLast: 2, ContextKeywords: []string{"cc"}, ContextWindow: 8}}
		}},
		{"a detector absent at the top level is added", `{detectors: {ip_address: {enabled: true}}}`, func(c *Config) {
			c.Detectors["ip_address"] = DetectorConfig{Enabled: ptr(true)}
		}},
		{"listed lists replace whole", `{custom_rules: [{name: badge, pattern: 'B\d{4}'}], secret_keys: [pin], allowed_values: ['.*@team-b\.example\.com']}`, func(c *Config) {
			c.CustomRules = []CustomRuleConfig{{Name: "badge", Pattern: `B\d{4}`}}
			c.SecretKeys = []string{"pin"}
			c.AllowedValues = []string{`.*@team-b\.example\.com`}
		}},
		{"an empty list empties", `{custom_rules: [], allowed_values: []}`, func(c *Config) {
			c.CustomRules, c.AllowedValues = []CustomRuleConfig{}, []string{}
		}},
		{"span_name and audit merge per field", `{span_name: {enabled: true}, audit: {summary_attributes: true}}`, func(c *Config) {
			c.SpanName = SpanNameConfig{Enabled: true, TemplatePaths: true}
			c.Audit = AuditConfig{SummaryAttributes: true, AttributePrefix: "pii_redaction."}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := topLevel()
			setTenants(&cfg, "tenants: {team-a: "+tt.tenant+"}")
			want := topLevel()
			tt.want(&want)
			assert.Equal(t, want, cfg.ForTenant("team-a"))
			top := cfg
			top.Tenants = nil
			assert.Equal(t, topLevel(), cfg.ForTenant("team-z"), "an unlisted tenant gets the top-level settings")
			assert.Equal(t, topLevel(), top, "merging leaves the top-level settings alone")
		})
	}
}

func TestTenantBlocksCannotSetGlobalOptions(t *testing.T) {
	for _, key := range []string{"pseudonym: {key_env: X}", "tenant_attribute: team", "tenants: {}"} {
		cfg := DefaultConfig()
		conf, err := yamlconf.Parse([]byte("tenants: {team-a: {" + key + "}}"))
		require.NoError(t, err)
		err = cfg.Unmarshal(conf)
		require.ErrorContains(t, err, "tenants::team-a::"+key[:strings.IndexByte(key, ':')]+": global, not per tenant")
	}
}

// tenantBatch returns one ResourceLogs per tenant ("" for a resource
// without the tenant attribute), each with the same record.
func tenantBatch(tenants ...string) plog.Logs {
	ld := plog.NewLogs()
	for _, tenant := range tenants {
		rl := ld.ResourceLogs().AppendEmpty()
		if tenant != "" {
			rl.Resource().Attributes().PutStr("tenant.id", tenant)
		}
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Body().SetStr("paid 4111 1111 1111 1111 from 10.1.2.3 by ann@team-b.example.com, badge B1234")
		lr.Attributes().PutStr("card", "4111111111111111")
		lr.Attributes().PutStr("client", "10.1.2.3")
	}
	return ld
}

// twoTeams configures IP addresses on at the top level, team-a dropping
// values (partial cards) with audit attributes, and team-b without IP
// addresses, with its own allow-list, custom rule and mask text.
func twoTeams(c *Config) {
	c.Detectors = map[string]DetectorConfig{"ip_address": {Enabled: ptr(true)}}
	setTenants(c, `
tenants:
  team-a:
    default_action: drop
    detectors: {payment_card: {action: partial}}
    audit: {summary_attributes: true}
  team-b:
    detectors: {ip_address: {enabled: false}}
    allowed_values: ['.*@team-b\.example\.com']
    custom_rules: [{name: badge, pattern: 'B\d{4}'}]
    mask_text: "[x]"
`)
}

func TestTenantsInOneBatch(t *testing.T) {
	r := newRedactor(t, twoTeams)
	ld := tenantBatch("team-a", "team-b", "team-c", "", "team-a")
	stats := r.Logs(ld)

	type out struct {
		body  string
		attrs map[string]any
	}
	topLevel := out{"paid **** from **** by ****, badge B1234", map[string]any{"card": "****", "client": "****"}}
	want := map[int]out{
		0: {"paid **** **** **** 1111 from **** by ****, badge B1234", map[string]any{
			"card": "************1111", "pii_redaction.payment_card": int64(2), "pii_redaction.ip_address": int64(2), "pii_redaction.email": int64(1),
		}},
		1: {"paid [x] from 10.1.2.3 by ann@team-b.example.com, badge [x]", map[string]any{"card": "[x]", "client": "10.1.2.3"}},
		2: topLevel,
		3: topLevel,
	}
	want[4] = want[0]
	rls := ld.ResourceLogs()
	require.Equal(t, len(want), rls.Len())
	for i := range rls.Len() {
		lr := rls.At(i).ScopeLogs().At(0).LogRecords().At(0)
		assert.Equal(t, want[i], out{lr.Body().Str(), lr.Attributes().AsRaw()}, "resource %d", i)
	}

	counts := map[string]int64{}
	stats.Each(func(detector string, o Outcome, n int64) { counts[detector+"/"+o.String()] = n })
	assert.Equal(t, map[string]int64{
		"payment_card/partial": 4, "payment_card/mask": 6,
		"ip_address/drop": 2, "ip_address/mask": 6,
		"email/mask": 4, "email/allowed": 1,
		"badge/mask": 1,
	}, counts)
}

func TestTenantAttributeOption(t *testing.T) {
	for _, option := range []struct {
		name string
		set  func(c *Config)
	}{
		{"tenant_attribute", func(c *Config) { c.TenantAttribute = "team" }},
		{"deprecated pseudonym.tenant_attribute", func(c *Config) { c.Pseudonym.TenantAttribute = "team" }},
	} {
		r := newRedactor(t, func(c *Config) {
			option.set(c)
			setTenants(c, `tenants: {team-a: {mask_text: "[a]"}}`)
		})
		tests := []struct {
			name     string
			resource map[string]any
			want     string
		}{
			{"tenant in the configured attribute", map[string]any{"team": "team-a"}, "[a]"},
			{"tenant only in tenant.id", map[string]any{"tenant.id": "team-a"}, "****"},
			{"no tenant", nil, "****"},
		}
		for _, tt := range tests {
			t.Run(option.name+"/"+tt.name, func(t *testing.T) {
				lr, _ := redactLogBody(r, tt.resource, "bob@corp.io", nil)
				assert.Equal(t, tt.want, lr.Body().Str())
			})
		}
	}
}

func TestTenantAttributeWarnings(t *testing.T) {
	c := DefaultConfig()
	assert.Empty(t, c.Warnings())
	c.Pseudonym.TenantAttribute = "team"
	assert.Equal(t, []string{"pseudonym.tenant_attribute is deprecated; set the top-level tenant_attribute instead"}, c.Warnings())
	assert.Equal(t, "team", c.TenantAttributeName())
}
