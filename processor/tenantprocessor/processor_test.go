package tenantprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/internal/tenantid"
	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadatatest"
)

// testAuth is the client.Info.Auth the tenant_auth extension sets.
type testAuth map[string]any

func (a testAuth) GetAttribute(name string) any { return a[name] }

func (a testAuth) GetAttributeNames() []string {
	names := make([]string, 0, len(a))
	for name := range a {
		names = append(names, name)
	}
	return names
}

func authenticated(tenant string, mayClaim ...string) context.Context {
	return client.NewContext(context.Background(), client.Info{
		Auth: testAuth{tenantid.AttributeTenant: tenant, tenantid.AttributeTenants: append([]string{tenant}, mayClaim...)},
	})
}

// traces returns a request with one resource per namespace, each with spansPer spans.
func traces(spansPer int, namespaces ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, ns := range namespaces {
		rs := td.ResourceSpans().AppendEmpty()
		if ns != "" {
			rs.Resource().Attributes().PutStr("service.namespace", ns)
		}
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for range spansPer {
			spans.AppendEmpty().SetName("op")
		}
	}
	return td
}

type tracesRun struct {
	processor processor.Traces
	sink      *tenantSink
	tel       *componenttest.Telemetry
}

// tenantSink records each request it receives with the tenant of its context.
type tenantSink struct {
	consumertest.TracesSink
	tenants []string
}

func (s *tenantSink) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	s.tenants = append(s.tenants, client.FromContext(ctx).Metadata.Get("X-Scope-OrgID")...)
	return s.TracesSink.ConsumeTraces(ctx, td)
}

func startTraces(t *testing.T, cfg *Config) tracesRun {
	t.Helper()
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	sink := &tenantSink{}
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return tracesRun{processor: p, sink: sink, tel: tel}
}

func resourceTenants(td ptrace.Traces) []string {
	var tenants []string
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		v, _ := td.ResourceSpans().At(i).Resource().Attributes().Get("tenant.id")
		tenants = append(tenants, v.Str())
	}
	return tenants
}

func TestTenantPrecedence(t *testing.T) {
	trusted := func(c *Config) { c.TrustedResourceAttribute = "service.namespace" }
	tests := []struct {
		name       string
		modify     func(*Config)
		ctx        context.Context
		namespaces []string
		wantCode   codes.Code
		// wantRequests lists the tenants of the requests passed on, with the tenant.id of
		// their resources.
		wantRequests map[string][]string
	}{
		{name: "authenticated tenant", ctx: authenticated("team-a"), namespaces: []string{"", "x"},
			wantRequests: map[string][]string{"team-a": {"team-a", "team-a"}}},
		{name: "resource attribute not trusted by default", ctx: authenticated("team-a", "team-b"), namespaces: []string{"team-b"},
			wantRequests: map[string][]string{"team-a": {"team-a"}}},
		{name: "trusted attribute the credential may claim", modify: trusted, ctx: authenticated("relay", "team-a", "team-b"), namespaces: []string{"team-b"},
			wantRequests: map[string][]string{"team-b": {"team-b"}}},
		{name: "mixed batch is split", modify: trusted, ctx: authenticated("relay", "team-a", "team-b"), namespaces: []string{"team-a", "team-b", "", "team-a"},
			wantRequests: map[string][]string{"team-a": {"team-a", "team-a"}, "team-b": {"team-b"}, "relay": {"relay"}}},
		{name: "spoofing attribute is refused", modify: trusted, ctx: authenticated("team-a"), namespaces: []string{"team-a", "team-b"},
			wantCode: codes.PermissionDenied},
		{name: "spoofing attribute is quarantined", modify: func(c *Config) {
			trusted(c)
			c.OnClaimMismatch = ActionQuarantine
		}, ctx: authenticated("team-a"), namespaces: []string{"team-a", "team-b"},
			wantRequests: map[string][]string{"team-a": {"team-a"}, "quarantine": {"quarantine"}}},
		{name: "no tenant is refused", ctx: context.Background(), namespaces: []string{""}, wantCode: codes.PermissionDenied},
		{name: "no tenant goes to the default tenant", modify: func(c *Config) { c.DefaultTenant = "shared" },
			ctx: context.Background(), namespaces: []string{""}, wantRequests: map[string][]string{"shared": {"shared"}}},
		{name: "auth data of another authenticator", modify: func(c *Config) { c.DefaultTenant = "shared" },
			ctx: client.NewContext(context.Background(), client.Info{Auth: testAuth{"subject": "alice"}}), namespaces: []string{""},
			wantRequests: map[string][]string{"shared": {"shared"}}},
		{name: "in-process request takes the stamped tenant", modify: func(c *Config) { c.UnauthenticatedResourceAttribute = "service.namespace" },
			ctx: context.Background(), namespaces: []string{"team-a", "team-b"},
			wantRequests: map[string][]string{"team-a": {"team-a"}, "team-b": {"team-b"}}},
		{name: "in-process request without the attribute is refused", modify: func(c *Config) { c.UnauthenticatedResourceAttribute = "service.namespace" },
			ctx: context.Background(), namespaces: []string{"team-a", ""}, wantCode: codes.PermissionDenied},
		{name: "in-process request without the attribute goes to the default tenant", modify: func(c *Config) {
			c.UnauthenticatedResourceAttribute = "service.namespace"
			c.DefaultTenant = "shared"
		}, ctx: context.Background(), namespaces: []string{"team-a", ""},
			wantRequests: map[string][]string{"team-a": {"team-a"}, "shared": {"shared"}}},
		{name: "in-process request with an invalid tenant", modify: func(c *Config) { c.UnauthenticatedResourceAttribute = "service.namespace" },
			ctx: context.Background(), namespaces: []string{"team a"}, wantCode: codes.InvalidArgument},
		{name: "authenticated request ignores the in-process attribute", modify: func(c *Config) { c.UnauthenticatedResourceAttribute = "service.namespace" },
			ctx: authenticated("team-a"), namespaces: []string{"team-b"}, wantRequests: map[string][]string{"team-a": {"team-a"}}},
		{name: "claim refused by the extension", ctx: client.NewContext(context.Background(), client.Info{
			Auth: testAuth{tenantid.AttributeRefusal: tenantid.RefusalClaimNotAllowed, tenantid.AttributeSubject: "token:abc"},
		}), namespaces: []string{""}, wantCode: codes.PermissionDenied},
		{name: "unknown claim refused by the extension", modify: func(c *Config) { c.DefaultTenant = "shared" }, ctx: client.NewContext(context.Background(), client.Info{
			Auth: testAuth{tenantid.AttributeRefusal: tenantid.RefusalUnknownTenant},
		}), namespaces: []string{""}, wantCode: codes.PermissionDenied},
		{name: "invalid claim refused by the extension", ctx: client.NewContext(context.Background(), client.Info{
			Auth: testAuth{tenantid.AttributeRefusal: tenantid.RefusalInvalidTenant},
		}), namespaces: []string{""}, wantCode: codes.InvalidArgument},
		{name: "invalid authenticated tenant", ctx: authenticated("team/a"), namespaces: []string{""}, wantCode: codes.InvalidArgument},
		{name: "empty request", ctx: authenticated("team-a"), wantRequests: map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			if tt.modify != nil {
				tt.modify(cfg)
			}
			run := startTraces(t, cfg)
			err := run.processor.ConsumeTraces(tt.ctx, traces(2, tt.namespaces...))
			if tt.wantCode != codes.OK {
				assert.Equal(t, tt.wantCode, status.Code(err), "%v", err)
				assert.Empty(t, run.sink.AllTraces(), "nothing of a refused request is passed on")
				return
			}
			require.NoError(t, err)
			got := map[string][]string{}
			for i, td := range run.sink.AllTraces() {
				require.Less(t, i, len(run.sink.tenants), "every request carries its tenant in the metadata")
				assert.NotContains(t, got, run.sink.tenants[i], "one request per tenant")
				got[run.sink.tenants[i]] = resourceTenants(td)
			}
			assert.Equal(t, tt.wantRequests, got)
		})
	}
}

func TestTenantHeaderReplacesTheClientsHeader(t *testing.T) {
	ctx := client.NewContext(context.Background(), client.Info{
		Auth:     testAuth{tenantid.AttributeTenant: "team-a"},
		Metadata: client.NewMetadata(map[string][]string{"X-Scope-OrgID": {"team-b"}, "User-Agent": {"sdk"}}),
	})
	var seen client.Info
	next, err := consumer.NewTraces(func(ctx context.Context, _ ptrace.Traces) error {
		seen = client.FromContext(ctx)
		return nil
	})
	require.NoError(t, err)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), createDefaultConfig(), next)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(ctx, traces(1, "")))
	assert.Equal(t, []string{"team-a"}, seen.Metadata.Get("x-scope-orgid"))
	assert.Equal(t, []string{"sdk"}, seen.Metadata.Get("user-agent"), "other metadata is kept")
	assert.Equal(t, "team-a", seen.Auth.GetAttribute(tenantid.AttributeTenant), "the auth data is kept")
}

func TestQuotaRefusesOnlyTheTenantOverIt(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.TrustedResourceAttribute = "service.namespace"
	cfg.Quotas.Default.SpansPerSecond = 10
	cfg.Quotas.BurstSeconds = 1
	run := startTraces(t, cfg)
	relay := authenticated("relay", "team-a", "team-b")

	require.NoError(t, run.processor.ConsumeTraces(relay, traces(8, "team-a")))
	err := run.processor.ConsumeTraces(relay, traces(5, "team-a", "team-b"))
	st, ok := status.FromError(err)
	require.True(t, ok)
	assert.Equal(t, codes.ResourceExhausted, st.Code())
	assert.Contains(t, st.Message(), "team-a (item_quota)")
	assert.NotContains(t, st.Message(), "team-b")
	require.Len(t, st.Details(), 1)
	retry, ok := st.Details()[0].(*errdetails.RetryInfo)
	require.True(t, ok)
	assert.Equal(t, time.Second, retry.GetRetryDelay().AsDuration(), "the OTLP receiver sends it as Retry-After")
	assert.Equal(t, []string{"team-a", "team-b"}, run.sink.tenants, "team-b's part is passed on")

	metadatatest.AssertEqualProcessorTenantItemsRefused(t, run.tel, []metricdata.DataPoint[int64]{{
		Value:      5,
		Attributes: attribute.NewSet(attribute.String("tenant", "team-a"), attribute.String("signal", "traces"), attribute.String("reason", "item_quota")),
	}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorTenantItemsAccepted(t, run.tel, []metricdata.DataPoint[int64]{
		{Value: 8, Attributes: attribute.NewSet(attribute.String("tenant", "team-a"), attribute.String("signal", "traces"))},
		{Value: 5, Attributes: attribute.NewSet(attribute.String("tenant", "team-b"), attribute.String("signal", "traces"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestOverridesFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas.yaml")
	require.NoError(t, os.WriteFile(path, []byte("tenants: {team-a: {spans_per_second: 1}}"), 0o600))
	cfg := createDefaultConfig()
	cfg.Quotas.OverridesFile = path
	cfg.Quotas.ReloadInterval = 5 * time.Millisecond
	cfg.Quotas.BurstSeconds = 1
	run := startTraces(t, cfg)
	teamA := authenticated("team-a")

	require.NoError(t, run.processor.ConsumeTraces(teamA, traces(1, "")))
	require.Equal(t, codes.ResourceExhausted, status.Code(run.processor.ConsumeTraces(teamA, traces(1, ""))))

	require.NoError(t, os.WriteFile(path, []byte("tenants: {team-a: {spans_per_second: 0}}"), 0o600))
	stamp := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(path, stamp, stamp))
	require.Eventually(t, func() bool {
		return run.processor.ConsumeTraces(teamA, traces(1, "")) == nil
	}, 5*time.Second, 5*time.Millisecond, "the reloaded override lifts the limit")
}

func TestStartFailsOnBadOverridesFile(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Quotas.OverridesFile = filepath.Join(t.TempDir(), "absent.yaml")
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.ErrorContains(t, p.Start(context.Background(), componenttest.NewNopHost()), "quotas::overrides_file")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestLogsAndMetrics(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Quotas.Default = Limits{LogRecordsPerSecond: 1, DataPointsPerSecond: 1}
	cfg.Quotas.BurstSeconds = 1
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	ctx := authenticated("team-a")

	logsSink := &consumertest.LogsSink{}
	lp, err := NewFactory().CreateLogs(context.Background(), set, cfg, logsSink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	require.NoError(t, lp.ConsumeLogs(ctx, ld))
	assert.Equal(t, codes.ResourceExhausted, status.Code(lp.ConsumeLogs(ctx, ld)))
	require.Len(t, logsSink.AllLogs(), 1)
	v, _ := logsSink.AllLogs()[0].ResourceLogs().At(0).Resource().Attributes().Get("tenant.id")
	assert.Equal(t, "team-a", v.Str())

	metricsSink := &consumertest.MetricsSink{}
	mp, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metricsSink)
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(1)
	require.NoError(t, mp.ConsumeMetrics(ctx, md))
	assert.Equal(t, codes.ResourceExhausted, status.Code(mp.ConsumeMetrics(ctx, md)))
	require.Len(t, metricsSink.AllMetrics(), 1)
	v, _ = metricsSink.AllMetrics()[0].ResourceMetrics().At(0).Resource().Attributes().Get("tenant.id")
	assert.Equal(t, pcommon.NewValueStr("team-a"), v)
}

func TestMemoryPressureRefusesTheNoisiestTenant(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.MemoryPressure.SoftLimitMiB = 512
	cfg.MemoryPressure.CheckInterval = time.Hour // sweeps run by hand below
	run := startTraces(t, cfg)
	p := run.processor.(tracesProcessor).tenantProcessor
	heap := uint64(256 << 20)
	p.heapBytes = func() uint64 { return heap }

	require.NoError(t, run.processor.ConsumeTraces(authenticated("team-a"), traces(100, "")))
	require.NoError(t, run.processor.ConsumeTraces(authenticated("team-b"), traces(10, "")))
	p.sweep()
	require.NoError(t, run.processor.ConsumeTraces(authenticated("team-a"), traces(100, "")), "below the soft limit")

	heap = 1 << 30
	p.sweep()
	err := run.processor.ConsumeTraces(authenticated("team-a"), traces(1, ""))
	assert.Equal(t, codes.ResourceExhausted, status.Code(err))
	assert.Contains(t, err.Error(), "team-a (memory_pressure)")
	assert.NoError(t, run.processor.ConsumeTraces(authenticated("team-b"), traces(1, "")))
}
