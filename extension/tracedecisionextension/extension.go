package tracedecisionextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/extension/tracedecisionextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/hostext"
)

type decisionsExtension struct {
	*registry
	telemetry *metadata.TelemetryBuilder
}

var _ Registry = (*decisionsExtension)(nil)

func (*decisionsExtension) Start(context.Context, component.Host) error { return nil }

func (e *decisionsExtension) Shutdown(context.Context) error {
	e.telemetry.Shutdown()
	return nil
}

// Find returns the registry of the trace_decisions extension with the given ID, for the
// components that use it (their config names the extension, as `decisions: trace_decisions`).
func Find(host component.Host, id component.ID) (Registry, error) {
	return hostext.Find[Registry](host, id, "trace_decisions")
}

type telemetryObserver struct{ tb *metadata.TelemetryBuilder }

var (
	answerAttrs = [...]metric.MeasurementOption{
		Unknown: metric.WithAttributeSet(attribute.NewSet(attribute.String("answer", "unknown"))),
		Pending: metric.WithAttributeSet(attribute.NewSet(attribute.String("answer", "pending"))),
		Kept:    metric.WithAttributeSet(attribute.NewSet(attribute.String("answer", "kept"))),
		Dropped: metric.WithAttributeSet(attribute.NewSet(attribute.String("answer", "dropped"))),
	}
	keptAttrs    = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "kept")))
	droppedAttrs = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "dropped")))
)

func (o telemetryObserver) looked(f Fate) {
	o.tb.ExtensionTraceDecisionsLookups.Add(context.Background(), 1, answerAttrs[f])
}

func (o telemetryObserver) published(kept bool) {
	attrs := droppedAttrs
	if kept {
		attrs = keptAttrs
	}
	o.tb.ExtensionTraceDecisionsPublished.Add(context.Background(), 1, attrs)
}
