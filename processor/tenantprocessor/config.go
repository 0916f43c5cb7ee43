package tenantprocessor

import (
	"errors"
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// What to do when a trusted resource attribute names a tenant the credential may not speak for.
const (
	ActionRefuse     = tenantid.ActionRefuse
	ActionQuarantine = tenantid.ActionQuarantine
)

// Config of the tenant processor.
type Config struct {
	// Header is the client metadata key that carries the tenant downstream.
	Header string `mapstructure:"header"`
	// StampAttribute is the resource attribute the tenant is written to.
	StampAttribute string `mapstructure:"stamp_attribute"`
	// TrustedResourceAttribute, when set, names a resource attribute that selects the tenant of
	// its resource, among the tenants the request's credential may speak for.
	TrustedResourceAttribute string `mapstructure:"trusted_resource_attribute"`
	// OnClaimMismatch is what happens when the trusted attribute names a tenant the credential
	// may not speak for: refuse or quarantine.
	OnClaimMismatch string `mapstructure:"on_claim_mismatch"`
	// QuarantineTenant receives mismatching resources when OnClaimMismatch is quarantine.
	QuarantineTenant string `mapstructure:"quarantine_tenant"`
	// UnauthenticatedResourceAttribute, when set, names the resource attribute that gives the
	// tenant of requests without an authenticated tenant: those made inside the collector,
	// such as the span_metrics connector's, whose resources keep the tenant.id stamped upstream.
	UnauthenticatedResourceAttribute string `mapstructure:"unauthenticated_resource_attribute"`
	// DefaultTenant receives requests without an authenticated tenant (and resources without
	// UnauthenticatedResourceAttribute); empty refuses them.
	DefaultTenant string `mapstructure:"default_tenant"`
	// Quotas are the per-tenant rate limits.
	Quotas QuotasConfig `mapstructure:"quotas"`
	// Fleet, when set, names the fleet extension: the quotas are then the fleet's, and every
	// rate is divided by the number of gateways.
	Fleet *component.ID `mapstructure:"fleet"`
	// MemoryPressure refuses the tenant most over its share while the heap is above a soft limit.
	MemoryPressure MemoryPressureConfig `mapstructure:"memory_pressure"`
	// TelemetryTenantLimit is how many tenants keep their own label in self-telemetry.
	TelemetryTenantLimit int `mapstructure:"telemetry_tenant_limit"`
}

// Limits are the rates a tenant may send at; 0 is unlimited.
type Limits struct {
	SpansPerSecond      float64 `mapstructure:"spans_per_second"`
	LogRecordsPerSecond float64 `mapstructure:"log_records_per_second"`
	DataPointsPerSecond float64 `mapstructure:"data_points_per_second"`
	BytesPerSecond      float64 `mapstructure:"bytes_per_second"`
}

// QuotasConfig configures the per-tenant token buckets.
type QuotasConfig struct {
	// Default applies to every tenant without an override.
	Default Limits `mapstructure:"default"`
	// OverridesFile is a YAML file of per-tenant limits, reloaded when it changes.
	OverridesFile string `mapstructure:"overrides_file"`
	// ReloadInterval is how often the overrides file is checked for changes.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// BurstSeconds sizes each bucket: it holds this many seconds of its rate.
	BurstSeconds float64 `mapstructure:"burst_seconds"`
	// IdleTimeout frees the buckets of a tenant that sent nothing for this long.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
}

// MemoryPressureConfig configures the refusal of the tenant most over its share.
type MemoryPressureConfig struct {
	// SoftLimitMiB is the heap size above which a tenant is refused; 0 disables the check.
	SoftLimitMiB uint64 `mapstructure:"soft_limit_mib"`
	// CheckInterval is how often the heap size is read and tenants are ranked.
	CheckInterval time.Duration `mapstructure:"check_interval"`
}

func createDefaultConfig() *Config {
	return &Config{
		Header:           tenantid.DefaultHeader,
		StampAttribute:   "tenant.id",
		OnClaimMismatch:  ActionRefuse,
		QuarantineTenant: "quarantine",
		Quotas: QuotasConfig{
			ReloadInterval: 10 * time.Second,
			BurstSeconds:   2,
			IdleTimeout:    5 * time.Minute,
		},
		MemoryPressure:       MemoryPressureConfig{CheckInterval: time.Second},
		TelemetryTenantLimit: 100,
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Header == "" {
		errs = append(errs, fmt.Errorf("header: required; use %s for Loki, Mimir and Tempo", tenantid.DefaultHeader))
	}
	if c.StampAttribute == "" {
		errs = append(errs, errors.New("stamp_attribute: required; use tenant.id"))
	}
	if err := tenantid.ValidateMismatchAction(c.OnClaimMismatch, c.QuarantineTenant); err != nil {
		errs = append(errs, err)
	}
	if c.DefaultTenant != "" {
		if err := tenantid.ValidateID(c.DefaultTenant); err != nil {
			errs = append(errs, fmt.Errorf("default_tenant: %w; leave it empty to refuse requests without a tenant", err))
		}
	}
	if err := c.Quotas.Default.validate(); err != nil {
		errs = append(errs, fmt.Errorf("quotas::default::%w", err))
	}
	if c.Quotas.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("quotas::reload_interval: %v is not positive; use a duration such as 10s", c.Quotas.ReloadInterval))
	}
	if c.Quotas.BurstSeconds <= 0 {
		errs = append(errs, fmt.Errorf("quotas::burst_seconds: %v is not positive; 2 lets a tenant send two seconds of its rate at once", c.Quotas.BurstSeconds))
	}
	if c.Quotas.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("quotas::idle_timeout: %v is not positive; use a duration such as 5m", c.Quotas.IdleTimeout))
	}
	if c.MemoryPressure.CheckInterval <= 0 {
		errs = append(errs, fmt.Errorf("memory_pressure::check_interval: %v is not positive; use a duration such as 1s", c.MemoryPressure.CheckInterval))
	}
	if c.TelemetryTenantLimit < 1 {
		errs = append(errs, fmt.Errorf("telemetry_tenant_limit: %d is below 1; 100 is a sensible cap", c.TelemetryTenantLimit))
	}
	return errors.Join(errs...)
}

func (l Limits) validate() error {
	for _, limit := range []struct {
		name  string
		value float64
	}{
		{"spans_per_second", l.SpansPerSecond},
		{"log_records_per_second", l.LogRecordsPerSecond},
		{"data_points_per_second", l.DataPointsPerSecond},
		{"bytes_per_second", l.BytesPerSecond},
	} {
		if !(limit.value >= 0) || math.IsInf(limit.value, 1) {
			return fmt.Errorf("%s: %v is not a finite number >= 0; use 0 for no limit", limit.name, limit.value)
		}
	}
	return nil
}
