package engine

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// ErrBufferFull is returned when a batch cannot fit even in an empty
// buffer; the caller should retry with smaller batches.
var ErrBufferFull = errors.New("slo sampling: batch exceeds max_buffered_bytes")

// Interner capacities: distinct span names, attribute keys and services
// stored as ids; rarer strings are stored literally.
const (
	maxNames    = 1 << 16
	maxKeys     = 1 << 14
	maxServices = 1 << 12
)

// Engine buffers spans by trace and decides each trace once. It runs on
// the timestamps it is given, never on the wall clock, and is not safe for
// concurrent use.
type Engine struct {
	cfg      Config
	matcher  *matcher
	observer Observer

	names, keys, services *interner
	encoder               spanEncoder
	decoder               spanDecoder
	scratch               []byte
	staged                []stagedChunk
	journalRoom           func() int64 // nil without journal records
	journal               []byte
	reportSettlement      bool // fill Output.Started and Output.Settled

	buffer traceBuffer

	kept    *keptCache
	dropped *droppedFilter

	pop    population
	burn   []burnRate
	budget budgetController

	residence float64 // EWMA of the seconds a trace spends in the buffer

	waiting []*bufferedTrace // due traces waiting for the next of their shape (select.go)

	now, lastAdjust int64
	started         bool
}

// New returns an engine for a validated config; observer may be nil.
func New(cfg Config, observer Observer) (*Engine, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	m, err := newMatcher(cfg.Objectives)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:       cfg,
		matcher:   m,
		observer:  observer,
		names:     newInterner(maxNames),
		keys:      newInterner(maxKeys),
		services:  newInterner(maxServices),
		buffer:    newTraceBuffer(),
		kept:      newKeptCache(cfg.DecisionCache.KeptTraces),
		dropped:   newDroppedFilter(cfg.DecisionCache.DroppedTraces),
		burn:      make([]burnRate, len(cfg.Objectives)),
		pop:       newPopulation(cfg.Tenants),
		budget:    newBudgetController(cfg.Budget),
		residence: cfg.DecisionDelay.Seconds(),
	}
	e.encoder = spanEncoder{keys: e.keys, names: e.names}
	e.decoder = spanDecoder{keys: e.keys, names: e.names}
	return e, nil
}

// BufferedTraces is the number of undecided traces.
func (e *Engine) BufferedTraces() int { return e.buffer.len() }

// BufferedBytes is the encoded size of the buffer, as bounded by max_buffered_bytes.
func (e *Engine) BufferedBytes() int64 { return e.buffer.size() }

// sinceAdjust is the time, in seconds, since the last adjustment.
func (e *Engine) sinceAdjust() float64 { return float64(e.now-e.lastAdjust) / 1e9 }

func (e *Engine) tick(now time.Time) {
	n := now.UnixNano()
	if !e.started {
		e.started, e.now, e.lastAdjust = true, n, n
	}
	if n > e.now {
		e.now = n
	}
}

// Ingest buffers the spans of td. Spans of already decided traces follow
// the remembered decision. Traces may be decided during the call when they
// reach max_spans_per_trace or to stay under max_buffered_bytes.
func (e *Engine) Ingest(now time.Time, td ptrace.Traces) (Output, error) {
	e.tick(now)
	out := Output{Late: ptrace.NewTraces()}
	if e.cfg.Budget.BytesPerSecond > 0 {
		e.budget.measureWireSize(td)
	}
	total := e.stage(td)
	if total > e.cfg.MaxBufferedBytes {
		e.refused(e.stagedSpans(), RefuseBufferFull)
		return out, fmt.Errorf("%w: %d bytes encoded, max_buffered_bytes is %d", ErrBufferFull, total, e.cfg.MaxBufferedBytes)
	}
	if e.journalRoom != nil {
		out.Journal = e.journalRecord()
		if room := e.journalRoom(); int64(len(out.Journal)) > room {
			e.refused(e.stagedSpans(), RefuseJournalFull)
			return Output{}, fmt.Errorf("%w: the batch needs %d bytes, %d are free", ErrJournalFull, len(out.Journal), max(room, 0))
		}
	}
	for e.BufferedBytes()+total > e.cfg.MaxBufferedBytes {
		t := e.buffer.oldest()
		if t == nil {
			break
		}
		out.Decisions = e.decide(t, TriggerMemoryPressure, true, out.Decisions)
	}
	e.commit(&out)
	return out, nil
}

func (e *Engine) stagedSpans() int {
	spans := 0
	for i := range e.staged {
		spans += e.staged[i].count
	}
	return spans
}

// Advance decides the traces due at now and readjusts probabilities every
// adjust_interval.
func (e *Engine) Advance(now time.Time) []Decision {
	e.tick(now)
	if e.now-e.lastAdjust >= e.cfg.AdjustInterval.Nanoseconds() {
		e.adjust(float64(e.now-e.lastAdjust) / 1e9)
	}
	var decisions []Decision
	arrivals, quiet := &e.buffer.arrivals, &e.buffer.quiet
	for entry, ok := arrivals.peek(); ok && entry.deadline <= e.now; entry, ok = arrivals.peek() {
		arrivals.pop()
		if t := entry.trace; !t.decided && t.draw == nil {
			decisions = e.decide(t, TriggerTimeout, false, decisions)
		}
	}
	for entry, ok := quiet.peek(); ok && entry.deadline <= e.now; entry, ok = quiet.peek() {
		quiet.pop()
		if t := entry.trace; !t.decided && t.draw == nil && t.quietDeadline == entry.deadline {
			decisions = e.decide(t, TriggerRootQuiet, false, decisions)
		}
	}
	return e.expireWaiting(decisions)
}

// DecideAll decides every buffered trace, oldest first (on shutdown). The
// buffered traces are first counted into the arrival rates, over at least
// one adjust_interval, so that the final flush keeps to the budget too.
func (e *Engine) DecideAll(now time.Time) []Decision {
	e.tick(now)
	for _, entry := range e.buffer.arrivals.entries[e.buffer.arrivals.head:] {
		if !entry.trace.decided {
			e.countArrival(entry.trace)
		}
	}
	e.adjust(max(float64(e.now-e.lastAdjust)/1e9, e.cfg.AdjustInterval.Seconds()))
	decisions := make([]Decision, 0, e.buffer.len())
	for t := e.buffer.oldest(); t != nil; t = e.buffer.oldest() {
		decisions = e.decide(t, TriggerShutdown, true, decisions)
	}
	for _, t := range e.waiting {
		if !t.decided {
			decisions = e.resolve(t, decisions)
		}
	}
	e.waiting = nil
	e.buffer.quiet = deadlineQueue{}
	return decisions
}

// Fate is what the engine knows of a trace.
type Fate int8

const (
	FateUnknown  Fate = iota // never seen, or forgotten
	FateBuffered             // waiting for its decision
	FateKept                 // kept, and still in the kept-ids memory
	FateDropped              // dropped, per the dropped-ids filter
)

// Fate tells what became of a trace, from the buffer and the memory of decisions that routes
// late spans.
func (e *Engine) Fate(id pcommon.TraceID) Fate {
	if _, ok := e.buffer.get(id); ok {
		return FateBuffered
	}
	if _, kept := e.kept.get(id); kept {
		return FateKept
	}
	if e.dropped.contains(id) {
		return FateDropped
	}
	return FateUnknown
}

// Retain marks a trace to be kept whatever its sampling outcome, e.g.
// because a log record refers to it. It reports whether the trace is
// buffered or already kept; a trace already dropped cannot be retained.
func (e *Engine) Retain(id pcommon.TraceID) bool {
	if t, ok := e.buffer.get(id); ok {
		t.retained = true
		return true
	}
	_, kept := e.kept.get(id)
	return kept
}

func (e *Engine) refused(spans int, reason RefuseReason) {
	if e.observer != nil && spans > 0 {
		e.observer.Refused(spans, reason)
	}
}
