package tenantauthextension

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/tailwise/tailwise/internal/tenantid"
	"github.com/tailwise/tailwise/internal/yamlconf"
)

// credentialsFile is the layout of the credentials YAML file.
type credentialsFile struct {
	// Tenants are tenants known beyond those the credentials name.
	Tenants      []string           `mapstructure:"tenants"`
	Tokens       []tokenEntry       `mapstructure:"tokens"`
	Users        []userEntry        `mapstructure:"users"`
	Certificates []certificateEntry `mapstructure:"certificates"`
}

type grant struct {
	Tenant   string   `mapstructure:"tenant"`
	MayClaim []string `mapstructure:"may_claim"`
}

type tokenEntry struct {
	SHA256 string `mapstructure:"sha256"`
	grant  `mapstructure:",squash"`
}

type userEntry struct {
	Username string `mapstructure:"username"`
	Bcrypt   string `mapstructure:"bcrypt"`
	grant    `mapstructure:",squash"`
}

type certificateEntry struct {
	SubjectCN string `mapstructure:"subject_cn"`
	SAN       string `mapstructure:"san"`
	grant     `mapstructure:",squash"`
}

// principal is an authenticated identity: its own tenant and those it may speak for.
type principal struct {
	subject string
	tenant  string
	// tenants lists tenant first, then the tenants it may claim.
	tenants []string
}

func (p *principal) mayClaim(tenant string) bool {
	for _, t := range p.tenants {
		if t == tenant {
			return true
		}
	}
	return false
}

type user struct {
	hash []byte
	*principal
}

// credentials is the parsed, indexed content of a credentials file.
type credentials struct {
	tokens map[[32]byte]*principal
	users  map[string]user
	certCN map[string]*principal
	// certSAN is keyed by DNS name, e-mail address, URI or IP address.
	certSAN map[string]*principal
	known   map[string]struct{}
}

func loadCredentials(path string) (*credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseCredentials(data)
}

func parseCredentials(data []byte) (*credentials, error) {
	var file credentialsFile
	if err := yamlconf.Decode(data, &file); err != nil {
		return nil, err
	}
	return file.index()
}

func (f *credentialsFile) index() (*credentials, error) {
	c := &credentials{
		tokens:  make(map[[32]byte]*principal, len(f.Tokens)),
		users:   make(map[string]user, len(f.Users)),
		certCN:  make(map[string]*principal),
		certSAN: make(map[string]*principal),
		known:   make(map[string]struct{}),
	}
	var errs []error
	for i, tenant := range f.Tenants {
		if err := tenantid.ValidateID(tenant); err != nil {
			errs = append(errs, fmt.Errorf("tenants::%d: %w", i, err))
		}
		c.known[tenant] = struct{}{}
	}
	for i, t := range f.Tokens {
		field := fmt.Sprintf("tokens::%d", i)
		p, err := c.principal(field, "token:"+prefix(t.SHA256), t.grant)
		errs = append(errs, err)
		digest, err := parseDigest(t.SHA256)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s::sha256: %w", field, err))
			continue
		}
		if _, dup := c.tokens[digest]; dup {
			errs = append(errs, fmt.Errorf("%s::sha256: the digest is listed twice; keep one entry per token", field))
		}
		c.tokens[digest] = p
	}
	for i, u := range f.Users {
		field := fmt.Sprintf("users::%d", i)
		p, err := c.principal(field, "user:"+u.Username, u.grant)
		errs = append(errs, err)
		if u.Username == "" || strings.Contains(u.Username, ":") {
			errs = append(errs, fmt.Errorf("%s::username: %q must be non-empty and without ':'", field, u.Username))
		}
		if _, err := bcrypt.Cost([]byte(u.Bcrypt)); err != nil {
			errs = append(errs, fmt.Errorf("%s::bcrypt: not a bcrypt hash (%w); create one with `htpasswd -nbBC 10 user password`", field, err))
		}
		if _, dup := c.users[u.Username]; dup {
			errs = append(errs, fmt.Errorf("%s::username: %q is listed twice", field, u.Username))
		}
		c.users[u.Username] = user{hash: []byte(u.Bcrypt), principal: p}
	}
	for i, cert := range f.Certificates {
		field := fmt.Sprintf("certificates::%d", i)
		switch {
		case (cert.SubjectCN == "") == (cert.SAN == ""):
			errs = append(errs, fmt.Errorf("%s: set exactly one of subject_cn and san", field))
		case cert.SubjectCN != "":
			p, err := c.principal(field, "cert:cn="+cert.SubjectCN, cert.grant)
			errs = append(errs, err, addUnique(c.certCN, cert.SubjectCN, p, field+"::subject_cn"))
		default:
			p, err := c.principal(field, "cert:san="+cert.SAN, cert.grant)
			errs = append(errs, err, addUnique(c.certSAN, cert.SAN, p, field+"::san"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// principal validates a grant and records its tenants as known.
func (c *credentials) principal(field, subject string, g grant) (*principal, error) {
	var errs []error
	if err := tenantid.ValidateID(g.Tenant); err != nil {
		errs = append(errs, fmt.Errorf("%s::tenant: %w", field, err))
	}
	tenants := append([]string{g.Tenant}, g.MayClaim...)
	for i, tenant := range g.MayClaim {
		if err := tenantid.ValidateID(tenant); err != nil {
			errs = append(errs, fmt.Errorf("%s::may_claim::%d: %w", field, i, err))
		}
	}
	for _, tenant := range tenants {
		c.known[tenant] = struct{}{}
	}
	return &principal{subject: subject, tenant: g.Tenant, tenants: tenants}, errors.Join(errs...)
}

func addUnique(index map[string]*principal, key string, p *principal, field string) error {
	if _, dup := index[key]; dup {
		return fmt.Errorf("%s: %q is listed twice", field, key)
	}
	index[key] = p
	return nil
}

func parseDigest(s string) ([32]byte, error) {
	var digest [32]byte
	if len(s) != hex.EncodedLen(len(digest)) {
		return digest, fmt.Errorf("%d characters, expected the 64 hex digits of `printf %%s TOKEN | sha256sum`", len(s))
	}
	_, err := hex.Decode(digest[:], []byte(strings.ToLower(s)))
	return digest, err
}

// prefix shortens a token digest to name it in logs and authentication data.
func prefix(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}
