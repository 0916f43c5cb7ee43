package slosamplingprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

func TestTelemetryNamesTheTenant(t *testing.T) {
	cfg := shopConfig()
	cfg.Tenants.Attribute = "tenant.id"
	cfg.Tenants.MaxTenants = 1
	p, tel, clock := newTestSampler(t, cfg, consumertest.NewNop())
	ctx := context.Background()
	for id, tenant := range []string{"team-a", "team-b", ""} { // team-b is beyond max_tenants
		td := checkoutTrace(byte(id+1), time.Millisecond)
		if tenant != "" {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("tenant.id", tenant)
		}
		require.NoError(t, p.ConsumeTraces(ctx, td))
	}
	clock.now = start.Add(3 * time.Second)
	p.advance(ctx) // decides the traces
	clock.now = start.Add(4 * time.Second)
	p.advance(ctx) // adjusts with their strata known

	for _, tenant := range []string{"team-a", engine.TenantOverflow, engine.TenantNone} {
		assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_traces_decided", attribute.String("tenant", tenant)), tenant)
		assert.Equal(t, int64(1), sumOf(t, tel, "otelcol_processor_slo_sampling_spans_decided", attribute.String("tenant", tenant)), tenant)
	}
	tenantsOf := func(metric string) map[string]int {
		m, err := tel.GetMetric(metric)
		require.NoError(t, err)
		seen := map[string]int{}
		for _, dp := range m.Data.(metricdata.Gauge[float64]).DataPoints {
			v, _ := dp.Attributes.Value("tenant")
			seen[v.AsString()]++
		}
		return seen
	}
	assert.Equal(t, map[string]int{"team-a": 1, engine.TenantOverflow: 1, engine.TenantNone: 1}, tenantsOf("otelcol_processor_slo_sampling_stratum_probability"))
	assert.Equal(t, map[string]int{"team-a": 2, engine.TenantOverflow: 2, engine.TenantNone: 2}, tenantsOf("otelcol_processor_slo_sampling_tenant_share"), "violation and sampled pools")
	require.NoError(t, p.Shutdown(ctx))
}
