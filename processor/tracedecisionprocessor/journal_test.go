package tracedecisionprocessor

import (
	"context"
	"errors"
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

// A second crash right after a restart's replay loses nothing the replay took back.
func TestCrashAfterReplayKeepsWhatWasWaiting(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, _, _, _ := newLogsProcessor(t, withWAL(dir))
	if err := p.ConsumeLogs(ctx, logs(rec{unknownTrace, plog.SeverityNumberInfo, "waiting"})); err != nil {
		t.Fatal(err)
	}
	crash(t, p)
	recovering, _, _, _ := newLogsProcessor(t, withWAL(dir))
	crash(t, recovering)

	again, _, _, _ := newLogsProcessor(t, withWAL(dir))
	if again.heldRecords != 1 {
		t.Fatalf("%d records held after two crashes, want the one waiting", again.heldRecords)
	}
	crash(t, again)
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

// FuzzHeldRecord: whatever a crash or a disk leaves in a record, reading it gives a whole
// batch or an error, without panic.
func FuzzHeldRecord(f *testing.F) {
	dir := f.TempDir()
	cfg := wal.DefaultConfig()
	cfg.Fsync = false
	j, err := openHeldJournal(dir, cfg)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := j.hold(logs(rec{pendingTrace, plog.SeverityNumberInfo, "held"}), time.Unix(1800000000, 0)); err != nil {
		f.Fatal(err)
	}
	if err := j.release([]journalRef{{id: 99}}); err != nil { // another batch: this one stays held
		f.Fatal(err)
	}
	if err := j.close(); err != nil {
		f.Fatal(err)
	}
	again, err := wal.Open(dir, cfg)
	if err != nil {
		f.Fatal(err)
	}
	seeds := 0
	if _, err := again.Replay(func(_ uint64, record []byte) error {
		f.Add(append([]byte(nil), record...))
		seeds++
		return nil
	}); err != nil || seeds != 2 {
		f.Fatalf("%d seed records, err %v", seeds, err)
	}
	if err := again.Close(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		released := map[uint64]struct{}{}
		readReleased(record, released)
		if len(released) > len(record)/8 {
			t.Fatalf("%d released ids from %d bytes", len(released), len(record))
		}
		if _, ok := heldID(record); ok {
			if b, err := readHeld(record); err == nil && b.ld.LogRecordCount() > len(record) {
				t.Fatalf("%d log records from %d bytes", b.ld.LogRecordCount(), len(record))
			}
		}
	})
}
