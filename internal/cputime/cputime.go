// Package cputime reads the CPU time of the process, for benchmarks that report CPU per item
// when the work spreads over goroutines and background loops.
package cputime // import "github.com/tailwise/tailwise/internal/cputime"

import (
	"syscall"
	"time"
)

// Process is the CPU time the process has used so far, user and system.
func Process() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
