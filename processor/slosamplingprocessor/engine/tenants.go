package engine

import "cmp"

// tenant is the fair-share state of one tenant.
type tenant struct {
	name   string // the attribute's value ("" without it) or TenantOverflow
	weight float64
	strata []*stratum

	violationProbability float64       // grant over rate, for reports
	violatorSizes        violatorSizes // its violating spans' rates by trace size
	bufferedSpans        float64       // of its undecided traces that violate no objective
	// Grants of the last adjustment, in spans per second.
	violationGrant, sampledGrant float64
}

// tenantID interns the tenant named by a resource's attribute value
// (internEmpty for an empty value, internOverflow past max_tenants).
func (p *population) tenantID(value string) uint32 {
	id, _ := p.tenantNames.id(value)
	return id
}

// tenantOf returns the state of an interned tenant, created on first use.
func (p *population) tenantOf(id uint32) *tenant {
	if int(id) < len(p.tenantByID) && p.tenantByID[id] != nil {
		return p.tenantByID[id]
	}
	name := TenantOverflow
	if id != internOverflow {
		name, _ = p.tenantNames.str(id)
	}
	tn := &tenant{name: name, weight: p.cfg.weight(cmp.Or(name, TenantNone)), violationProbability: 1}
	for int(id) >= len(p.tenantByID) {
		p.tenantByID = append(p.tenantByID, nil)
	}
	p.tenantByID[id] = tn
	p.tenants = append(p.tenants, tn)
	return tn
}
