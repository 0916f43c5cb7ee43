// Package cardinality bounds the number of distinct values a label of telemetry takes: values
// past the bound share one overflow value.
package cardinality

import (
	"sort"
	"sync"
	"time"
)

// Overflow is the one value that stands for every value past a bound, wherever a label, a
// series or a stratum is capped.
const Overflow = "_other"

// None is the one value that stands for no value, such as a request without a tenant. A
// Labeler reports it as itself and does not count it.
const None = "_none"

// LabelPeriod is how often self-telemetry re-ranks the values that keep their own label.
const LabelPeriod = time.Minute

// Labeler caps the cardinality of a label of self-telemetry, such as the tenant: the N values
// used most in the previous period keep their own label, every other value is reported as
// Overflow. During the first period the first N values seen keep their label.
type Labeler struct {
	limit  int
	period time.Duration
	now    func() time.Time

	mu        sync.Mutex
	labelled  map[string]struct{}
	counts    map[string]int
	periodEnd time.Time
}

// NewLabeler returns a Labeler that keeps at most limit labels, re-ranked every period.
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

// Label counts a use of value and returns the label to report it under.
func (l *Labeler) Label(value string) string {
	if value == None {
		return None
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); !now.Before(l.periodEnd) {
		l.rerank()
		l.periodEnd = now.Add(l.period)
	}
	l.counts[value]++
	if _, ok := l.labelled[value]; ok {
		return value
	}
	if len(l.labelled) < l.limit {
		l.labelled[value] = struct{}{}
		return value
	}
	return Overflow
}

// rerank keeps the labels of the values used most in the period that ended.
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
