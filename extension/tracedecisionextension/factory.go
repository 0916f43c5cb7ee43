package tracedecisionextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/tailwise/tailwise/extension/tracedecisionextension/internal/metadata"
)

// NewFactory returns the factory of the trace_decisions extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, func() component.Config { return &Config{} }, create, metadata.ExtensionStability)
}

func create(_ context.Context, set extension.Settings, _ component.Config) (extension.Extension, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &decisionsExtension{registry: newRegistry(telemetryObserver{tb}), telemetry: tb}, nil
}
