package tracecontextprocessor // import "github.com/tailwise/tailwise/processor/tracecontextprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/metadata"
)

// NewFactory returns the factory of the trace_context processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Sources:            []string{SourceAttributes, SourceBody},
		TraceIDKeys:        []string{"trace_id", "traceId", "trace.id", "otelTraceID"},
		SpanIDKeys:         []string{"span_id", "spanId", "span.id", "otelSpanID"},
		TraceFlagsKeys:     []string{"trace_flags", "traceFlags", "trace.flags", "otelTraceSampled"},
		DatadogTraceIDKeys: []string{"dd.trace_id"},
		DatadogSpanIDKeys:  []string{"dd.span_id"},
		Formats: FormatsConfig{
			W3C: true, B3: true, Jaeger: true, XRay: true, KeyValue: true, Sleuth: true, Datadog: true,
		},
	}
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newLogsProcessor(set.TelemetrySettings, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(p.shutdown))
}
