package engine

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tailwise/tailwise/internal/cardinality"
)

// Names of the tenants that have no name of their own.
const (
	// TenantNone names, in reports and weights, the tenant "" of traces
	// whose first span's resource lacks the tenant attribute (every trace
	// when tenants.attribute is empty).
	TenantNone = cardinality.None
	// TenantOverflow is the tenant shared by tenants seen after
	// tenants.max_tenants others.
	TenantOverflow = cardinality.Overflow
)

// Tenants configures the fair sharing of the budget over tenants.
type Tenants struct {
	// Attribute is the resource attribute naming a trace's tenant, read on
	// the resource of its first span; empty puts every trace in one tenant.
	Attribute string `mapstructure:"attribute"`
	// Weights are relative weights by tenant name (TenantNone and
	// TenantOverflow may be weighted too); unlisted tenants weigh
	// DefaultWeight.
	Weights map[string]float64 `mapstructure:"weights"`
	// DefaultWeight is the weight of tenants absent from Weights.
	DefaultWeight float64 `mapstructure:"default_weight"`
	// MaxTenants bounds the number of named tenants; later ones share
	// TenantOverflow.
	MaxTenants int `mapstructure:"max_tenants"`
}

// weight is the relative weight of the tenant reported as name.
func (t *Tenants) weight(name string) float64 {
	if w, ok := t.Weights[name]; ok {
		return w
	}
	return t.DefaultWeight
}

func (t *Tenants) check() []error {
	var errs []error
	if !(t.DefaultWeight > 0) || math.IsInf(t.DefaultWeight, 0) {
		errs = append(errs, errors.New("tenants::default_weight: must be a positive number, e.g. 1"))
	}
	if t.MaxTenants <= 0 {
		errs = append(errs, errors.New("tenants::max_tenants: must be positive, e.g. 1000"))
	}
	names := make([]string, 0, len(t.Weights))
	for name := range t.Weights {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if w := t.Weights[name]; !(w > 0) || math.IsInf(w, 0) {
			errs = append(errs, fmt.Errorf("tenants::weights::%s: must be a positive number, e.g. 2 to give the tenant twice the default share", name))
		}
	}
	if t.Attribute == "" && len(t.Weights) > 0 {
		errs = append(errs, errors.New("tenants::attribute: empty while tenants::weights are set; set the resource attribute naming the tenant, e.g. tenant.id"))
	}
	return errs
}
