package main

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// binSeconds is the resolution of the time series behind the windows and plots.
const binSeconds = 10

// timeBin is one binSeconds slice of virtual time for one config.
type timeBin struct {
	spansKept          float64
	budgetSum, budgetN float64 // snapshots' budget in spans per second
}

// maxProbabilitySamples bounds the stored probability samples per config.
const maxProbabilitySamples = 1000

// probabilitySample is every stratum's keep probability at one time.
type probabilitySample struct {
	at            time.Duration // since the start of the run
	probabilities map[engine.Stratum]float64
}

// objectiveTally counts one objective's traces: true and estimated.
type objectiveTally struct {
	total, good       float64
	estTotal, estGood TotalEstimate
}

// stratumTally counts a stratum's decided and kept traces.
type stratumTally struct {
	decided, kept int
}

// keptTrace is what a config kept of a trace.
type keptTrace struct {
	spans  int32
	weight float64
}

// tally is the engine's Observer for one config: it counts decisions
// against the truth and keeps the time series of the adjustments.
type tally struct {
	clock *virtualClock
	head  *headRun // with --head-sampling

	decided, tracesKept, spansKept int
	violatingIn, violatingKept     int
	violating                      []pcommon.TraceID // every SLO-violating trace decided
	lateKept, lateDropped          int
	refused                        map[engine.RefuseReason]int
	kept                           map[pcommon.TraceID]*keptTrace
	routes                         map[routeKey]*RatioEstimate
	requests                       map[routeKey]*TotalEstimate
	keptTraces                     map[routeKey]int // kept traces behind each route's estimates
	objectives                     map[string]*objectiveTally
	strata                         map[engine.Stratum]*stratumTally
	bins                           []timeBin
	probabilities                  []probabilitySample
	sampleEvery                    time.Duration // virtual time between probability samples
}

func newTally(cfg engine.Config, clock *virtualClock) *tally {
	t := &tally{
		clock:      clock,
		refused:    map[engine.RefuseReason]int{},
		kept:       map[pcommon.TraceID]*keptTrace{},
		routes:     map[routeKey]*RatioEstimate{},
		requests:   map[routeKey]*TotalEstimate{},
		keptTraces: map[routeKey]int{},
		objectives: map[string]*objectiveTally{},
		strata:     map[engine.Stratum]*stratumTally{},
	}
	for _, o := range cfg.Objectives {
		t.objectives[o.Name] = &objectiveTally{}
	}
	return t
}

// bin returns the time bin of the current virtual time.
func (t *tally) bin() *timeBin {
	i := int(t.clock.elapsed() / (binSeconds * time.Second))
	for len(t.bins) <= i {
		t.bins = append(t.bins, timeBin{})
	}
	return &t.bins[i]
}

func (*tally) TracesStarted(int) {}

func (t *tally) Decided(d *engine.Decision) {
	t.decided++
	violating := d.Stratum.Outcome == engine.OutcomeViolation
	if violating {
		t.violatingIn++
		t.violating = append(t.violating, d.TraceID)
	}
	st := t.strata[d.Stratum]
	if st == nil {
		st = &stratumTally{}
		t.strata[d.Stratum] = st
	}
	st.decided++
	w := d.Threshold.AdjustedCount()
	if o := t.objectives[d.Objective]; o != nil {
		o.total++
		if !violating {
			o.good++
		}
		if d.Kept {
			o.estTotal.Add(w, 1)
			if !violating {
				o.estGood.Add(w, 1)
			}
		}
	}
	if !d.Kept {
		return
	}
	spans := d.Traces.SpanCount()
	t.tracesKept++
	t.spansKept += spans
	st.kept++
	if violating {
		t.violatingKept++
	}
	t.kept[d.TraceID] = &keptTrace{spans: int32(spans), weight: w}
	t.bin().spansKept += float64(spans)
	t.addRequests(d.Traces, w)
}

// addRequests adds the request spans of one kept trace to the estimates.
func (t *tally) addRequests(td ptrace.Traces, w float64) {
	perTrace := map[routeKey]*requestTally{}
	forEachRequest(td, func(k routeKey, _ pcommon.TraceID, failed bool) {
		r := perTrace[k]
		if r == nil {
			r = &requestTally{}
			perTrace[k] = r
		}
		r.requests++
		if failed {
			r.errors++
		}
	})
	for k, r := range perTrace {
		t.addRequest(k, w, r.errors, r.requests)
		t.keptTraces[k]++
	}
}

func (t *tally) addRequest(k routeKey, w, errors, requests float64) {
	if t.routes[k] == nil {
		t.routes[k], t.requests[k] = &RatioEstimate{}, &TotalEstimate{}
	}
	t.routes[k].Add(w, errors, requests)
	t.requests[k].Add(w, requests)
}

// late counts the late spans a config forwarded: each follows its trace's
// decision and weight, and each late request counts as a unit of its own.
func (t *tally) late(td ptrace.Traces) {
	n := td.SpanCount()
	if n == 0 {
		return
	}
	t.bin().spansKept += float64(n)
	t.spansKept += n
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				if k := t.kept[span.TraceID()]; k != nil {
					k.spans++
				}
			}
		}
	}
	forEachRequest(td, func(k routeKey, id pcommon.TraceID, failed bool) {
		w := 1.0
		if kt := t.kept[id]; kt != nil {
			w = kt.weight
		}
		errors := 0.0
		if failed {
			errors = 1
		}
		t.addRequest(k, w, errors, 1)
	})
}

func (t *tally) LateSpans(spans int, kept bool) {
	if kept {
		t.lateKept += spans
	} else {
		t.lateDropped += spans
	}
}

func (t *tally) Refused(spans int, reason engine.RefuseReason) { t.refused[reason] += spans }

func (t *tally) Adjusted(s *engine.Snapshot) {
	if t.head != nil {
		t.head.adjusted(t.clock.now, s)
	}
	b := t.bin()
	b.budgetSum += s.BudgetSpansPerSecond
	b.budgetN++
	at := t.clock.elapsed()
	if n := len(t.probabilities); n > 0 && at-t.probabilities[n-1].at < t.sampleEvery {
		return
	}
	sample := probabilitySample{at: at, probabilities: make(map[engine.Stratum]float64, len(s.Strata))}
	for _, st := range s.Strata {
		sample.probabilities[st.Stratum] = st.Probability
	}
	t.probabilities = append(t.probabilities, sample)
	if len(t.probabilities) > maxProbabilitySamples {
		t.thinProbabilities()
	}
}

// thinProbabilities halves the samples and their rate, to bound memory
// whatever the recording's length.
func (t *tally) thinProbabilities() {
	kept := t.probabilities[:0]
	for i, s := range t.probabilities {
		if i%2 == 0 {
			kept = append(kept, s)
		}
	}
	clear(t.probabilities[len(kept):])
	t.probabilities = kept
	t.sampleEvery = max(2*t.sampleEvery, time.Second)
}
