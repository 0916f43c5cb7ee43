package engine

import (
	"bytes"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// bufferedTrace is everything the engine keeps about an undecided trace:
// its spans in compact form and the facts the decision needs.
type bufferedTrace struct {
	id     pcommon.TraceID
	chunks []chunk
	spans  int
	bytes  int64

	firstSeen, quietDeadline int64 // unix nanos

	rootSeen      bool
	entryService  uint32 // service and span name of the root, or of the
	entryName     uint32 // earliest span until the root arrives
	tenant        uint32 // from the resource of the first span seen
	earliestStart uint64
	hasError      bool
	shape         shape // the requests it serves

	matched, violated uint64 // objective bitmasks

	upstreamThreshold Threshold
	randomness        Randomness
	hasRandomness     bool
	draw              *draw // set once due: how it is being decided
	retained          bool
	counted           bool // in its stratum's arrivals
	decided           bool
}

// chunk is a run of spans sharing a resource and scope.
type chunk struct {
	scope *sharedScope
	spans []byte
	count int
}

// sharedScope is an encoded resource and scope, stored once for all the
// buffered chunks that share it.
type sharedScope struct {
	encoded []byte
	refs    int
}

// Fixed per-trace and per-chunk overheads counted in buffered bytes.
const (
	traceOverheadBytes = 224
	chunkOverheadBytes = 40
)

// traceBuffer holds the undecided traces: by id, in the order of their
// first span (for trace_timeout and memory pressure) and of their root's
// quiet deadline (decision_delay), with their shared resources and scopes
// and the bytes they take.
type traceBuffer struct {
	traces   map[pcommon.TraceID]*bufferedTrace
	arrivals deadlineQueue // by first span
	quiet    deadlineQueue // root seen: decision_delay after the last span
	scopes   scopeTable
	bytes    int64
}

func newTraceBuffer() traceBuffer {
	return traceBuffer{
		traces: make(map[pcommon.TraceID]*bufferedTrace),
		scopes: scopeTable{byEncoding: make(map[string]*sharedScope)},
	}
}

// len is the number of undecided traces.
func (b *traceBuffer) len() int { return len(b.traces) }

// size is the encoded size of the buffer, as bounded by max_buffered_bytes.
func (b *traceBuffer) size() int64 { return b.bytes + b.scopes.bytes }

// get returns the buffered trace of id.
func (b *traceBuffer) get(id pcommon.TraceID) (*bufferedTrace, bool) {
	t, ok := b.traces[id]
	return t, ok
}

// start buffers a new trace whose first span arrived at now; it times out
// at timeout.
func (b *traceBuffer) start(id pcommon.TraceID, tenant uint32, now, timeout int64) *bufferedTrace {
	t := &bufferedTrace{id: id, firstSeen: now, earliestStart: ^uint64(0), tenant: tenant, bytes: traceOverheadBytes}
	b.traces[id] = t
	b.arrivals.push(t, timeout)
	b.bytes += traceOverheadBytes
	return t
}

// addSpans appends count encoded spans under an encoded resource and scope
// to t.
func (b *traceBuffer) addSpans(t *bufferedTrace, scope, spans []byte, count int) {
	encoded := bytes.Clone(spans)
	t.chunks = append(t.chunks, chunk{scope: b.scopes.acquire(scope), spans: encoded, count: count})
	size := int64(len(encoded)) + chunkOverheadBytes
	t.bytes += size
	b.bytes += size
	t.spans += count
}

// quietAt (re)sets t's quiet deadline, returned as queued.
func (b *traceBuffer) quietAt(t *bufferedTrace, deadline int64) {
	t.quietDeadline = b.quiet.push(t, deadline)
}

// remove takes a decided trace out of the buffer; its spans must have been
// decoded first.
func (b *traceBuffer) remove(t *bufferedTrace) {
	delete(b.traces, t.id)
	t.decided = true
	b.bytes -= t.bytes
	for _, c := range t.chunks {
		b.scopes.release(c.scope)
	}
	t.chunks = nil
}

// oldest returns the undecided trace with the earliest first span.
func (b *traceBuffer) oldest() *bufferedTrace {
	for {
		entry, ok := b.arrivals.peek()
		if !ok {
			return nil
		}
		if !entry.trace.decided {
			return entry.trace
		}
		b.arrivals.pop()
	}
}

// compact drops decided traces from the queues once they dominate.
func (b *traceBuffer) compact() {
	for _, q := range []*deadlineQueue{&b.arrivals, &b.quiet} {
		if q.len() < 2*len(b.traces)+4096 {
			continue
		}
		live := q.entries[:0]
		for _, entry := range q.entries[q.head:] {
			if !entry.trace.decided {
				live = append(live, entry)
			}
		}
		clear(q.entries[len(live):])
		q.entries, q.head = live, 0
	}
}

// scopeTable interns encoded resources and scopes.
type scopeTable struct {
	byEncoding map[string]*sharedScope
	bytes      int64
}

func (t *scopeTable) acquire(encoded []byte) *sharedScope {
	s, ok := t.byEncoding[string(encoded)]
	if !ok {
		s = &sharedScope{encoded: bytes.Clone(encoded)}
		t.byEncoding[string(encoded)] = s
		t.bytes += 2 * int64(len(encoded)) // the key and the value
	}
	s.refs++
	return s
}

func (t *scopeTable) release(s *sharedScope) {
	s.refs--
	if s.refs == 0 {
		delete(t.byEncoding, string(s.encoded))
		t.bytes -= 2 * int64(len(s.encoded))
	}
}

// deadlineQueue is a FIFO of (trace, deadline) whose deadlines never
// decrease; stale entries are skipped when popped.
type deadlineQueue struct {
	entries []deadlineEntry
	head    int
}

type deadlineEntry struct {
	trace    *bufferedTrace
	deadline int64
}

// push appends an entry and returns its deadline, raised if needed to keep
// the queue ordered.
func (q *deadlineQueue) push(t *bufferedTrace, deadline int64) int64 {
	if n := len(q.entries); n > q.head && q.entries[n-1].deadline > deadline {
		deadline = q.entries[n-1].deadline
	}
	q.entries = append(q.entries, deadlineEntry{t, deadline})
	return deadline
}

// peek returns the first entry, or false when empty.
func (q *deadlineQueue) peek() (deadlineEntry, bool) {
	if q.head >= len(q.entries) {
		return deadlineEntry{}, false
	}
	return q.entries[q.head], true
}

func (q *deadlineQueue) pop() {
	q.entries[q.head] = deadlineEntry{}
	q.head++
	if q.head >= 1024 && q.head*2 >= len(q.entries) {
		n := copy(q.entries, q.entries[q.head:])
		clear(q.entries[n:])
		q.entries = q.entries[:n]
		q.head = 0
	}
}

func (q *deadlineQueue) len() int { return len(q.entries) - q.head }
