package redact

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReadmeExample checks the worked example of the README.
func TestReadmeExample(t *testing.T) {
	t.Setenv("TAILWISE_PII_KEY", testKey)
	r := newRedactor(t, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"payment_card": {Action: ActionPartial}, "email": {Action: ActionPseudonym}}
		c.AllowedValues = []string{`.+@example\.com`}
		c.SecretKeyAction = ActionDrop
		c.Pseudonym.KeyEnv = "TAILWISE_PII_KEY"
		c.Audit.SummaryAttributes = true
	})
	lr, stats := redactLogBody(r, map[string]any{"tenant.id": "acme"},
		"refund 4111 1111 1111 1111 for alice@corp.io, cc ops@example.com, order 123456789012345678 at 1732165800123",
		map[string]any{"user.password": "hunter2", "http.target": "/cb?access_token=abc123&lang=en", "retries": int64(3)})

	assert.Regexp(t, regexp.MustCompile(`^refund \*\*\*\* \*\*\*\* \*\*\*\* 1111 for email:[0-9a-f]{16}, cc ops@example\.com, order 123456789012345678 at 1732165800123$`), lr.Body().Str())
	assert.Equal(t, map[string]any{
		"http.target":                    "/cb?access_token=****&lang=en",
		"retries":                        int64(3),
		"pii_redaction.payment_card":     int64(1),
		"pii_redaction.email":            int64(1),
		"pii_redaction.secret_parameter": int64(1),
		"pii_redaction.secret_key":       int64(1),
	}, lr.Attributes().AsRaw())
	for detector, outcome := range map[string]Outcome{
		"payment_card": OutcomePartial, "email": OutcomePseudonym, "secret_parameter": OutcomeMask, "secret_key": OutcomeDrop,
	} {
		assert.Equal(t, int64(1), stats.Count(detector, outcome), detector)
	}
	assert.Equal(t, int64(1), stats.Count("email", OutcomeAllowed))
}

// TestReadmeTenantsExample checks the worked example of per-tenant settings
// in the README.
func TestReadmeTenantsExample(t *testing.T) {
	r := newRedactor(t, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"ip_address": {Enabled: ptr(true)}}
		setTenants(c, `
tenants:
  team-a: {default_action: drop, detectors: {payment_card: {action: drop}}}
  team-b: {detectors: {ip_address: {enabled: false}}, allowed_values: ['.*@team-b\.example\.com']}
`)
	})
	tests := []struct {
		tenant    string
		wantBody  string
		wantAttrs map[string]any
	}{
		{"team-a", "refund **** to **** from ****", map[string]any{"order": "A-1029"}},
		{"team-b", "refund **** to ann@team-b.example.com from 10.1.2.3", map[string]any{"card": "****", "client.ip": "10.1.2.3", "order": "A-1029"}},
		{"team-c", "refund **** to **** from ****", map[string]any{"card": "****", "client.ip": "****", "order": "A-1029"}},
	}
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			lr, _ := redactLogBody(r, map[string]any{"tenant.id": tt.tenant},
				"refund 4111 1111 1111 1111 to ann@team-b.example.com from 10.1.2.3",
				map[string]any{"card": "4111111111111111", "client.ip": "10.1.2.3", "order": "A-1029"})
			assert.Equal(t, tt.wantBody, lr.Body().Str())
			assert.Equal(t, tt.wantAttrs, lr.Attributes().AsRaw())
		})
	}
}
