// Package wal is a write-ahead log for data a component acknowledges before it can pass it
// on: records are appended to segment files, acknowledged once durable (one fsync for every
// record of a group-commit window), replayed on start, and removed a segment at a time once
// nothing in it is still held.
//
// A caller holds a segment for each item whose record is in it and is still waiting, and
// releases the hold once the item is passed on or decided. A segment goes when it and every
// older segment are free of holds and a newer segment takes the appends.
package wal // import "github.com/tailwise/tailwise/internal/wal"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"
)

// ErrFull refuses an append at max_bytes. It is retryable: the log frees space as what
// waits is decided.
var ErrFull = errors.New("write-ahead log full")

var errClosed = errors.New("write-ahead log closed")

// Position is where a record went: its segment, and its place in the order of appends.
type Position struct {
	Segment uint64
	seq     uint64
}

type segment struct {
	id    uint64
	size  int64
	holds int
	file  *os.File // open while the segment takes appends or awaits its last fsync
}

// Log is a write-ahead log in one directory. It is safe for concurrent use.
type Log struct {
	dir string
	cfg Config

	mu        sync.Mutex
	segments  []*segment // oldest first; the last takes the appends
	recovered int        // segments found at Open, at the front of segments
	bytes     int64
	header    []byte
	appended  uint64     // records appended
	synced    uint64     // records known durable
	unsynced  []*os.File // files written since the last fsync, the active one last
	syncErr   error
	closed    bool
	durable   *sync.Cond
	lock      *os.File // holds the directory's lock while the log is open
	onFailure func(error)
	sync      func(*os.File) error // (*os.File).Sync; tests make it fail

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

// Open opens or creates the log in dir. Segments already there are kept for Replay; new
// records go to a new segment.
func Open(dir string, cfg Config) (*Log, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	lock, err := lockDir(dir)
	if errors.Is(err, ErrLocked) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	l, err := open(dir, cfg)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	l.lock = lock
	if cfg.Fsync {
		go l.syncLoop()
	} else {
		close(l.done)
	}
	return l, nil
}

// open reads the segments in dir and starts a new one.
func open(dir string, cfg Config) (*Log, error) {
	ids, err := listSegments(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	l := &Log{dir: dir, cfg: cfg, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), sync: (*os.File).Sync}
	l.durable = sync.NewCond(&l.mu)
	next := uint64(1)
	for _, id := range ids {
		info, err := os.Stat(l.path(id))
		if err != nil {
			return nil, fmt.Errorf("wal: %w", err)
		}
		l.segments = append(l.segments, &segment{id: id, size: info.Size()})
		l.bytes += info.Size()
		next = id + 1
	}
	l.recovered = len(l.segments)
	if err := l.startSegment(next); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Log) path(id uint64) string { return filepath.Join(l.dir, segmentName(id)) }

// startSegment creates segment id and makes it take the appends.
func (l *Log) startSegment(id uint64) error {
	f, err := os.OpenFile(l.path(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	if l.cfg.Fsync {
		if err := syncDir(l.dir); err != nil {
			_ = f.Close()
			return fmt.Errorf("wal: %w", err)
		}
	}
	l.segments = append(l.segments, &segment{id: id, file: f})
	return nil
}

func (l *Log) active() *segment { return l.segments[len(l.segments)-1] }

// Append writes one record, whose payload is the parts in order, and puts holds on its
// segment, atomically with the write so that the segment cannot go before the caller records
// them. The record is durable once WaitDurable(position) returns. The parts are written as
// they are, not copied.
func (l *Log) Append(holds int, parts ...[]byte) (Position, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return Position{}, errClosed
	}
	size := int64(headerBytes)
	for _, p := range parts {
		size += int64(len(p))
	}
	if l.bytes+size > l.cfg.MaxBytes {
		return Position{}, fmt.Errorf("%w: %d bytes held, max_bytes is %d", ErrFull, l.bytes, l.cfg.MaxBytes)
	}
	if s := l.active(); s.size > 0 && s.size+size > l.cfg.SegmentBytes {
		if err := l.rotate(); err != nil {
			return Position{}, err
		}
	}
	s := l.active()
	l.header = appendHeader(l.header[:0], parts...)
	if err := l.write(s, l.header, parts); err != nil {
		return Position{}, err
	}
	s.size += size
	s.holds += holds
	l.bytes += size
	l.appended++
	if l.cfg.Fsync {
		if len(l.unsynced) == 0 || l.unsynced[len(l.unsynced)-1] != s.file {
			l.unsynced = append(l.unsynced, s.file)
		}
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return Position{Segment: s.id, seq: l.appended}, nil
}

// write writes the header and parts of one record at the end of s; on failure it cuts off what part
// was written, which would otherwise end what replay reads of the segment.
func (l *Log) write(s *segment, header []byte, parts [][]byte) error {
	written := int64(0)
	for i := -1; i < len(parts); i++ {
		p := header
		if i >= 0 {
			p = parts[i]
		}
		n, err := s.file.Write(p)
		written += int64(n)
		if err != nil {
			if written > 0 {
				_ = s.file.Truncate(s.size)
			}
			return fmt.Errorf("wal: %w", err)
		}
	}
	return nil
}

// rotate moves the appends to a new segment. The old file is closed by the next fsync, or
// now without fsync.
func (l *Log) rotate() error {
	old := l.active()
	if err := l.startSegment(old.id + 1); err != nil {
		return err
	}
	if !l.cfg.Fsync {
		_ = old.file.Close()
	}
	old.file = nil
	return nil
}

// WaitDurable returns once the record at p is on disk (at once without fsync), or the error
// that kept it from getting there.
func (l *Log) WaitDurable(p Position) error {
	if !l.cfg.Fsync {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.synced < p.seq && l.syncErr == nil && !l.closed {
		l.durable.Wait()
	}
	if l.synced >= p.seq {
		return nil
	}
	if l.syncErr != nil {
		return fmt.Errorf("wal: fsync: %w", l.syncErr)
	}
	return errClosed
}

// syncLoop is the group commit: after the first append of a window it waits sync_interval,
// then one fsync per written file makes every record appended so far durable.
func (l *Log) syncLoop() {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			l.syncNow()
			return
		case <-l.wake:
		}
		if l.cfg.SyncInterval > 0 {
			select {
			case <-time.After(l.cfg.SyncInterval):
			case <-l.stop:
			}
		}
		l.syncNow()
	}
}

func (l *Log) syncNow() {
	l.mu.Lock()
	target, files, sync := l.appended, l.unsynced, l.sync
	l.unsynced = nil
	activeFile := l.active().file
	l.mu.Unlock()
	var err error
	for _, f := range files {
		if e := sync(f); e != nil && err == nil {
			err = e
		}
		if f != activeFile {
			_ = f.Close()
		}
	}
	l.mu.Lock()
	first := err != nil && l.syncErr == nil
	onFailure := l.onFailure
	l.mu.Unlock()
	// The collector hears of the failure before any writer does, so no caller can see a
	// refused acknowledgment from a log that has not yet asked to stop. Only the syncer
	// goroutine calls syncNow, so first stays true until syncErr is set below.
	if first && onFailure != nil {
		onFailure(err)
	}
	l.mu.Lock()
	if err != nil {
		l.syncErr = err
	} else if target > l.synced {
		l.synced = target
	}
	l.durable.Broadcast()
	l.mu.Unlock()
}

// StopOnSyncFailure reports a fatal error to host at the first failed fsync, which stops the
// collector. After a failed fsync the log acknowledges nothing more: the operating system may
// have dropped the pages it could not write, so only a restart that replays what is on disk
// can tell what the log holds; the process's supervisor (Kubernetes) restarts it.
func (l *Log) StopOnSyncFailure(host component.Host) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onFailure = func(err error) {
		componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(
			fmt.Errorf("write-ahead log %s: fsync failed, stopping so that a restart replays what is on disk: %w", l.dir, err)))
	}
}

// Release takes away n holds from segment id and removes the segments that are free.
func (l *Log) Release(id uint64, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.segments {
		if s.id == id {
			s.holds -= n
			break
		}
	}
	l.collect()
}

// Recovered calls Release for no holds: after a replay, the recovered segments that hold
// nothing go.
func (l *Log) Recovered() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recovered = 0
	l.collect()
}

// collect removes the free segments at the front, never the active one nor one still to be
// replayed.
func (l *Log) collect() {
	removed := 0
	for len(l.segments) > 1 && l.recovered == 0 && l.segments[0].holds <= 0 {
		s := l.segments[0]
		if err := os.Remove(l.path(s.id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			break
		}
		l.bytes -= s.size
		l.segments = l.segments[1:]
		removed++
	}
	if removed > 0 && l.cfg.Fsync {
		_ = syncDir(l.dir)
	}
}

// Room is how many bytes the log may still grow by before max_bytes.
func (l *Log) Room() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.MaxBytes - l.bytes
}

// Stats is what the log holds.
type Stats struct {
	Bytes    int64
	Segments int
}

// Stats reports the log's size on disk.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Bytes: l.bytes, Segments: len(l.segments)}
}

// ErrUndecodable, returned by Replay's fn, skips a record its caller cannot decode; Replay
// counts it and goes on.
var ErrUndecodable = errors.New("write-ahead log record does not decode")

// ReplayStats counts what a replay read and what it could not.
type ReplayStats struct {
	Records  int
	Segments int
	// Damaged counts segments that ended in a torn or corrupt record; DamagedBytes is what
	// was left unread of them.
	Damaged      int
	DamagedBytes int64
	// Undecodable counts the records fn refused with ErrUndecodable, UndecodableBytes their
	// payloads' size.
	Undecodable      int
	UndecodableBytes int64
}

// LostBytes is what the replay could not take back: bytes unread and records undecodable.
func (s ReplayStats) LostBytes() int64 { return s.DamagedBytes + s.UndecodableBytes }

// LogDamage warns, when the replay could not take back all of the log, what it left.
func (s ReplayStats) LogDamage(logger *zap.Logger) {
	if s.LostBytes() == 0 {
		return
	}
	logger.Warn("The write-ahead log had damaged records; the rest was replayed",
		zap.Int("damaged_segments", s.Damaged), zap.Int64("bytes_unread", s.DamagedBytes),
		zap.Int("undecodable_records", s.Undecodable), zap.Int64("bytes_undecodable", s.UndecodableBytes))
}

// LogReplayStart logs that a replay of the log begins, with what it holds.
func (l *Log) LogReplayStart(logger *zap.Logger) {
	st := l.Stats()
	logger.Info("Replaying the write-ahead log", zap.Int("segments", st.Segments-1), zap.Int64("bytes", st.Bytes))
}

// Replay calls fn with every record of the segments found at Open, oldest first, and the
// segment it is in. fn puts holds on segments with Hold for what it takes back; call
// Recovered once the replay is done. An error from fn stops the replay.
func (l *Log) Replay(fn func(segment uint64, payload []byte) error) (ReplayStats, error) {
	var st ReplayStats
	l.mu.Lock()
	recovered := make([]uint64, 0, l.recovered)
	for _, s := range l.segments[:l.recovered] {
		recovered = append(recovered, s.id)
	}
	l.mu.Unlock()
	for _, id := range recovered {
		data, err := os.ReadFile(l.path(id))
		if err != nil {
			return st, fmt.Errorf("wal: %w", err)
		}
		n, err := readFrames(data, func(payload []byte) error {
			st.Records++
			err := fn(id, payload)
			if errors.Is(err, ErrUndecodable) {
				st.Undecodable++
				st.UndecodableBytes += int64(len(payload))
				return nil
			}
			return err
		})
		if err != nil {
			return st, err
		}
		st.Segments++
		if n < len(data) {
			st.Damaged++
			st.DamagedBytes += int64(len(data) - n)
		}
	}
	return st, nil
}

// Hold puts n holds on segment id, for data a replay took back.
func (l *Log) Hold(id uint64, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.segments {
		if s.id == id {
			s.holds += n
			return
		}
	}
}

// Close makes what was appended durable and closes the files. Segments that still hold
// something stay for the next Open; when nothing is held, the log is left empty.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.durable.Broadcast()
	var err error
	if f := l.active().file; f != nil {
		err = f.Close()
	}
	if err == nil && l.recovered == 0 && !l.holding() {
		for _, s := range l.segments {
			if e := os.Remove(l.path(s.id)); e != nil && !errors.Is(e, os.ErrNotExist) {
				err = fmt.Errorf("wal: %w", e)
			}
		}
		l.segments = l.segments[len(l.segments)-1:]
		l.bytes = 0
	}
	if e := l.lock.Close(); e != nil && err == nil { // releases the directory
		err = fmt.Errorf("wal: %w", e)
	}
	return err
}

func (l *Log) holding() bool {
	for _, s := range l.segments {
		if s.holds > 0 {
			return true
		}
	}
	return false
}
