package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWaitLogFollowsTheLogAsItGrows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "collector.log")
	if err := os.WriteFile(path, []byte("starting\nslo_sampling repl"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Collector{LogPath: path, exited: make(chan struct{})}
	go func() {
		time.Sleep(20 * time.Millisecond) // the line is finished while WaitLog follows the file
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return
		}
		_, _ = f.WriteString("ayed 3 traces\nready\n")
		_ = f.Close()
	}()
	line, err := c.WaitLog(5*time.Second, "slo_sampling", "replayed")
	if err != nil || line != "slo_sampling replayed 3 traces" {
		t.Fatalf("WaitLog = %q, %v", line, err)
	}
}

func TestWaitLogReadsTheLastLinesOfAnExitedCollector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "collector.log")
	if err := os.WriteFile(path, []byte("starting\nfatal: disk full"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Collector{LogPath: path, exited: make(chan struct{})}
	close(c.exited)
	if line, err := c.WaitLog(time.Minute, "disk full"); err != nil || line != "fatal: disk full" {
		t.Fatalf("WaitLog = %q, %v", line, err)
	}
	_, err := c.WaitLog(time.Minute, "never logged")
	if err == nil || !strings.Contains(err.Error(), "exited before logging") {
		t.Fatalf("WaitLog on an exited collector without the line: %v", err)
	}
}
