// Package periodic runs a function at a fixed interval on its own goroutine, the
// background loop behind the flushes, sweeps and polls of the collector's components.
package periodic // import "github.com/tailwise/tailwise/internal/periodic"

import (
	"context"
	"time"
)

// Loop calls a function every interval from Start until Stop. Stop cancels the context
// the function receives and returns once a call in progress has returned; no call starts
// after Stop.
type Loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Start calls fn every interval, the first time one interval from now, each call after the
// previous one has returned. fn's context is cancelled by Stop: a call that must finish its
// work at shutdown uses context.WithoutCancel. A non-positive interval starts nothing and
// returns nil, whose Stop does nothing.
func Start(interval time.Duration, fn func(ctx context.Context)) *Loop {
	if interval <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Loop{cancel: cancel, done: make(chan struct{})}
	go l.run(ctx, interval, fn)
	return l
}

func (l *Loop) run(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	defer close(l.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			// A tick and Stop can be ready together; Stop wins.
			if ctx.Err() != nil {
				return
			}
			fn(ctx)
		}
	}
}

// Stop ends the loop and waits for a call in progress. It may be called more than once,
// from several goroutines, and on a nil *Loop.
func (l *Loop) Stop() {
	if l == nil {
		return
	}
	l.cancel()
	<-l.done
}
