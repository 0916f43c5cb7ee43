package main

import (
	"cmp"
	"slices"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// windowSeconds is the length of a reported window.
const windowSeconds = 60

// tuneReport is what `tailctl tune --json` prints; the README documents every field.
type tuneReport struct {
	Configs []configResult `json:"configs"`
}

type configResult struct {
	Name                 string            `json:"name"`
	RecordingSeconds     float64           `json:"recording_seconds"`
	IdleSecondsSqueezed  float64           `json:"idle_seconds_squeezed"`
	OtherSignalLines     int               `json:"other_signal_lines"`
	TracesIn             int               `json:"traces_in"`
	SpansIn              int               `json:"spans_in"`
	TracesDecided        int               `json:"traces_decided"`
	TracesKept           int               `json:"traces_kept"`
	SpansKept            int               `json:"spans_kept"`
	SLOViolatingIn       int               `json:"slo_violating_in"`
	SLOViolatingKept     int               `json:"slo_violating_kept"`
	SLOViolatingBound    int               `json:"slo_violating_bound"`
	LateSpansKept        int               `json:"late_spans_kept"`
	LateSpansDropped     int               `json:"late_spans_dropped"`
	SpansRefused         map[string]int    `json:"spans_refused"`
	IncompleteKeptTraces int               `json:"incomplete_kept_traces"`
	Windows              []window          `json:"windows"`
	Objectives           []objectiveResult `json:"objectives"`
	Routes               []routeResult     `json:"routes"`
	Strata               strataResult      `json:"strata"`
	HeadSampling         *headResult       `json:"head_sampling,omitempty"`

	series configSeries // for the HTML report
}

// window is one minute of virtual time (the last one may be shorter).
type window struct {
	StartSeconds float64 `json:"start_seconds"`
	Seconds      float64 `json:"seconds"`
	SpansIn      float64 `json:"spans_in"`
	SpansKept    float64 `json:"spans_kept"`
	Budget       float64 `json:"budget"`
	// ViolatingSpansIn is the spans of the SLO-violating traces that started
	// in the window.
	ViolatingSpansIn float64 `json:"violating_spans_in"`
	// ViolatingBound is the most SLO-violating traces started in the window
	// whose spans fit in its budget, smallest first.
	ViolatingBound int `json:"violating_bound"`
}

type objectiveResult struct {
	Name  string   `json:"name"`
	Total estimate `json:"total"`
	Good  estimate `json:"good"`
}

type routeResult struct {
	Service    string   `json:"service"`
	Route      string   `json:"route"`
	Requests   estimate `json:"requests"`
	ErrorRatio estimate `json:"error_ratio"`
	// KeptTraces is the kept traces the route's estimates rest on; FewKept
	// flags fewer than minKeptForEstimate of them.
	KeptTraces int  `json:"kept_traces"`
	FewKept    bool `json:"few_kept"`
}

// minKeptForEstimate is the kept traces below which an estimate is flagged:
// its interval rests on too few values to mean what it says.
const minKeptForEstimate = 10

type strataResult struct {
	Seen          int           `json:"seen"`
	Represented   int           `json:"represented"`
	Unrepresented []stratumName `json:"unrepresented"`
}

type stratumName struct {
	Tenant  string `json:"tenant,omitempty"` // empty without tenants.attribute
	Service string `json:"service"`
	Route   string `json:"route"`
	Outcome string `json:"outcome"`
}

func nameOf(s engine.Stratum) stratumName {
	return stratumName{Tenant: s.Tenant, Service: s.Service, Route: s.Route, Outcome: s.Outcome.String()}
}

// configSeries is the time series the plots draw, per binSeconds.
type configSeries struct {
	outputRate, budgetRate []float64 // spans per second
	probabilities          []probabilitySample
	strataByTraffic        []engine.Stratum // most traces first
}

// results turns each run's tally into its report.
func (s *simulation) results() []configResult {
	out := make([]configResult, 0, len(s.runs))
	for _, r := range s.runs {
		out = append(out, s.result(r))
	}
	return out
}

func (s *simulation) result(r *tuneRun) configResult {
	t := r.tally
	res := configResult{
		Name:                r.config.name,
		RecordingSeconds:    s.clock.elapsed().Seconds(),
		IdleSecondsSqueezed: s.clock.squeezed.Seconds(),
		OtherSignalLines:    s.otherLines,
		TracesIn:            len(s.truth.traceSpans),
		SpansIn:             s.truth.spans,
		TracesDecided:       t.decided,
		TracesKept:          t.tracesKept,
		SpansKept:           t.spansKept,
		SLOViolatingIn:      t.violatingIn,
		SLOViolatingKept:    t.violatingKept,
		LateSpansKept:       t.lateKept,
		LateSpansDropped:    t.lateDropped,
		SpansRefused:        map[string]int{},
		Windows:             s.windows(t),
		Objectives:          []objectiveResult{},
		Routes:              []routeResult{},
	}
	res.SLOViolatingBound = s.violatingBound(t, res.Windows)
	for reason, n := range t.refused {
		res.SpansRefused[string(reason)] = n
	}
	for id, k := range t.kept {
		if k.spans < s.truth.traceSpans[id] {
			res.IncompleteKeptTraces++
		}
	}
	for _, o := range r.config.cfg.Objectives {
		ot := t.objectives[o.Name]
		res.Objectives = append(res.Objectives, objectiveResult{
			Name:  o.Name,
			Total: totalEstimate(ot.total, ot.estTotal),
			Good:  totalEstimate(ot.good, ot.estGood),
		})
	}
	for k, truth := range s.truth.routes {
		var requests TotalEstimate
		var ratio RatioEstimate
		if t.requests[k] != nil {
			requests, ratio = *t.requests[k], *t.routes[k]
		}
		res.Routes = append(res.Routes, routeResult{
			Service:    k.service,
			Route:      k.route,
			Requests:   totalEstimate(truth.requests, requests),
			ErrorRatio: ratioEstimate(truth.errors/truth.requests, ratio),
			KeptTraces: t.keptTraces[k],
			FewKept:    t.keptTraces[k] < minKeptForEstimate,
		})
	}
	slices.SortFunc(res.Routes, func(a, b routeResult) int {
		return cmp.Or(cmp.Compare(b.Requests.Truth, a.Requests.Truth), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Route, b.Route))
	})
	res.Strata = strataOf(t.strata)
	if t.head != nil {
		res.HeadSampling = t.head.result(s.truth)
	}
	res.series = seriesOf(t)
	return res
}

// windows folds the time bins into minutes covering the whole run.
func (s *simulation) windows(t *tally) []window {
	total := s.clock.elapsed().Seconds()
	perWindow := windowSeconds / binSeconds
	bins := max(len(s.truth.binSpans), len(t.bins), 1)
	var out []window
	for first := 0; first < bins; first += perWindow {
		w := window{StartSeconds: float64(first * binSeconds)}
		w.Seconds = min(windowSeconds, max(0, total-w.StartSeconds))
		var budgetSum, budgetN float64
		for i := first; i < first+perWindow && i < bins; i++ {
			if i < len(s.truth.binSpans) {
				w.SpansIn += s.truth.binSpans[i]
			}
			if i < len(t.bins) {
				w.SpansKept += t.bins[i].spansKept
				budgetSum += t.bins[i].budgetSum
				budgetN += t.bins[i].budgetN
			}
		}
		if budgetN > 0 {
			w.Budget = budgetSum / budgetN * w.Seconds
		}
		out = append(out, w)
	}
	return out
}

// violatingBound fills in each window's violating spans and bound, and
// returns the bound of the run: per window of trace start, the most
// SLO-violating traces whose spans fit in the window's budget, smallest
// first, summed over the windows. No sampler keeps more at that budget.
func (s *simulation) violatingBound(t *tally, windows []window) int {
	sizes := make([][]int32, len(windows))
	for _, id := range t.violating {
		w, ok := s.truth.traceStart[id]
		if !ok || int(w) >= len(windows) {
			continue
		}
		sizes[w] = append(sizes[w], s.truth.traceSpans[id])
	}
	total := 0
	for i := range windows {
		slices.Sort(sizes[i])
		spent := 0.0
		for _, n := range sizes[i] {
			windows[i].ViolatingSpansIn += float64(n)
			if spent+float64(n) <= windows[i].Budget {
				spent += float64(n)
				windows[i].ViolatingBound++
			}
		}
		total += windows[i].ViolatingBound
	}
	return total
}

func strataOf(strata map[engine.Stratum]*stratumTally) strataResult {
	res := strataResult{Seen: len(strata), Unrepresented: []stratumName{}}
	for s, n := range strata {
		if n.kept > 0 {
			res.Represented++
		} else {
			res.Unrepresented = append(res.Unrepresented, nameOf(s))
		}
	}
	slices.SortFunc(res.Unrepresented, func(a, b stratumName) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Outcome, b.Outcome))
	})
	return res
}

func seriesOf(t *tally) configSeries {
	s := configSeries{probabilities: t.probabilities}
	for _, b := range t.bins {
		s.outputRate = append(s.outputRate, b.spansKept/binSeconds)
		budget := 0.0
		if b.budgetN > 0 {
			budget = b.budgetSum / b.budgetN
		}
		s.budgetRate = append(s.budgetRate, budget)
	}
	for st := range t.strata {
		s.strataByTraffic = append(s.strataByTraffic, st)
	}
	slices.SortFunc(s.strataByTraffic, func(a, b engine.Stratum) int {
		return cmp.Or(cmp.Compare(t.strata[b].decided, t.strata[a].decided), cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Outcome, b.Outcome))
	})
	return s
}
