package tenantauthextension

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/extension/tenantauthextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/filepoll"
)

type telemetry struct {
	builder *metadata.TelemetryBuilder
	labeler *cardinality.Labeler
}

func newTelemetry(set component.TelemetrySettings, tenantLimit int) (*telemetry, error) {
	builder, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{builder: builder, labeler: cardinality.NewLabeler(tenantLimit, cardinality.LabelPeriod, time.Now)}, nil
}

func (t *telemetry) authenticated(tenant string) {
	t.builder.ExtensionTenantAuthRequestsAuthenticated.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.labeler.Label(tenant))))
}

func (t *telemetry) refused(tenant string, reason refusal) {
	t.builder.ExtensionTenantAuthRequestsRefused.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.labeler.Label(tenant)), attribute.String("reason", string(reason))))
}

func (t *telemetry) quarantined(tenant string) {
	t.builder.ExtensionTenantAuthRequestsQuarantined.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.labeler.Label(tenant))))
}

func (t *telemetry) reloaded(ok bool) {
	t.builder.ExtensionTenantAuthReloads.Add(context.Background(), 1, filepoll.Outcome(ok))
}

func (t *telemetry) shutdown() { t.builder.Shutdown() }
