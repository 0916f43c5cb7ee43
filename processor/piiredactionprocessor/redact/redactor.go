package redact

import (
	"fmt"
	"maps"
	"slices"
)

// Redactor applies a policy. It is safe for concurrent use; each batch gets
// its own pass.
type Redactor struct {
	base            *policy            // the top-level settings
	tenants         map[string]*policy // the listed tenants' effective settings
	names           []string           // every detector of every policy, the Stats names
	keys            *keyring
	tenantAttribute string // empty when neither tenants nor pseudonyms need it
	maxDetectors    int    // the most detectors of a policy
	audits          bool   // whether a policy adds audit attributes
}

// New builds a Redactor from a validated configuration: the top-level
// settings and each listed tenant's effective settings are compiled once. It
// reads the pseudonym key when a pseudonym action is configured.
func New(cfg Config) (*Redactor, error) {
	base, err := newPolicy(cfg.ForTenant(""))
	if err != nil {
		return nil, err
	}
	r := &Redactor{base: base}
	r.register(base)
	usesPseudonym := base.usesPseudonym()
	if len(cfg.Tenants) > 0 {
		r.tenants = make(map[string]*policy, len(cfg.Tenants))
		r.tenantAttribute = cfg.TenantAttributeName()
	}
	for _, id := range slices.Sorted(maps.Keys(cfg.Tenants)) {
		pol, err := newPolicy(cfg.ForTenant(id))
		if err != nil {
			return nil, fmt.Errorf("tenants::%s::%w", id, err)
		}
		r.register(pol)
		r.tenants[id] = pol
		usesPseudonym = usesPseudonym || pol.usesPseudonym()
	}
	if usesPseudonym {
		if r.keys, err = loadKeyring(cfg.Pseudonym); err != nil {
			return nil, err
		}
		r.tenantAttribute = cfg.TenantAttributeName()
	}
	return r, nil
}

// register gives each detector of pol its Stats index, adding the names the
// Redactor does not count yet.
func (r *Redactor) register(pol *policy) {
	pol.statIndex = make([]int, len(pol.names))
	for d, name := range pol.names {
		i := slices.Index(r.names, name)
		if i < 0 {
			i = len(r.names)
			r.names = append(r.names, name)
		}
		pol.statIndex[d] = i
	}
	r.maxDetectors = max(r.maxDetectors, len(pol.names))
	r.audits = r.audits || pol.audit.SummaryAttributes
}

// policyOf returns the settings of a tenant: its own when listed, else the
// top-level settings.
func (r *Redactor) policyOf(tenant string) *policy {
	if pol, ok := r.tenants[tenant]; ok {
		return pol
	}
	return r.base
}

// secretKeyDetector names the redactions made because of an attribute key.
const secretKeyDetector = "secret_key"
