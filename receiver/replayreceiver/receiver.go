package replayreceiver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/internal/replay"
	"github.com/tailwise/tailwise/receiver/replayreceiver/internal/metadata"
)

const transport = "replay"

type replayReceiver struct {
	set     receiver.Settings
	cfg     *Config
	release func() // forgets the receiver in the factory once it is shut down

	traces  consumer.Traces
	metrics consumer.Metrics
	logs    consumer.Logs

	startOnce, stopOnce sync.Once
	startErr            error
	cancel              context.CancelFunc
	done                chan struct{}
	telemetry           *metadata.TelemetryBuilder
	obsrecv             *receiverhelper.ObsReport
}

func newReplayReceiver(set receiver.Settings, cfg *Config, release func()) *replayReceiver {
	return &replayReceiver{set: set, cfg: cfg, release: release}
}

// Start begins playing the recording; the receiver is shared by the pipelines of every signal,
// so only the first call starts it.
func (r *replayReceiver) Start(_ context.Context, _ component.Host) error {
	r.startOnce.Do(func() { r.startErr = r.start() })
	return r.startErr
}

func (r *replayReceiver) start() error {
	player, err := replay.NewPlayer(r.cfg.Path, r.cfg.playerOptions(), nil)
	if err != nil {
		return fmt.Errorf("path: %w", err)
	}
	if r.telemetry, err = metadata.NewTelemetryBuilder(r.set.TelemetrySettings); err != nil {
		return err
	}
	if r.obsrecv, err = receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: r.set.ID, Transport: transport, ReceiverCreateSettings: r.set, LongLivedCtx: true,
	}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	r.set.Logger.Info("Replaying recording", zap.Strings("files", player.Files()),
		zap.Float64("speed", r.cfg.Speed), zap.Int("loop", r.cfg.Loop))
	go func() {
		defer close(r.done)
		st, err := player.Play(ctx, r.send)
		fields := []zap.Field{zap.Int("loops", st.Loops), zap.Int("requests", st.Entries), zap.Int("skipped_lines", st.Skipped)}
		switch {
		case err == nil:
			r.set.Logger.Info("Replay finished", fields...)
		case errors.Is(err, context.Canceled):
			r.set.Logger.Info("Replay stopped", fields...)
		default:
			r.set.Logger.Error("Replay stopped on an error", append(fields, zap.Error(err))...)
		}
		r.telemetry.ReceiverReplayLinesSkipped.Add(context.Background(), int64(st.Skipped))
	}()
	return nil
}

// Shutdown stops the replay and waits for the request in flight.
func (r *replayReceiver) Shutdown(ctx context.Context) error {
	r.stopOnce.Do(func() {
		r.release()
		if r.cancel == nil {
			return
		}
		r.cancel()
		select {
		case <-r.done:
		case <-ctx.Done():
		}
		r.telemetry.Shutdown()
	})
	return nil
}

// send delivers one recorded request, retrying retryable refusals with back-off until it is
// accepted or the collector stops: a replay never drops data silently.
func (r *replayReceiver) send(ctx context.Context, e recording.Entry, s replay.Sent) error {
	signal := metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", e.Signal.String())))
	r.telemetry.ReceiverReplayLateness.Record(ctx, time.Since(s.Due).Seconds())
	items := e.ItemCount()
	deliver := r.deliverer(e)
	if deliver == nil {
		r.telemetry.ReceiverReplayItemsRefused.Add(ctx, int64(items), metric.WithAttributeSet(
			attribute.NewSet(attribute.String("signal", e.Signal.String()), attribute.String("reason", "no_pipeline"))))
		return nil
	}
	delay := 50 * time.Millisecond
	for {
		err := deliver(ctx)
		switch {
		case err == nil:
			r.telemetry.ReceiverReplayItemsSent.Add(ctx, int64(items), signal)
			return nil
		case consumererror.IsPermanent(err):
			r.telemetry.ReceiverReplayItemsRefused.Add(ctx, int64(items), metric.WithAttributeSet(
				attribute.NewSet(attribute.String("signal", e.Signal.String()), attribute.String("reason", "permanent_error"))))
			r.set.Logger.Warn("Pipeline refused a recorded request permanently",
				zap.String("file", s.File), zap.Int("line", s.Line), zap.Int("items", items), zap.Error(err))
			return nil
		}
		r.telemetry.ReceiverReplayRetries.Add(ctx, 1, signal)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
		delay = min(2*delay, r.cfg.MaxRetryDelay)
	}
}

// deliverer returns the call that hands the entry to its pipeline, or nil when no pipeline of
// that signal uses this receiver.
func (r *replayReceiver) deliverer(e recording.Entry) func(context.Context) error {
	switch {
	case e.Signal == recording.Traces && r.traces != nil:
		return func(ctx context.Context) error {
			ctx = r.obsrecv.StartTracesOp(ctx)
			err := r.traces.ConsumeTraces(ctx, e.Traces)
			r.obsrecv.EndTracesOp(ctx, transport, e.ItemCount(), err)
			return err
		}
	case e.Signal == recording.Metrics && r.metrics != nil:
		return func(ctx context.Context) error {
			ctx = r.obsrecv.StartMetricsOp(ctx)
			err := r.metrics.ConsumeMetrics(ctx, e.Metrics)
			r.obsrecv.EndMetricsOp(ctx, transport, e.ItemCount(), err)
			return err
		}
	case e.Signal == recording.Logs && r.logs != nil:
		return func(ctx context.Context) error {
			ctx = r.obsrecv.StartLogsOp(ctx)
			err := r.logs.ConsumeLogs(ctx, e.Logs)
			r.obsrecv.EndLogsOp(ctx, transport, e.ItemCount(), err)
			return err
		}
	}
	return nil
}
