// Package loadtest helps benchmarks drive a component as a gateway's receivers do, from
// concurrent senders, and measure the CPU the whole process spends on it, background loops
// included.
package loadtest // import "github.com/tailwise/tailwise/internal/loadtest"

import (
	"sync"
	"syscall"
	"testing"
	"time"
)

// CPU is the CPU time the process has used so far, user and system; it fails the benchmark
// if the time cannot be read.
func CPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Send calls send for every n in [0, count) from senders goroutines, sender s taking s,
// s+senders, ...; a sender stops at its first error. It returns once all are done, with the
// first error.
func Send(senders, count int, send func(n int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for s := range senders {
		wg.Go(func() {
			for n := s; n < count; n += senders {
				if err := send(n); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// WALMode is one way a benchmark runs a component's write-ahead log.
type WALMode struct {
	Name  string // the sub-benchmark's name, as benchstat groups it
	WAL   bool   // records are written to the log
	Fsync bool   // and acknowledged only after a group commit's fsync
}

// WALModes are the modes every write-ahead log benchmark compares: no log, writes without
// fsync, writes with fsync.
var WALModes = []WALMode{
	{Name: "wal=off"},
	{Name: "wal=write", WAL: true},
	{Name: "wal=fsync", WAL: true, Fsync: true},
}
