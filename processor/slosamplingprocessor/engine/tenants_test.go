package engine

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// tenantTraffic is one tenant's synthetic load: 5-span traces, of which
// violatingPerSecond are checkouts slower than the objective.
type tenantTraffic struct {
	tenant             string // "" sends no tenant attribute
	tracesPerSecond    float64
	violatingPerSecond float64
}

const spansPerTenantTrace = 5

// tenantOutcome is what a run kept, by tenant, after the warm-up.
type tenantOutcome struct {
	keptSpansPerSecond map[string]float64
	violating, kept    map[string]int // SLO-violating traces offered and kept
}

// runTenants feeds the traffic for four minutes of virtual time in 100 ms
// ticks, at evenly spaced arrivals, and measures the last three.
func runTenants(t *testing.T, cfg Config, traffic []tenantTraffic) tenantOutcome {
	const (
		tick     = 100 * time.Millisecond
		duration = 4 * time.Minute
		warmup   = time.Minute
	)
	e, _ := newTestEngine(t, cfg)
	out := tenantOutcome{keptSpansPerSecond: map[string]float64{}, violating: map[string]int{}, kept: map[string]int{}}
	record := func(now time.Time, decisions []Decision) {
		if now.Before(epoch.Add(warmup)) {
			return
		}
		for _, d := range decisions {
			violating := d.Reason == ReasonViolation || d.Reason == ReasonViolationOverShare
			if violating {
				out.violating[d.Stratum.Tenant]++
			}
			if d.Kept {
				out.keptSpansPerSecond[d.Stratum.Tenant] += float64(d.Spans) / (duration - warmup).Seconds()
				if violating {
					out.kept[d.Stratum.Tenant]++
				}
			}
		}
	}
	normal, slow := make([]float64, len(traffic)), make([]float64, len(traffic))
	var n uint64
	for now := epoch; now.Before(epoch.Add(duration)); now = now.Add(tick) {
		td := ptrace.NewTraces()
		for i, tr := range traffic {
			normal[i] += (tr.tracesPerSecond - tr.violatingPerSecond) * tick.Seconds()
			slow[i] += tr.violatingPerSecond * tick.Seconds()
			for ; normal[i] >= 1; normal[i]-- {
				appendTenantTrace(t, td, tr.tenant, traceID(n), now, spanSpec{service: "frontend", name: "GET /home", root: true, duration: time.Millisecond})
				n++
			}
			for ; slow[i] >= 1; slow[i]-- {
				appendTenantTrace(t, td, tr.tenant, traceID(n), now, checkout(time.Second))
				n++
			}
		}
		if td.SpanCount() > 0 {
			record(now, ingest(t, e, now, td).Decisions)
		}
		record(now, e.Advance(now))
	}
	return out
}

// appendTenantTrace appends a trace of root and four children whose
// resources carry the tenant.
func appendTenantTrace(t *testing.T, td ptrace.Traces, tenant string, id [16]byte, now time.Time, root spanSpec) {
	first := td.ResourceSpans().Len()
	appendTrace(t, td, id, now, root, child("cart", "get"), child("db", "query"), child("db", "query"), child("cache", "get"))
	if tenant == "" {
		return
	}
	for i := first; i < td.ResourceSpans().Len(); i++ {
		td.ResourceSpans().At(i).Resource().Attributes().PutStr("tenant.id", tenant)
	}
}

func tenantConfig(budget float64, weights map[string]float64) Config {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = budget
	cfg.Tenants.Attribute = "tenant.id"
	cfg.Tenants.Weights = weights
	return cfg
}

// TestQuietTenantKeepsItsShare runs a noisy tenant offering 10x a quiet
// tenant's rate, with a budget below their sum.
func TestQuietTenantKeepsItsShare(t *testing.T) {
	tests := []struct {
		name    string
		budget  float64
		weights map[string]float64
		quiet   float64 // traces per second; noisy sends 10x
		// check gets the quiet tenant's kept spans per second alongside the
		// noisy one, and alone with the same budget.
		check func(t *testing.T, quiet, noisy, quietAlone float64)
	}{
		{
			name:   "demand below the fair share: kept as if alone",
			budget: 200, quiet: 10, // 50 spans/s of a fair share of 100
			check: func(t *testing.T, quiet, noisy, quietAlone float64) {
				assert.InEpsilon(t, quietAlone, quiet, 0.03)
				assert.InEpsilon(t, 150, noisy, 0.05, "the noisy tenant gets what the quiet one leaves")
			},
		},
		{
			name:   "demand above the fair share: at least the fair share",
			budget: 150, quiet: 20, // 100 spans/s for a fair share of 75
			check: func(t *testing.T, quiet, noisy, _ float64) {
				assert.GreaterOrEqual(t, quiet, 0.97*75)
				assert.InEpsilon(t, 75, noisy, 0.05)
			},
		},
		{
			name:   "weights 2:1 favour the quiet tenant",
			budget: 150, quiet: 40, weights: map[string]float64{"quiet": 2}, // 200 spans/s for a fair share of 100
			check: func(t *testing.T, quiet, noisy, _ float64) {
				assert.GreaterOrEqual(t, quiet, 0.97*100)
				assert.InEpsilon(t, 2, quiet/noisy, 0.05)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tenantConfig(tt.budget, tt.weights)
			both := runTenants(t, cfg, []tenantTraffic{{tenant: "quiet", tracesPerSecond: tt.quiet}, {tenant: "noisy", tracesPerSecond: 10 * tt.quiet}})
			alone := runTenants(t, cfg, []tenantTraffic{{tenant: "quiet", tracesPerSecond: tt.quiet}})
			quiet, noisy := both.keptSpansPerSecond["quiet"], both.keptSpansPerSecond["noisy"]
			t.Logf("budget %.0f spans/s, offered quiet %.0f noisy %.0f: kept quiet %.1f noisy %.1f, quiet alone %.1f",
				tt.budget, tt.quiet*spansPerTenantTrace, 10*tt.quiet*spansPerTenantTrace, quiet, noisy, alone.keptSpansPerSecond["quiet"])
			tt.check(t, quiet, noisy, alone.keptSpansPerSecond["quiet"])
		})
	}
}

func TestWeightsDivideTheBudget(t *testing.T) {
	tests := []struct {
		name    string
		weights map[string]float64
		want    map[string]float64 // kept spans per second
	}{
		{name: "equal by default", want: map[string]float64{"team-a": 75, "team-b": 75}},
		{name: "2:1", weights: map[string]float64{"team-a": 2}, want: map[string]float64{"team-a": 100, "team-b": 50}},
		{name: "default_weight applies to unlisted tenants", weights: map[string]float64{"team-a": 0.5}, want: map[string]float64{"team-a": 50, "team-b": 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runTenants(t, tenantConfig(150, tt.weights), []tenantTraffic{{tenant: "team-a", tracesPerSecond: 100}, {tenant: "team-b", tracesPerSecond: 100}})
			t.Logf("budget 150 spans/s, 500 offered each: kept %v", got.keptSpansPerSecond)
			for tenant, want := range tt.want {
				assert.InEpsilon(t, want, got.keptSpansPerSecond[tenant], 0.05, tenant)
			}
		})
	}
}

// TestViolationFloodKeepsOtherTenantsViolations: a tenant flooding
// SLO-violating traces cannot take the reserve of one within its share.
func TestViolationFloodKeepsOtherTenantsViolations(t *testing.T) {
	traffic := []tenantTraffic{
		{tenant: "steady", tracesPerSecond: 20, violatingPerSecond: 2},   // 10 violating spans/s
		{tenant: "storm", tracesPerSecond: 100, violatingPerSecond: 100}, // 500 violating spans/s
	}
	tests := []struct {
		name      string
		attribute string
		check     func(t *testing.T, got tenantOutcome)
	}{
		{
			name:      "per tenant: the steady tenant keeps every violating trace",
			attribute: "tenant.id",
			check: func(t *testing.T, got tenantOutcome) {
				assert.Equal(t, got.violating["steady"], got.kept["steady"])
				// The storm gets the 100 spans/s reserve less the steady 10.
				assert.InEpsilon(t, 90.0/500, float64(got.kept["storm"])/float64(got.violating["storm"]), 0.15)
			},
		},
		{
			name: "one tenant: the storm takes the violation slots",
			check: func(t *testing.T, got tenantOutcome) {
				assert.Less(t, got.kept[""], got.violating[""]/2)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tenantConfig(200, nil)
			cfg.Budget.ViolationShare = 0.5 // violating traces take at most 100 spans/s
			cfg.Tenants.Attribute = tt.attribute
			got := runTenants(t, cfg, traffic)
			require.NotEmpty(t, got.violating)
			t.Logf("violating traces kept/offered: %v / %v", got.kept, got.violating)
			tt.check(t, got)
		})
	}
}

func TestTenantOfATrace(t *testing.T) {
	cfg := tenantConfig(1000, nil)
	cfg.Tenants.MaxTenants = 2
	e, _ := newTestEngine(t, cfg)
	// Each trace's spans arrive in separate batches, the root first, with
	// these tenants on their resources.
	for i, tenants := range [][]string{
		{"a"}, {"b"}, {"c"}, {"d", "a"}, {""},
		{"", "a"},  // the first span seen has no tenant
		{"b", "a"}, // a later span's tenant does not count
	} {
		for j, tenant := range tenants {
			td := buildTrace(t, traceID(uint64(i)), epoch, spanSpec{service: "frontend", name: "GET /", root: j == 0})
			if tenant != "" {
				td.ResourceSpans().At(0).Resource().Attributes().PutStr("tenant.id", tenant)
			}
			ingest(t, e, epoch, td)
		}
	}
	var got []string
	for _, d := range e.DecideAll(epoch) {
		got = append(got, d.Stratum.Tenant)
	}
	assert.Equal(t, []string{"a", "b", TenantOverflow, TenantOverflow, "", "", "b"}, got, "max_tenants 2: c and d share the overflow tenant")
	var names []string
	for _, tn := range e.Snapshot().Tenants {
		names = append(names, tn.Name)
	}
	assert.Equal(t, []string{"a", "b", TenantOverflow, ""}, names)
}

func TestSetBudgetScale(t *testing.T) {
	tests := []struct {
		name   string
		scales []float64 // applied in order
		want   float64   // budget in spans per second
	}{
		{name: "default", want: 200},
		{name: "half", scales: []float64{0.5}, want: 100},
		{name: "one of three gateways", scales: []float64{1.0 / 3}, want: 200.0 / 3},
		{name: "above 1 counts as 1", scales: []float64{0.5, 2}, want: 200},
		{name: "zero, negative and NaN are ignored", scales: []float64{0.25, 0, -1, math.NaN()}, want: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tenantConfig(200, nil)
			cfg.Tenants.Attribute = ""
			s := newSimulation(t, cfg)
			s.run(t, epoch, 10*time.Second, 200)
			assert.InDelta(t, 200, s.engine.Snapshot().BudgetSpansPerSecond, 1e-9)
			for _, f := range tt.scales {
				s.engine.SetBudgetScale(f)
			}
			assert.InDelta(t, 200, s.engine.Snapshot().BudgetSpansPerSecond, 1e-9, "applies from the next adjustment")
			s.run(t, epoch.Add(10*time.Second), 3*time.Minute, 200) // 1000 spans/s offered
			assert.InDelta(t, tt.want, s.engine.Snapshot().BudgetSpansPerSecond, 1e-9)
			devs := s.windowDeviations(epoch.Add(2*time.Minute), epoch.Add(3*time.Minute+10*time.Second), tt.want)
			assert.Less(t, p95(devs), 0.05, "output follows the scaled budget: %v", devs)
		})
	}
}

func TestSetBudgetScaleScalesEveryBudget(t *testing.T) {
	cfg := testConfig()
	cfg.Budget.SpansPerSecond = 1e6
	cfg.Budget.TracesPerSecond = 20
	e, _ := shopTraffic(t, cfg, 0)
	unscaled := e.Snapshot().BudgetSpansPerSecond
	require.InDelta(t, 40, unscaled, 1, "20 traces/s of 2 spans")
	e.SetBudgetScale(0.25)
	e.Advance(epoch.Add(3 * time.Minute))
	assert.InDelta(t, unscaled/4, e.Snapshot().BudgetSpansPerSecond, 0.5)
}
