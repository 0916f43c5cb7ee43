// Package recording reads and writes recordings of OTLP traffic: OTLP JSON lines, one
// Export{Trace,Metrics,Logs}ServiceRequest per line, as contrib's file exporter writes them,
// optionally gzip- or zstd-compressed. A line may also carry the time the request arrived
// ("arrivalTimeUnixNano", ignored by OTLP JSON readers), so that a replay can reproduce the
// original pacing.
package recording

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Signal is the kind of telemetry a line holds.
type Signal int

const (
	Traces Signal = iota + 1
	Metrics
	Logs
)

func (s Signal) String() string {
	switch s {
	case Traces:
		return "traces"
	case Metrics:
		return "metrics"
	case Logs:
		return "logs"
	}
	return "unknown"
}

// arrivalField is the extra top-level member that holds a request's arrival time.
const arrivalField = "arrivalTimeUnixNano"

// Entry is one recorded request.
type Entry struct {
	Signal  Signal
	Traces  ptrace.Traces
	Metrics pmetric.Metrics
	Logs    plog.Logs
	// Arrival is when the request reached the recorder; zero when the line does not say.
	Arrival time.Time
}

// ItemCount is the number of spans, data points or log records in the entry.
func (e Entry) ItemCount() int {
	switch e.Signal {
	case Traces:
		return e.Traces.SpanCount()
	case Metrics:
		return e.Metrics.DataPointCount()
	case Logs:
		return e.Logs.LogRecordCount()
	}
	return 0
}

var (
	keyResourceSpans   = []byte(`"resourceSpans"`)
	keyResourceMetrics = []byte(`"resourceMetrics"`)
	keyResourceLogs    = []byte(`"resourceLogs"`)
	keyArrival         = []byte(`"` + arrivalField + `"`)

	errNoSignal = errors.New(`not an OTLP JSON request: no "resourceSpans", "resourceMetrics" or "resourceLogs"`)
)

// Decode parses one line.
func Decode(line []byte) (Entry, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return Entry{}, errors.New("not a JSON object")
	}
	var e Entry
	var err error
	switch detectSignal(line) {
	case Traces:
		e.Signal = Traces
		e.Traces, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
	case Metrics:
		e.Signal = Metrics
		e.Metrics, err = (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(line)
	case Logs:
		e.Signal = Logs
		e.Logs, err = (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
	default:
		return Entry{}, errNoSignal
	}
	if err != nil {
		return Entry{}, fmt.Errorf("%s: %w", e.Signal, err)
	}
	if ns, ok := arrivalOf(line); ok {
		e.Arrival = time.Unix(0, ns)
	}
	return e, nil
}

// detectSignal returns the signal of the first top-level resource key in the line.
func detectSignal(line []byte) Signal {
	best, sig := -1, Signal(0)
	for _, k := range []struct {
		key []byte
		sig Signal
	}{{keyResourceSpans, Traces}, {keyResourceMetrics, Metrics}, {keyResourceLogs, Logs}} {
		if i := bytes.Index(line, k.key); i >= 0 && (best < 0 || i < best) {
			best, sig = i, k.sig
		}
	}
	return sig
}

// arrivalOf finds the arrival member, which the writer puts last in the object.
func arrivalOf(line []byte) (int64, bool) {
	i := bytes.LastIndex(line, keyArrival)
	if i < 0 {
		return 0, false
	}
	rest := bytes.TrimLeft(line[i+len(keyArrival):], " \t:")
	rest = bytes.TrimLeft(rest, `"`)
	end := bytes.IndexAny(rest, "\",} \t")
	if end <= 0 {
		return 0, false
	}
	ns, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil || ns <= 0 {
		return 0, false
	}
	return ns, true
}

// Encode renders an entry as one line (without the newline), with its arrival time when set.
func Encode(e Entry) ([]byte, error) {
	var b []byte
	var err error
	switch e.Signal {
	case Traces:
		b, err = (&ptrace.JSONMarshaler{}).MarshalTraces(e.Traces)
	case Metrics:
		b, err = (&pmetric.JSONMarshaler{}).MarshalMetrics(e.Metrics)
	case Logs:
		b, err = (&plog.JSONMarshaler{}).MarshalLogs(e.Logs)
	default:
		return nil, fmt.Errorf("unknown signal %d", e.Signal)
	}
	if err != nil || e.Arrival.IsZero() {
		return b, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, errors.New("marshaled request is not a JSON object")
	}
	out := make([]byte, 0, len(b)+40)
	out = append(out, b[:len(b)-1]...)
	if len(b) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"`+arrivalField+`":"`...)
	out = strconv.AppendInt(out, e.Arrival.UnixNano(), 10)
	out = append(out, `"}`...)
	return out, nil
}
