package tenantprocessor

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/tailwise/tailwise/extension/fleetextension/fleettest"
	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadatatest"
)

// acceptedRate offers the tenant requests of 10 items and 100 bytes every 10ms for the given
// seconds and returns the items admitted per second.
func acceptedRate(q *quotaTable, tenant string, clock *time.Time, seconds int) float64 {
	admitted := 0
	for range seconds * 100 {
		if why, _ := q.admit(tenant, 10, 100, *clock); why == "" {
			admitted += 10
		}
		*clock = clock.Add(10 * time.Millisecond)
	}
	return float64(admitted) / float64(seconds)
}

func TestQuotaFleetSizeDividesEveryRate(t *testing.T) {
	const seconds = 60
	tests := []struct {
		name      string
		signal    signal
		defaults  Limits
		overrides map[string]Limits
		// fleetItemRate is the fleet-wide rate of the limiting bucket, in items per second.
		fleetItemRate float64
	}{
		{name: "spans", signal: signalTraces, defaults: Limits{SpansPerSecond: 600}, fleetItemRate: 600},
		{name: "log records", signal: signalLogs, defaults: Limits{LogRecordsPerSecond: 600}, fleetItemRate: 600},
		{name: "data points", signal: signalMetrics, defaults: Limits{DataPointsPerSecond: 600}, fleetItemRate: 600},
		{name: "bytes", signal: signalTraces, defaults: Limits{BytesPerSecond: 6000}, fleetItemRate: 600},
		{name: "override", signal: signalLogs, defaults: Limits{LogRecordsPerSecond: 60},
			overrides: map[string]Limits{"team-a": {LogRecordsPerSecond: 600}}, fleetItemRate: 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().Quotas
			cfg.Default = tt.defaults
			cfg.BurstSeconds = 1
			q := newQuotaTable(tt.signal, cfg, time.Second, func(int64) {})
			if tt.overrides != nil {
				q.setOverrides(tt.overrides)
			}
			clock := time.Unix(1000, 0)
			for _, size := range []int{1, 3, 2} {
				q.setFleetSize(size)
				share := tt.fleetItemRate / float64(size)
				// One burst plus one request, spread over the phase, is the most it may differ.
				tolerance := (share + 10) / seconds
				assert.InDelta(t, share, acceptedRate(q, "team-a", &clock, seconds), tolerance, "fleet of %d", size)
			}
		})
	}
}

func TestQuotaFleetSizeLeavesUnlimitedRates(t *testing.T) {
	cfg := createDefaultConfig().Quotas
	q := newQuotaTable(signalTraces, cfg, time.Second, func(int64) {})
	q.setFleetSize(5)
	clock := time.Unix(1000, 0)
	assert.InDelta(t, 1000.0, acceptedRate(q, "team-a", &clock, 1), 0, "0 is unlimited for any fleet")
}

func TestQuotaFleetSizeBelowOneCountsOne(t *testing.T) {
	cfg := createDefaultConfig().Quotas
	cfg.Default.SpansPerSecond = 100
	q := newQuotaTable(signalTraces, cfg, time.Second, func(int64) {})
	q.setFleetSize(0)
	assert.Equal(t, 1, q.limits.Load().fleetSize)
}

func TestFleetMembershipChangesTheAcceptedRate(t *testing.T) {
	fleetID := component.MustNewIDWithName("fleet", "gateways")
	membership := fleettest.NewMembership(1)
	cfg := createDefaultConfig()
	cfg.DefaultTenant = "team-a"
	cfg.Quotas.Default.SpansPerSecond = 300
	cfg.Quotas.BurstSeconds = 1
	cfg.Fleet = &fleetID
	require.NoError(t, cfg.Validate())

	sink := &consumertest.TracesSink{}
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, sink)
	require.NoError(t, err)
	var clock atomic.Int64 // unix nanoseconds, read by the sweeping goroutine too
	clock.Store(time.Unix(1000, 0).UnixNano())
	p.(tracesProcessor).now = func() time.Time { return time.Unix(0, clock.Load()) }
	require.NoError(t, p.Start(context.Background(), fleettest.Host{fleetID: membership}))

	const seconds = 30
	for _, size := range []int{1, 3, 2} {
		membership.Set(size)
		before := sink.SpanCount()
		for range seconds * 100 {
			_ = p.ConsumeTraces(context.Background(), traces(10, ""))
			clock.Add(int64(10 * time.Millisecond))
		}
		share := 300.0 / float64(size)
		accepted := float64(sink.SpanCount()-before) / seconds
		assert.InDelta(t, share, accepted, (share+10)/seconds, "fleet of %d", size)
	}

	require.NoError(t, p.Shutdown(context.Background()))
	assert.Zero(t, membership.Subscribers(), "Shutdown unsubscribes")
}

func TestStartFailsWithoutTheFleetExtension(t *testing.T) {
	fleetID := component.MustNewIDWithName("fleet", "gateways")
	tests := []struct {
		name    string
		host    fleettest.Host
		wantErr string
	}{
		{name: "not configured", host: fleettest.Host{}, wantErr: `fleet: extension "fleet/gateways" is not configured: add it under extensions and service::extensions`},
		{name: "another type", host: fleettest.Host{fleetID: struct{ component.Component }{}}, wantErr: `fleet: extension "fleet/gateways" is not a fleet extension`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			cfg.Fleet = &fleetID
			p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
			require.NoError(t, err)
			assert.ErrorContains(t, p.Start(context.Background(), tt.host), tt.wantErr)
			require.NoError(t, p.Shutdown(context.Background()))
		})
	}
}
