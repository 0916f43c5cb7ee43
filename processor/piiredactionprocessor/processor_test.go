package piiredactionprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/metadatatest"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"
)

func TestProcessorsRedactAndCount(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	core, logs := observer.New(zap.DebugLevel)
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)
	cfg := createDefaultConfig().(*Config)
	cfg.Detectors = map[string]redact.DetectorConfig{"email": {Action: redact.ActionDrop}}
	ctx := context.Background()
	f := NewFactory()

	traceSink := new(consumertest.TracesSink)
	tp, err := f.CreateTraces(ctx, set, cfg, traceSink)
	require.NoError(t, err)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("user.email", "bob@corp.io")
	span.Attributes().PutStr("card", "4111111111111111")
	require.NoError(t, tp.ConsumeTraces(ctx, td))

	logSink := new(consumertest.LogsSink)
	lp, err := f.CreateLogs(ctx, set, cfg, logSink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("paid with 4111111111111111, then 5555 5555 5555 4444")
	require.NoError(t, lp.ConsumeLogs(ctx, ld))

	metricSink := new(consumertest.MetricsSink)
	mp, err := f.CreateMetrics(ctx, set, cfg, metricSink)
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetEmptySum().DataPoints().AppendEmpty().Attributes().PutStr("customer", "alice@corp.io")
	require.NoError(t, mp.ConsumeMetrics(ctx, md))

	for _, c := range []interface{ Shutdown(context.Context) error }{tp, lp, mp} {
		require.NoError(t, c.Shutdown(ctx))
	}

	gotSpan := traceSink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, map[string]any{"card": "****"}, gotSpan.Attributes().AsRaw())
	assert.Equal(t, "paid with ****, then ****", logSink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())
	assert.Equal(t, 0, metricSink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes().Len())

	metadatatest.AssertEqualProcessorPiiRedactionValues(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "traces"), attribute.String("detector", "email"), attribute.String("outcome", "drop"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "traces"), attribute.String("detector", "payment_card"), attribute.String("card_issuer", "visa"), attribute.String("outcome", "mask"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "logs"), attribute.String("detector", "payment_card"), attribute.String("card_issuer", "visa"), attribute.String("outcome", "mask"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "logs"), attribute.String("detector", "payment_card"), attribute.String("card_issuer", "mastercard"), attribute.String("outcome", "mask"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "metrics"), attribute.String("detector", "email"), attribute.String("outcome", "drop"))},
	}, metricdatatest.IgnoreTimestamp())

	assert.Empty(t, logs.All(), "the processor logs nothing per batch, so no value can reach a log line")
}

func TestCreateFailsWithoutKey(t *testing.T) {
	t.Setenv("PII_EMPTY_KEY", "")
	cfg := createDefaultConfig().(*Config)
	cfg.DefaultAction = redact.ActionPseudonym
	cfg.Pseudonym.KeyEnv = "PII_EMPTY_KEY"
	_, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
	assert.ErrorContains(t, err, "pseudonym::key_env: environment variable PII_EMPTY_KEY holds 0 bytes")
}

func TestProcessorAppliesTenantSettings(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := createDefaultConfig().(*Config)
	setTenants(cfg, `tenants: {team-a: {detectors: {payment_card: {action: drop}}}, team-b: {detectors: {payment_card: {enabled: false}}}}`)
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.LogsSink)
	lp, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)

	tenants := []string{"team-a", "team-b", "team-c"}
	ld := plog.NewLogs()
	for _, tenant := range tenants {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("tenant.id", tenant)
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes().PutStr("card", "4111111111111111")
	}
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	require.NoError(t, lp.Shutdown(context.Background()))

	want := []map[string]any{{}, {"card": "4111111111111111"}, {"card": "****"}}
	got := sink.AllLogs()[0].ResourceLogs()
	for i, tenant := range tenants {
		assert.Equal(t, want[i], got.At(i).ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw(), tenant)
	}
	metadatatest.AssertEqualProcessorPiiRedactionValues(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "logs"), attribute.String("detector", "payment_card"), attribute.String("card_issuer", "visa"), attribute.String("outcome", "drop"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("signal", "logs"), attribute.String("detector", "payment_card"), attribute.String("card_issuer", "visa"), attribute.String("outcome", "mask"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestDeprecatedTenantAttributeWarns(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	core, logs := observer.New(zap.WarnLevel)
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)
	cfg := createDefaultConfig().(*Config)
	cfg.Pseudonym.TenantAttribute = "team"
	require.NoError(t, cfg.Validate())
	_, err := NewFactory().CreateLogs(context.Background(), set, cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	require.Equal(t, 1, logs.Len())
	assert.Equal(t, "pii_redaction: pseudonym.tenant_attribute is deprecated; set the top-level tenant_attribute instead", logs.All()[0].Message)
}
