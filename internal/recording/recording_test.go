package recording

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func sampleEntries(arrival time.Time) []Entry {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("GET /cart")
	sp.SetTraceID(pcommon.TraceID{1, 2, 3})
	md := pmetric.NewMetrics()
	g := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	g.SetName("queue.depth")
	g.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(7)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(`quote " and "resourceSpans" in text`)
	return []Entry{
		{Signal: Traces, Traces: td, Arrival: arrival},
		{Signal: Metrics, Metrics: md, Arrival: arrival.Add(time.Millisecond)},
		{Signal: Logs, Logs: ld},
	}
}

func TestRoundTripEverySignalAndCompression(t *testing.T) {
	arrival := time.Unix(1732165800, 123456789)
	for _, name := range []string{"rec.jsonl", "rec.jsonl.gz", "rec.jsonl.zst"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			w, err := NewWriter(path, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := sampleEntries(arrival)
			for _, e := range want {
				if err := w.Write(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var got []Entry
			if _, err := ReadFile(path, false, func(e Entry) error { got = append(got, e); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("read %d entries, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].Signal != want[i].Signal || !got[i].Arrival.Equal(want[i].Arrival) {
					t.Errorf("entry %d: signal %v arrival %v, want %v %v", i, got[i].Signal, got[i].Arrival, want[i].Signal, want[i].Arrival)
				}
				a, _ := Encode(Entry{Signal: got[i].Signal, Traces: got[i].Traces, Metrics: got[i].Metrics, Logs: got[i].Logs})
				b, _ := Encode(Entry{Signal: want[i].Signal, Traces: want[i].Traces, Metrics: want[i].Metrics, Logs: want[i].Logs})
				if string(a) != string(b) {
					t.Errorf("entry %d content changed:\n got %s\nwant %s", i, a, b)
				}
			}
		})
	}
}

func TestRecordedLinesStayReadableByOTLPJSONReaders(t *testing.T) {
	line, err := Encode(sampleEntries(time.Unix(10, 0))[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(line), `,"arrivalTimeUnixNano":"10000000000"}`) {
		t.Fatalf("arrival member missing or misplaced: %s", line)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
	if err != nil || td.SpanCount() != 1 {
		t.Fatalf("plain OTLP JSON reader: %v, %d spans", err, td.SpanCount())
	}
}

func TestBadLinesNameFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	good, _ := Encode(sampleEntries(time.Time{})[2])
	content := string(good) + "\n\n" + `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}` + "\n" + "not json\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, false, func(Entry) error { return nil })
	var le *LineError
	if !errors.As(err, &le) || le.Line != 3 || le.File != path {
		t.Fatalf("got %v, want a LineError at %s:3", err, path)
	}
	n := 0
	skipped, err := ReadFile(path, true, func(Entry) error { n++; return nil })
	if err != nil || skipped != 2 || n != 1 {
		t.Fatalf("skipBad: err %v, skipped %d, read %d; want nil, 2, 1", err, skipped, n)
	}
}

func TestRotationKeepsRecordingOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	w, err := NewWriter(path, WriterOptions{RotateBytes: 1, MaxFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	tick := time.Unix(1000, 0)
	w.now = func() time.Time { tick = tick.Add(time.Second); return tick }
	for i := range 5 {
		e := sampleEntries(time.Unix(int64(i+1), 0))[0]
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := Expand(filepath.Join(dir, "rec*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("files %v, want 2 rotated + the active one", files)
	}
	var arrivals []int64
	for _, f := range files {
		if _, err := ReadFile(f, false, func(e Entry) error { arrivals = append(arrivals, e.Arrival.Unix()); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if len(arrivals) != 3 || arrivals[0] != 3 || arrivals[1] != 4 || arrivals[2] != 5 {
		t.Fatalf("arrivals in glob order %v, want [3 4 5]", arrivals)
	}
}

func TestReadsContribFileExporterRecordings(t *testing.T) {
	files, err := Expand("../../../shared/data/hotrod/*.traces.otlp.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	spans := 0
	if _, err := ReadFile(files[0], false, func(e Entry) error {
		if e.Signal != Traces || !e.Arrival.IsZero() {
			t.Fatalf("unexpected entry: %v arrival %v", e.Signal, e.Arrival)
		}
		spans += e.ItemCount()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if spans != 4740 {
		t.Fatalf("read %d spans from the HotROD recording, want 4740", spans)
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range sampleEntries(time.Unix(5, 0)) {
		line, _ := Encode(e)
		f.Add(line)
	}
	f.Add([]byte(`{"resourceLogs":[],"arrivalTimeUnixNano":"-1"}`))
	f.Add([]byte(`{"arrivalTimeUnixNano":"5","resourceMetrics":[{}]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := Decode(line)
		if err != nil {
			return
		}
		if _, err := Encode(e); err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
	})
}
