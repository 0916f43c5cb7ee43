package tenantauthextension

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	teamATokenDigest = "06949cc40dd20849eda85dc8ba584ea93f025f083f115c82ab182512e0f64e39"
	teamBBcrypt      = "$2a$10$MwKM62cQ01B99KIziG8st.2VMnOgjfDgM8oSQI3mTlxT7jzLt/ODq"
)

func TestLoadCredentialsTestdata(t *testing.T) {
	c, err := loadCredentials(filepath.Join("testdata", "credentials.yaml"))
	require.NoError(t, err)
	assert.Len(t, c.tokens, 2)
	assert.Contains(t, c.users, "team-b-ci")
	assert.Equal(t, "team-a", c.certCN["collector.team-a.example.com"].tenant)
	assert.Equal(t, "team-b", c.certSAN["spiffe://example.com/ns/team-b/sa/collector"].tenant)
	for _, tenant := range []string{"team-a", "team-b", "team-c", "platform"} {
		assert.Contains(t, c.known, tenant)
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"not yaml", "tokens: [", "yaml"},
		{"unknown key", "secrets: []", "secrets"},
		{"short digest", "tokens: [{sha256: abc, tenant: team-a}]", "tokens::0::sha256: 3 characters"},
		{"non-hex digest", "tokens: [{sha256: zz" + teamATokenDigest[2:] + ", tenant: team-a}]", "tokens::0::sha256: encoding/hex"},
		{"duplicate digest", "tokens: [{sha256: " + teamATokenDigest + ", tenant: team-a}, {sha256: " + teamATokenDigest + ", tenant: team-b}]", "tokens::1::sha256: the digest is listed twice"},
		{"token without tenant", "tokens: [{sha256: " + teamATokenDigest + "}]", "tokens::0::tenant: tenant ID is empty"},
		{"invalid claim", "tokens: [{sha256: " + teamATokenDigest + ", tenant: team-a, may_claim: [a/b]}]", "tokens::0::may_claim::0"},
		{"plain password", "users: [{username: ci, bcrypt: secret, tenant: team-a}]", "users::0::bcrypt: not a bcrypt hash"},
		{"colon in username", "users: [{username: 'c:i', bcrypt: '" + teamBBcrypt + "', tenant: team-a}]", "users::0::username"},
		{"duplicate user", "users: [{username: ci, bcrypt: '" + teamBBcrypt + "', tenant: team-a}, {username: ci, bcrypt: '" + teamBBcrypt + "', tenant: team-a}]", "users::1::username: \"ci\" is listed twice"},
		{"certificate with both", "certificates: [{subject_cn: a, san: b, tenant: team-a}]", "certificates::0: set exactly one of subject_cn and san"},
		{"certificate with neither", "certificates: [{tenant: team-a}]", "certificates::0: set exactly one"},
		{"duplicate cn", "certificates: [{subject_cn: a, tenant: team-a}, {subject_cn: a, tenant: team-b}]", "certificates::1::subject_cn: \"a\" is listed twice"},
		{"invalid known tenant", "tenants: ['..']", "tenants::0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCredentials([]byte(tt.yaml))
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestLoadCredentialsMissingFile(t *testing.T) {
	_, err := loadCredentials(filepath.Join(t.TempDir(), "absent.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzParseCredentials(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "credentials.yaml"))
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte("tokens: [{sha256: " + teamATokenDigest + ", tenant: team-a}]"))
	f.Add([]byte("users: [{username: ci, bcrypt: '" + teamBBcrypt + "', tenant: team-b}]"))
	f.Add([]byte("certificates: [{san: x, tenant: '..'}]"))
	f.Add([]byte("tokens: 5"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCredentials(data)
		if err != nil {
			return
		}
		for digest, p := range c.tokens {
			if p.tenant == "" || len(p.tenants) == 0 || p.tenants[0] != p.tenant {
				t.Fatalf("token %x maps to an invalid principal %+v", digest, p)
			}
		}
	})
}
