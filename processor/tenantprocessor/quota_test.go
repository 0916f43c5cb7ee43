package tenantprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestQuotas(t *testing.T, defaults Limits) (*quotaTable, *int64) {
	t.Helper()
	var tracked int64
	cfg := createDefaultConfig().Quotas
	cfg.Default = defaults
	cfg.BurstSeconds = 1
	cfg.IdleTimeout = time.Minute
	return newQuotaTable(signalTraces, cfg, time.Second, func(d int64) { tracked += d }), &tracked
}

func TestQuotaAdmit(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		name       string
		defaults   Limits
		overrides  map[string]Limits
		requests   []int // spans per request of team-a, 100 bytes each
		wantReason reason
	}{
		{"within item quota", Limits{SpansPerSecond: 100}, nil, []int{60, 40}, ""},
		{"over item quota", Limits{SpansPerSecond: 100}, nil, []int{60, 41}, reasonItemQuota},
		{"over byte quota", Limits{BytesPerSecond: 150}, nil, []int{1, 1}, reasonByteQuota},
		{"override raises the quota", Limits{SpansPerSecond: 100}, map[string]Limits{"team-a": {SpansPerSecond: 200}}, []int{150, 50}, ""},
		{"override of another tenant", Limits{SpansPerSecond: 100}, map[string]Limits{"team-b": {SpansPerSecond: 200}}, []int{100, 1}, reasonItemQuota},
		{"larger than the bucket when it is full", Limits{SpansPerSecond: 100}, nil, []int{500}, ""},
		{"unlimited", Limits{}, nil, []int{1e6, 1e6}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := newTestQuotas(t, tt.defaults)
			if tt.overrides != nil {
				q.setOverrides(tt.overrides)
			}
			var got reason
			for _, spans := range tt.requests {
				got, _ = q.admit("team-a", spans, 100, now)
			}
			assert.Equal(t, tt.wantReason, got)
		})
	}
}

func TestQuotaTenantsAreIndependent(t *testing.T) {
	now := time.Unix(1000, 0)
	q, _ := newTestQuotas(t, Limits{SpansPerSecond: 100})
	why, _ := q.admit("team-a", 100, 0, now)
	require.Empty(t, why)
	why, wait := q.admit("team-a", 50, 0, now)
	assert.Equal(t, reasonItemQuota, why)
	assert.Equal(t, 500*time.Millisecond, wait)
	why, _ = q.admit("team-b", 100, 0, now)
	assert.Empty(t, why, "team-a's exhausted bucket does not touch team-b's")
}

func TestQuotaOverridesReloadAppliesToLiveBuckets(t *testing.T) {
	now := time.Unix(1000, 0)
	q, _ := newTestQuotas(t, Limits{SpansPerSecond: 100})
	why, _ := q.admit("team-a", 100, 0, now)
	require.Empty(t, why)
	q.setOverrides(map[string]Limits{"team-a": {SpansPerSecond: 1000}})
	why, _ = q.admit("team-a", 1, 0, now)
	require.Equal(t, reasonItemQuota, why, "a raised limit does not refill the bucket")
	later := now.Add(500 * time.Millisecond)
	why, _ = q.admit("team-a", 400, 0, later)
	assert.Empty(t, why, "half a second at the new rate of 1000/s refills 500 spans")
}

func TestQuotaEvictsIdleTenants(t *testing.T) {
	now := time.Unix(1000, 0)
	q, tracked := newTestQuotas(t, Limits{SpansPerSecond: 100})
	for i := range 10_000 {
		q.admit("tenant-"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)), 1, 0, now)
	}
	assert.Equal(t, 10_000, q.tracked())
	assert.Equal(t, int64(10_000), *tracked)
	q.admit("busy", 1, 0, now.Add(2*time.Minute))
	q.sweep(now.Add(2*time.Minute), false)
	assert.Equal(t, 1, q.tracked(), "only the tenant seen within idle_timeout stays")
	assert.Equal(t, int64(1), *tracked)
}

func TestQuotaMemoryPressureRefusesTheTenantMostOverItsShare(t *testing.T) {
	now := time.Unix(1000, 0)
	q, _ := newTestQuotas(t, Limits{SpansPerSecond: 1e6})
	q.burstSeconds = 100 // buckets deep enough that only memory pressure refuses
	q.setOverrides(map[string]Limits{"big": {SpansPerSecond: 1e7}})
	q.admit("big", 5e6, 0, now)   // half its share
	q.admit("small", 2e6, 0, now) // twice its share
	q.admit("quiet", 1e5, 0, now)

	q.sweep(now, false)
	why, _ := q.admit("small", 1, 0, now)
	assert.Empty(t, why, "no pressure, no refusal")

	q.admit("small", 2e6, 0, now)
	q.admit("big", 5e6, 0, now)
	q.sweep(now, true)
	for tenant, want := range map[string]reason{"small": reasonMemoryPressure, "big": "", "quiet": ""} {
		why, _ := q.admit(tenant, 1, 0, now)
		assert.Equal(t, want, why, tenant)
	}
	q.sweep(now, false)
	why, _ = q.admit("small", 1, 0, now)
	assert.Empty(t, why, "refusals end with the pressure")
}

func (q *quotaTable) tracked() int {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return len(q.tenants)
}
