package slometricsconnector

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/connector/slometricsconnector/internal/metadata"
	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/internal/periodic"
)

type sloMetrics struct {
	cfg       *Config
	set       connector.Settings
	next      consumer.Metrics
	telemetry *metadata.TelemetryBuilder

	mu      sync.Mutex
	agg     *aggregator
	started pcommon.Timestamp

	instance string
	registry tracedecisionextension.Registry
	flushes  *periodic.Loop
	now      func() time.Time
}

func newSLOMetrics(set connector.Settings, cfg *Config, next consumer.Metrics) (*sloMetrics, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &sloMetrics{cfg: cfg, set: set, next: next, telemetry: tb, agg: newAggregator(cfg), now: time.Now}, nil
}

func (c *sloMetrics) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *sloMetrics) Start(_ context.Context, host component.Host) error {
	reg, err := tracedecisionextension.Find(host, c.cfg.Decisions)
	if err != nil {
		return err
	}
	c.registry = reg
	if c.instance = c.cfg.InstanceID; c.instance == "" {
		if c.instance, err = os.Hostname(); err != nil {
			return fmt.Errorf("instance_id: not set and the host name is unknown (%w); set it, e.g. instance_id: ${env:POD_NAME}", err)
		}
	}
	c.started = pcommon.NewTimestampFromTime(c.now())
	// A flush in progress at Shutdown finishes exporting.
	c.flushes = periodic.Start(c.cfg.FlushInterval, func(ctx context.Context) { c.flush(context.WithoutCancel(ctx)) })
	return nil
}

// Shutdown stops the periodic flushes and flushes once more.
func (c *sloMetrics) Shutdown(ctx context.Context) error {
	if c.flushes != nil {
		c.flushes.Stop()
		c.flushes = nil
		c.flush(ctx)
	}
	c.telemetry.Shutdown()
	return nil
}

// ConsumeTraces counts the entry spans: server and consumer spans, and roots of any kind.
func (c *sloMetrics) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	seen := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range td.ResourceSpans().All() {
		res := resource{service: "unknown_service"}
		attrs := rs.Resource().Attributes()
		if v, ok := attrs.Get("service.name"); ok {
			res.service = v.AsString()
		}
		if v, ok := attrs.Get(c.cfg.TenantAttribute); ok && c.cfg.TenantAttribute != "" {
			res.tenant = v.AsString()
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				kind := sp.Kind()
				if kind != ptrace.SpanKindServer && kind != ptrace.SpanKindConsumer && !sp.ParentSpanID().IsEmpty() {
					continue
				}
				end := sp.EndTimestamp()
				ms := float64(int64(end)-int64(sp.StartTimestamp())) / 1e6
				if ms < 0 {
					ms = 0
				}
				c.agg.add(seriesKey{resource: res, route: c.route(sp), failed: failed(sp)},
					candidate{traceID: sp.TraceID(), spanID: sp.SpanID(), ms: ms, at: end, seen: seen})
			}
		}
	}
	return nil
}

func (c *sloMetrics) route(sp ptrace.Span) string {
	for _, k := range c.cfg.RouteAttributes {
		if v, ok := sp.Attributes().Get(k); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return sp.Name()
}

// failed: status ERROR, or an HTTP server answer 5xx.
func failed(sp ptrace.Span) bool {
	if sp.Status().Code() == ptrace.StatusCodeError {
		return true
	}
	for _, k := range []string{"http.response.status_code", "http.status_code"} {
		if v, ok := sp.Attributes().Get(k); ok {
			code := v.Int()
			if v.Type() == pcommon.ValueTypeStr {
				n, _ := strconv.Atoi(v.Str())
				code = int64(n)
			}
			return code >= 500 && code < 600
		}
	}
	return false
}

func (c *sloMetrics) flush(ctx context.Context) {
	c.mu.Lock()
	o := c.agg.settle(c.registry.Fate, c.now())
	md := c.render(pcommon.NewTimestampFromTime(c.now()))
	overflowed := c.agg.overflowed
	c.agg.overflowed = 0
	nSeries := int64(len(c.agg.series))
	c.mu.Unlock()

	for outcome, n := range map[string]int64{"attached": o.attached, "trace_dropped": o.dropped, "expired": o.expired, "evicted": o.evicted} {
		if n > 0 {
			c.telemetry.ConnectorSloMetricsExemplarCandidates.Add(ctx, n,
				metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", outcome))))
		}
	}
	c.telemetry.ConnectorSloMetricsSeries.Record(ctx, nSeries)
	c.telemetry.ConnectorSloMetricsSeriesOverflow.Add(ctx, overflowed)
	if md.DataPointCount() == 0 {
		return
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		c.set.Logger.Warn("Exporting SLO metrics failed; the next flush carries the cumulative values", zap.Error(err))
	}
}

// render writes every series as cumulative metrics, grouped by service, with each bucket's
// latest exemplar of a kept trace.
func (c *sloMetrics) render(now pcommon.Timestamp) pmetric.Metrics {
	md := pmetric.NewMetrics()
	byResource := map[resource]servicePoints{}
	for key, s := range c.agg.series {
		points, ok := byResource[key.resource]
		if !ok {
			points = c.appendResourceMetrics(md, key.resource)
			byResource[key.resource] = points
		}
		dp := points.requests.AppendEmpty()
		c.pointAttributes(dp.Attributes(), key)
		dp.SetStartTimestamp(c.started)
		dp.SetTimestamp(now)
		dp.SetIntValue(int64(s.count))

		hp := points.durations.AppendEmpty()
		c.pointAttributes(hp.Attributes(), key)
		hp.SetStartTimestamp(c.started)
		hp.SetTimestamp(now)
		hp.SetCount(s.count)
		hp.SetSum(s.sumMs)
		hp.ExplicitBounds().FromRaw(c.agg.boundsMs)
		hp.BucketCounts().FromRaw(s.buckets)
		for _, e := range s.exemplars {
			if e.traceID.IsEmpty() {
				continue
			}
			ex := hp.Exemplars().AppendEmpty()
			ex.SetTraceID(e.traceID)
			ex.SetSpanID(e.spanID)
			ex.SetDoubleValue(e.ms)
			ex.SetTimestamp(e.at)
		}
	}
	return md
}

// servicePoints are the data points of one resource's two metrics.
type servicePoints struct {
	requests  pmetric.NumberDataPointSlice
	durations pmetric.HistogramDataPointSlice
}

// appendResourceMetrics adds a tenant's service's resource with its empty requests sum and
// duration histogram, and returns their data point slices.
func (c *sloMetrics) appendResourceMetrics(md pmetric.Metrics, res resource) (points servicePoints) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", res.service)
	if res.tenant != "" {
		rm.Resource().Attributes().PutStr(c.cfg.TenantAttribute, res.tenant)
	}
	rm.Resource().Attributes().PutStr("service.instance.id", c.instance)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("github.com/tailwise/tailwise/connector/slometricsconnector")
	req := sm.Metrics().AppendEmpty()
	req.SetName(c.cfg.Namespace + ".requests")
	req.SetDescription("Requests served, by route and whether they failed.")
	req.SetUnit("{request}")
	sum := req.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dur := sm.Metrics().AppendEmpty()
	dur.SetName(c.cfg.Namespace + ".request.duration")
	dur.SetDescription("Duration of the requests' entry spans.")
	dur.SetUnit("ms")
	h := dur.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	points.requests, points.durations = sum.DataPoints(), h.DataPoints()
	return points
}

// pointAttributes labels a data point with its route and outcome, and with its tenant so that
// tenants' series stay apart where they meet (a shared scrape endpoint or Prometheus).
func (c *sloMetrics) pointAttributes(m pcommon.Map, key seriesKey) {
	if key.tenant != "" {
		m.PutStr(c.cfg.TenantAttribute, key.tenant)
	}
	m.PutStr("route", key.route)
	m.PutBool("error", key.failed)
}
