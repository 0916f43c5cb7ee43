package periodic

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestStartCallsRepeatedly(t *testing.T) {
	const wanted = 3
	calls := make(chan struct{}, wanted)
	l := Start(time.Millisecond, func(context.Context) {
		select {
		case calls <- struct{}{}:
		default:
		}
	})
	defer l.Stop()
	for range wanted {
		<-calls
	}
}

func TestStartWithoutInterval(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
	}{
		{name: "zero", interval: 0},
		{name: "negative", interval: -time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Start(tt.interval, func(context.Context) { t.Error("fn called without a positive interval") })
			assert.Nil(t, l)
			l.Stop()
		})
	}
}

func TestStopWaitsForCallInProgress(t *testing.T) {
	entered, cancelled, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var returned atomic.Bool
	var once sync.Once
	l := Start(time.Millisecond, func(ctx context.Context) {
		once.Do(func() {
			close(entered)
			<-ctx.Done()
			close(cancelled)
			<-release
			returned.Store(true)
		})
	})
	<-entered
	returnedAtStop := make(chan bool)
	go func() {
		l.Stop()
		returnedAtStop <- returned.Load()
	}()
	<-cancelled
	close(release)
	assert.True(t, <-returnedAtStop, "Stop returned before the call in progress")
}

func TestNoCallAfterStop(t *testing.T) {
	var calls atomic.Int64
	l := Start(time.Microsecond, func(context.Context) { calls.Add(1) })
	for calls.Load() == 0 {
		time.Sleep(time.Microsecond)
	}
	l.Stop()
	atStop := calls.Load()
	// Long enough for thousands of ticks of a loop that kept running.
	time.Sleep(5 * time.Millisecond)
	assert.Equal(t, atStop, calls.Load())
}

func TestStopRepeatedAndConcurrent(t *testing.T) {
	l := Start(time.Millisecond, func(context.Context) {})
	require.NotNil(t, l)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(l.Stop)
	}
	wg.Wait()
	l.Stop()
	select {
	case <-l.done:
	default:
		t.Fatal("the loop's goroutine is still running after Stop")
	}
}

func TestStopOnNilLoop(t *testing.T) {
	var l *Loop
	assert.NotPanics(t, l.Stop)
}
