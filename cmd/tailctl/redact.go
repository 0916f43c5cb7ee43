package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/yamlconf"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"
)

const redactUsage = `usage: tailctl redact --config FILE [IN] [OUT]

Reads OTLP JSON lines (one Export*ServiceRequest of any signal per line, the
file exporter's format, gzip-compressed or not) from IN, applies the
pii_redaction configuration in FILE (the processor's YAML block) and writes
the redacted lines to OUT. IN and OUT default to stdin and stdout; "-" names
them explicitly. Counts per detector go to stderr, never values. Lines that
are not OTLP JSON are dropped and counted; any makes the exit code 1.
`

func runRedact(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = io.WriteString(stderr, redactUsage)
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "pii_redaction configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *configPath == "" || fs.NArg() > 2 {
		fs.Usage()
		return usageError{errors.New("--config FILE is required, with at most IN and OUT")}
	}
	cfg, err := loadRedactConfig(*configPath)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings() {
		_, _ = fmt.Fprintf(stderr, "tailctl redact: warning: %s\n", w)
	}
	r, err := redact.New(cfg)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	out, closeOut, err := openOutput(fs.Arg(1), stdout)
	if err != nil {
		return err
	}
	res, err := redactLines(r, in, out)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	res.report(stderr)
	if res.rejected > 0 {
		return fmt.Errorf("%d of %d lines rejected", res.rejected, res.lines)
	}
	return nil
}

// loadRedactConfig reads the processor's YAML block over the defaults and validates it.
func loadRedactConfig(path string) (redact.Config, error) {
	cfg := redact.DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	if err := yamlconf.Decode(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	src := stdin
	closeFn := func() {}
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		src, closeFn = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(src, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, nil, err
		}
		return zr, closeFn, nil
	}
	return br, closeFn, nil
}

func openOutput(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		w := bufio.NewWriter(stdout)
		return w, w.Flush, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriter(f)
	return w, func() error { return errors.Join(w.Flush(), f.Close()) }, nil
}

// redactResult counts lines and redactions; it never holds values.
type redactResult struct {
	lines, rejected int
	firstRejected   int
	rejectReason    string
	counts          map[string]int64
}

func (res *redactResult) add(s *redact.Stats) {
	s.Each(func(detector string, o redact.Outcome, n int64) {
		res.counts[detector+" "+o.String()] += n
	})
	s.EachCardIssuer(func(issuer string, o redact.Outcome, n int64) {
		res.counts[redact.PaymentCardDetector+" ("+issuer+") "+o.String()] += n
	})
}

func (res *redactResult) reject(line int, reason string) {
	res.rejected++
	if res.firstRejected == 0 {
		res.firstRejected, res.rejectReason = line, reason
	}
}

func (res *redactResult) report(w io.Writer) {
	keys := make([]string, 0, len(res.counts))
	for k := range res.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "tailctl redact: %d lines, %d rejected\n", res.lines, res.rejected)
	if res.rejected > 0 {
		fmt.Fprintf(&b, "  first rejected: line %d (%s)\n", res.firstRejected, res.rejectReason)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-40s %d\n", k, res.counts[k])
	}
	_, _ = io.WriteString(w, b.String())
}

// redactLines redacts every line of in and writes it to out.
func redactLines(r *redact.Redactor, in io.Reader, out io.Writer) (*redactResult, error) {
	res := &redactResult{counts: map[string]int64{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		res.lines++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			res.lines--
			continue
		}
		redacted, err := redactLine(r, res, line)
		if err != nil {
			res.reject(res.lines, err.Error())
			continue
		}
		if _, err := out.Write(append(redacted, '\n')); err != nil {
			return res, err
		}
	}
	return res, sc.Err()
}

// redactLine decodes one export request, redacts it and encodes it again.
// Errors describe the line without quoting it: it may hold personal data.
func redactLine(r *redact.Redactor, res *redactResult, line []byte) ([]byte, error) {
	switch signalOf(line) {
	case "resourceSpans":
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
		if err != nil {
			return nil, errors.New("malformed traces request")
		}
		res.add(r.Traces(td))
		return (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	case "resourceLogs":
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
		if err != nil {
			return nil, errors.New("malformed logs request")
		}
		res.add(r.Logs(ld))
		return (&plog.JSONMarshaler{}).MarshalLogs(ld)
	case "resourceMetrics":
		md, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(line)
		if err != nil {
			return nil, errors.New("malformed metrics request")
		}
		res.add(r.Metrics(md))
		return (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	}
	return nil, errors.New("not an OTLP JSON export request (no resourceSpans, resourceLogs or resourceMetrics)")
}

// signalOf returns the first top-level key of a JSON object line.
func signalOf(line []byte) string {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	key, _ := dec.Token()
	s, _ := key.(string)
	return strings.TrimSpace(s)
}
