package harness

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// killWait bounds the wait for the collector to exit after SIGKILL.
const killWait = 10 * time.Second

// Kill sends SIGKILL, as a crash or the kernel's OOM killer would, and waits for the collector
// to exit: nothing in the process gets to run, so buffered data is lost exactly as in a crash.
func (c *Collector) Kill() error {
	select {
	case <-c.exited:
		return errors.New("collector had already exited")
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("SIGKILL: %w", err)
	}
	select {
	case <-c.exited:
		return nil
	case <-time.After(killWait):
		return fmt.Errorf("collector still running %s after SIGKILL", killWait)
	}
}
