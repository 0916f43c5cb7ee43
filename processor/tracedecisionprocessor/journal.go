package tracedecisionprocessor

import (
	"encoding/binary"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/internal/wal"
)

// The journal's records. Held batches are logged as OTLP protobuf, the stable encoding.
const (
	// recordHeld: batch id (8 bytes), arrival time (unix ns, 8 bytes), the batch as OTLP.
	recordHeld byte = 1
	// recordReleased: ids (8 bytes each) of held batches passed on or dropped.
	recordReleased byte = 2
)

// heldJournal logs every batch the processor holds before acknowledging it and every release
// once the batch is passed on, so that a restart holds again what was waiting, with its
// arrival time, and passes nothing on twice.
type heldJournal struct {
	log       *wal.Log
	marshaler plog.ProtoMarshaler

	mu     sync.Mutex
	nextID uint64
}

func openHeldJournal(dir string, cfg wal.Config) (*heldJournal, error) {
	l, err := wal.Open(dir, cfg)
	if err != nil {
		return nil, err
	}
	return &heldJournal{log: l, nextID: 1}, nil
}

// hold logs a batch about to be held and waits until the record is durable. The batch's
// segment stays until release.
func (j *heldJournal) hold(ld plog.Logs, arrived time.Time) (journalRef, error) {
	b, err := j.marshaler.MarshalLogs(ld)
	if err != nil {
		return journalRef{}, err
	}
	j.mu.Lock()
	id := j.nextID
	j.nextID++
	j.mu.Unlock()
	var prefix [17]byte
	prefix[0] = recordHeld
	binary.LittleEndian.PutUint64(prefix[1:], id)
	binary.LittleEndian.PutUint64(prefix[9:], uint64(arrived.UnixNano()))
	pos, err := j.log.Append(1, prefix[:], b)
	if err != nil {
		return journalRef{}, err
	}
	ref := journalRef{id: id, segment: pos.Segment}
	if err := j.log.WaitDurable(pos); err != nil {
		j.log.Release(pos.Segment, 1)
		return journalRef{}, err
	}
	return ref, nil
}

// journalRef names a held batch in the log.
type journalRef struct {
	id      uint64
	segment uint64
}

// release logs that the batches left, waits until that is durable, and frees their segments.
func (j *heldJournal) release(refs []journalRef) error {
	if len(refs) == 0 {
		return nil
	}
	rec := make([]byte, 1, 1+8*len(refs))
	rec[0] = recordReleased
	for _, r := range refs {
		rec = binary.LittleEndian.AppendUint64(rec, r.id)
	}
	pos, err := j.log.Append(0, rec)
	if err == nil {
		err = j.log.WaitDurable(pos)
	}
	if err != nil {
		return err
	}
	for _, r := range refs {
		j.log.Release(r.segment, 1)
	}
	return nil
}

// replay returns the batches held and never released, oldest first, holding their segments.
func (j *heldJournal) replay() ([]heldBatch, wal.ReplayStats, error) {
	released := map[uint64]struct{}{}
	maxID := uint64(0)
	if _, err := j.log.Replay(func(_ uint64, rec []byte) error {
		if id, ok := heldID(rec); ok {
			maxID = max(maxID, id)
		}
		readReleased(rec, released)
		return nil
	}); err != nil {
		return nil, wal.ReplayStats{}, err
	}
	var held []heldBatch
	stats, err := j.log.Replay(func(seg uint64, rec []byte) error {
		if id, ok := heldID(rec); !ok {
			return nil
		} else if _, gone := released[id]; gone {
			return nil
		}
		b, err := readHeld(rec)
		if err != nil {
			return wal.ErrUndecodable
		}
		b.journal.segment = seg
		j.log.Hold(seg, 1)
		held = append(held, b)
		return nil
	})
	j.nextID = maxID + 1
	j.log.Recovered()
	return held, stats, err
}

// heldID is the batch id of a held record; ok is false for a record of another kind.
func heldID(rec []byte) (uint64, bool) {
	if len(rec) < 17 || rec[0] != recordHeld {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec[1:]), true
}

// readHeld decodes a held record.
func readHeld(rec []byte) (heldBatch, error) {
	id, _ := heldID(rec)
	var unmarshaler plog.ProtoUnmarshaler
	ld, err := unmarshaler.UnmarshalLogs(rec[17:])
	if err != nil {
		return heldBatch{}, err
	}
	return heldBatch{
		ld:      ld,
		arrived: time.Unix(0, int64(binary.LittleEndian.Uint64(rec[9:]))),
		journal: journalRef{id: id},
	}, nil
}

// readReleased adds the ids of a released record to released; other records add nothing.
func readReleased(rec []byte, released map[uint64]struct{}) {
	if len(rec) == 0 || rec[0] != recordReleased {
		return
	}
	for b := rec[1:]; len(b) >= 8; b = b[8:] {
		released[binary.LittleEndian.Uint64(b)] = struct{}{}
	}
}

func (j *heldJournal) close() error { return j.log.Close() }
