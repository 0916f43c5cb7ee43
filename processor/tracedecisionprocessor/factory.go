package tracedecisionprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/tailwise/tailwise/processor/tracedecisionprocessor/internal/metadata"
)

// NewFactory returns the factory of the trace_decision processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(metadata.Type, createDefaultConfig,
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability))
}

func createLogs(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	c := cfg.(*Config)
	b, err := newBase(set, c)
	if err != nil {
		return nil, err
	}
	retain, _ := severityOf(c.Logs.RetainSeverity)
	keep, _ := severityOf(c.Logs.KeepSeverity)
	return &logsProcessor{base: b, next: next, retainSev: retain, keepSev: keep}, nil
}

func createMetrics(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	b, err := newBase(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return &metricsProcessor{base: b, next: next}, nil
}

func (p *logsProcessor) Start(ctx context.Context, host component.Host) error {
	if err := p.start(ctx, host); err != nil {
		return err
	}
	if p.cfg.Logs.WAL.Enabled() {
		if err := p.recover(ctx, host); err != nil {
			return err
		}
	}
	p.startLoop()
	return nil
}

func (p *metricsProcessor) Start(ctx context.Context, host component.Host) error {
	return p.start(ctx, host)
}
