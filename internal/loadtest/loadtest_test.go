package loadtest

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestCPUCountsWork(t *testing.T) {
	before := CPU(t)
	x := 0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	if used := CPU(t) - before; used < 20*time.Millisecond {
		t.Fatalf("%v of CPU for 50 ms of spinning (%d rounds)", used, x)
	}
}

func TestSendCallsEveryIndexOnce(t *testing.T) {
	var calls [100]atomic.Int32
	if err := Send(7, len(calls), func(n int) error { calls[n].Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	for n := range calls {
		if got := calls[n].Load(); got != 1 {
			t.Fatalf("index %d sent %d times", n, got)
		}
	}
}

func TestSendStopsASenderAtItsFirstError(t *testing.T) {
	refused := errors.New("refused")
	var calls atomic.Int32
	err := Send(1, 10, func(n int) error {
		calls.Add(1)
		if n == 3 {
			return refused
		}
		return nil
	})
	if !errors.Is(err, refused) || calls.Load() != 4 {
		t.Fatalf("err %v after %d calls, want refused after 4", err, calls.Load())
	}
}
