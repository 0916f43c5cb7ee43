package redact

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const testKey = "0123456789abcdef0123456789abcdef-test-key"

func newRedactor(t testing.TB, edit func(*Config)) *Redactor {
	t.Helper()
	cfg := DefaultConfig()
	if edit != nil {
		edit(&cfg)
	}
	require.NoError(t, cfg.Validate())
	r, err := New(cfg)
	require.NoError(t, err)
	return r
}

// redactLogBody runs one log record with the given body and attributes
// through r and returns the record.
func redactLogBody(r *Redactor, resource map[string]any, body string, attrs map[string]any) (plog.LogRecord, *Stats) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	_ = rl.Resource().Attributes().FromRaw(resource)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(body)
	_ = lr.Attributes().FromRaw(attrs)
	stats := r.Logs(ld)
	return lr, stats
}

func TestActions(t *testing.T) {
	t.Setenv("PII_TEST_KEY", testKey)
	tests := []struct {
		name string
		edit func(*Config)
		in   string
		want string
	}{
		{"mask", nil, "card 4111 1111 1111 1111 ok", "card **** ok"},
		{"mask text", func(c *Config) { c.MaskText = "[REDACTED]" }, "mail bob@corp.io", "mail [REDACTED]"},
		{"partial keeps last digits and separators", func(c *Config) {
			c.Detectors = map[string]DetectorConfig{"payment_card": {Action: ActionPartial, KeepLast: 4}}
		}, "card 4111-1111-1111-1111", "card ****-****-****-1111"},
		{"pseudonym", func(c *Config) {
			c.DefaultAction = ActionPseudonym
			c.Pseudonym.KeyEnv = "PII_TEST_KEY"
		}, "mail bob@corp.io", "mail email:" + pseudonymOf(t, []byte(testKey), "bob@corp.io")},
		{"allow-list exempts only the allowed value", func(c *Config) {
			c.AllowedValues = []string{`.+@example\.com`}
		}, "from ops@example.com card 4111111111111111 cc eve@evil.io", "from ops@example.com card **** cc ****"},
		{"drop masks a body", func(c *Config) { c.DefaultAction = ActionDrop }, "ssn 123-45-6789", "ssn ****"},
		{"custom rule with validator and its own action", func(c *Config) {
			c.CustomRules = []CustomRuleConfig{{Name: "employee_card", Pattern: `EMP-\d{16}`, Validator: "luhn", Action: ActionPartial, KeepLast: 2}}
		}, "ids EMP-4111111111111111 EMP-4111111111111112", "ids ***-**************11 EMP-4111111111111112"},
		{"nothing to redact", nil, "GET /api/v1/cart took 12 ms version 10.21.3.4", "GET /api/v1/cart took 12 ms version 10.21.3.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, _ := redactLogBody(newRedactor(t, tt.edit), nil, tt.in, nil)
			assert.Equal(t, tt.want, lr.Body().Str())
		})
	}
}

func pseudonymOf(t testing.TB, key []byte, value string) string {
	t.Helper()
	k := keyring{master: key}
	pol := &policy{names: []string{"x"}, statIndex: []int{0}, rules: []rule{{action: ActionPseudonym}}}
	p := &pass{r: &Redactor{keys: &k}, pol: pol, stats: newStats(pol.names)}
	var b strings.Builder
	p.writePseudonym(&b, 0, value)
	return strings.TrimPrefix(b.String(), "x:")
}

func TestPseudonymsDifferAcrossTenants(t *testing.T) {
	t.Setenv("PII_TEST_KEY", testKey)
	r := newRedactor(t, func(c *Config) {
		c.DefaultAction = ActionPseudonym
		c.Pseudonym.KeyEnv = "PII_TEST_KEY"
	})
	a1, _ := redactLogBody(r, map[string]any{"tenant.id": "acme"}, "bob@corp.io", nil)
	a2, _ := redactLogBody(r, map[string]any{"tenant.id": "acme"}, "bob@corp.io", nil)
	b, _ := redactLogBody(r, map[string]any{"tenant.id": "globex"}, "bob@corp.io", nil)
	none, _ := redactLogBody(r, nil, "bob@corp.io", nil)
	assert.Equal(t, a1.Body().Str(), a2.Body().Str(), "stable within a tenant")
	assert.NotEqual(t, a1.Body().Str(), b.Body().Str(), "not joinable across tenants")
	assert.NotEqual(t, a1.Body().Str(), none.Body().Str())
	assert.NotContains(t, a1.Body().Str(), "bob")
}

func TestPseudonymKeyFile(t *testing.T) {
	path := t.TempDir() + "/key"
	require.NoError(t, os.WriteFile(path, []byte(testKey+"\n"), 0o600))
	r := newRedactor(t, func(c *Config) {
		c.DefaultAction = ActionPseudonym
		c.Pseudonym.KeyFile = path
	})
	lr, _ := redactLogBody(r, nil, "bob@corp.io", nil)
	assert.Equal(t, "email:"+pseudonymOf(t, []byte(testKey), "bob@corp.io"), lr.Body().Str())
}

func TestPseudonymKeyErrors(t *testing.T) {
	t.Setenv("PII_SHORT_KEY", "short")
	tests := []struct {
		name    string
		pc      PseudonymConfig
		wantErr string
	}{
		{"short env key", PseudonymConfig{KeyEnv: "PII_SHORT_KEY"}, "pseudonym::key_env: environment variable PII_SHORT_KEY holds 5 bytes"},
		{"missing file", PseudonymConfig{KeyFile: "/nonexistent/key"}, "pseudonym::key_file:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.DefaultAction = ActionPseudonym
			cfg.Pseudonym = tt.pc
			_, err := New(cfg)
			require.ErrorContains(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), "short")
		})
	}
}

func TestSecretKeys(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		attrs map[string]any
		want  map[string]any
	}{
		{"mask whole value", nil,
			map[string]any{"db.password": "hunter2", "http.request.header.authorization": "Bearer abc", "user": "bob", "input_tokens": int64(12)},
			map[string]any{"db.password": "****", "http.request.header.authorization": "****", "user": "bob", "input_tokens": int64(12)}},
		{"drop", func(c *Config) { c.SecretKeyAction = ActionDrop },
			map[string]any{"api_key": "k-123", "user": "bob"},
			map[string]any{"user": "bob"}},
		{"nested map under a secret key", nil,
			map[string]any{"credentials": map[string]any{"user": "bob", "pin": int64(1234)}},
			map[string]any{"credentials": map[string]any{"user": "****", "pin": int64(1234)}}},
		{"custom key list", func(c *Config) { c.SecretKeys = []string{"ssn_hint"} },
			map[string]any{"ssn_hint": "last four 6789", "password": "x"},
			map[string]any{"ssn_hint": "****", "password": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, _ := redactLogBody(newRedactor(t, tt.edit), nil, "", tt.attrs)
			assert.Equal(t, tt.want, lr.Attributes().AsRaw())
		})
	}
}

func TestDropRemovesOnlyTheAttribute(t *testing.T) {
	r := newRedactor(t, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"email": {Action: ActionDrop}}
	})
	lr, stats := redactLogBody(r, nil, "to bob@corp.io", map[string]any{
		"user.email": "bob@corp.io", "note": "x", "list": []any{"bob@corp.io", "y"},
	})
	assert.Equal(t, map[string]any{"note": "x", "list": []any{"****", "y"}}, lr.Attributes().AsRaw())
	assert.Equal(t, "to ****", lr.Body().Str())
	assert.Equal(t, int64(1), stats.Count("email", OutcomeDrop))
	assert.Equal(t, int64(2), stats.Count("email", OutcomeMask))
}

func TestAuditAttributes(t *testing.T) {
	r := newRedactor(t, func(c *Config) {
		c.Audit.SummaryAttributes = true
		c.AllowedValues = []string{`.+@example\.com`}
	})
	lr, stats := redactLogBody(r, nil, "a@corp.io b@corp.io c@example.com 4111111111111111", map[string]any{"password": "p"})
	assert.Equal(t, map[string]any{
		"password":                   "****",
		"pii_redaction.email":        int64(2),
		"pii_redaction.payment_card": int64(1),
		"pii_redaction.secret_key":   int64(1),
	}, lr.Attributes().AsRaw())
	assert.Equal(t, int64(1), stats.Count("email", OutcomeAllowed))
	for k, v := range lr.Attributes().AsRaw() {
		assert.NotContains(t, k+" "+toString(v), "corp.io")
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

func TestSpanName(t *testing.T) {
	tests := []struct {
		name string
		cfg  SpanNameConfig
		in   string
		want string
	}{
		{"off by default", SpanNameConfig{}, "GET /users/bob@corp.io", "GET /users/bob@corp.io"},
		{"templated", SpanNameConfig{Enabled: true, TemplatePaths: true},
			"GET /users/12345/orders/123e4567-e89b-12d3-a456-426614174000?token=x", "GET /users/{id}/orders/{uuid}"},
		{"detected value in a path", SpanNameConfig{Enabled: true, TemplatePaths: true}, "GET /users/bob@corp.io/cart", "GET /users/****/cart"},
		{"no template", SpanNameConfig{Enabled: true}, "GET /users/12345", "GET /users/12345"},
		{"plain operation", SpanNameConfig{Enabled: true, TemplatePaths: true}, "hipstershop.CartService/GetCart", "hipstershop.CartService/GetCart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRedactor(t, func(c *Config) { c.SpanName = tt.cfg })
			td := ptrace.NewTraces()
			span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			span.SetName(tt.in)
			r.Traces(td)
			assert.Equal(t, tt.want, span.Name())
		})
	}
}

func TestBytesValueKeepsType(t *testing.T) {
	r := newRedactor(t, nil)
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetEmptyBytes().FromRaw([]byte("card 4111111111111111"))
	r.Logs(ld)
	require.Equal(t, pcommon.ValueTypeBytes, lr.Body().Type())
	assert.Equal(t, "card ****", string(lr.Body().Bytes().AsRaw()))
}

func TestIdentifierKeysKeepNumbers(t *testing.T) {
	r := newRedactor(t, nil)
	lr, _ := redactLogBody(r, nil, "ok", map[string]any{
		"span_id":    "5172871048023241",
		"request.id": "415-555-2671",
		"order":      map[string]any{"orderId": "4111111111111111", "card": "4111111111111111"},
		"trace_ids":  []any{"4111111111111111"},
		"user_id":    "bob@corp.io",
		"note":       "4111111111111111",
	})
	assert.Equal(t, map[string]any{
		"span_id":    "5172871048023241",
		"request.id": "415-555-2671",
		"order":      map[string]any{"orderId": "4111111111111111", "card": "****"},
		"trace_ids":  []any{"4111111111111111"},
		"user_id":    "****",
		"note":       "****",
	}, lr.Attributes().AsRaw())
}
