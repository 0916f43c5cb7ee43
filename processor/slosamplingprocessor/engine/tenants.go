package engine

import "cmp"

// tenant is the fair-share state of one tenant.
type tenant struct {
	name   string // the attribute's value ("" without it) or TenantOverflow
	weight float64
	strata []*stratum

	violationArrivedSpans float64 // since the last adjustment
	violationSpanRate     float64 // EWMA per second
	violationProbability  float64 // grant over rate, for reports
	violatorSizes         violatorSizes
	bufferedSpans         float64 // of its undecided traces that violate no objective
	// Grants of the last adjustment, in spans per second.
	violationGrant, sampledGrant float64
}

// tenantID interns the tenant named by a resource's attribute value
// (internEmpty for an empty value, internOverflow past max_tenants).
func (e *Engine) tenantID(value string) uint32 {
	id, _ := e.tenantNames.id(value)
	return id
}

// tenantOf returns the state of an interned tenant, created on first use.
func (e *Engine) tenantOf(id uint32) *tenant {
	if int(id) < len(e.tenantByID) && e.tenantByID[id] != nil {
		return e.tenantByID[id]
	}
	name := TenantOverflow
	if id != internOverflow {
		name, _ = e.tenantNames.str(id)
	}
	tn := &tenant{name: name, weight: e.cfg.Tenants.weight(cmp.Or(name, TenantNone)), violationProbability: 1}
	for int(id) >= len(e.tenantByID) {
		e.tenantByID = append(e.tenantByID, nil)
	}
	e.tenantByID[id] = tn
	e.tenantList = append(e.tenantList, tn)
	return tn
}
