package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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
	if c.hasExited() {
		return errors.New("collector had already exited")
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
// returns the line. It reads the log once, following it as it grows.
func (c *Collector) WaitLog(timeout time.Duration, substrs ...string) (string, error) {
	f, err := os.Open(c.LogPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var line string // the line being read, whole once it ends in a newline
	deadline := time.Now().Add(timeout)
	for {
		exited := c.hasExited() // before reading, so every line written before the exit is seen
		for {
			chunk, err := r.ReadString('\n')
			line += chunk
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return "", err
			}
			if containsAll(line, substrs) {
				return strings.TrimSuffix(line, "\n"), nil
			}
			line = ""
		}
		if exited {
			if containsAll(line, substrs) {
				return line, nil
			}
			return "", fmt.Errorf("collector exited before logging a line with %q:\n%s", substrs, TailFile(c.LogPath, 20))
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no line with %q in the collector's log after %v", substrs, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *Collector) hasExited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
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
