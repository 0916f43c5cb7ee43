package tenantauthextension

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/extension/tenantauthextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/cardinality"
)

// noTenant labels refusals of requests whose credential is not known.
const noTenant = "_none"

// labelPeriod is how often the tenants that keep their own label are re-ranked.
const labelPeriod = time.Minute

type telemetry struct {
	builder *metadata.TelemetryBuilder
	labeler *cardinality.Labeler
}

var (
	reloadSucceeded = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "success")))
	reloadFailed    = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "failure")))
)

func newTelemetry(set component.TelemetrySettings, tenantLimit int) (*telemetry, error) {
	builder, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{builder: builder, labeler: cardinality.NewLabeler(tenantLimit, labelPeriod, time.Now)}, nil
}

func (t *telemetry) label(tenant string) string {
	if tenant == noTenant {
		return noTenant
	}
	return t.labeler.Label(tenant)
}

func (t *telemetry) authenticated(tenant string) {
	t.builder.ExtensionTenantAuthRequestsAuthenticated.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.label(tenant))))
}

func (t *telemetry) refused(tenant string, reason refusal) {
	t.builder.ExtensionTenantAuthRequestsRefused.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.label(tenant)), attribute.String("reason", string(reason))))
}

func (t *telemetry) quarantined(tenant string) {
	t.builder.ExtensionTenantAuthRequestsQuarantined.Add(context.Background(), 1,
		metric.WithAttributes(attribute.String("tenant", t.label(tenant))))
}

func (t *telemetry) reloaded(ok bool) {
	attrs := reloadFailed
	if ok {
		attrs = reloadSucceeded
	}
	t.builder.ExtensionTenantAuthReloads.Add(context.Background(), 1, attrs)
}

func (t *telemetry) shutdown() { t.builder.Shutdown() }
