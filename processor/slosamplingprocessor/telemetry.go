package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"

import (
	"cmp"
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/internal/metadata"
)

// telemetryObserver turns engine events into the processor's metrics. The
// engine calls it under the processor's lock.
type telemetryObserver struct {
	tb *metadata.TelemetryBuilder
	// decisionOptions caches attribute sets: decisions repeat few combinations.
	decisionOptions map[decisionKey]decisionOptions
	// adjusted, when set, also receives every snapshot (the head_sampling extension's feed).
	adjusted func(s *engine.Snapshot)
}

type decisionKey struct {
	kept                               bool
	reason, trigger, objective, tenant string
}

type decisionOptions struct {
	traces, spans, latency metric.MeasurementOption
}

var _ engine.Observer = (*telemetryObserver)(nil)

func newTelemetryObserver(tb *metadata.TelemetryBuilder) *telemetryObserver {
	return &telemetryObserver{tb: tb, decisionOptions: map[decisionKey]decisionOptions{}}
}

func (o *telemetryObserver) TracesStarted(traces int) {
	o.tb.ProcessorSloSamplingTracesReceived.Add(context.Background(), int64(traces))
}

func (o *telemetryObserver) Decided(d *engine.Decision) {
	ctx := context.Background()
	key := decisionKey{kept: d.Kept, reason: string(d.Reason), trigger: string(d.Trigger), objective: d.Objective, tenant: tenantName(d.Stratum.Tenant)}
	opts, ok := o.decisionOptions[key]
	if !ok {
		decision := attribute.String("decision", "dropped")
		if d.Kept {
			decision = attribute.String("decision", "kept")
		}
		reason, trigger, objective := attribute.String("reason", key.reason), attribute.String("trigger", key.trigger), attribute.String("objective", key.objective)
		tenant := attribute.String("tenant", key.tenant)
		opts = decisionOptions{
			traces:  metric.WithAttributeSet(attribute.NewSet(decision, reason, trigger, objective, tenant)),
			spans:   metric.WithAttributeSet(attribute.NewSet(decision, reason, objective, tenant)),
			latency: metric.WithAttributeSet(attribute.NewSet(trigger)),
		}
		o.decisionOptions[key] = opts
	}
	o.tb.ProcessorSloSamplingTracesDecided.Add(ctx, 1, opts.traces)
	o.tb.ProcessorSloSamplingSpansDecided.Add(ctx, int64(d.Spans), opts.spans)
	o.tb.ProcessorSloSamplingDecisionLatency.Record(ctx, d.Latency.Seconds(), opts.latency)
}

func (o *telemetryObserver) LateSpans(spans int, kept bool) {
	decision := "dropped"
	if kept {
		decision = "kept"
	}
	o.tb.ProcessorSloSamplingLateSpans.Add(context.Background(), int64(spans), metric.WithAttributes(attribute.String("decision", decision)))
}

func (o *telemetryObserver) Refused(spans int, reason engine.RefuseReason) {
	o.refused(spans, string(reason))
}

func (o *telemetryObserver) refused(spans int, reason string) {
	o.tb.ProcessorSloSamplingSpansRefused.Add(context.Background(), int64(spans), metric.WithAttributes(attribute.String("reason", reason)))
}

func (o *telemetryObserver) Adjusted(s *engine.Snapshot) {
	if o.adjusted != nil {
		o.adjusted(s)
	}
	ctx := context.Background()
	o.tb.ProcessorSloSamplingBufferedTraces.Record(ctx, int64(s.BufferedTraces))
	o.tb.ProcessorSloSamplingBufferedBytes.Record(ctx, s.BufferedBytes)
	for _, st := range s.Strata {
		o.tb.ProcessorSloSamplingStratumProbability.Record(ctx, st.Probability, metric.WithAttributes(
			attribute.String("tenant", tenantName(st.Tenant)),
			attribute.String("service", st.Service),
			attribute.String("route", st.Route),
			attribute.String("outcome", st.Outcome.String()),
		))
	}
	for _, tn := range s.Tenants {
		tenant := attribute.String("tenant", tenantName(tn.Name))
		o.tb.ProcessorSloSamplingTenantShare.Record(ctx, tn.ViolationGrant, metric.WithAttributes(tenant, attribute.String("pool", "violation")))
		o.tb.ProcessorSloSamplingTenantShare.Record(ctx, tn.SampledGrant, metric.WithAttributes(tenant, attribute.String("pool", "sampled")))
	}
	o.tb.ProcessorSloSamplingOutputRate.Record(ctx, s.BudgetSpansPerSecond, metric.WithAttributes(attribute.String("rate", "budget")))
	o.tb.ProcessorSloSamplingOutputRate.Record(ctx, s.EstimatedSpansPerSecond, metric.WithAttributes(attribute.String("rate", "estimated")))
	o.tb.ProcessorSloSamplingOutputRate.Record(ctx, s.OutputSpansPerSecond, metric.WithAttributes(attribute.String("rate", "measured")))
	for _, obj := range s.Objectives {
		o.tb.ProcessorSloSamplingBurnRate.Record(ctx, obj.ShortBurnRate, metric.WithAttributes(attribute.String("objective", obj.Name), attribute.String("window", "short")))
		o.tb.ProcessorSloSamplingBurnRate.Record(ctx, obj.LongBurnRate, metric.WithAttributes(attribute.String("objective", obj.Name), attribute.String("window", "long")))
	}
}

// tenantName is the reported name of an engine tenant. The engine bounds
// the tenants at tenants.max_tenants, later ones sharing engine.TenantOverflow, which
// caps the cardinality of the tenant attribute.
func tenantName(tenant string) string { return cmp.Or(tenant, engine.TenantNone) }
