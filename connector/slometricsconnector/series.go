package slometricsconnector

import (
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/internal/cardinality"
)

// seriesKey identifies one series: a tenant's service's route, successful or failed.
type seriesKey struct {
	resource
	route  string
	failed bool
}

// resource is what the series of one resource share: the tenant (empty without tenancy) and
// the service.
type resource struct {
	tenant, service string
}

// candidate is an entry span that may become an exemplar once its trace is known to be kept.
type candidate struct {
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	ms      float64
	at      pcommon.Timestamp // the span's end, the exemplar's time
	seen    time.Time         // when the connector saw the span
}

// series holds the cumulative counts of one series, its exemplar candidates per bucket, and
// per bucket the latest candidate whose trace was kept: the exemplar it shows until a newer one
// replaces it, so that every scrape and every push carries it.
type series struct {
	count      uint64
	sumMs      float64
	buckets    []uint64      // len(bounds)+1
	candidates [][]candidate // per bucket, oldest first
	exemplars  []candidate   // per bucket; zero traceID: none yet
}

// outcomes counts what became of exemplar candidates during a flush.
type outcomes struct{ attached, dropped, expired, evicted int64 }

// aggregator sums entry spans into series. Not safe for concurrent use.
type aggregator struct {
	boundsMs   []float64
	maxSeries  int
	perBucket  int
	maxWait    time.Duration
	series     map[seriesKey]*series
	overflowed int64
	evicted    int64
}

func newAggregator(cfg *Config) *aggregator {
	bounds := make([]float64, len(cfg.Buckets))
	for i, b := range cfg.Buckets {
		bounds[i] = float64(b) / float64(time.Millisecond)
	}
	return &aggregator{
		boundsMs: bounds, maxSeries: cfg.MaxSeries, perBucket: cfg.Exemplars.CandidatesPerBucket,
		maxWait: cfg.Exemplars.MaxWait, series: map[seriesKey]*series{},
	}
}

// add counts one entry span and keeps it as an exemplar candidate of its bucket.
func (a *aggregator) add(key seriesKey, c candidate) {
	s, ok := a.series[key]
	if !ok {
		if len(a.series) >= a.maxSeries {
			a.overflowed++
			key.route = cardinality.Overflow
			if s, ok = a.series[key]; !ok {
				// One overflow series per service and outcome may exceed the cap by design.
				s = a.newSeries()
				a.series[key] = s
			}
		} else {
			s = a.newSeries()
			a.series[key] = s
		}
	}
	b := sort.SearchFloat64s(a.boundsMs, c.ms) // first bound >= ms: the bucket (le) it falls in
	s.count++
	s.sumMs += c.ms
	s.buckets[b]++
	if len(s.candidates[b]) == a.perBucket {
		s.candidates[b] = s.candidates[b][1:]
		a.evicted++
	}
	s.candidates[b] = append(s.candidates[b], c)
}

func (a *aggregator) newSeries() *series {
	n := len(a.boundsMs) + 1
	return &series{buckets: make([]uint64, n), candidates: make([][]candidate, n), exemplars: make([]candidate, n)}
}

// settle asks the sampler about every candidate: a kept one becomes its bucket's exemplar
// (replacing an older one), a dropped one is discarded, an undecided one waits until maxWait.
func (a *aggregator) settle(fate func(pcommon.TraceID) tracedecisionextension.Fate, now time.Time) outcomes {
	var o outcomes
	o.evicted, a.evicted = a.evicted, 0
	for _, s := range a.series {
		for b, cands := range s.candidates {
			waiting := cands[:0]
			for _, c := range cands {
				switch fate(c.traceID) {
				case tracedecisionextension.Kept:
					if !s.exemplars[b].traceID.IsEmpty() {
						o.evicted++
					}
					s.exemplars[b] = c
					o.attached++
				case tracedecisionextension.Dropped:
					o.dropped++
				default:
					if now.Sub(c.seen) > a.maxWait {
						o.expired++
						continue
					}
					waiting = append(waiting, c)
				}
			}
			s.candidates[b] = waiting
		}
	}
	return o
}
