package tenantprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/filepoll"
	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadata"
)

type telemetry struct {
	builder *metadata.TelemetryBuilder
	labeler *cardinality.Labeler
	signal  attribute.KeyValue
}

func newTelemetry(set component.TelemetrySettings, sig signal, tenantLimit int) (*telemetry, error) {
	builder, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{
		builder: builder,
		labeler: cardinality.NewLabeler(tenantLimit, cardinality.LabelPeriod, time.Now),
		signal:  attribute.String("signal", sig.String()),
	}, nil
}

func (t *telemetry) tenantAttrs(tenant string, extra ...attribute.KeyValue) metric.MeasurementOption {
	return metric.WithAttributes(append([]attribute.KeyValue{attribute.String("tenant", t.labeler.Label(tenant)), t.signal}, extra...)...)
}

func (t *telemetry) accepted(tenant string, items, bytes int) {
	attrs := t.tenantAttrs(tenant)
	t.builder.ProcessorTenantItemsAccepted.Add(context.Background(), int64(items), attrs)
	t.builder.ProcessorTenantBytesAccepted.Add(context.Background(), int64(bytes), attrs)
}

func (t *telemetry) refused(tenant string, items int, why reason) {
	t.builder.ProcessorTenantItemsRefused.Add(context.Background(), int64(items),
		t.tenantAttrs(tenant, attribute.String("reason", string(why))))
}

func (t *telemetry) quarantined(tenant string, resources int) {
	t.builder.ProcessorTenantResourcesQuarantined.Add(context.Background(), int64(resources), t.tenantAttrs(tenant))
}

func (t *telemetry) tracked(delta int64) {
	t.builder.ProcessorTenantTenantsTracked.Add(context.Background(), delta, metric.WithAttributes(t.signal))
}

func (t *telemetry) reloaded(ok bool) {
	t.builder.ProcessorTenantOverridesReloads.Add(context.Background(), 1, filepoll.Outcome(ok))
}

func (t *telemetry) shutdown() { t.builder.Shutdown() }
