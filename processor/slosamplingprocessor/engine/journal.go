package engine

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A journal record holds the spans one Ingest took, in the buffer's own encoding, with the
// strings its interned ids stand for, so that DecodeJournal rebuilds them in another process:
//
//	version
//	names: count, then (id, string) each; keys: the same
//	the encoded resources, scopes and spans (length-prefixed)
//	chunks: count, then (trace id, span count, resource and scope range, spans range) each

// journalVersion is the record format; a record of another version is refused.
const journalVersion = 1

// ErrJournalFull refuses a batch whose record the journal has no room for.
var ErrJournalFull = errors.New("slo sampling: write-ahead log full")

var errJournalFormat = errors.New("slo sampling: malformed journal record")

// journalIDs collects the interned ids of one batch.
type journalIDs struct{ names, keys idSet }

type idSet struct {
	seen []bool
	list []uint32
}

func (s *idSet) add(id uint32) {
	if int(id) >= len(s.seen) {
		s.seen = append(s.seen, make([]bool, int(id)+1-len(s.seen))...)
	}
	if !s.seen[id] {
		s.seen[id] = true
		s.list = append(s.list, id)
	}
}

func (s *idSet) reset() {
	for _, id := range s.list {
		s.seen[id] = false
	}
	s.list = s.list[:0]
}

// SetJournal turns journal records on: Ingest refuses with ErrJournalFull a batch whose record
// is larger than room() reports, and returns the record of each batch it takes in
// Output.Journal. A nil room turns them off.
func (e *Engine) SetJournal(room func() int64) {
	e.journalRoom = room
	e.encoder.used = nil
	if room != nil {
		e.encoder.used = &journalIDs{}
	}
}

// ReportSettlement makes Ingest list in Output.Started and Output.Settled the traces each
// call began to buffer or settled, for a caller that holds its log's segments for them.
// Turn it on before replaying a log, when journal records are still off.
func (e *Engine) ReportSettlement() { e.reportSettlement = true }

// journalRecord encodes the staged batch into e.journal.
func (e *Engine) journalRecord() []byte {
	used := e.encoder.used
	b := append(e.journal[:0], journalVersion)
	b = appendIDs(b, e.names, &used.names)
	b = appendIDs(b, e.keys, &used.keys)
	b = appendUvarint(b, uint64(len(e.scratch)))
	b = append(b, e.scratch...)
	b = appendUvarint(b, uint64(len(e.staged)))
	for i := range e.staged {
		c := &e.staged[i]
		b = append(b, c.id[:]...)
		b = appendUvarint(b, uint64(c.count))
		b = appendUvarint(b, uint64(c.scopeStart))
		b = appendUvarint(b, uint64(c.scopeEnd))
		b = appendUvarint(b, uint64(c.start))
		b = appendUvarint(b, uint64(c.end))
	}
	used.names.reset()
	used.keys.reset()
	e.journal = b
	return b
}

func appendIDs(b []byte, in *interner, used *idSet) []byte {
	b = appendUvarint(b, uint64(len(used.list)))
	for _, id := range used.list {
		s, _ := in.str(id)
		b = appendUvarint(b, uint64(id))
		b = appendString(b, s)
	}
	return b
}

// JournalDecoder rebuilds the spans of journal records. One decoder serves a whole replay: the
// tables of the ids a record defines are reused from record to record, so that a record whose
// ids are large (a gateway that has interned many names) costs no more than another.
type JournalDecoder struct {
	names, keys journalTable
}

// NewJournalDecoder returns a decoder for a replay.
func NewJournalDecoder() *JournalDecoder { return &JournalDecoder{} }

// Decode rebuilds the spans of a journal record. A malformed record is an error, never a
// panic.
func (d *JournalDecoder) Decode(record []byte) (ptrace.Traces, error) {
	r := reader{b: record}
	if v := r.byte(); v != journalVersion {
		return ptrace.Traces{}, fmt.Errorf("%w: version %d, this release reads %d", errJournalFormat, v, journalVersion)
	}
	namesOK, keysOK := d.names.read(&r, maxNames), d.keys.read(&r, maxKeys)
	encoded := r.bytes(r.uvarint())
	chunks := r.length()
	if r.failed || !namesOK || !keysOK {
		return ptrace.Traces{}, errJournalFormat
	}
	dec := spanDecoder{names: &d.names.in, keys: &d.keys.in}
	td := ptrace.NewTraces()
	rss := td.ResourceSpans()
	for i := 0; i < chunks; i++ {
		id := r.traceID()
		count := r.uvarint()
		scopeStart, scopeEnd, start, end := r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint()
		n := uint64(len(encoded))
		if r.failed || scopeStart > scopeEnd || scopeEnd > n || start > end || end > n || count > end-start {
			return ptrace.Traces{}, errJournalFormat
		}
		rs := rss.AppendEmpty()
		ss := rs.ScopeSpans().AppendEmpty()
		if decodeResourceScope(encoded[scopeStart:scopeEnd], rs, ss) != nil ||
			dec.decodeSpans(encoded[start:end], int(count), id, ss.Spans()) != nil {
			return ptrace.Traces{}, errJournalFormat
		}
	}
	if len(r.b) != 0 {
		return ptrace.Traces{}, errJournalFormat
	}
	return td, nil
}

// journalTable holds the strings of the ids one record defines, at their ids, in a table
// reused from record to record.
type journalTable struct {
	in  interner
	set []uint32 // the ids the last record defined
}

// read reads a record's (id, string) pairs into the table, in place of the previous
// record's; false when malformed.
func (t *journalTable) read(r *reader, limit int) bool {
	for _, id := range t.set {
		t.in.strings[id] = ""
	}
	t.set = t.set[:0]
	n := r.length()
	for i := 0; i < n && !r.failed; i++ {
		id, s := r.uvarint(), r.string()
		if id >= uint64(limit) {
			return false
		}
		if int(id) >= len(t.in.strings) {
			t.in.strings = append(t.in.strings, make([]string, int(id)+1-len(t.in.strings))...)
		}
		t.in.strings[id] = s
		t.set = append(t.set, uint32(id))
	}
	return !r.failed
}
