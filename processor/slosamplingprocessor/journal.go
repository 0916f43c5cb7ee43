package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"

import (
	"encoding/binary"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/wal"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// The journal's records.
const (
	// recordBatch: arrival time (unix ns, 8 bytes little endian), then the engine's journal
	// record of the batch: the spans in the buffer's own encoding, as they are buffered.
	recordBatch byte = 1
	// recordSettled: trace ids (16 bytes each) decided and passed on, or whose late spans
	// were: replay leaves their spans alone.
	recordSettled byte = 2
)

// settledHeadroom is log space kept free of batches for the settled records that free it.
const settledHeadroom = 1 << 20

// traceJournal logs every accepted batch before it is acknowledged and every decision once
// the kept spans are passed on, so that a restart takes back the undecided traces, with
// their arrival times, and sends no decided one twice.
type traceJournal struct {
	log *wal.Log

	mu sync.Mutex
	// live maps each buffered trace to the segment of its first record, which holds it.
	live map[pcommon.TraceID]uint64
}

func openTraceJournal(dir string, cfg wal.Config) (*traceJournal, error) {
	l, err := wal.Open(dir, cfg)
	if err != nil {
		return nil, err
	}
	return &traceJournal{log: l, live: map[pcommon.TraceID]uint64{}}, nil
}

// room is the space the engine's journal records may take: the log's, less the headroom
// kept for settled records.
func (j *traceJournal) room() int64 { return j.log.Room() - settledHeadroom - 9 }

// appendBatch logs a batch the engine took, holding its segment for each trace it started.
func (j *traceJournal) appendBatch(arrived time.Time, record []byte, started []pcommon.TraceID) (wal.Position, error) {
	var prefix [9]byte
	prefix[0] = recordBatch
	binary.LittleEndian.PutUint64(prefix[1:], uint64(arrived.UnixNano()))
	j.mu.Lock()
	defer j.mu.Unlock()
	pos, err := j.log.Append(len(started), prefix[:], record)
	if err != nil {
		return pos, err
	}
	for _, id := range started {
		j.live[id] = pos.Segment
	}
	return pos, nil
}

// settle logs that the traces are decided and passed on, waits until that is durable, and
// releases what held their segments.
func (j *traceJournal) settle(ids []pcommon.TraceID) error {
	if len(ids) == 0 {
		return nil
	}
	rec := make([]byte, 1, 1+16*len(ids))
	rec[0] = recordSettled
	for _, id := range ids {
		rec = append(rec, id[:]...)
	}
	pos, err := j.log.Append(0, rec)
	if err == nil {
		err = j.log.WaitDurable(pos)
	}
	if err != nil {
		return err
	}
	j.mu.Lock()
	released := map[uint64]int{}
	for _, id := range ids {
		if seg, ok := j.live[id]; ok {
			released[seg]++
			delete(j.live, id)
		}
	}
	j.mu.Unlock()
	for seg, n := range released {
		j.log.Release(seg, n)
	}
	return nil
}

// replayedBatch is a batch taken back from the log, without the spans of settled traces.
type replayedBatch struct {
	segment uint64
	arrived time.Time
	traces  ptrace.Traces
}

// replay reads the log: the settled traces first, then every batch in order without their
// spans. A batch that does not decode is skipped and counted in the stats.
func (j *traceJournal) replay(fn func(replayedBatch) error) (wal.ReplayStats, error) {
	settled := map[pcommon.TraceID]struct{}{}
	if _, err := j.log.Replay(func(_ uint64, rec []byte) error {
		readSettled(rec, settled)
		return nil
	}); err != nil {
		return wal.ReplayStats{}, err
	}
	decoder := engine.NewJournalDecoder()
	return j.log.Replay(func(seg uint64, rec []byte) error {
		arrived, td, ok, err := readBatch(decoder, rec)
		if err != nil {
			return wal.ErrUndecodable
		}
		if !ok {
			return nil
		}
		withoutSettled(td, settled)
		if td.SpanCount() == 0 {
			return nil
		}
		return fn(replayedBatch{segment: seg, arrived: arrived, traces: td})
	})
}

// readSettled adds the trace ids of a settled record to settled; other records add nothing.
func readSettled(rec []byte, settled map[pcommon.TraceID]struct{}) {
	if len(rec) == 0 || rec[0] != recordSettled {
		return
	}
	for b := rec[1:]; len(b) >= 16; b = b[16:] {
		settled[pcommon.TraceID(b[:16])] = struct{}{}
	}
}

// readBatch decodes a batch record; ok is false for a record of another kind.
func readBatch(decoder *engine.JournalDecoder, rec []byte) (arrived time.Time, td ptrace.Traces, ok bool, err error) {
	if len(rec) < 9 || rec[0] != recordBatch {
		return time.Time{}, ptrace.Traces{}, false, nil
	}
	td, err = decoder.Decode(rec[9:])
	if err != nil {
		return time.Time{}, ptrace.Traces{}, false, err
	}
	return time.Unix(0, int64(binary.LittleEndian.Uint64(rec[1:9]))), td, true, nil
}

// holdReplayed holds the segment of a replayed batch for each trace it started.
func (j *traceJournal) holdReplayed(seg uint64, started []pcommon.TraceID) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range started {
		j.live[id] = seg
	}
	j.log.Hold(seg, len(started))
}

func withoutSettled(td ptrace.Traces, settled map[pcommon.TraceID]struct{}) {
	if len(settled) == 0 {
		return
	}
	td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			ss.Spans().RemoveIf(func(s ptrace.Span) bool {
				_, ok := settled[s.TraceID()]
				return ok
			})
			return ss.Spans().Len() == 0
		})
		return rs.ScopeSpans().Len() == 0
	})
}

func (j *traceJournal) close() error { return j.log.Close() }
