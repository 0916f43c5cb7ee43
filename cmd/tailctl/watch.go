package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const watchUsage = `usage: tailctl watch [--metrics URL] [--interval D] [--count N]

Scrapes a running Tailwise collector's own metrics (the Prometheus endpoint of
service::telemetry::metrics) every interval and prints one line of what flowed
through it since the line before: spans in and kept against slo_sampling's
budget, SLO-violating traces kept, log records linked to kept traces
(trace_decision) and values redacted (pii_redaction). Runs until interrupted.

flags:
`

func runWatch(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { _, _ = io.WriteString(stderr, watchUsage); fs.PrintDefaults() }
	url := fs.String("metrics", "http://127.0.0.1:8888/metrics", "the collector's own metrics endpoint")
	interval := fs.Duration("interval", 5*time.Second, "time between lines")
	count := fs.Int("count", 0, "lines to print before exiting; 0 = until interrupted")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case *interval <= 0:
		return usageError{errors.New("--interval must be positive")}
	case *count < 0:
		return usageError{errors.New("--count must not be negative")}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := watcher{client: &http.Client{Timeout: *interval}, url: *url, stdout: stdout, stderr: stderr}
	return w.run(ctx, *interval, *count)
}

// watcher scrapes one metrics endpoint and prints what flowed between two scrapes.
type watcher struct {
	client         *http.Client
	url            string
	stdout, stderr io.Writer
	failing        bool // the last scrape failed and said so
	scraped        bool // a scrape has succeeded
}

func (w *watcher) run(ctx context.Context, interval time.Duration, count int) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	prev, prevAt, havePrev := flows{}, time.Time{}, false
	for printed := 0; count == 0 || printed < count; {
		cur, err := w.scrape(ctx)
		now := time.Now()
		switch {
		case err != nil:
			w.report(err)
		case havePrev:
			_, _ = fmt.Fprintln(w.stdout, summary(prev, cur, now.Sub(prevAt), now))
			printed++
			fallthrough
		default:
			prev, prevAt, havePrev = cur, now, true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// report says once that the endpoint cannot be read, until it can again.
func (w *watcher) report(err error) {
	switch {
	case w.failing:
	case w.scraped:
		_, _ = fmt.Fprintf(w.stderr, "tailctl watch: %v (retrying)\n", err)
	default:
		_, _ = fmt.Fprintf(w.stderr, "tailctl watch: waiting for %s\n", w.url)
	}
	w.failing = true
}

func (w *watcher) scrape(ctx context.Context) (flows, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.url, http.NoBody)
	if err != nil {
		return flows{}, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return flows{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return flows{}, fmt.Errorf("%s: %s", w.url, resp.Status)
	}
	samples, err := parsePromText(resp.Body)
	if err != nil {
		return flows{}, fmt.Errorf("%s: %w", w.url, err)
	}
	w.failing, w.scraped = false, true
	return flowsOf(samples), nil
}
