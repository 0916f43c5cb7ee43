package engine

import (
	"fmt"
	"testing"
)

// BenchmarkShare measures one adjustment's sharing of the budget over
// tenants of 10 strata each, one in ten flooding violations.
func BenchmarkShare(b *testing.B) {
	for _, tenants := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("tenants=%d", tenants), func(b *testing.B) {
			cfg := testConfig()
			cfg.Tenants.Attribute = "tenant.id"
			cfg.Tenants.MaxTenants = tenants
			e, _ := newTestEngine(b, cfg)
			e.pop.rateWeight = 1
			for i := range tenants {
				id := e.pop.tenantID(fmt.Sprintf("tenant-%d", i))
				for r := range 10 {
					name, _ := e.names.id(fmt.Sprintf("GET /route-%d", r))
					t := &bufferedTrace{tenant: id, entryName: name}
					if r == 0 && i%10 == 0 {
						t.violated = 1
					}
					st := e.stratumOf(t)
					st.traceRate, st.spanRate = float64(1+i%7)*float64(r+1), float64(10+i%7)*float64(r+1)
					st.tenant.violatorSizes.rate[sizeBin(10)] += float64(i%10) * 5
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				e.share(1000, 500)
			}
		})
	}
}
