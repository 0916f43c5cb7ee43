package tenantprocessor

import (
	"sync"
	"sync/atomic"
	"time"
)

// reason is why items were refused; its values are the reason attribute of self-telemetry.
type reason string

const (
	reasonMissingTenant   reason = "missing_tenant"
	reasonInvalidTenant   reason = "invalid_tenant"
	reasonClaimNotAllowed reason = "claim_not_allowed"
	reasonInvalidClaim    reason = "invalid_claim"
	reasonUnknownClaim    reason = "unknown_claim"
	reasonItemQuota       reason = "item_quota"
	reasonByteQuota       reason = "byte_quota"
	reasonMemoryPressure  reason = "memory_pressure"
)

// limitSet is one version of the per-tenant limits.
type limitSet struct {
	version   uint64
	overrides map[string]Limits
	// fleetSize divides every rate: the limits are the fleet's, and each gateway enforces its
	// share. It is 1 without a fleet extension.
	fleetSize int
}

// quotaTable holds the buckets of the tenants of one signal. A tenant's buckets are created
// on its first request and evicted after IdleTimeout without one, so that configured but idle
// tenants cost only their entry in the overrides map.
type quotaTable struct {
	signal       signal
	defaults     Limits
	burstSeconds float64
	idleTimeout  time.Duration
	// retryUnderPressure is how long a tenant refused under memory pressure should wait.
	retryUnderPressure time.Duration
	onTracked          func(delta int64)

	limits atomic.Pointer[limitSet]
	// shed is the tenant refused while memory is under pressure, if any.
	shed atomic.Pointer[string]

	mu      sync.RWMutex
	tenants map[string]*tenantQuota
}

type tenantQuota struct {
	mu        sync.Mutex
	version   uint64
	fleetSize int // of the limits the buckets were configured with; 0 before
	items     bucket
	bytes     bucket

	lastSeen atomic.Int64 // unix nanoseconds
	// demand counts the items requested since the last sweep, admitted or not.
	demand atomic.Int64
}

func newQuotaTable(sig signal, cfg QuotasConfig, retryUnderPressure time.Duration, onTracked func(int64)) *quotaTable {
	q := &quotaTable{
		signal:             sig,
		defaults:           cfg.Default,
		burstSeconds:       cfg.BurstSeconds,
		idleTimeout:        cfg.IdleTimeout,
		retryUnderPressure: retryUnderPressure,
		onTracked:          onTracked,
		tenants:            make(map[string]*tenantQuota),
	}
	q.limits.Store(&limitSet{version: 1, fleetSize: 1})
	return q
}

// setOverrides replaces the per-tenant limits; buckets pick them up on their next request.
func (q *quotaTable) setOverrides(overrides map[string]Limits) {
	q.updateLimits(func(next *limitSet) { next.overrides = overrides })
}

// setFleetSize divides every rate by the number of gateways sharing the limits; buckets are
// rescaled on their next request.
func (q *quotaTable) setFleetSize(size int) {
	q.updateLimits(func(next *limitSet) { next.fleetSize = max(size, 1) })
}

// updateLimits stores a new version of the limits, changed by change.
func (q *quotaTable) updateLimits(change func(next *limitSet)) {
	for {
		current := q.limits.Load()
		next := *current
		next.version++
		change(&next)
		if q.limits.CompareAndSwap(current, &next) {
			return
		}
	}
}

func (q *quotaTable) limitsOf(set *limitSet, tenant string) Limits {
	if l, ok := set.overrides[tenant]; ok {
		return l
	}
	return q.defaults
}

// admit takes items and bytes from the tenant's buckets, or says why it cannot and how long
// the client should wait before retrying.
func (q *quotaTable) admit(tenant string, items, bytes int, now time.Time) (reason, time.Duration) {
	t := q.tenant(tenant)
	t.lastSeen.Store(now.UnixNano())
	t.demand.Add(int64(items))
	if shed := q.shed.Load(); shed != nil && *shed == tenant {
		return reasonMemoryPressure, q.retryUnderPressure
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if set := q.limits.Load(); t.version != set.version {
		if t.fleetSize != 0 && t.fleetSize != set.fleetSize {
			share := float64(t.fleetSize) / float64(set.fleetSize)
			t.items.rescale(share, now)
			t.bytes.rescale(share, now)
		}
		l := q.limitsOf(set, tenant)
		members := float64(set.fleetSize)
		t.items.configure(l.itemRate(q.signal)/members, q.burstSeconds, now)
		t.bytes.configure(l.BytesPerSecond/members, q.burstSeconds, now)
		t.version, t.fleetSize = set.version, set.fleetSize
	}
	if wait := t.items.wait(float64(items), now); wait > 0 {
		return reasonItemQuota, wait
	}
	if wait := t.bytes.wait(float64(bytes), now); wait > 0 {
		return reasonByteQuota, wait
	}
	t.items.take(float64(items))
	t.bytes.take(float64(bytes))
	return "", 0
}

func (q *quotaTable) tenant(tenant string) *tenantQuota {
	q.mu.RLock()
	t, ok := q.tenants[tenant]
	q.mu.RUnlock()
	if ok {
		return t
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok = q.tenants[tenant]; !ok {
		t = &tenantQuota{}
		q.tenants[tenant] = t
		q.onTracked(1)
	}
	return t
}

// sweep evicts idle tenants and, when memory is under pressure, picks the tenant most over
// its share to refuse until the next sweep. A tenant's share is its item rate limit; a tenant
// without one has the share of one item per second.
func (q *quotaTable) sweep(now time.Time, underPressure bool) {
	set := q.limits.Load()
	var shed string
	var worst float64
	q.mu.Lock()
	for tenant, t := range q.tenants {
		if now.Sub(time.Unix(0, t.lastSeen.Load())) > q.idleTimeout {
			delete(q.tenants, tenant)
			q.onTracked(-1)
			continue
		}
		demand := float64(t.demand.Swap(0))
		share := max(q.limitsOf(set, tenant).itemRate(q.signal), 1)
		if overShare := demand / share; underPressure && overShare > worst {
			shed, worst = tenant, overShare
		}
	}
	q.mu.Unlock()
	if shed == "" {
		q.shed.Store(nil)
		return
	}
	q.shed.Store(&shed)
}
