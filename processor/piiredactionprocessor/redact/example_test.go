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
