package engine

import (
	"bufio"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The recordings live beside the project; CI always has them.
const dataDir = "../../../../shared/data"

// traceTruth is what the full recording says about one trace.
type traceTruth struct {
	spans        int
	serverSpans  map[string]float64 // per service
	violating    bool
	keptSpans    int
	adjustedKept float64 // 1/p when kept
}

// replayResult is the outcome of replaying a recording through an engine.
type replayResult struct {
	traces        map[pcommon.TraceID]*traceTruth
	outputPerMin  map[int64]float64
	arrivedPerMin map[int64]float64
	strata        map[Stratum]int // kept traces per stratum seen
	first, last   time.Time
	decidedTraces int
}

// violationRule is the test's own statement of the objectives, used as
// ground truth independently of the engine's matcher.
type violationRule struct {
	service, route string
	threshold      time.Duration
	errors         bool
}

func (r violationRule) violatedBy(service string, span ptrace.Span) bool {
	if service != r.service || (r.route != "" && span.Name() != r.route) {
		return false
	}
	if r.errors && span.Status().Code() == ptrace.StatusCodeError {
		return true
	}
	d := span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime())
	return r.threshold > 0 && d > r.threshold
}

// replay feeds every line of a recording at the time its last span ended,
// advancing the engine in 100 ms steps of virtual time in between. Idle
// gaps longer than maxGap between load bursts are squeezed to maxGap, so
// that the bursts form continuous traffic.
func replay(t *testing.T, recording string, cfg Config, rules []violationRule) *replayResult {
	f, err := os.Open(filepath.Join(dataDir, recording))
	require.NoError(t, err, "the recordings must be at %s", dataDir)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	scanner := bufio.NewScanner(gz)
	scanner.Buffer(make([]byte, 1<<20), 256<<20)

	e, _ := newTestEngine(t, cfg)
	res := &replayResult{traces: map[pcommon.TraceID]*traceTruth{}, outputPerMin: map[int64]float64{}, arrivedPerMin: map[int64]float64{}, strata: map[Stratum]int{}}
	const maxGap = time.Second
	var now, lastEnd time.Time
	var squeezed time.Duration
	record := func(at time.Time, decisions []Decision) {
		for _, d := range decisions {
			res.decidedTraces++
			if _, ok := res.strata[d.Stratum]; !ok {
				res.strata[d.Stratum] = 0
			}
			if !d.Kept {
				continue
			}
			res.strata[d.Stratum]++
			tr := res.traces[d.TraceID]
			tr.keptSpans += d.Traces.SpanCount()
			tr.adjustedKept = d.Threshold.AdjustedCount()
			res.outputPerMin[at.Unix()/60] += float64(d.Spans)
		}
	}
	unmarshaler := &ptrace.JSONUnmarshaler{}
	for scanner.Scan() {
		td, err := unmarshaler.UnmarshalTraces(scanner.Bytes())
		require.NoError(t, err)
		recorded := res.observe(td, rules)
		if gap := recorded.Sub(lastEnd); !lastEnd.IsZero() && gap > maxGap {
			squeezed += gap - maxGap
		}
		lastEnd = recorded
		batchEnd := recorded.Add(-squeezed)
		res.arrivedPerMin[batchEnd.Unix()/60] += float64(td.SpanCount())
		if now.IsZero() {
			now, res.first = batchEnd, batchEnd
		}
		for ; now.Before(batchEnd); now = now.Add(100 * time.Millisecond) {
			record(now, e.Advance(now))
		}
		out := ingest(t, e, now, td)
		record(now, out.Decisions)
		for _, rs := range out.Late.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					res.traces[span.TraceID()].keptSpans++
					res.outputPerMin[now.Unix()/60]++
				}
			}
		}
	}
	require.NoError(t, scanner.Err())
	res.last = now
	record(now, e.DecideAll(now))
	return res
}

// observe records the ground truth of a batch and returns its last end time.
func (r *replayResult) observe(td ptrace.Traces, rules []violationRule) time.Time {
	var end pcommon.Timestamp
	for _, rs := range td.ResourceSpans().All() {
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = v.Str()
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				end = max(end, span.EndTimestamp())
				tr := r.traces[span.TraceID()]
				if tr == nil {
					tr = &traceTruth{serverSpans: map[string]float64{}}
					r.traces[span.TraceID()] = tr
				}
				tr.spans++
				if span.Kind() == ptrace.SpanKindServer {
					tr.serverSpans[service]++
				}
				for _, rule := range rules {
					tr.violating = tr.violating || rule.violatedBy(service, span)
				}
			}
		}
	}
	return end.AsTime()
}

// checkFloors asserts the quality floors of the sampler on a replay.
// A zero tolerance or budget leaves that floor out.
func checkFloors(t *testing.T, res *replayResult, tolerance, budget float64) {
	violating, violatingKept, kept, complete := 0, 0, 0, 0
	truth, estimates := map[string]float64{}, map[string]*TotalEstimate{}
	for _, tr := range res.traces {
		if tr.violating {
			violating++
			if tr.keptSpans > 0 {
				violatingKept++
			}
		}
		for service, n := range tr.serverSpans {
			truth[service] += n
		}
		if tr.keptSpans == 0 {
			continue
		}
		kept++
		if tr.keptSpans == tr.spans {
			complete++
		}
		for service, n := range tr.serverSpans {
			if estimates[service] == nil {
				estimates[service] = &TotalEstimate{}
			}
			estimates[service].Add(tr.adjustedKept, n)
		}
	}
	t.Logf("traces %d, kept %d, violating %d (kept %d), complete %d, strata %d", len(res.traces), kept, violating, violatingKept, complete, len(res.strata))
	require.Positive(t, violating, "the objectives must select some violating traces")
	assert.GreaterOrEqual(t, float64(violatingKept), 0.999*float64(violating), "≥99.9%% of SLO-violating traces kept")
	assert.GreaterOrEqual(t, float64(complete), 0.999*float64(kept), "≥99.9%% of kept traces complete")
	for stratum, n := range res.strata {
		assert.Positive(t, n, "stratum %+v is represented", stratum)
	}
	for service, n := range truth {
		est := estimates[service]
		require.NotNil(t, est, "no kept trace of %s", service)
		low, high := est.Interval95()
		t.Logf("%-24s truth %8.0f estimate %10.1f [%.1f, %.1f] (%.2f%%)", service, n, est.Estimate, low, high, 100*(est.Estimate-n)/n)
		if tolerance > 0 {
			assert.InEpsilon(t, n, est.Estimate, tolerance, "HT estimate of %s requests within %.0f%%", service, 100*tolerance)
		}
		assert.True(t, low <= n && n <= high, "95%% interval [%.1f, %.1f] of %s covers the truth %.0f", low, high, service, n)
	}
	if budget == 0 {
		return
	}
	// One-minute windows in which arrivals exceed the budget: the recording
	// comes in bursts, and no sampler can output spans that do not arrive.
	// The first minute of a burst is left out too (the step response is
	// tested separately), as is the minute after it ends, when the
	// decision delay shifts output.
	busy := func(m int64) bool { return res.arrivedPerMin[m] >= 1.5*budget*60 }
	var devs []float64
	for m := res.first.Unix() / 60; m <= res.last.Unix()/60; m++ {
		if busy(m-1) && busy(m) && busy(m+1) {
			devs = append(devs, math.Abs(res.outputPerMin[m]/60-budget)/budget)
		}
	}
	require.NotEmpty(t, devs)
	t.Logf("one-minute windows %d, p95 deviation from budget %.2f%%", len(devs), 100*p95(devs))
	assert.LessOrEqual(t, p95(devs), 0.05, "output within ±5%% of budget over one-minute windows (p95)")
}

func TestQualityOnlineBoutique(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Budget.SpansPerSecond = 150
	// Checkout traces (11 a minute on average) are the only ones reaching the
	// checkout, payment and email services: keep that rare route whole.
	cfg.MinTracesPerStratumPerMinute = 30
	cfg.Budget.ViolationShare = 0.8
	cfg.Objectives = []Objective{
		{Name: "checkout", Match: Match{Service: "frontend", Route: "hipstershop.CheckoutService/PlaceOrder"}, Latency: &LatencyObjective{Threshold: 4 * time.Second, Target: 0.99}},
		{Name: "add-to-cart", Match: Match{Service: "frontend", Route: "hipstershop.CartService/AddItem"}, Latency: &LatencyObjective{Threshold: 300 * time.Millisecond, Target: 0.99}},
		{Name: "recommendations", Match: Match{Service: "frontend", Route: "hipstershop.RecommendationService/ListRecommendations"}, Latency: &LatencyObjective{Threshold: 4 * time.Second, Target: 0.99}},
	}
	rules := []violationRule{
		{service: "frontend", route: "hipstershop.CheckoutService/PlaceOrder", threshold: 4 * time.Second},
		{service: "frontend", route: "hipstershop.CartService/AddItem", threshold: 300 * time.Millisecond},
		{service: "frontend", route: "hipstershop.RecommendationService/ListRecommendations", threshold: 4 * time.Second},
	}
	res := replay(t, "nezha-onlineboutique-2022-08-22/traces.otlp.jsonl.gz", cfg, rules)
	checkFloors(t, res, 0.02, cfg.Budget.SpansPerSecond)
}

func TestQualityHotROD(t *testing.T) {
	// 120 traces in 36 s: too few for a budget over one-minute windows or
	// for 2% estimates; the other floors apply.
	cfg := DefaultConfig()
	cfg.Budget.SpansPerSecond = 60
	cfg.Objectives = []Objective{
		{Name: "dispatch", Match: Match{Service: "frontend", Route: "/dispatch"}, Latency: &LatencyObjective{Threshold: 1900 * time.Millisecond, Target: 0.9}},
	}
	rules := []violationRule{{service: "frontend", route: "/dispatch", threshold: 1900 * time.Millisecond}}
	res := replay(t, "hotrod/hotrod-v1.76.0-120req.traces.otlp.jsonl.gz", cfg, rules)
	checkFloors(t, res, 0, 0)
}
