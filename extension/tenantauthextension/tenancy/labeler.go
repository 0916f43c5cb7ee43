package tenancy

import (
	"sort"
	"sync"
	"time"
)

// OtherLabel stands for every tenant outside the labelled top N in self-telemetry.
const OtherLabel = "_other"

// Labeler caps the cardinality of the tenant label of self-telemetry: the N tenants with the
// most requests in the previous period keep their own label, every other tenant is reported
// as "_other". During the first period the first N tenants seen keep their label.
type Labeler struct {
	limit  int
	period time.Duration
	now    func() time.Time

	mu        sync.Mutex
	labelled  map[string]struct{}
	counts    map[string]int
	periodEnd time.Time
}

// NewLabeler returns a Labeler that keeps at most limit tenant labels, re-ranked every period.
func NewLabeler(limit int, period time.Duration, now func() time.Time) *Labeler {
	return &Labeler{
		limit:     limit,
		period:    period,
		now:       now,
		labelled:  make(map[string]struct{}, limit),
		counts:    make(map[string]int),
		periodEnd: now().Add(period),
	}
}

// Label counts a request of tenant and returns the label to report it under.
func (l *Labeler) Label(tenant string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); !now.Before(l.periodEnd) {
		l.rerank()
		l.periodEnd = now.Add(l.period)
	}
	l.counts[tenant]++
	if _, ok := l.labelled[tenant]; ok {
		return tenant
	}
	if len(l.labelled) < l.limit {
		l.labelled[tenant] = struct{}{}
		return tenant
	}
	return OtherLabel
}

// rerank keeps the labels of the busiest tenants of the period that ended.
func (l *Labeler) rerank() {
	ranked := make([]string, 0, len(l.counts))
	for tenant := range l.counts {
		ranked = append(ranked, tenant)
	}
	sort.Slice(ranked, func(i, j int) bool {
		if l.counts[ranked[i]] != l.counts[ranked[j]] {
			return l.counts[ranked[i]] > l.counts[ranked[j]]
		}
		return ranked[i] < ranked[j]
	})
	if len(ranked) > l.limit {
		ranked = ranked[:l.limit]
	}
	clear(l.labelled)
	for _, tenant := range ranked {
		l.labelled[tenant] = struct{}{}
	}
	clear(l.counts)
}
