package slosamplingprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/tailwise/tailwise/extension/fleetextension/fleettest"
)

// With a fleet, each gateway's budget is the configured budget divided by the fleet size, and
// it follows the size as gateways come and go.
func TestFleetSizeDividesTheBudget(t *testing.T) {
	fleetID := component.MustNewID("fleet")
	cfg := shopConfig()
	cfg.Budget.SpansPerSecond = 300
	cfg.Fleet = &fleetID
	p, _, clock := newTestSampler(t, cfg, consumertest.NewNop())
	membership := fleettest.NewMembership(3)
	require.NoError(t, p.Start(context.Background(), fleettest.Host{fleetID: membership}))

	for _, step := range []struct {
		members int
		want    float64
	}{{3, 100}, {2, 150}, {1, 300}, {4, 75}} {
		membership.Set(step.members)
		p.mu.Lock()
		for range 2 { // the first adjustment after start only sets its clock
			clock.now = clock.now.Add(time.Second)
			p.engine.Advance(clock.now)
		}
		budget := p.engine.Snapshot().BudgetSpansPerSecond
		p.mu.Unlock()
		assert.InDelta(t, step.want, budget, 1e-9, "%d gateways", step.members)
	}
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Zero(t, membership.Subscribers(), "shutdown unsubscribes")
}

func TestFleetMissingExtensionFailsStart(t *testing.T) {
	fleetID := component.MustNewID("fleet")
	cfg := shopConfig()
	cfg.Fleet = &fleetID
	p, _, _ := newTestSampler(t, cfg, consumertest.NewNop())
	err := p.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fleet")
	require.NoError(t, p.Shutdown(context.Background()))
}
