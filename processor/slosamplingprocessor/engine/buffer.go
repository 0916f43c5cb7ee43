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
