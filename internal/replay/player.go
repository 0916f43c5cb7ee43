// Package replay plays recordings of OTLP traffic (see internal/recording) at a chosen pace,
// optionally shifting their timestamps to the present and giving each loop fresh trace and span
// ids. The replay receiver and `tailctl replay` both play through it.
package replay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
)

// Options of a replay.
type Options struct {
	// Speed is a multiple of the recorded pace; 0 sends as fast as the receiver takes it.
	Speed float64
	// Loops is how many times the recording is played; 0 plays it until the context ends.
	Loops int
	// ShiftTime moves every timestamp of a loop by the same offset, so that the loop's first
	// entry looks as if it happened when it is sent. Durations and the order of events, across
	// signals too, are unchanged.
	ShiftTime bool
	// RewriteIDs gives every loop fresh trace and span ids, consistently across the spans, logs
	// and exemplars of one trace, including the recorded ids that logs write in their text.
	RewriteIDs bool
	// SkipBad skips (and counts) lines that do not decode instead of stopping at the first.
	SkipBad bool
}

// Validate checks the options.
func (o Options) Validate() error {
	if o.Speed < 0 {
		return fmt.Errorf("speed must be 0 (as fast as possible) or positive, got %v", o.Speed)
	}
	if o.Loops < 0 {
		return fmt.Errorf("loops must be 0 (forever) or positive, got %d", o.Loops)
	}
	return nil
}

// Clock is the time source; tests use a virtual one.
type Clock interface {
	Now() time.Time
	// SleepUntil returns when t is reached or the context ends.
	SleepUntil(ctx context.Context, t time.Time) error
}

// WallClock is the real clock.
type WallClock struct{}

func (WallClock) Now() time.Time { return time.Now() }

func (WallClock) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Sent is what the player tells the sender about an entry.
type Sent struct {
	Loop int
	File string
	Line int
	// Due is when the entry was meant to be sent; the sender's own timing starts after it.
	Due time.Time
}

// SendFunc delivers one entry. An error stops the replay; a sender that wants to go on past a
// refusal counts it and returns nil.
type SendFunc func(ctx context.Context, e recording.Entry, s Sent) error

// Stats sum up a replay.
type Stats struct {
	Loops   int
	Entries int
	Skipped int // bad lines skipped with SkipBad
	// Lateness is the sum and maximum of how late entries were handed to the sender.
	LatenessSum time.Duration
	LatenessMax time.Duration
	Start, End  time.Time
	// ExpectedLoopDuration is the recorded time the last loop covered divided by the speed:
	// how long the loop should have taken.
	ExpectedLoopDuration time.Duration
}

// Player plays a list of recording files.
type Player struct {
	files []string
	opts  Options
	clock Clock
	ids   *recordedIDs // with RewriteIDs: the ids seen in spans, to rewrite in log text
}

// NewPlayer checks the options and that the paths (files or globs) name at least one file.
func NewPlayer(paths []string, opts Options, clock Clock) (*Player, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	files, err := recording.Expand(paths...)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = WallClock{}
	}
	p := &Player{files: files, opts: opts, clock: clock}
	if opts.RewriteIDs {
		p.ids = newRecordedIDs()
	}
	return p, nil
}

// Files are the files played, in order.
func (p *Player) Files() []string { return p.files }

// Total is the number of entries the whole replay sends, counted from the files' lines without
// decoding them; ok is false when the replay loops until interrupted.
func (p *Player) Total() (total int, ok bool, err error) {
	if p.opts.Loops == 0 {
		return 0, false, nil
	}
	for _, name := range p.files {
		n, err := countLines(name)
		if err != nil {
			return 0, false, err
		}
		total += n
	}
	return total * p.opts.Loops, true, nil
}

func countLines(name string) (int, error) {
	r, err := recording.Open(name)
	if err != nil {
		return 0, err
	}
	defer func() { _ = r.Close() }()
	n := 0
	for {
		_, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// Play plays the recording until the loops are done, the context ends, or send fails.
func (p *Player) Play(ctx context.Context, send SendFunc) (Stats, error) {
	st := Stats{Start: p.clock.Now()}
	for loop := 0; p.opts.Loops == 0 || loop < p.opts.Loops; loop++ {
		if err := p.playLoop(ctx, loop, send, &st); err != nil {
			st.End = p.clock.Now()
			return st, err
		}
		st.Loops++
	}
	st.End = p.clock.Now()
	return st, nil
}

func (p *Player) playLoop(ctx context.Context, loop int, send SendFunc, st *Stats) error {
	rw, err := p.loopRewrite()
	if err != nil {
		return err
	}
	var (
		loopStart   = p.clock.Now()
		first, last time.Time // recorded times
		prevDue     = loopStart
	)
	for _, name := range p.files {
		err := p.eachEntry(ctx, name, st, func(e recording.Entry, line int) error {
			at := EntryTime(e)
			if first.IsZero() && !at.IsZero() {
				first = at
				if p.opts.ShiftTime {
					rw.Offset = loopStart.Sub(first)
				}
			}
			if at.After(last) {
				last = at
			}
			due := prevDue
			if p.opts.Speed > 0 && !at.IsZero() && !first.IsZero() {
				if d := loopStart.Add(time.Duration(float64(at.Sub(first)) / p.opts.Speed)); d.After(due) {
					due = d
				}
				if err := p.clock.SleepUntil(ctx, due); err != nil {
					return err
				}
			}
			prevDue = due
			if late := p.clock.Now().Sub(due); late > 0 {
				st.LatenessSum += late
				st.LatenessMax = max(st.LatenessMax, late)
			}
			rw.Apply(e)
			st.Entries++
			return send(ctx, e, Sent{Loop: loop, File: name, Line: line, Due: due})
		})
		if err != nil {
			return err
		}
	}
	if p.opts.Speed > 0 && !first.IsZero() {
		st.ExpectedLoopDuration = time.Duration(float64(last.Sub(first)) / p.opts.Speed)
	}
	return nil
}

func (p *Player) loopRewrite() (Rewrite, error) {
	rw := Rewrite{ids: p.ids}
	if p.opts.RewriteIDs {
		if _, err := rand.Read(rw.TraceKey[:]); err != nil {
			return rw, err
		}
		if _, err := rand.Read(rw.SpanKey[:]); err != nil {
			return rw, err
		}
		rw.TraceKey[0] |= 1 // never the zero key, which would leave ids unchanged
	}
	return rw, nil
}

// eachEntry decodes the file's lines in a read-ahead goroutine, so that decoding does not delay
// the entries that are due, and calls fn for each in order.
func (p *Player) eachEntry(ctx context.Context, name string, st *Stats, fn func(recording.Entry, int) error) error {
	type item struct {
		e    recording.Entry
		line int
		err  error
		bad  bool // the line did not decode (as opposed to the file not reading)
	}
	r, err := recording.Open(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	items := make(chan item, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(items)
		for {
			raw, n, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var it item
			if err != nil {
				it.err = err
			} else if it.e, it.err = recording.Decode(raw); it.err != nil {
				it.err, it.bad = &recording.LineError{File: name, Line: n, Err: it.err}, true
			}
			it.line = n
			select {
			case items <- it:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() { cancel(); <-done; r.Close() }()
	for it := range items {
		if it.bad && p.opts.SkipBad {
			st.Skipped++
			continue
		}
		if it.err != nil {
			return it.err
		}
		if err := fn(it.e, it.line); err != nil {
			return err
		}
	}
	return ctx.Err()
}
