package main

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/extension/headsamplingextension"
	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/internal/replay"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// advanceStep is the virtual time between two Advance calls.
const advanceStep = 100 * time.Millisecond

// virtualClock is the simulated time: each line's recorded time, with idle
// gaps longer than maxGap shortened to maxGap (0 keeps them).
type virtualClock struct {
	maxGap       time.Duration
	start, now   time.Time
	lastRecorded time.Time
	squeezed     time.Duration
}

// at maps a line's recorded time to virtual time; it never goes back.
func (c *virtualClock) at(recorded time.Time) time.Time {
	if !c.lastRecorded.IsZero() {
		if gap := recorded.Sub(c.lastRecorded); c.maxGap > 0 && gap > c.maxGap {
			c.squeezed += gap - c.maxGap
		}
	}
	if c.lastRecorded.IsZero() || recorded.After(c.lastRecorded) {
		c.lastRecorded = recorded
	}
	t := recorded.Add(-c.squeezed)
	if c.start.IsZero() {
		c.start, c.now = t, t
	}
	if t.Before(c.now) {
		return c.now
	}
	return t
}

func (c *virtualClock) elapsed() time.Duration { return c.now.Sub(c.start) }

// tuneRun is one config's engine and tally.
type tuneRun struct {
	config samplerConfig
	engine *engine.Engine
	tally  *tally
}

// simulation feeds a recording to every config's engine under one virtual clock.
type simulation struct {
	clock      virtualClock
	truth      *groundTruth
	runs       []*tuneRun
	otherLines int // lines of other signals, not sampled
	spansRead  atomic.Int64
}

// newSimulation prepares a run per config; with head, each also follows the head_sampling
// strategies its engine would drive.
func newSimulation(configs []samplerConfig, maxGap time.Duration, head *headsamplingextension.Config) (*simulation, error) {
	s := &simulation{clock: virtualClock{maxGap: maxGap}, truth: newGroundTruth()}
	for _, c := range configs {
		t := newTally(c.cfg, &s.clock)
		if head != nil {
			t.head = newHeadRun(head, c.cfg)
		}
		e, err := engine.New(c.cfg, t)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", c.name, err)
		}
		s.runs = append(s.runs, &tuneRun{config: c, engine: e, tally: t})
	}
	return s, nil
}

// run replays every file in order, then decides what is left.
func (s *simulation) run(files []string) error {
	for _, name := range files {
		if _, err := recording.ReadFile(name, false, s.feed); err != nil {
			var lineErr *recording.LineError
			if errors.As(err, &lineErr) {
				return err
			}
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if s.clock.start.IsZero() {
		return fmt.Errorf("no spans in %d recording file(s): tune needs traces", len(files))
	}
	for _, r := range s.runs {
		r.engine.DecideAll(s.clock.now)
	}
	return nil
}

// feed advances the engines to a line's time and ingests its spans.
func (s *simulation) feed(e recording.Entry) error {
	if e.Signal != recording.Traces {
		s.otherLines++
		return nil
	}
	if e.Traces.SpanCount() == 0 {
		return nil
	}
	due := s.clock.at(replay.EntryTime(e))
	for s.clock.now.Before(due) {
		s.clock.now = minTime(s.clock.now.Add(advanceStep), due)
		for _, r := range s.runs {
			r.engine.Advance(s.clock.now)
		}
	}
	s.truth.observe(s.clock.elapsed(), e.Traces)
	s.truth.arrived(s.clock.elapsed(), e.Traces.SpanCount())
	for _, r := range s.runs {
		if r.tally.head != nil {
			r.tally.head.roots(s.clock.now, e.Traces)
		}
		if err := s.ingest(r, e.Traces); err != nil {
			return err
		}
	}
	s.spansRead.Add(int64(e.Traces.SpanCount()))
	return nil
}

// ingest hands a batch to one engine; a batch larger than the whole buffer
// is split per resource, as the processor's callers are told to.
func (s *simulation) ingest(r *tuneRun, td ptrace.Traces) error {
	out, err := r.engine.Ingest(s.clock.now, td)
	if errors.Is(err, engine.ErrBufferFull) && td.ResourceSpans().Len() > 1 {
		for _, rs := range td.ResourceSpans().All() {
			one := ptrace.NewTraces()
			rs.CopyTo(one.ResourceSpans().AppendEmpty())
			if err := s.ingest(r, one); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil && !errors.Is(err, engine.ErrBufferFull) {
		return fmt.Errorf("config %s: %w", r.config.name, err)
	}
	r.tally.late(out.Late)
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
