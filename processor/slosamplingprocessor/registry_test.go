package slosamplingprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/extension/tracedecisionextension/tracedecisiontest"
)

func TestPublishesDecisionsAndAnswersTheRegistry(t *testing.T) {
	id := component.MustNewID("trace_decisions")
	ext, err := tracedecisionextension.NewFactory().Create(context.Background(),
		extensiontest.NewNopSettings(component.MustNewType("trace_decisions")), &tracedecisionextension.Config{})
	require.NoError(t, err)
	reg := ext.(tracedecisionextension.Registry)
	published := map[pcommon.TraceID]bool{}
	reg.Subscribe(func(tid pcommon.TraceID, kept bool) { published[tid] = kept })

	cfg := shopConfig()
	cfg.Decisions = &id
	cfg.Budget.SpansPerSecond = 0.0001 // nearly nothing is kept unless it must be
	sink := &consumertest.TracesSink{}
	p, _, clock := newTestSampler(t, cfg, sink)
	require.NoError(t, p.Start(context.Background(), tracedecisiontest.Host{id: ext}))

	// A fast checkout (not violating) that an error log retains, and one nobody retains.
	retained, plain := checkoutTrace(1, 10*time.Millisecond), checkoutTrace(2, 10*time.Millisecond)
	retainedID := retained.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	plainID := plain.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	require.NoError(t, p.ConsumeTraces(context.Background(), retained))
	require.NoError(t, p.ConsumeTraces(context.Background(), plain))
	require.Equal(t, tracedecisionextension.Pending, reg.Fate(retainedID))
	require.Equal(t, tracedecisionextension.Unknown, reg.Fate(pcommon.TraceID{9}))
	require.True(t, reg.Retain(retainedID))

	clock.now = clock.now.Add(time.Minute)
	p.advance(context.Background())
	require.Equal(t, tracedecisionextension.Kept, reg.Fate(retainedID))
	require.Equal(t, map[pcommon.TraceID]bool{retainedID: true, plainID: published[plainID]}, published)
	if !published[plainID] {
		require.Equal(t, tracedecisionextension.Dropped, reg.Fate(plainID))
	}
	require.False(t, reg.Retain(pcommon.TraceID{9}), "a trace never seen cannot be retained")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestStartFailsWithoutTheDecisionsExtension(t *testing.T) {
	id := component.MustNewID("trace_decisions")
	cfg := shopConfig()
	cfg.Decisions = &id
	p, _, _ := newTestSampler(t, cfg, consumertest.NewNop())
	err := p.Start(context.Background(), tracedecisiontest.Host{})
	require.ErrorContains(t, err, "decisions: extension \"trace_decisions\" is not configured")
}
