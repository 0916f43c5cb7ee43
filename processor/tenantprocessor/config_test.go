package tenantprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	fleetGateways := component.MustNewIDWithName("fleet", "gateways")
	tests := []struct {
		id       component.ID
		expected *Config
	}{
		{id: component.NewID(metadata.Type), expected: createDefaultConfig()},
		{
			id: component.NewIDWithName(metadata.Type, "full"),
			expected: &Config{
				Header:                           "X-Scope-OrgID",
				StampAttribute:                   "tenant.id",
				TrustedResourceAttribute:         "service.namespace",
				OnClaimMismatch:                  ActionQuarantine,
				QuarantineTenant:                 "suspicious",
				UnauthenticatedResourceAttribute: "tenant.id",
				DefaultTenant:                    "anonymous",
				Quotas: QuotasConfig{
					Default: Limits{
						SpansPerSecond:      50000,
						LogRecordsPerSecond: 20000,
						DataPointsPerSecond: 100000,
						BytesPerSecond:      10485760,
					},
					OverridesFile:  "/etc/tailwise/tenants/quotas.yaml",
					ReloadInterval: 30 * time.Second,
					BurstSeconds:   3,
					IdleTimeout:    10 * time.Minute,
				},
				Fleet:                &fleetGateways,
				MemoryPressure:       MemoryPressureConfig{SoftLimitMiB: 1536, CheckInterval: 2 * time.Second},
				TelemetryTenantLimit: 50,
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
		{"no header", func(c *Config) { c.Header = "" }, "header: required"},
		{"no stamp attribute", func(c *Config) { c.StampAttribute = "" }, "stamp_attribute: required"},
		{"unknown mismatch action", func(c *Config) { c.OnClaimMismatch = "drop" }, `on_claim_mismatch: "drop" is not one of`},
		{"invalid quarantine tenant", func(c *Config) {
			c.OnClaimMismatch = ActionQuarantine
			c.QuarantineTenant = ".."
		}, `quarantine_tenant: tenant ID ".." is not allowed`},
		{"invalid default tenant", func(c *Config) { c.DefaultTenant = "a b" }, "default_tenant: tenant ID \"a b\""},
		{"negative quota", func(c *Config) { c.Quotas.Default.BytesPerSecond = -1 }, "quotas::default::bytes_per_second: -1 is not a finite number >= 0"},
		{"zero reload interval", func(c *Config) { c.Quotas.ReloadInterval = 0 }, "quotas::reload_interval: 0s is not positive"},
		{"zero burst", func(c *Config) { c.Quotas.BurstSeconds = 0 }, "quotas::burst_seconds: 0 is not positive"},
		{"zero idle timeout", func(c *Config) { c.Quotas.IdleTimeout = 0 }, "quotas::idle_timeout: 0s is not positive"},
		{"zero check interval", func(c *Config) { c.MemoryPressure.CheckInterval = 0 }, "memory_pressure::check_interval: 0s is not positive"},
		{"no telemetry label", func(c *Config) { c.TelemetryTenantLimit = 0 }, "telemetry_tenant_limit: 0 is below 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			require.NoError(t, cfg.Validate())
			tt.modify(cfg)
			assert.ErrorContains(t, cfg.Validate(), tt.wantErr)
		})
	}
}
