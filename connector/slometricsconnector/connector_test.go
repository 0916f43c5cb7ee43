package slometricsconnector

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/connector/slometricsconnector/internal/metadata"
	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/extension/tracedecisionextension/tracedecisiontest"
	"github.com/tailwise/tailwise/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
	for _, c := range []struct {
		name    string
		check   func(*Config) bool
		wantErr []string
	}{
		{name: "", check: func(c *Config) bool {
			return c.Decisions.String() == "trace_decisions" && c.FlushInterval == 15*time.Second && len(c.Buckets) == 11 && c.Namespace == "slo"
		}},
		{name: "custom", check: func(c *Config) bool {
			return c.Decisions.String() == "trace_decisions/gateway" && strings.Join(c.RouteAttributes, ",") == "http.route,rpc.method" &&
				len(c.Buckets) == 3 && c.Buckets[1] == 200*time.Millisecond && c.MaxSeries == 500 && c.Namespace == "shop" &&
				c.Exemplars.CandidatesPerBucket == 2 && c.Exemplars.MaxWait == 90*time.Second
		}},
		{name: "bad", wantErr: []string{"decisions: name the trace_decisions", "buckets: [1s 200ms] must be strictly increasing",
			"flush_interval: 0s must be positive", "max_series: 0", "exemplars::candidates_per_bucket: 0", "exemplars::max_wait: -1s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			err := configtest.Load(t, component.NewIDWithName(metadata.Type, c.name), cfg)
			if len(c.wantErr) > 0 {
				configtest.ErrorSays(t, err, c.wantErr...)
			}
			if c.check != nil && (err != nil || !c.check(cfg)) {
				t.Errorf("config %+v, error %v", cfg, err)
			}
		})
	}
}

// entryTrace is one trace of the cart service: a server span (the entry) and a client child.
func entryTrace(td ptrace.Traces, route string, id byte, ms int, failed bool) pcommon.TraceID {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "cart")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	tid := pcommon.TraceID{id, 1}
	start := time.Unix(1700000000, 0)
	root := spans.AppendEmpty()
	root.SetTraceID(tid)
	root.SetSpanID(pcommon.SpanID{id, 1})
	root.SetKind(ptrace.SpanKindServer)
	root.SetName(route)
	root.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	root.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(ms) * time.Millisecond)))
	if failed {
		root.Attributes().PutInt("http.response.status_code", 503)
	}
	child := spans.AppendEmpty()
	child.SetTraceID(tid)
	child.SetSpanID(pcommon.SpanID{id, 2})
	child.SetParentSpanID(root.SpanID())
	child.SetKind(ptrace.SpanKindClient)
	child.SetName("SELECT")
	child.SetStartTimestamp(root.StartTimestamp())
	child.SetEndTimestamp(root.StartTimestamp())
	return tid
}

func TestExactCountsAndExemplarsOnlyOfKeptTraces(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Decisions = component.MustNewID("trace_decisions")
	cfg.Buckets = []time.Duration{100 * time.Millisecond, time.Second}
	cfg.FlushInterval = time.Hour // flushed by hand
	cfg.Exemplars.MaxWait = 2 * time.Hour
	cfg.InstanceID = "gateway-1"
	sink := &consumertest.MetricsSink{}
	conn, err := NewFactory().CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*sloMetrics)
	clock := time.Unix(1800000000, 0)
	c.now = func() time.Time { return clock }
	reg := tracedecisiontest.NewRegistry(nil)
	if err := c.Start(context.Background(), tracedecisiontest.Host{cfg.Decisions: reg}); err != nil {
		t.Fatal(err)
	}

	td := ptrace.NewTraces()
	kept := entryTrace(td, "GET /cart", 1, 50, false)
	dropped := entryTrace(td, "GET /cart", 2, 60, false)
	pending := entryTrace(td, "GET /cart", 3, 500, false)
	unknown := entryTrace(td, "GET /cart", 4, 2000, false)
	failedKept := entryTrace(td, "POST /cart", 5, 20, true)
	reg.Set(kept, tracedecisionextension.Kept)
	reg.Set(dropped, tracedecisionextension.Dropped)
	reg.Set(pending, tracedecisionextension.Pending)
	reg.Set(failedKept, tracedecisionextension.Kept)
	if err := c.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}

	c.flush(context.Background())
	if v, _ := sink.AllMetrics()[0].ResourceMetrics().At(0).Resource().Attributes().Get("service.instance.id"); v.Str() != "gateway-1" {
		t.Errorf("service.instance.id %q, want gateway-1", v.Str())
	}
	got := exemplarTraces(t, sink.AllMetrics()[0])
	if got != "GET /cart:"+kept.String()+" POST /cart:"+failedKept.String() {
		t.Fatalf("first flush exemplars %q, want only the kept traces", got)
	}
	checkCounts(t, sink.AllMetrics()[0], map[string]int64{"GET /cart false": 4, "POST /cart true": 1},
		map[string][]uint64{"GET /cart false": {2, 1, 1}, "POST /cart true": {1, 0, 0}})

	// The pending trace is kept later and joins the exemplars, which stay until replaced; the
	// unknown one never gets a decision and never shows.
	reg.Set(pending, tracedecisionextension.Kept)
	clock = clock.Add(time.Hour)
	c.flush(context.Background())
	all := "GET /cart:" + kept.String() + " GET /cart:" + pending.String() + " POST /cart:" + failedKept.String()
	if got := exemplarTraces(t, sink.AllMetrics()[1]); got != all {
		t.Fatalf("second flush exemplars %q, want %q", got, all)
	}
	clock = clock.Add(2 * time.Hour)
	c.flush(context.Background())
	if got := exemplarTraces(t, sink.AllMetrics()[2]); got != all {
		t.Fatalf("third flush exemplars %q, want %q: the undecided candidate expired", got, all)
	}
	// A newer kept trace in a bucket replaces the bucket's exemplar.
	td = ptrace.NewTraces()
	newer := entryTrace(td, "GET /cart", 6, 40, false)
	reg.Set(newer, tracedecisionextension.Kept)
	if err := c.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	c.flush(context.Background())
	all = "GET /cart:" + pending.String() + " GET /cart:" + newer.String() + " POST /cart:" + failedKept.String()
	if got := exemplarTraces(t, sink.AllMetrics()[3]); got != all {
		t.Fatalf("fourth flush exemplars %q, want %q", got, all)
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reg.Fate(unknown) != tracedecisionextension.Unknown {
		t.Fatal("the test's unknown trace must stay unknown")
	}
}

// exemplarTraces lists "route:trace" of every exemplar, in series order.
func exemplarTraces(t *testing.T, md pmetric.Metrics) string {
	t.Helper()
	var out []string
	for _, dp := range histogramPoints(md) {
		for _, ex := range dp.Exemplars().All() {
			r, _ := dp.Attributes().Get("route")
			out = append(out, r.Str()+":"+ex.TraceID().String())
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func histogramPoints(md pmetric.Metrics) []pmetric.HistogramDataPoint {
	var out []pmetric.HistogramDataPoint
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Type() == pmetric.MetricTypeHistogram {
					for _, dp := range m.Histogram().DataPoints().All() {
						out = append(out, dp)
					}
				}
			}
		}
	}
	return out
}

// checkCounts compares the request counts and duration buckets per "route error" series.
func checkCounts(t *testing.T, md pmetric.Metrics, requests map[string]int64, buckets map[string][]uint64) {
	t.Helper()
	key := func(attrs pcommon.Map) string {
		r, _ := attrs.Get("route")
		e, _ := attrs.Get("error")
		return r.Str() + " " + e.AsString()
	}
	gotReq := map[string]int64{}
	for _, rm := range md.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() == "slo.requests" {
				for _, dp := range m.Sum().DataPoints().All() {
					gotReq[key(dp.Attributes())] = dp.IntValue()
				}
			}
		}
	}
	for k, want := range requests {
		if gotReq[k] != want {
			t.Errorf("requests %q = %d, want %d (all: %v)", k, gotReq[k], want, gotReq)
		}
	}
	for _, dp := range histogramPoints(md) {
		want := buckets[key(dp.Attributes())]
		got := dp.BucketCounts().AsRaw()
		if len(got) != len(want) {
			t.Errorf("buckets %q = %v, want %v", key(dp.Attributes()), got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("buckets %q = %v, want %v", key(dp.Attributes()), got, want)
				break
			}
		}
	}
}

func TestTenantsKeepTheirOwnSeries(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Decisions = component.MustNewID("trace_decisions")
	sink := &consumertest.MetricsSink{}
	conn, err := NewFactory().CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*sloMetrics)
	if err := c.Start(context.Background(), tracedecisiontest.Host{cfg.Decisions: tracedecisiontest.NewRegistry(nil)}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Shutdown(context.Background()) }()
	td := ptrace.NewTraces()
	for i, tenant := range []string{"team-a", "team-b", "team-a"} {
		entryTrace(td, "GET /cart", byte(i+1), 10, false)
		td.ResourceSpans().At(i).Resource().Attributes().PutStr("tenant.id", tenant)
	}
	if err := c.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	c.flush(context.Background())
	got := map[string]int64{}
	for _, rm := range sink.AllMetrics()[0].ResourceMetrics().All() {
		tenant, _ := rm.Resource().Attributes().Get("tenant.id")
		dp := rm.ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0)
		got[tenant.Str()] += dp.IntValue()
		if label, _ := dp.Attributes().Get("tenant.id"); label.Str() != tenant.Str() {
			t.Errorf("data point of tenant %q labelled tenant.id=%q", tenant.Str(), label.Str())
		}
	}
	if len(got) != 2 || got["team-a"] != 2 || got["team-b"] != 1 {
		t.Errorf("requests by tenant %v, want team-a 2 and team-b 1 on their own resources", got)
	}
}
