package tenantauthextension

import (
	"context"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/filepoll"
	"github.com/tailwise/tailwise/internal/tenantid"
)

type tenantAuth struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *telemetry
	current   atomic.Pointer[snapshot]
	poller    *filepoll.Poller
}

// snapshot is one loaded version of the credentials file, with the passwords verified
// against it.
type snapshot struct {
	*credentials
	passwords verifiedPasswords
}

var _ extensionauth.Server = (*tenantAuth)(nil)

func newTenantAuth(cfg *Config, set component.TelemetrySettings) (*tenantAuth, error) {
	tel, err := newTelemetry(set, cfg.TelemetryTenantLimit)
	if err != nil {
		return nil, err
	}
	return &tenantAuth{cfg: cfg, logger: set.Logger, telemetry: tel}, nil
}

func (a *tenantAuth) Start(context.Context, component.Host) error {
	if err := a.reload(); err != nil {
		return fmt.Errorf("credentials_file %q: %w", a.cfg.CredentialsFile, err)
	}
	a.poller = filepoll.New(a.cfg.CredentialsFile, a.cfg.ReloadInterval, a.reload, a.reported)
	a.poller.Start()
	return nil
}

func (a *tenantAuth) Shutdown(context.Context) error {
	if a.poller != nil {
		a.poller.Stop()
	}
	a.telemetry.shutdown()
	return nil
}

func (a *tenantAuth) reload() error {
	creds, err := loadCredentials(a.cfg.CredentialsFile)
	if err != nil {
		return err
	}
	a.current.Store(&snapshot{credentials: creds, passwords: verifiedPasswords{digests: map[[32]byte]struct{}{}}})
	return nil
}

// reported logs a reload after a change of the file; on failure the previous credentials stay.
func (a *tenantAuth) reported(err error) {
	a.telemetry.reloaded(err == nil)
	if err != nil {
		a.logger.Error("Credentials file not reloaded; the previous credentials stay in force", zap.String("credentials_file", a.cfg.CredentialsFile), zap.Error(err))
		return
	}
	a.logger.Info("Credentials file reloaded", zap.String("credentials_file", a.cfg.CredentialsFile))
}

// Authenticate identifies the credential of a request and the tenant its data belongs to.
func (a *tenantAuth) Authenticate(ctx context.Context, sources map[string][]string) (context.Context, error) {
	s := a.current.Load()
	if s == nil {
		return ctx, status.Error(codes.Unavailable, "tenant_auth has not loaded its credentials file")
	}
	p, reason := s.identify(ctx, sources, &s.passwords)
	if reason != "" {
		a.telemetry.refused(cardinality.None, reason)
		return ctx, status.Error(codes.Unauthenticated, describe(reason, ""))
	}
	data, reason := a.resolveTenant(s.credentials, p, header(sources, a.cfg.ClaimHeader))
	if reason == "" {
		a.telemetry.authenticated(data.tenant)
	} else {
		a.telemetry.refused(p.tenant, reason)
		if !a.cfg.DeferClaimRefusals {
			code := codes.PermissionDenied
			if reason == refusedInvalidTenant {
				code = codes.InvalidArgument
			}
			return ctx, status.Error(code, describe(reason, a.cfg.ClaimHeader))
		}
		data = authData{subject: p.subject, refusal: string(reason)}
	}
	info := client.FromContext(ctx)
	info.Auth = data
	return client.NewContext(ctx, info), nil
}

// resolveTenant applies the claim header, if any, to the credential's tenant.
func (a *tenantAuth) resolveTenant(creds *credentials, p *principal, claims []string) (authData, refusal) {
	own := authData{subject: p.subject, tenant: p.tenant, tenants: p.tenants}
	if len(claims) == 0 || (len(claims) == 1 && claims[0] == "") {
		return own, ""
	}
	claim := claims[0]
	if len(claims) > 1 || tenantid.ValidateID(claim) != nil {
		return authData{}, refusedInvalidTenant
	}
	if p.mayClaim(claim) {
		own.tenant = claim
		return own, ""
	}
	if _, known := creds.known[claim]; !known {
		if a.cfg.OnUnknownTenant == ActionDefault {
			return authData{subject: p.subject, tenant: a.cfg.DefaultTenant, tenants: []string{a.cfg.DefaultTenant}}, ""
		}
		return authData{}, refusedUnknownTenant
	}
	if a.cfg.OnClaimMismatch == ActionQuarantine {
		a.telemetry.quarantined(p.tenant)
		return authData{subject: p.subject, tenant: a.cfg.QuarantineTenant, tenants: []string{a.cfg.QuarantineTenant}}, ""
	}
	return authData{}, refusedClaimNotAllowed
}

func describe(r refusal, claimHeader string) string {
	switch r {
	case refusedMissingCredential:
		return "no credential: send an Authorization header (Bearer or Basic) or a client certificate"
	case refusedMalformedCredential:
		return "malformed Authorization header: expected one 'Bearer <token>' or 'Basic <base64 user:password>'"
	case refusedUnknownCredential:
		return "unknown credential"
	case refusedInvalidTenant:
		return claimHeader + " must be one tenant ID of at most 150 letters, digits or !-_.*'() characters"
	case refusedUnknownTenant:
		return claimHeader + " names an unknown tenant"
	default:
		return "the credential may not send data for the tenant in " + claimHeader
	}
}
