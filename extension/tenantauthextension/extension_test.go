package tenantauthextension

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"google.golang.org/grpc/codes"
	grpccredentials "google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/extension/tenantauthextension/internal/metadata"
	"github.com/tailwise/tailwise/extension/tenantauthextension/internal/metadatatest"
	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/tenantid"
)

func bearer(token string) string { return "Bearer " + token }

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func withCertificate(cert *x509.Certificate) context.Context {
	return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: grpccredentials.TLSInfo{
		State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}},
	}})
}

func startAuth(t testing.TB, tel *componenttest.Telemetry, modify func(*Config)) *tenantAuth {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.CredentialsFile = filepath.Join("testdata", "credentials.yaml")
	if modify != nil {
		modify(cfg)
	}
	require.NoError(t, cfg.Validate())
	a, err := newTenantAuth(cfg, metadatatest.NewSettings(tel).TelemetrySettings)
	require.NoError(t, err)
	require.NoError(t, a.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, a.Shutdown(context.Background())) })
	return a
}

func TestAuthenticate(t *testing.T) {
	spiffe, err := url.Parse("spiffe://example.com/ns/team-b/sa/collector")
	require.NoError(t, err)
	teamACert := &x509.Certificate{Subject: pkix.Name{CommonName: "collector.team-a.example.com"}}
	teamBCert := &x509.Certificate{Subject: pkix.Name{CommonName: "other"}, URIs: []*url.URL{spiffe}}
	strangerCert := &x509.Certificate{Subject: pkix.Name{CommonName: "stranger"}, DNSNames: []string{"stranger.example.com"}}

	useQuarantine := func(c *Config) {
		c.OnClaimMismatch = ActionQuarantine
		c.OnUnknownTenant = ActionDefault
		c.DefaultTenant = "shared"
	}
	tests := []struct {
		name        string
		modify      func(*Config)
		ctx         context.Context
		sources     map[string][]string
		wantCode    codes.Code
		wantTenant  string
		wantTenants []string
		wantRefusal string
	}{
		{name: "token", sources: map[string][]string{"authorization": {bearer("team-a-token")}},
			wantTenant: "team-a", wantTenants: []string{"team-a"}},
		{name: "token claiming its own tenant", sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-a"}},
			wantTenant: "team-a", wantTenants: []string{"team-a"}},
		{name: "token claiming another team is refused", sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}},
			wantCode: codes.PermissionDenied},
		{name: "HTTP header names", sources: map[string][]string{"Authorization": {bearer("team-a-token")}, "X-Scope-Orgid": {"team-b"}},
			wantCode: codes.PermissionDenied},
		{name: "relay claiming a tenant it may speak for", sources: map[string][]string{"authorization": {bearer("platform-token")}, "x-scope-orgid": {"team-b"}},
			wantTenant: "team-b", wantTenants: []string{"platform", "team-a", "team-b"}},
		{name: "relay without claim", sources: map[string][]string{"authorization": {bearer("platform-token")}},
			wantTenant: "platform", wantTenants: []string{"platform", "team-a", "team-b"}},
		{name: "claim of an unknown tenant", sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-zz"}},
			wantCode: codes.PermissionDenied},
		{name: "claim of an invalid tenant", sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team/a"}},
			wantCode: codes.InvalidArgument},
		{name: "two claims", sources: map[string][]string{"authorization": {bearer("platform-token")}, "x-scope-orgid": {"team-a", "team-b"}},
			wantCode: codes.InvalidArgument},
		{name: "empty claim is no claim", sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {""}},
			wantTenant: "team-a", wantTenants: []string{"team-a"}},
		{name: "unknown token", sources: map[string][]string{"authorization": {bearer("guess")}}, wantCode: codes.Unauthenticated},
		{name: "no credential", sources: map[string][]string{"x-scope-orgid": {"team-a"}}, wantCode: codes.Unauthenticated},
		{name: "bearer without token", sources: map[string][]string{"authorization": {"Bearer"}}, wantCode: codes.Unauthenticated},
		{name: "unknown scheme", sources: map[string][]string{"authorization": {"Digest abc"}}, wantCode: codes.Unauthenticated},
		{name: "two authorization headers", sources: map[string][]string{"authorization": {bearer("team-a-token"), bearer("platform-token")}}, wantCode: codes.Unauthenticated},
		{name: "basic auth", sources: map[string][]string{"authorization": {basic("team-b-ci", "team-b-password")}},
			wantTenant: "team-b", wantTenants: []string{"team-b"}},
		{name: "basic auth wrong password", sources: map[string][]string{"authorization": {basic("team-b-ci", "guess")}}, wantCode: codes.Unauthenticated},
		{name: "basic auth unknown user", sources: map[string][]string{"authorization": {basic("root", "team-b-password")}}, wantCode: codes.Unauthenticated},
		{name: "basic auth not base64", sources: map[string][]string{"authorization": {"Basic !!!"}}, wantCode: codes.Unauthenticated},
		{name: "certificate subject CN", ctx: withCertificate(teamACert), sources: map[string][]string{},
			wantTenant: "team-a", wantTenants: []string{"team-a"}},
		{name: "certificate URI SAN", ctx: withCertificate(teamBCert), sources: map[string][]string{},
			wantTenant: "team-b", wantTenants: []string{"team-b"}},
		{name: "certificate claiming another team", ctx: withCertificate(teamBCert), sources: map[string][]string{"x-scope-orgid": {"team-a"}},
			wantCode: codes.PermissionDenied},
		{name: "unknown certificate", ctx: withCertificate(strangerCert), sources: map[string][]string{}, wantCode: codes.Unauthenticated},
		{name: "authorization header before certificate", ctx: withCertificate(teamBCert), sources: map[string][]string{"authorization": {bearer("team-a-token")}},
			wantTenant: "team-a", wantTenants: []string{"team-a"}},
		{name: "quarantined claim", modify: useQuarantine, sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}},
			wantTenant: "quarantine", wantTenants: []string{"quarantine"}},
		{name: "unknown tenant to default", modify: useQuarantine, sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-zz"}},
			wantTenant: "shared", wantTenants: []string{"shared"}},
		{name: "spoofed claim left to the tenant processor", modify: func(c *Config) { c.DeferClaimRefusals = true },
			sources:     map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}},
			wantRefusal: tenantid.RefusalClaimNotAllowed},
		{name: "invalid claim left to the tenant processor", modify: func(c *Config) { c.DeferClaimRefusals = true },
			sources:     map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"a/b"}},
			wantRefusal: tenantid.RefusalInvalidTenant},
		{name: "unknown credential is refused even when claim refusals are deferred", modify: func(c *Config) { c.DeferClaimRefusals = true },
			sources: map[string][]string{"authorization": {bearer("guess")}, "x-scope-orgid": {"team-b"}}, wantCode: codes.Unauthenticated},
		{name: "custom claim header", modify: func(c *Config) { c.ClaimHeader = "x-tenant" },
			sources:    map[string][]string{"authorization": {bearer("platform-token")}, "X-Tenant": {"team-a"}, "X-Scope-OrgID": {"team-b"}},
			wantTenant: "team-a", wantTenants: []string{"platform", "team-a", "team-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startAuth(t, componenttest.NewTelemetry(), tt.modify)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := a.Authenticate(ctx, tt.sources)
			if tt.wantCode != codes.OK {
				require.Error(t, err)
				assert.Equal(t, tt.wantCode, status.Code(err), err.Error())
				assert.Nil(t, client.FromContext(got).Auth, "a refused request carries no tenant")
				return
			}
			require.NoError(t, err)
			auth := client.FromContext(got).Auth
			require.NotNil(t, auth)
			assert.Equal(t, tt.wantTenant, auth.GetAttribute(tenantid.AttributeTenant))
			assert.Equal(t, tt.wantTenants, auth.GetAttribute(tenantid.AttributeTenants))
			assert.Equal(t, tt.wantRefusal, auth.GetAttribute(tenantid.AttributeRefusal))
			assert.NotEmpty(t, auth.GetAttribute(tenantid.AttributeSubject))
		})
	}
}

func TestAuthenticateTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	a := startAuth(t, tel, func(c *Config) { c.TelemetryTenantLimit = 1 })
	requests := []map[string][]string{
		{"authorization": {bearer("team-a-token")}},
		{"authorization": {bearer("team-a-token")}},
		{"authorization": {basic("team-b-ci", "team-b-password")}},
		{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}},
		{"authorization": {bearer("unknown")}},
	}
	for _, sources := range requests {
		_, _ = a.Authenticate(context.Background(), sources)
	}
	metadatatest.AssertEqualExtensionTenantAuthRequestsAuthenticated(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("tenant", "team-a"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("tenant", cardinality.Overflow))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExtensionTenantAuthRequestsRefused(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("tenant", "team-a"), attribute.String("reason", string(refusedClaimNotAllowed)))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("tenant", cardinality.None), attribute.String("reason", string(refusedUnknownCredential)))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, tel.Shutdown(context.Background()))
}

func TestAuthenticateQuarantineTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	a := startAuth(t, tel, func(c *Config) { c.OnClaimMismatch = ActionQuarantine })
	_, err := a.Authenticate(context.Background(), map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}})
	require.NoError(t, err)
	metadatatest.AssertEqualExtensionTenantAuthRequestsQuarantined(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("tenant", "team-a"))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, tel.Shutdown(context.Background()))
}

func TestStartFailsOnBadCredentialsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.yaml")
	require.NoError(t, os.WriteFile(path, []byte("tokens: [{sha256: short, tenant: team-a}]"), 0o600))
	cfg := createDefaultConfig()
	cfg.CredentialsFile = path
	a, err := newTenantAuth(cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	assert.ErrorContains(t, a.Start(context.Background(), componenttest.NewNopHost()), "tokens::0::sha256")
	require.NoError(t, a.Shutdown(context.Background()))
}

func TestCredentialsReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.yaml")
	teamA := "tokens: [{sha256: " + teamATokenDigest + ", tenant: team-a}]\n"
	require.NoError(t, os.WriteFile(path, []byte(teamA), 0o600))
	tel := componenttest.NewTelemetry()
	a := startAuth(t, tel, func(c *Config) {
		c.CredentialsFile = path
		c.ReloadInterval = 5 * time.Millisecond
	})
	relay := map[string][]string{"authorization": {bearer("platform-token")}}
	teamAToken := map[string][]string{"authorization": {bearer("team-a-token")}}
	_, err := a.Authenticate(context.Background(), relay)
	require.Equal(t, codes.Unauthenticated, status.Code(err))

	// write replaces the file at once, as a mounted secret is replaced: the poller never reads
	// it half written.
	write := func(content string, age time.Duration) {
		next := path + ".next"
		require.NoError(t, os.WriteFile(next, []byte(content), 0o600))
		stamp := time.Now().Add(age)
		require.NoError(t, os.Chtimes(next, stamp, stamp))
		require.NoError(t, os.Rename(next, path))
	}
	write("tokens: [{sha256: a727ac7f7cf7c447ee210f8241ff844ef4dac87fb180badc1c8a021e65fc3b57, tenant: platform}]\n", time.Hour)
	require.Eventually(t, func() bool {
		_, err := a.Authenticate(context.Background(), relay)
		return err == nil
	}, 5*time.Second, 5*time.Millisecond, "a token added to the file is accepted after reload")
	_, err = a.Authenticate(context.Background(), teamAToken)
	assert.Equal(t, codes.Unauthenticated, status.Code(err), "a token removed from the file is refused after reload")

	write("tokens: [{sha256: broken, tenant: team-a}]\n", 2*time.Hour)
	require.Eventually(t, func() bool {
		_, err := tel.GetMetric("otelcol_extension_tenant_auth_reloads")
		return err == nil && reloadFailures(t, tel) == 1
	}, 5*time.Second, 5*time.Millisecond)
	_, err = a.Authenticate(context.Background(), relay)
	assert.NoError(t, err, "a broken file keeps the previous credentials")
}

func reloadFailures(t *testing.T, tel *componenttest.Telemetry) int64 {
	m, err := tel.GetMetric("otelcol_extension_tenant_auth_reloads")
	require.NoError(t, err)
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value("outcome"); v.AsString() == "failure" {
			return dp.Value
		}
	}
	return 0
}

func TestFactoryCreatesServerAuthenticator(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.CredentialsFile = filepath.Join("testdata", "credentials.yaml")
	ext, err := NewFactory().Create(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg)
	require.NoError(t, err)
	assert.Equal(t, metadata.Type, NewFactory().Type())
	assert.Implements(t, (*extensionauth.Server)(nil), ext)
}
