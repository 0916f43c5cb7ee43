package tenantprocessor

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/tailwise/tailwise/extension/fleetextension/fleettest"
	"github.com/tailwise/tailwise/processor/tenantprocessor/internal/metadatatest"
)

var benchFleetID = component.MustNewID("fleet")

const (
	benchQuota     = 20_000 // spans per second, every tenant
	stepsPerSecond = 100
)

// neighbour is one tenant of the noisy-neighbour simulation.
type neighbour struct {
	tenant   string
	rate     float64 // spans per second it sends
	requests []ptrace.Traces
	next     int
	sent     float64
	accepted int
	refused  int
}

// sendUntil sends requests until the tenant has sent rate·t spans by virtual time t.
func (n *neighbour) sendUntil(p processor.Traces, ctx context.Context, t float64) {
	for n.sent < n.rate*t {
		td := n.requests[n.next%len(n.requests)]
		n.next++
		spans := td.SpanCount()
		n.sent += float64(spans)
		if p.ConsumeTraces(ctx, td) == nil {
			n.accepted += spans
		} else {
			n.refused += spans
		}
	}
}

// simulate runs the neighbours concurrently, one goroutine each, for the given virtual
// seconds in steps of 10ms; the virtual clock advances when every neighbour has sent its
// share of a step.
func simulate(b *testing.B, recorded []ptrace.Traces, seconds int, neighbours ...*neighbour) {
	cfg := createDefaultConfig()
	cfg.Quotas.Default.SpansPerSecond = benchQuota
	cfg.Quotas.BurstSeconds = 1
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
	require.NoError(b, err)
	var clock atomic.Int64
	start := time.Unix(1_700_000_000, 0)
	p.(tracesProcessor).now = func() time.Time { return start.Add(time.Duration(clock.Load())) }
	require.NoError(b, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(b, p.Shutdown(context.Background())) }()

	steps := make([]chan float64, len(neighbours))
	var stepDone, exited sync.WaitGroup
	for i, n := range neighbours {
		n.requests = make([]ptrace.Traces, len(recorded))
		for j, td := range recorded {
			n.requests[j] = ptrace.NewTraces()
			td.CopyTo(n.requests[j])
		}
		steps[i] = make(chan float64)
		ctx := authenticated(n.tenant)
		exited.Add(1)
		go func() {
			defer exited.Done()
			for t := range steps[i] {
				n.sendUntil(p, ctx, t)
				stepDone.Done()
			}
		}()
	}
	for step := 1; step <= seconds*stepsPerSecond; step++ {
		t := float64(step) / stepsPerSecond
		clock.Store(int64(t * float64(time.Second)))
		stepDone.Add(len(neighbours))
		for _, ch := range steps {
			ch <- t
		}
		stepDone.Wait()
	}
	for _, ch := range steps {
		close(ch)
	}
	exited.Wait()
}

// BenchmarkNoisyNeighbour: one op is one virtual second in which tenant "noisy" sends 10x its
// quota of spans while "quiet-1" and "quiet-2" send 80% of theirs, all at once. The quiet
// tenants' accepted spans are compared with quiet-1 sending alone for as long.
func BenchmarkNoisyNeighbour(b *testing.B) {
	recorded := loadRecordedTraces(b, hotrodTraces)
	seconds := max(b.N, 3)

	b.StopTimer()
	solo := &neighbour{tenant: "quiet-1", rate: 0.8 * benchQuota}
	simulate(b, recorded, seconds, solo)
	b.StartTimer()

	noisy := &neighbour{tenant: "noisy", rate: 10 * benchQuota}
	quiet := []*neighbour{{tenant: "quiet-1", rate: 0.8 * benchQuota}, {tenant: "quiet-2", rate: 0.8 * benchQuota}}
	simulate(b, recorded, seconds, noisy, quiet[0], quiet[1])

	losses, worst := 0, 1.0
	for _, q := range quiet {
		losses += q.refused
		worst = min(worst, float64(q.accepted)/float64(solo.accepted))
	}
	b.ReportMetric(100*worst, "quiet_vs_solo_%")
	b.ReportMetric(float64(losses), "quiet_lost_spans")
	b.ReportMetric(float64(solo.accepted)/float64(seconds), "solo_accepted_spans/s")
	b.ReportMetric(float64(noisy.accepted)/float64(seconds), "noisy_accepted_spans/s")
	b.ReportMetric(float64(noisy.refused)/float64(seconds), "noisy_refused_spans/s")
	if losses > 0 || worst < 0.95 {
		b.Fatalf("quiet tenants lost %d spans and kept %.1f%% of their solo rate", losses, 100*worst)
	}
}

// BenchmarkConsumeTraces replays HotROD's requests; each op copies one request (the split
// moves resources out of it) and passes it through the processor in the named setup.
func BenchmarkConsumeTraces(b *testing.B) {
	recorded := loadRecordedTraces(b, hotrodTraces)
	services := []string{"customer", "driver", "frontend", "mysql", "redis-manual", "route"}
	// merged holds every resource of the recording in one request of six tenants.
	merged := ptrace.NewTraces()
	for _, td := range recorded {
		td.ResourceSpans().MoveAndAppendTo(merged.ResourceSpans())
	}
	recorded = loadRecordedTraces(b, hotrodTraces)

	tests := []struct {
		name     string
		requests []ptrace.Traces
		modify   func(*Config)
		ctx      context.Context
		host     component.Host
		bare     bool
	}{
		{name: "copy_only", requests: recorded, bare: true},
		{name: "one_tenant", requests: recorded, ctx: authenticated("team-a")},
		{name: "one_tenant_with_quota", requests: recorded, ctx: authenticated("team-a"),
			modify: func(c *Config) { c.Quotas.Default = Limits{SpansPerSecond: 1e12, BytesPerSecond: 1e15} }},
		{name: "one_tenant_with_fleet_quota", requests: recorded, ctx: authenticated("team-a"),
			modify: func(c *Config) {
				c.Quotas.Default = Limits{SpansPerSecond: 1e12, BytesPerSecond: 1e15}
				c.Fleet = &benchFleetID
			},
			host: fleettest.Host{benchFleetID: fleettest.NewMembership(3)}},
		{name: "split_6_tenants", requests: []ptrace.Traces{merged}, ctx: authenticated("relay", services...),
			modify: func(c *Config) { c.TrustedResourceAttribute = "service.name" }},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			cfg := createDefaultConfig()
			if tt.modify != nil {
				tt.modify(cfg)
			}
			p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
			require.NoError(b, err)
			host := tt.host
			if host == nil {
				host = componenttest.NewNopHost()
			}
			require.NoError(b, p.Start(context.Background(), host))
			defer func() { require.NoError(b, p.Shutdown(context.Background())) }()
			spans := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				td := ptrace.NewTraces()
				tt.requests[i%len(tt.requests)].CopyTo(td)
				spans += td.SpanCount()
				if tt.bare {
					continue
				}
				if err := p.ConsumeTraces(tt.ctx, td); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(spans)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}

// BenchmarkTenThousandTenants measures the heap that 10,000 tenants hold: configured (an entry
// each in the overrides) and active (buckets each, after one request). One op builds both.
func BenchmarkTenThousandTenants(b *testing.B) {
	const tenants = 10_000
	names := make([]string, tenants)
	for i := range names {
		names[i] = fmt.Sprintf("tenant-%05d", i)
	}
	cfg := createDefaultConfig().Quotas
	cfg.Default = Limits{SpansPerSecond: 1000, BytesPerSecond: 1 << 20}
	now := time.Unix(1_700_000_000, 0)
	var configured, active uint64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		base := retainedHeap()
		overrides := make(map[string]Limits, tenants)
		for _, name := range names {
			overrides[name] = Limits{SpansPerSecond: 2000}
		}
		withOverrides := retainedHeap()
		q := newQuotaTable(signalTraces, cfg, time.Second, func(int64) {})
		q.setOverrides(overrides)
		for _, name := range names {
			q.admit(name, 10, 1000, now)
		}
		withBuckets := retainedHeap()
		configured += withOverrides - base
		active += withBuckets - withOverrides
		runtime.KeepAlive(q)
	}
	b.ReportMetric(float64(configured)/float64(b.N*tenants), "heap_B/configured_tenant")
	b.ReportMetric(float64(active)/float64(b.N*tenants), "heap_B/active_tenant")
}

func retainedHeap() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}
