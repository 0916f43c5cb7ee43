package fleetextension

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/extension/fleetextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/periodic"
)

// fleetExtension counts the fleet at Start and then every interval, and tells its
// subscribers of every change. Until the first successful count the size is 1.
type fleetExtension struct {
	source    source
	interval  time.Duration // 0 for a source whose count never changes
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder

	size atomic.Int64
	// mu serializes changes of the size with the notifications of subscribers.
	mu          sync.Mutex
	subscribers map[int]func(int)
	nextID      int
	// failures is the length of the current streak of failed refreshes.
	failures int

	// polls refreshes the count every interval; nil when the interval is 0.
	polls *periodic.Loop
}

var _ Membership = (*fleetExtension)(nil)

func newFleetExtension(src source, interval time.Duration, logger *zap.Logger, tb *metadata.TelemetryBuilder) *fleetExtension {
	e := &fleetExtension{
		source:      src,
		interval:    interval,
		logger:      logger,
		telemetry:   tb,
		subscribers: make(map[int]func(int)),
	}
	e.size.Store(1)
	return e
}

func (e *fleetExtension) Start(context.Context, component.Host) error {
	e.refresh(context.Background())
	e.polls = periodic.Start(e.interval, e.refresh)
	return nil
}

// Shutdown cuts short a count in progress and waits for it.
func (e *fleetExtension) Shutdown(context.Context) error {
	e.polls.Stop()
	e.telemetry.Shutdown()
	return nil
}

// refresh counts the fleet, giving up after one interval; a failed count keeps the last size.
// A count cut short by Shutdown, which cancels lifetime, is not a failure.
func (e *fleetExtension) refresh(lifetime context.Context) {
	ctx := lifetime
	if e.interval > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(lifetime, e.interval)
		defer cancel()
	}
	n, err := e.source.count(ctx)
	if err != nil && lifetime.Err() != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.failed(err)
		return
	}
	if e.failures > 0 {
		e.logger.Info("Fleet size refreshed again", zap.Int("failed_refreshes", e.failures), zap.Int("members", n))
		e.failures = 0
	}
	e.telemetry.FleetMembers.Record(context.Background(), int64(n))
	previous := int(e.size.Load())
	if n == previous {
		return
	}
	e.size.Store(int64(n))
	e.logger.Info("Fleet size changed", zap.Int("previous_members", previous), zap.Int("members", n))
	for _, fn := range e.subscribers {
		fn(n)
	}
}

// failed counts a failed refresh and logs the first of a streak; call it with mu held.
func (e *fleetExtension) failed(err error) {
	reason := reasonOf(err)
	e.telemetry.FleetRefreshFailures.Add(context.Background(), 1,
		metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
	if e.failures == 0 {
		e.logger.Warn("Fleet size not refreshed; the last size stays in force until a refresh succeeds",
			zap.String("reason", reason), zap.Int("members", int(e.size.Load())), zap.Error(err))
	}
	e.failures++
}

func (e *fleetExtension) Size() int { return int(e.size.Load()) }

// Subscribe calls fn with the current size now and with every new size after; fn runs on the
// refreshing goroutine and must neither block nor call Subscribe or the unsubscribe function.
func (e *fleetExtension) Subscribe(fn func(size int)) func() {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.nextID
	e.nextID++
	e.subscribers[id] = fn
	fn(int(e.size.Load()))
	return func() {
		e.mu.Lock()
		delete(e.subscribers, id)
		e.mu.Unlock()
	}
}
