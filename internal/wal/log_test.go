package wal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.SegmentBytes = 1 << 10
	cfg.MaxBytes = 64 << 10
	cfg.SyncInterval = time.Millisecond
	return cfg
}

func openLog(t *testing.T, dir string, cfg Config) *Log {
	t.Helper()
	l, err := Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func appendDurable(t *testing.T, l *Log, payload []byte, holds int) Position {
	t.Helper()
	p, err := l.Append(holds, payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.WaitDurable(p); err != nil {
		t.Fatal(err)
	}
	return p
}

type replayed struct {
	segment uint64
	payload string
}

func replayAll(t *testing.T, l *Log) ([]replayed, ReplayStats) {
	t.Helper()
	var got []replayed
	st, err := l.Replay(func(seg uint64, payload []byte) error {
		got = append(got, replayed{seg, string(payload)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st
}

func TestReplayReturnsRecordsInOrderAcrossSegments(t *testing.T) {
	for _, fsync := range []bool{true, false} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig()
			cfg.Fsync = fsync
			l := openLog(t, dir, cfg)
			var want []string
			for i := range 40 {
				p := fmt.Sprintf("record %02d %s", i, bytes.Repeat([]byte{'x'}, 90))
				appendDurable(t, l, []byte(p), 1)
				want = append(want, p)
			}
			if st := l.Stats(); st.Segments < 4 {
				t.Fatalf("segments = %d, want rotation every 1 KiB", st.Segments)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}

			again := openLog(t, dir, cfg)
			got, st := replayAll(t, again)
			if len(got) != len(want) || st.Damaged != 0 {
				t.Fatalf("replayed %d records (%d damaged segments), want %d", len(got), st.Damaged, len(want))
			}
			for i := range got {
				if got[i].payload != want[i] {
					t.Fatalf("record %d = %q, want %q", i, got[i].payload, want[i])
				}
				if i > 0 && got[i].segment < got[i-1].segment {
					t.Fatalf("record %d in segment %d after segment %d", i, got[i].segment, got[i-1].segment)
				}
			}
		})
	}
}

func TestTornOrCorruptTailEndsTheSegment(t *testing.T) {
	cases := []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"cut in the header", func(d []byte) []byte { return d[:len(d)-len("third")-5] }},
		{"cut in the payload", func(d []byte) []byte { return d[:len(d)-2] }},
		{"flipped bit", func(d []byte) []byte { d[len(d)-1] ^= 1; return d }},
		{"length beyond the file", func(d []byte) []byte {
			i := len(d) - len("third") - headerBytes
			d[i+2] = 0x7f
			return d
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig()
			l := openLog(t, dir, cfg)
			first := appendDurable(t, l, []byte("first"), 1)
			appendDurable(t, l, []byte("second"), 1)
			appendDurable(t, l, []byte("third"), 1)
			_ = l.Close()
			path := filepath.Join(dir, segmentName(first.Segment))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, c.damage(data), 0o640); err != nil {
				t.Fatal(err)
			}
			got, st := replayAll(t, openLog(t, dir, cfg))
			if len(got) != 2 || got[0].payload != "first" || got[1].payload != "second" {
				t.Fatalf("replayed %v, want first and second", got)
			}
			if st.Damaged != 1 || st.DamagedBytes == 0 {
				t.Fatalf("stats %+v, want one damaged segment", st)
			}
		})
	}
}

func TestSegmentsGoOnceTheyAndOlderOnesHoldNothing(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	big := bytes.Repeat([]byte{'y'}, 700) // one record per segment
	a := appendDurable(t, l, big, 1)
	b := appendDurable(t, l, big, 2)
	appendDurable(t, l, big, 0)
	files := func() int {
		ids, err := listSegments(dir)
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	if files() != 3 {
		t.Fatalf("%d segment files, want 3", files())
	}
	l.Release(b.Segment, 2) // b is free, but a still holds
	if files() != 3 {
		t.Fatalf("%d files after releasing the second segment, want 3: the first still holds", files())
	}
	l.Release(a.Segment, 1)
	if files() != 1 {
		t.Fatalf("%d files after releasing every hold, want only the active segment", files())
	}
	if st := l.Stats(); st.Bytes != int64(headerBytes+len(big)) {
		t.Fatalf("bytes = %d, want the active segment's %d", st.Bytes, headerBytes+len(big))
	}
}

func TestRecoveredSegmentsStayUntilReplayEndsAndTheirHoldsGo(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	l := openLog(t, dir, cfg)
	p := appendDurable(t, l, []byte("waiting"), 1)
	appendDurable(t, l, bytes.Repeat([]byte{'z'}, 1100), 0)
	_ = l.Close()

	again := openLog(t, dir, cfg)
	again.Release(p.Segment, 0) // a release before the replay ends removes nothing
	got, _ := replayAll(t, again)
	if len(got) != 2 {
		t.Fatalf("replayed %d records, want 2", len(got))
	}
	again.Hold(p.Segment, 1)
	again.Recovered()
	ids, _ := listSegments(dir)
	if len(ids) != 3 || ids[0] != p.Segment {
		t.Fatalf("segments %v, want the held one, the next and the new active one", ids)
	}
	again.Release(p.Segment, 1)
	ids, _ = listSegments(dir)
	if len(ids) != 1 {
		t.Fatalf("segments %v, want only the active one", ids)
	}
}

func TestAppendRefusesAtMaxBytesUntilSpaceIsFreed(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBytes = 2048
	l := openLog(t, t.TempDir(), cfg)
	rec := bytes.Repeat([]byte{'q'}, 600)
	var held []Position
	for range 3 {
		held = append(held, appendDurable(t, l, rec, 1))
	}
	if _, err := l.Append(1, rec); !errors.Is(err, ErrFull) {
		t.Fatalf("append beyond max_bytes: %v, want ErrFull", err)
	}
	for _, p := range held {
		l.Release(p.Segment, 1)
	}
	appendDurable(t, l, rec, 1)
}

func TestGroupCommitAcknowledgesConcurrentAppends(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1 << 20
	cfg.MaxBytes = 8 << 20
	cfg.SyncInterval = 2 * time.Millisecond
	dir := t.TempDir()
	l := openLog(t, dir, cfg)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				p, err := l.Append(1, []byte(fmt.Sprintf("g%d-%d", g, i)))
				if err == nil {
					err = l.WaitDurable(p)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_ = l.Close()
	got, _ := replayAll(t, openLog(t, dir, cfg))
	if len(got) != 200 {
		t.Fatalf("replayed %d records, want 200", len(got))
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate("wal"); err != nil {
		t.Fatalf("off by default, yet: %v", err)
	}
	cfg.Directory = "/var/lib/tailwise/wal"
	if err := cfg.Validate("wal"); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cfg.SegmentBytes = 10
	cfg.MaxBytes = 10
	cfg.SyncInterval = -time.Second
	err := cfg.Validate("wal")
	for _, field := range []string{"wal::segment_bytes", "wal::max_bytes", "wal::sync_interval"} {
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(field)) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
}

func TestPartsAreOneRecord(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	p, err := l.Append(1, []byte("head|"), nil, []byte("body"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.WaitDurable(p); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	got, _ := replayAll(t, openLog(t, dir, testConfig()))
	if len(got) != 1 || got[0].payload != "head|body" {
		t.Fatalf("replayed %v, want one record head|body", got)
	}
}

func TestCloseLeavesAnEmptyLogOnlyWhenNothingIsHeld(t *testing.T) {
	for _, holds := range []int{0, 1} {
		dir := t.TempDir()
		l := openLog(t, dir, testConfig())
		appendDurable(t, l, []byte("record"), holds)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		ids, err := listSegments(dir)
		if err != nil {
			t.Fatal(err)
		}
		if (len(ids) == 0) != (holds == 0) {
			t.Errorf("with %d holds at Close, %d segment files left", holds, len(ids))
		}
	}
}

func TestASecondOpenerOfTheDirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(dir, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	appendDurable(t, first, []byte("held"), 1)
	_, err = Open(dir, testConfig())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("second Open: %v, want ErrLocked naming this process", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again := openLog(t, dir, testConfig())
	var got []string
	if _, err := again.Replay(func(_ uint64, p []byte) error { got = append(got, string(p)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "held" {
		t.Fatalf("replayed %q after the first holder closed, want the held record", got)
	}
}

// TestLockGoesWithAKilledProcess runs a child process that opens the log and is killed: the
// directory opens again at once.
func TestLockGoesWithAKilledProcess(t *testing.T) {
	if dir := os.Getenv("WAL_LOCK_HOLDER_DIR"); dir != "" {
		if _, err := Open(dir, testConfig()); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("open")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestLockGoesWithAKilledProcess$")
	child.Env = append(os.Environ(), "WAL_LOCK_HOLDER_DIR="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "open\n" {
		_ = child.Process.Kill()
		t.Fatalf("child: %q, %v", line, err)
	}
	if _, err := Open(dir, testConfig()); !errors.Is(err, ErrLocked) {
		_ = child.Process.Kill()
		t.Fatalf("Open while the child holds the log: %v, want ErrLocked", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	openLog(t, dir, testConfig())
}

func TestReplayCountsUndecodableRecordsAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	for _, p := range []string{"good", "garbled", "good again"} {
		appendDurable(t, l, []byte(p), 1)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	again := openLog(t, dir, testConfig())
	var taken []string
	stats, err := again.Replay(func(_ uint64, p []byte) error {
		if string(p) == "garbled" {
			return ErrUndecodable
		}
		taken = append(taken, string(p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(taken) != 2 || stats.Undecodable != 1 || stats.UndecodableBytes != int64(len("garbled")) || stats.LostBytes() != int64(len("garbled")) {
		t.Fatalf("took %q, stats %+v", taken, stats)
	}
}

// statusHost records the status events a component reports.
type statusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (*statusHost) GetExtensions() map[component.ID]component.Component { return nil }

func (h *statusHost) Report(e *componentstatus.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

func TestFailedFsyncAcknowledgesNothingMoreAndStopsTheCollector(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	host := &statusHost{}
	l.StopOnSyncFailure(host)
	appendDurable(t, l, []byte("before"), 0)
	l.mu.Lock()
	l.sync = func(*os.File) error { return errors.New("input/output error") }
	l.mu.Unlock()
	for range 2 {
		p, err := l.Append(0, []byte("after"))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.WaitDurable(p); err == nil || !strings.Contains(err.Error(), "input/output error") {
			t.Fatalf("WaitDurable after a failed fsync: %v", err)
		}
	}
	host.mu.Lock()
	defer host.mu.Unlock()
	if len(host.events) != 1 || host.events[0].Status() != componentstatus.StatusFatalError {
		t.Fatalf("status events %v, want one fatal error", host.events)
	}
}
