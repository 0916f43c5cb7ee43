package engine

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTenantsCheck(t *testing.T) {
	tests := []struct {
		name    string
		tenants Tenants
		wantErr []string // each must appear; none means valid
	}{
		{name: "defaults", tenants: DefaultConfig().Tenants},
		{name: "attribute and weights", tenants: Tenants{Attribute: "tenant.id", Weights: map[string]float64{"team-a": 2, TenantNone: 0.5}, DefaultWeight: 1, MaxTenants: 10}},
		{
			name:    "weights without attribute",
			tenants: Tenants{Weights: map[string]float64{"team-a": 2}, DefaultWeight: 1, MaxTenants: 10},
			wantErr: []string{"tenants::attribute: empty while tenants::weights are set; set the resource attribute naming the tenant, e.g. tenant.id"},
		},
		{
			name:    "non-positive and infinite weights",
			tenants: Tenants{Attribute: "tenant.id", Weights: map[string]float64{"b": 0, "a": -1, "c": math.Inf(1), "d": math.NaN()}, DefaultWeight: 1, MaxTenants: 10},
			wantErr: []string{"tenants::weights::a: must be a positive number", "tenants::weights::b:", "tenants::weights::c:", "tenants::weights::d:"},
		},
		{
			name:    "default weight",
			tenants: Tenants{DefaultWeight: 0, MaxTenants: 10},
			wantErr: []string{"tenants::default_weight: must be a positive number, e.g. 1"},
		},
		{
			name:    "max tenants",
			tenants: Tenants{DefaultWeight: 1, MaxTenants: 0},
			wantErr: []string{"tenants::max_tenants: must be positive, e.g. 1000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Tenants = tt.tenants
			err := cfg.Check()
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestTenantWeights(t *testing.T) {
	tenants := Tenants{Weights: map[string]float64{"team-a": 2, TenantNone: 0.5}, DefaultWeight: 1.5}
	for name, want := range map[string]float64{"team-a": 2, TenantNone: 0.5, "team-b": 1.5, TenantOverflow: 1.5} {
		assert.InDelta(t, want, tenants.weight(name), 0, name)
	}
}
