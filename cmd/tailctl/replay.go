package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/internal/replay"
)

const replayUsage = `usage: tailctl replay FILE... --endpoint HOST:PORT [flags]

Sends recorded OTLP traffic (OTLP JSON lines, .gz/.zst too) to a collector at the recorded pace
or a multiple of it, and reports what was sent, accepted, refused and retried.

flags:
`

type replayFlags struct {
	endpoint, protocol string
	speed              float64
	loops              int
	shiftTime, rewrite bool
	skipBad, asJSON    bool
	tls                bool
	headers            headerFlag
	workers, retries   int
	timeout            time.Duration
}

// headerFlag collects repeated --header name=value flags.
type headerFlag map[string]string

func (h headerFlag) String() string { return fmt.Sprint(map[string]string(h)) }
func (h headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q: want name=value", v)
	}
	h[strings.ToLower(name)] = value
	return nil
}

func runReplay(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	f := replayFlags{headers: headerFlag{}}
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { _, _ = io.WriteString(stderr, replayUsage); fs.PrintDefaults() }
	fs.StringVar(&f.endpoint, "endpoint", "", "collector's OTLP endpoint, HOST:PORT (required)")
	fs.StringVar(&f.protocol, "protocol", "grpc", "grpc or http (OTLP/HTTP protobuf)")
	fs.Float64Var(&f.speed, "speed", 1, "multiple of the recorded pace; 0 = as fast as possible")
	fs.IntVar(&f.loops, "loop", 1, "times to play the recording; 0 = until interrupted")
	fs.BoolVar(&f.shiftTime, "shift-time", false, "move timestamps so that each loop looks live")
	fs.BoolVar(&f.rewrite, "rewrite-ids", false, "fresh trace and span ids for each loop")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip and count lines that do not decode instead of stopping")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as one JSON object")
	fs.BoolVar(&f.tls, "tls", false, "connect with TLS")
	fs.Var(f.headers, "header", "request header or gRPC metadata name=value (repeatable), e.g. authorization=Bearer TOKEN")
	fs.IntVar(&f.workers, "workers", 4, "requests in flight at once")
	fs.IntVar(&f.retries, "max-retries", 5, "retries of a request refused with a retryable status")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of one export call")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return usageError{err}
	}
	switch {
	case len(files) == 0:
		return usageError{errors.New("name at least one recording file")}
	case f.endpoint == "":
		return usageError{errors.New("--endpoint HOST:PORT is required")}
	case f.workers < 1:
		return usageError{errors.New("--workers must be at least 1")}
	case f.retries < 0:
		return usageError{errors.New("--max-retries must not be negative")}
	}
	player, err := replay.NewPlayer(files, replay.Options{
		Speed: f.speed, Loops: f.loops, ShiftTime: f.shiftTime, RewriteIDs: f.rewrite, SkipBad: f.skipBad,
	}, nil)
	if err != nil {
		return usageError{err}
	}
	sender, err := newSender(senderOptions{endpoint: f.endpoint, protocol: f.protocol, tls: f.tls, headers: f.headers, timeout: f.timeout})
	if err != nil {
		return err
	}
	defer func() { _ = sender.close() }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := newReplayReport(f)
	progress := startProgress(stderr, rep, player)
	st, playErr := playConcurrently(ctx, player, sender, f, rep)
	progress.stop()
	rep.finish(st)
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.writeText(stdout)
	}
	if playErr != nil && !errors.Is(playErr, context.Canceled) {
		return playErr
	}
	if rep.Refused > 0 {
		return fmt.Errorf("%d of %d requests refused", rep.Refused, rep.Requests)
	}
	return nil
}

// parseInterleaved parses flags that may stand before, between or after the positional
// arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// playConcurrently plays the recording and hands each request to a pool of workers, so that a
// slow export call does not hold back the requests due after it.
func playConcurrently(ctx context.Context, player *replay.Player, sender otlpSender, f replayFlags, rep *replayReport) (replay.Stats, error) {
	type job struct {
		e recording.Entry
		s replay.Sent
	}
	jobs := make(chan job, f.workers)
	var wg sync.WaitGroup
	for range f.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rep.record(exportWithRetries(ctx, sender, j.e, f.retries))
			}
		}()
	}
	st, err := player.Play(ctx, func(ctx context.Context, e recording.Entry, s replay.Sent) error {
		rep.lateness(time.Since(s.Due))
		select {
		case jobs <- job{e, s}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	return st, err
}

// exportResult is the outcome of one request after its retries.
type exportResult struct {
	signal   recording.Signal
	items    int
	outcome  string
	retries  int
	latency  time.Duration // of the last export call
	transErr error
}

func exportWithRetries(ctx context.Context, sender otlpSender, e recording.Entry, maxRetries int) exportResult {
	res := exportResult{signal: e.Signal, items: e.ItemCount()}
	delay := 100 * time.Millisecond
	for {
		t0 := time.Now()
		outcome, retryable, err := sender.send(ctx, e)
		res.latency = time.Since(t0)
		res.outcome, res.transErr = outcome, err
		if err != nil {
			res.outcome, retryable = "transport error", true
		}
		if !retryable || res.retries >= maxRetries || ctx.Err() != nil {
			return res
		}
		res.retries++
		select {
		case <-ctx.Done():
			return res
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// replayReport is what `tailctl replay` reports; its JSON form is documented in the README.
type replayReport struct {
	mu sync.Mutex

	Endpoint        string         `json:"endpoint"`
	Protocol        string         `json:"protocol"`
	Speed           float64        `json:"speed"`
	Loops           int            `json:"loops"`
	Requests        int            `json:"requests"`
	Items           map[string]int `json:"items_sent"` // by signal
	Accepted        int            `json:"requests_accepted"`
	ItemsAccepted   int            `json:"items_accepted"`
	Refused         int            `json:"requests_refused"`
	RefusedByStatus map[string]int `json:"refused_by_status"`
	Retries         int            `json:"retries"`
	SkippedLines    int            `json:"skipped_lines"`
	DurationSeconds float64        `json:"duration_seconds"`
	// Rates in items per second: achieved, and what the recording's pace asked for.
	AchievedItemsPerSecond float64 `json:"achieved_items_per_second"`
	AskedItemsPerSecond    float64 `json:"asked_items_per_second,omitempty"`
	// PacingError is |actual - expected| / expected duration of the last loop (speed > 0).
	PacingError        float64            `json:"pacing_error,omitempty"`
	MeanLatenessMillis float64            `json:"mean_lateness_ms"`
	MaxLatenessMillis  float64            `json:"max_lateness_ms"`
	LatencyMillis      map[string]float64 `json:"export_latency_ms"` // p50, p90, p99, max

	latencies     []time.Duration
	latenessSum   time.Duration
	latenessMax   time.Duration
	latenessCount int
	started       time.Time
}

func newReplayReport(f replayFlags) *replayReport {
	return &replayReport{
		Endpoint: f.endpoint, Protocol: f.protocol, Speed: f.speed,
		Items: map[string]int{}, RefusedByStatus: map[string]int{}, LatencyMillis: map[string]float64{},
		started: time.Now(),
	}
}

func (r *replayReport) lateness(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latenessCount++
	if d > 0 {
		r.latenessSum += d
		r.latenessMax = max(r.latenessMax, d)
	}
}

func (r *replayReport) record(res exportResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Requests++
	r.Items[res.signal.String()] += res.items
	r.Retries += res.retries
	r.latencies = append(r.latencies, res.latency)
	if res.outcome == "OK" {
		r.Accepted++
		r.ItemsAccepted += res.items
		return
	}
	r.Refused++
	r.RefusedByStatus[res.outcome]++
}

func (r *replayReport) snapshot() (requests, items int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.Items {
		items += n
	}
	return r.Requests, items
}

func (r *replayReport) finish(st replay.Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	elapsed := time.Since(r.started)
	r.Loops, r.SkippedLines = st.Loops, st.Skipped
	r.DurationSeconds = elapsed.Seconds()
	total := 0
	for _, n := range r.Items {
		total += n
	}
	if elapsed > 0 {
		r.AchievedItemsPerSecond = float64(total) / elapsed.Seconds()
	}
	if st.ExpectedLoopDuration > 0 && st.Loops > 0 {
		expected := time.Duration(st.Loops) * st.ExpectedLoopDuration
		r.AskedItemsPerSecond = float64(total) / expected.Seconds()
		actual := st.End.Sub(st.Start)
		r.PacingError = math.Abs(actual.Seconds()-expected.Seconds()) / expected.Seconds()
	}
	if r.latenessCount > 0 {
		r.MeanLatenessMillis = millis(r.latenessSum) / float64(r.latenessCount)
	}
	r.MaxLatenessMillis = millis(r.latenessMax)
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	if n := len(r.latencies); n > 0 {
		for _, q := range []struct {
			name string
			p    float64
		}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"max", 1}} {
			r.LatencyMillis[q.name] = millis(r.latencies[min(n-1, int(q.p*float64(n)))])
		}
	}
}

func (r *replayReport) writeText(w io.Writer) {
	p := func(format string, a ...any) { _, _ = fmt.Fprintf(w, format, a...) }
	p("replayed %d loop(s) to %s (%s) in %.1fs\n", r.Loops, r.Endpoint, r.Protocol, r.DurationSeconds)
	p("  requests   %d sent, %d accepted, %d refused, %d retries, %d bad lines skipped\n",
		r.Requests, r.Accepted, r.Refused, r.Retries, r.SkippedLines)
	for _, s := range []string{"traces", "metrics", "logs"} {
		if n := r.Items[s]; n > 0 {
			p("  %-10s %d items\n", s, n)
		}
	}
	for status, n := range r.RefusedByStatus {
		p("  refused    %d with %s\n", n, status)
	}
	p("  rate       %.0f items/s achieved", r.AchievedItemsPerSecond)
	if r.AskedItemsPerSecond > 0 {
		p(", %.0f asked (speed %gx), pacing error %.2f%%", r.AskedItemsPerSecond, r.Speed, 100*r.PacingError)
	}
	p("\n  lateness   mean %.1f ms, max %.1f ms\n", r.MeanLatenessMillis, r.MaxLatenessMillis)
	p("  export     p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		r.LatencyMillis["p50"], r.LatencyMillis["p90"], r.LatencyMillis["p99"], r.LatencyMillis["max"])
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startProgress shows, on a terminal, what the replay has sent so far and, when the replay has
// an end, the share of it done and the time left at the rate so far.
func startProgress(w io.Writer, rep *replayReport, player *replay.Player) *statusLine {
	var total atomic.Int64 // entries the replay sends; 0 until counted or without an end
	if _, ok := terminal(w); ok {
		go func() {
			if n, ok, err := player.Total(); err == nil && ok {
				total.Store(int64(n))
			}
		}()
	}
	const spinner = `|/-\`
	draws := 0
	return startStatusLine(w, func(elapsed time.Duration) string {
		draws++
		reqs, items := rep.snapshot()
		el := elapsed.Seconds()
		line := fmt.Sprintf("%c %6.1fs  %d requests  %d items  %.0f items/s", spinner[draws%4], el, reqs, items, float64(items)/max(el, 0.001))
		if n := total.Load(); n > 0 && reqs > 0 {
			line += progressOf(reqs, int(n), elapsed)
		}
		return line
	})
}

// progressOf tells the share done of total and the time left at the rate so far.
func progressOf(done, total int, elapsed time.Duration) string {
	frac := min(float64(done)/float64(total), 1)
	left := time.Duration(float64(elapsed) * (1 - frac) / frac).Round(time.Second)
	return fmt.Sprintf("  %5.1f%%  ETA %s", 100*frac, left)
}
