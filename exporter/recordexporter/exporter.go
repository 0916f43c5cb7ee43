package recordexporter

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/exporter/recordexporter/internal/metadata"
	"github.com/tailwise/tailwise/internal/periodic"
	"github.com/tailwise/tailwise/internal/recording"
)

// recorder writes the requests of every signal of one exporter to one recording. The pipelines
// of each signal start and stop it; the first start opens the file and the last stop closes it.
type recorder struct {
	set    exporter.Settings
	cfg    *Config
	forget func()

	mu        sync.Mutex
	users     int
	writer    *recording.Writer
	telemetry *metadata.TelemetryBuilder
	flushes   *periodic.Loop
	now       func() time.Time
}

func newRecorder(set exporter.Settings, cfg *Config, forget func()) *recorder {
	return &recorder{set: set, cfg: cfg, forget: forget, now: time.Now}
}

func (r *recorder) start(context.Context, component.Host) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.users++
	if r.users > 1 {
		return nil
	}
	w, err := recording.NewWriter(r.cfg.Path, r.cfg.writerOptions())
	if err != nil {
		return err
	}
	if r.telemetry, err = metadata.NewTelemetryBuilder(r.set.TelemetrySettings); err != nil {
		w.Close()
		return err
	}
	r.writer = w
	r.flushes = periodic.Start(r.cfg.FlushInterval, func(context.Context) { r.flush() })
	return nil
}

// flush moves the buffered lines to the file.
func (r *recorder) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.writer.Flush(); err != nil {
		r.set.Logger.Warn("Flushing the recording failed: " + err.Error())
	}
}

func (r *recorder) shutdown(context.Context) error {
	r.mu.Lock()
	r.users--
	if r.users > 0 || r.writer == nil {
		r.mu.Unlock()
		return nil
	}
	flushes := r.flushes
	r.mu.Unlock()
	// A flush in progress needs the lock: wait for it without holding it.
	flushes.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forget()
	err := r.writer.Close()
	r.writer = nil
	r.telemetry.Shutdown()
	return err
}

func (r *recorder) write(ctx context.Context, e recording.Entry) error {
	line, err := recording.Encode(e)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.writer.WriteLine(line); err != nil {
		return err
	}
	signal := metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", e.Signal.String())))
	r.telemetry.ExporterRecordRequestsWritten.Add(ctx, 1, signal)
	r.telemetry.ExporterRecordBytesWritten.Add(ctx, int64(len(line))+1, signal)
	return nil
}

func (r *recorder) writeTraces(ctx context.Context, td ptrace.Traces) error {
	return r.write(ctx, recording.Entry{Signal: recording.Traces, Traces: td, Arrival: r.now()})
}

func (r *recorder) writeMetrics(ctx context.Context, md pmetric.Metrics) error {
	return r.write(ctx, recording.Entry{Signal: recording.Metrics, Metrics: md, Arrival: r.now()})
}

func (r *recorder) writeLogs(ctx context.Context, ld plog.Logs) error {
	return r.write(ctx, recording.Entry{Signal: recording.Logs, Logs: ld, Arrival: r.now()})
}
