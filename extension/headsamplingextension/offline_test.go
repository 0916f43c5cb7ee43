package headsamplingextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlannerOffline(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.InputBudget.SpansPerSecond = 100
	require.NoError(t, cfg.Validate())
	pl := NewPlanner(cfg, 50)
	assert.InDelta(t, 100, pl.InputBudget(), 1e-9)
	start := time.Unix(1_700_000_000, 0)
	var strategies map[string]*Strategy
	for s := range 120 {
		now := start.Add(time.Duration(s) * time.Second)
		for range 50 { // 50 requests/s of 10 spans: 500 spans/s offered against 100
			pl.ObserveRoot(now, Root{Service: "shop", Operation: "GET /", Probability: 1})
		}
		pl.ObserveState(State{Strata: []StratumRates{{Service: "shop", Route: "GET /", TracesPerSecond: 50, SpansPerSecond: 500}}})
		strategies = pl.Adjust(now)
	}
	require.Contains(t, strategies, "shop")
	p := strategies["shop"].Probability("GET /")
	assert.InDelta(t, 0.2, p, 0.03, "100 of 500 spans/s")
}
