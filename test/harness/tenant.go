package harness

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tenant is one team sending to the gateway: its tenant ID and its bearer token.
type Tenant struct {
	Name  string
	Token string
}

// NewTenant returns a tenant with a fresh random token.
func NewTenant(name string) Tenant {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return Tenant{Name: name, Token: hex.EncodeToString(b)}
}

// JaegerHeaders are the headers of a Jaeger query for the tenant's traces.
func (t Tenant) JaegerHeaders() map[string]string { return map[string]string{"x-tenant": t.Name} }

// writeCredentials writes tenant_auth's credentials file for the tenants (SHA-256 digests of
// their tokens) and an empty quota overrides file into dir, and returns their paths.
func writeCredentials(t testing.TB, dir string, tenants []Tenant) (credentials, quotas string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("tokens:\n")
	for _, tn := range tenants {
		digest := sha256.Sum256([]byte(tn.Token))
		fmt.Fprintf(&b, "  - sha256: %x\n    tenant: %s\n", digest, tn.Name)
	}
	credentials = filepath.Join(dir, "credentials.yaml")
	quotas = filepath.Join(dir, "quotas.yaml")
	if err := os.WriteFile(credentials, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(quotas, []byte("tenants: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return credentials, quotas
}
