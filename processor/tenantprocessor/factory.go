package tenantprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadata"
)

// NewFactory returns the factory of the tenant processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

type tracesProcessor struct {
	*tenantProcessor
	consumer.ConsumeTracesFunc
}

type logsProcessor struct {
	*tenantProcessor
	consumer.ConsumeLogsFunc
}

type metricsProcessor struct {
	*tenantProcessor
	consumer.ConsumeMetricsFunc
}

func createTraces(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newTenantProcessor(cfg.(*Config), set.TelemetrySettings, signalTraces)
	if err != nil {
		return nil, err
	}
	return tracesProcessor{p, p.consumeTraces(next)}, nil
}

func createLogs(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newTenantProcessor(cfg.(*Config), set.TelemetrySettings, signalLogs)
	if err != nil {
		return nil, err
	}
	return logsProcessor{p, p.consumeLogs(next)}, nil
}

func createMetrics(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := newTenantProcessor(cfg.(*Config), set.TelemetrySettings, signalMetrics)
	if err != nil {
		return nil, err
	}
	return metricsProcessor{p, p.consumeMetrics(next)}, nil
}
