package harness

import (
	"errors"
	"fmt"
	"os"
	"strings"
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

// WaitLog waits until the collector's log has a line containing every one of substrs and
// returns the line.
func (c *Collector) WaitLog(timeout time.Duration, substrs ...string) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		data, err := os.ReadFile(c.LogPath)
		if err != nil {
			return "", err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if containsAll(line, substrs) {
				return line, nil
			}
		}
		select {
		case <-c.exited:
			return "", fmt.Errorf("collector exited before logging a line with %q:\n%s", substrs, TailFile(c.LogPath, 20))
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no line with %q in the collector's log after %v", substrs, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func containsAll(line string, substrs []string) bool {
	for _, s := range substrs {
		if !strings.Contains(line, s) {
			return false
		}
	}
	return true
}
