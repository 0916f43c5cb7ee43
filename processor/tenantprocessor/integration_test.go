package tenantprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/extension/tenantauthextension"
)

// TestWithTenantAuth runs requests through the tenant_auth extension, as the OTLP receiver
// does, then through the processor.
func TestWithTenantAuth(t *testing.T) {
	tests := []struct {
		name        string
		deferClaims bool
		sources     map[string][]string
		// wantAuthCode is the extension's answer, wantCode the processor's.
		wantAuthCode codes.Code
		wantCode     codes.Code
		wantTenant   string
	}{
		{name: "own tenant", sources: map[string][]string{"authorization": {"Bearer team-a-token"}}, wantTenant: "team-a"},
		{name: "relay for team-b", sources: map[string][]string{"authorization": {"Bearer platform-token"}, "x-scope-orgid": {"team-b"}}, wantTenant: "team-b"},
		{name: "spoofed claim refused by the extension", sources: map[string][]string{"authorization": {"Bearer team-a-token"}, "x-scope-orgid": {"team-b"}},
			wantAuthCode: codes.PermissionDenied},
		{name: "spoofed claim refused by the processor", deferClaims: true, sources: map[string][]string{"authorization": {"Bearer team-a-token"}, "X-Scope-OrgID": {"team-b"}},
			wantCode: codes.PermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			factory := tenantauthextension.NewFactory()
			cfg := factory.CreateDefaultConfig().(*tenantauthextension.Config)
			cfg.CredentialsFile = filepath.Join("..", "..", "extension", "tenantauthextension", "testdata", "credentials.yaml")
			cfg.DeferClaimRefusals = tt.deferClaims
			ext, err := factory.Create(context.Background(), extensiontest.NewNopSettings(factory.Type()), cfg)
			require.NoError(t, err)
			require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
			t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
			run := startTraces(t, createDefaultConfig())

			ctx, err := ext.(extensionauth.Server).Authenticate(context.Background(), tt.sources)
			require.Equal(t, tt.wantAuthCode, status.Code(err), "%v", err)
			if err != nil {
				return
			}
			err = run.processor.ConsumeTraces(ctx, traces(1, ""))
			require.Equal(t, tt.wantCode, status.Code(err), "%v", err)
			if err != nil {
				assert.Empty(t, run.sink.AllTraces())
				return
			}
			assert.Equal(t, []string{tt.wantTenant}, run.sink.tenants)
			assert.Equal(t, []string{tt.wantTenant}, resourceTenants(run.sink.AllTraces()[0]))
		})
	}
}
