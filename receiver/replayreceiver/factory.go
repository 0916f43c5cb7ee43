package replayreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/tailwise/tailwise/internal/sharedcomponent"
	"github.com/tailwise/tailwise/receiver/replayreceiver/internal/metadata"
)

// NewFactory returns the factory of the replay receiver.
func NewFactory() receiver.Factory {
	f := &factory{}
	return receiver.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithTraces(f.createTraces, metadata.TracesStability),
		receiver.WithMetrics(f.createMetrics, metadata.MetricsStability),
		receiver.WithLogs(f.createLogs, metadata.LogsStability),
	)
}

// factory hands out one receiver per component ID, whatever the signals it feeds, so that one
// recording is played once and its signals keep their relative timing.
type factory struct {
	receivers sharedcomponent.Components[*replayReceiver]
}

func (f *factory) get(set receiver.Settings, cfg component.Config) *replayReceiver {
	return f.receivers.Get(set.ID, func(forget func()) *replayReceiver {
		return newReplayReceiver(set, cfg.(*Config), forget)
	})
}

func (f *factory) createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r := f.get(set, cfg)
	r.traces = next
	return r, nil
}

func (f *factory) createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r := f.get(set, cfg)
	r.metrics = next
	return r, nil
}

func (f *factory) createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r := f.get(set, cfg)
	r.logs = next
	return r, nil
}
