package tenantauthextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/extension/tenantauthextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		id       component.ID
		expected *Config
	}{
		{
			id: component.NewID(metadata.Type),
			expected: func() *Config {
				c := createDefaultConfig()
				c.CredentialsFile = "/etc/tailwise/tenants/credentials.yaml"
				return c
			}(),
		},
		{
			id: component.NewIDWithName(metadata.Type, "quarantine"),
			expected: &Config{
				CredentialsFile:      "/etc/tailwise/tenants/credentials.yaml",
				ReloadInterval:       30 * time.Second,
				ClaimHeader:          "X-Tenant",
				OnClaimMismatch:      ActionQuarantine,
				QuarantineTenant:     "suspicious",
				OnUnknownTenant:      ActionDefault,
				DefaultTenant:        "shared",
				DeferClaimRefusals:   true,
				TelemetryTenantLimit: 20,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			require.NoError(t, configtest.Load(t, tt.id, cfg))
			assert.Equal(t, tt.expected, cfg)
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*Config)
		wantErr string
	}{
		{"no credentials file", func(c *Config) { c.CredentialsFile = "" }, "credentials_file: required"},
		{"zero reload interval", func(c *Config) { c.ReloadInterval = 0 }, "reload_interval: 0s is not positive"},
		{"no claim header", func(c *Config) { c.ClaimHeader = "" }, "claim_header: required"},
		{"unknown mismatch action", func(c *Config) { c.OnClaimMismatch = "drop" }, `on_claim_mismatch: "drop" is not one of`},
		{"invalid quarantine tenant", func(c *Config) {
			c.OnClaimMismatch = ActionQuarantine
			c.QuarantineTenant = "bad tenant"
		}, "quarantine_tenant: tenant ID \"bad tenant\" has the character ' '"},
		{"default without tenant", func(c *Config) { c.OnUnknownTenant = ActionDefault }, "default_tenant: tenant ID is empty"},
		{"unknown tenant action", func(c *Config) { c.OnUnknownTenant = "quarantine" }, `on_unknown_tenant: "quarantine" is not one of`},
		{"no telemetry label", func(c *Config) { c.TelemetryTenantLimit = 0 }, "telemetry_tenant_limit: 0 is below 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			cfg.CredentialsFile = "credentials.yaml"
			require.NoError(t, cfg.Validate())
			tt.modify(cfg)
			assert.ErrorContains(t, cfg.Validate(), tt.wantErr)
		})
	}
}
