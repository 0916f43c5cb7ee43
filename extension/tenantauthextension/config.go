package tenantauthextension

import (
	"errors"
	"fmt"
	"time"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// What to do with a claim the credential may not make.
const (
	// ActionRefuse refuses the request.
	ActionRefuse = tenantid.ActionRefuse
	// ActionQuarantine accepts the request for the quarantine tenant.
	ActionQuarantine = tenantid.ActionQuarantine
	// ActionDefault accepts the request for the default tenant.
	ActionDefault = "default"
)

// Config of the tenant_auth extension.
type Config struct {
	// CredentialsFile is the YAML file of tokens, users and certificates (see the README).
	CredentialsFile string `mapstructure:"credentials_file"`
	// ReloadInterval is how often the credentials file is checked for changes.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// ClaimHeader is the request header in which a client claims a tenant.
	ClaimHeader string `mapstructure:"claim_header"`
	// OnClaimMismatch is what happens when the claim names a known tenant the credential may
	// not speak for: refuse or quarantine.
	OnClaimMismatch string `mapstructure:"on_claim_mismatch"`
	// QuarantineTenant receives the data of mismatching claims when OnClaimMismatch is quarantine.
	QuarantineTenant string `mapstructure:"quarantine_tenant"`
	// OnUnknownTenant is what happens when the claim names a tenant no credential knows: refuse
	// or default.
	OnUnknownTenant string `mapstructure:"on_unknown_tenant"`
	// DefaultTenant receives the data of claims of unknown tenants when OnUnknownTenant is default.
	DefaultTenant string `mapstructure:"default_tenant"`
	// DeferClaimRefusals accepts a request whose claim is refused, marked as refused, for the
	// tenant processor to refuse: over HTTP the client then gets 403 (or 400) instead of the
	// 401 the collector's HTTP server gives every authenticator error.
	DeferClaimRefusals bool `mapstructure:"defer_claim_refusals"`
	// TelemetryTenantLimit is how many tenants keep their own label in self-telemetry.
	TelemetryTenantLimit int `mapstructure:"telemetry_tenant_limit"`
}

func createDefaultConfig() *Config {
	return &Config{
		ReloadInterval:       10 * time.Second,
		ClaimHeader:          tenantid.DefaultHeader,
		OnClaimMismatch:      ActionRefuse,
		QuarantineTenant:     "quarantine",
		OnUnknownTenant:      ActionRefuse,
		TelemetryTenantLimit: 100,
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.CredentialsFile == "" {
		errs = append(errs, errors.New("credentials_file: required; set it to the path of the credentials YAML file"))
	}
	if c.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("reload_interval: %v is not positive; use a duration such as 10s", c.ReloadInterval))
	}
	if c.ClaimHeader == "" {
		errs = append(errs, fmt.Errorf("claim_header: required; use %s unless the clients send another header", tenantid.DefaultHeader))
	}
	if err := tenantid.ValidateMismatchAction(c.OnClaimMismatch, c.QuarantineTenant); err != nil {
		errs = append(errs, err)
	}
	switch c.OnUnknownTenant {
	case ActionRefuse:
	case ActionDefault:
		if err := tenantid.ValidateID(c.DefaultTenant); err != nil {
			errs = append(errs, fmt.Errorf("default_tenant: %w; on_unknown_tenant: default needs it", err))
		}
	default:
		errs = append(errs, fmt.Errorf("on_unknown_tenant: %q is not one of %q, %q", c.OnUnknownTenant, ActionRefuse, ActionDefault))
	}
	if c.TelemetryTenantLimit < 1 {
		errs = append(errs, fmt.Errorf("telemetry_tenant_limit: %d is below 1; 100 is a sensible cap", c.TelemetryTenantLimit))
	}
	return errors.Join(errs...)
}
