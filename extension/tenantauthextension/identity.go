package tenantauthextension

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
	grpccredentials "google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// refusal is why a request is refused; its values are the reason attribute of self-telemetry.
type refusal string

const (
	refusedMissingCredential   refusal = "missing_credential"
	refusedMalformedCredential refusal = "malformed_credential"
	refusedUnknownCredential   refusal = "unknown_credential"
	refusedInvalidTenant       refusal = tenantid.RefusalInvalidTenant
	refusedUnknownTenant       refusal = tenantid.RefusalUnknownTenant
	refusedClaimNotAllowed     refusal = tenantid.RefusalClaimNotAllowed
)

// verifiedPasswords remembers basic-auth passwords that matched their bcrypt hash, so that a
// client's every request does not cost a bcrypt comparison. It holds SHA-256 digests only.
type verifiedPasswords struct {
	mu      sync.Mutex
	digests map[[32]byte]struct{}
}

const maxVerifiedPasswords = 10_000

func (v *verifiedPasswords) check(username, password string, hash []byte) bool {
	digest := sha256.Sum256([]byte(username + "\x00" + password))
	v.mu.Lock()
	_, ok := v.digests[digest]
	v.mu.Unlock()
	if ok {
		return true
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return false
	}
	v.mu.Lock()
	if len(v.digests) >= maxVerifiedPasswords {
		clear(v.digests)
	}
	v.digests[digest] = struct{}{}
	v.mu.Unlock()
	return true
}

// identify finds the principal of a request: its Authorization header (bearer token or basic
// auth) if present, otherwise its verified mTLS client certificate.
func (c *credentials) identify(ctx context.Context, sources map[string][]string, passwords *verifiedPasswords) (*principal, refusal) {
	if values := header(sources, "Authorization"); len(values) > 0 {
		if len(values) > 1 {
			return nil, refusedMalformedCredential
		}
		return c.identifyAuthorization(values[0], passwords)
	}
	if cert := verifiedClientCertificate(ctx); cert != nil {
		return c.identifyCertificate(cert)
	}
	return nil, refusedMissingCredential
}

func (c *credentials) identifyAuthorization(value string, passwords *verifiedPasswords) (*principal, refusal) {
	scheme, secret, ok := strings.Cut(value, " ")
	if !ok || secret == "" {
		return nil, refusedMalformedCredential
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		if p, ok := c.tokens[sha256.Sum256([]byte(secret))]; ok {
			return p, ""
		}
		return nil, refusedUnknownCredential
	case strings.EqualFold(scheme, "Basic"):
		decoded, err := base64.StdEncoding.DecodeString(secret)
		if err != nil {
			return nil, refusedMalformedCredential
		}
		username, password, ok := strings.Cut(string(decoded), ":")
		if !ok {
			return nil, refusedMalformedCredential
		}
		u, known := c.users[username]
		if !known || !passwords.check(username, password, u.hash) {
			return nil, refusedUnknownCredential
		}
		return u.principal, ""
	default:
		return nil, refusedMalformedCredential
	}
}

func (c *credentials) identifyCertificate(cert *x509.Certificate) (*principal, refusal) {
	if p, ok := c.certCN[cert.Subject.CommonName]; ok && cert.Subject.CommonName != "" {
		return p, ""
	}
	sans := append([]string{}, cert.DNSNames...)
	sans = append(sans, cert.EmailAddresses...)
	for _, uri := range cert.URIs {
		sans = append(sans, uri.String())
	}
	for _, ip := range cert.IPAddresses {
		sans = append(sans, ip.String())
	}
	for _, san := range sans {
		if p, ok := c.certSAN[san]; ok {
			return p, ""
		}
	}
	return nil, refusedUnknownCredential
}

// verifiedClientCertificate returns the client certificate of a gRPC connection whose TLS
// handshake verified it against the receiver's client_ca_file, or nil.
func verifiedClientCertificate(ctx context.Context) *x509.Certificate {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil
	}
	info, ok := p.AuthInfo.(grpccredentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return nil
	}
	return info.State.VerifiedChains[0][0]
}

// header returns the values of a request header whatever the case of its name: gRPC metadata
// keys are lower case, HTTP headers canonical.
func header(sources map[string][]string, name string) []string {
	if values, ok := sources[name]; ok {
		return values
	}
	for key, values := range sources {
		if strings.EqualFold(key, name) {
			return values
		}
	}
	return nil
}
