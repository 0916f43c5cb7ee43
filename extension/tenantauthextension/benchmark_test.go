package tenantauthextension

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
)

// BenchmarkAuthenticate measures one authentication per op for each kind of credential.
func BenchmarkAuthenticate(b *testing.B) {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "collector.team-a.example.com"}}
	tests := []struct {
		name    string
		ctx     context.Context
		sources map[string][]string
		wantErr bool
	}{
		{name: "bearer", ctx: context.Background(), sources: map[string][]string{"authorization": {bearer("team-a-token")}}},
		{name: "bearer_with_claim", ctx: context.Background(), sources: map[string][]string{"authorization": {bearer("platform-token")}, "x-scope-orgid": {"team-b"}}},
		{name: "basic_verified_before", ctx: context.Background(), sources: map[string][]string{"authorization": {basic("team-b-ci", "team-b-password")}}},
		{name: "certificate", ctx: withCertificate(cert), sources: map[string][]string{}},
		{name: "spoofed_claim", ctx: context.Background(), sources: map[string][]string{"authorization": {bearer("team-a-token")}, "x-scope-orgid": {"team-b"}}, wantErr: true},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			a := startAuth(b, componenttest.NewTelemetry(), nil)
			_, err := a.Authenticate(tt.ctx, tt.sources)
			require.Equal(b, tt.wantErr, err != nil)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, _ = a.Authenticate(tt.ctx, tt.sources)
			}
		})
	}
}
