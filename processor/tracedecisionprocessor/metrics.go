package tracedecisionprocessor

import (
	"context"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// metricsProcessor removes exemplars whose trace was not kept, so that every exemplar link
// resolves to a trace in the tracing backend.
type metricsProcessor struct {
	*base
	next consumer.Metrics
}

func (p *metricsProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (p *metricsProcessor) Shutdown(context.Context) error { return p.shutdown() }

func (p *metricsProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	var counts [4][3]int64
	filter := func(exs pmetric.ExemplarSlice) {
		exs.RemoveIf(func(ex pmetric.Exemplar) bool {
			fate := fateIndexNoTrace
			if !ex.TraceID().IsEmpty() {
				fate = fateIndex(p.registry.Fate(ex.TraceID()))
			}
			drop := fate == fateIndexDropped || fate == fateIndexUndecided && p.cfg.Metrics.UndecidedExemplars == actionDrop
			action := actionIndexForwarded
			if drop {
				action = actionIndexDropped
			}
			counts[fate][action]++
			return drop
		})
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					for _, dp := range m.Gauge().DataPoints().All() {
						filter(dp.Exemplars())
					}
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						filter(dp.Exemplars())
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						filter(dp.Exemplars())
					}
				case pmetric.MetricTypeExponentialHistogram:
					for _, dp := range m.ExponentialHistogram().DataPoints().All() {
						filter(dp.Exemplars())
					}
				}
			}
		}
	}
	for f := range counts {
		for a, n := range counts[f] {
			if n > 0 {
				p.telemetry.ProcessorTraceDecisionExemplars.Add(ctx, n, fateActionAttrs[f][a])
			}
		}
	}
	return p.next.ConsumeMetrics(ctx, md)
}
