package recordexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tailwise/tailwise/exporter/recordexporter/internal/metadata"
	"github.com/tailwise/tailwise/internal/sharedcomponent"
)

// NewFactory returns the factory of the record exporter.
func NewFactory() exporter.Factory {
	f := &factory{}
	return exporter.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithTraces(f.createTraces, metadata.TracesStability),
		exporter.WithMetrics(f.createMetrics, metadata.MetricsStability),
		exporter.WithLogs(f.createLogs, metadata.LogsStability),
	)
}

// factory hands out one recorder per component ID, so that the pipelines of every signal write
// to the same file in arrival order.
type factory struct {
	recorders sharedcomponent.Components[*recorder]
}

func (f *factory) get(set exporter.Settings, cfg component.Config) *recorder {
	return f.recorders.Get(set.ID, func(forget func()) *recorder {
		return newRecorder(set, cfg.(*Config), forget)
	})
}

func options(r *recorder) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(r.start),
		exporterhelper.WithShutdown(r.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	}
}

func (f *factory) createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	r := f.get(set, cfg)
	return exporterhelper.NewTraces(ctx, set, cfg, r.writeTraces, options(r)...)
}

func (f *factory) createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	r := f.get(set, cfg)
	return exporterhelper.NewMetrics(ctx, set, cfg, r.writeMetrics, options(r)...)
}

func (f *factory) createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	r := f.get(set, cfg)
	return exporterhelper.NewLogs(ctx, set, cfg, r.writeLogs, options(r)...)
}
