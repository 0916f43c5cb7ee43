package tracedecisionprocessor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/internal/wal"
)

func withWAL(dir string) func(*Config) {
	return func(c *Config) {
		c.Logs.WAL = wal.DefaultConfig()
		c.Logs.WAL.Directory = dir
		c.Logs.WAL.SyncInterval = time.Millisecond
	}
}

// crash stops p as a kill would: held batches are neither forwarded nor released.
func crash(t *testing.T, p *logsProcessor) {
	p.releases.Stop()
	p.releases = nil
	if err := p.journal.close(); err != nil {
		t.Fatal(err)
	}
}

func TestRestartAfterCrashHoldsAgainWhatWasWaiting(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, reg, sink, clock := newLogsProcessor(t, withWAL(dir))
	for _, body := range []string{"first", "second"} {
		if err := p.ConsumeLogs(ctx, logs(rec{pendingTrace, plog.SeverityNumberInfo, body})); err != nil {
			t.Fatal(err)
		}
	}
	arrived := *clock
	reg.Set(pendingTrace, tracedecisionextension.Kept)
	p.releaseReady(ctx, false)
	if got := bodies(sink); got != "first:s:- second:s:-" {
		t.Fatalf("before the crash got %q", got)
	}
	if err := p.ConsumeLogs(ctx, logs(rec{unknownTrace, plog.SeverityNumberInfo, "waiting"})); err != nil {
		t.Fatal(err)
	}
	crash(t, p)

	again, reg2, after, clock2 := newLogsProcessor(t, withWAL(dir))
	if again.heldRecords != 1 {
		t.Fatalf("%d records held after the restart, want the one waiting", again.heldRecords)
	}
	if got := again.held[0].arrived; !got.Equal(arrived) {
		t.Fatalf("held batch arrived %v, want its first arrival %v", got, arrived)
	}
	*clock2 = clock2.Add(time.Second)
	reg2.Set(unknownTrace, tracedecisionextension.Dropped)
	again.releaseReady(ctx, false)
	if err := again.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := bodies(after); got != "waiting:u:false" {
		t.Fatalf("after the restart got %q, want only the batch that was waiting, once", got)
	}
	segments, _ := filepath.Glob(filepath.Join(dir, "*", "*.wal"))
	if len(segments) != 0 {
		t.Fatalf("segments %v, want none once nothing waits", segments)
	}
}

func TestHoldRefusedWhenTheLogIsFull(t *testing.T) {
	dir := t.TempDir()
	p, _, sink, _ := newLogsProcessor(t, func(c *Config) {
		withWAL(dir)(c)
		c.Logs.WAL.MaxBytes = 64
	})
	err := p.ConsumeLogs(context.Background(), logs(rec{pendingTrace, plog.SeverityNumberInfo, "a log line longer than the whole log may hold"}))
	if err == nil || !errors.Is(err, wal.ErrFull) {
		t.Fatalf("err %v, want ErrFull", err)
	}
	if p.heldRecords != 0 || sink.LogRecordCount() != 0 {
		t.Fatalf("a refused batch was kept: %d held, %d forwarded", p.heldRecords, sink.LogRecordCount())
	}
}

// FuzzHeldReplay: whatever a crash or a disk leaves in the log, replay returns whole batches
// only, without panic.
func FuzzHeldReplay(f *testing.F) {
	seedDir := f.TempDir()
	j, err := openHeldJournal(seedDir, wal.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	ref, err := j.hold(logs(rec{pendingTrace, plog.SeverityNumberInfo, "held"}), time.Unix(1800000000, 0))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := j.hold(logs(rec{keptTrace, plog.SeverityNumberWarn, "released"}), time.Unix(1800000001, 0)); err != nil {
		f.Fatal(err)
	}
	if err := j.release([]journalRef{{id: ref.id + 1, segment: ref.segment}}); err != nil {
		f.Fatal(err)
	}
	if err := j.close(); err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(seedDir, "*.wal"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, segment []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "0000000000000001.wal"), segment, 0o640); err != nil {
			t.Fatal(err)
		}
		j, err := openHeldJournal(dir, wal.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = j.close() }()
		held, _, _, err := j.replay()
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range held {
			if b.journal.id >= j.nextID {
				t.Fatalf("replayed batch %d, yet the next id is %d", b.journal.id, j.nextID)
			}
		}
	})
}
