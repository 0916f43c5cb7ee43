package tracecontextprocessor

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// dataDir holds the recorded telemetry shared by the project's tests.
var dataDir = filepath.Join("..", "..", "..", "shared", "data")

// eachLine calls fn with every line of a gzip-compressed file; a missing file fails the test.
func eachLine(t testing.TB, name string, fn func(line []byte)) {
	f, err := os.Open(filepath.Join(dataDir, name))
	require.NoError(t, err, "recorded telemetry is expected beside the project")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	sc := bufio.NewScanner(gz)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	require.NoError(t, sc.Err())
}

// nezhaIDs are the ids a Nezha record was recorded with.
type nezhaIDs struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

// loadNezhaLogs returns the Online Boutique log records in one batch, with their trace and span
// ids moved out of the records into the returned slice, in record order.
func loadNezhaLogs(t *testing.T) (plog.Logs, []nezhaIDs) {
	all := plog.NewLogs()
	var want []nezhaIDs
	var unmarshaler plog.JSONUnmarshaler
	eachLine(t, "nezha-onlineboutique-2022-08-22/logs.otlp.jsonl.gz", func(line []byte) {
		logs, err := unmarshaler.UnmarshalLogs(line)
		require.NoError(t, err)
		forEachRecord(logs, func(lr plog.LogRecord) {
			want = append(want, nezhaIDs{lr.TraceID(), lr.SpanID()})
			lr.SetTraceID(pcommon.TraceID{})
			lr.SetSpanID(pcommon.SpanID{})
		})
		logs.ResourceLogs().MoveAndAppendTo(all.ResourceLogs())
	})
	require.Len(t, want, 13134, "records in the recording")
	return all, want
}

// TestAccuracyNezhaLogs clears the ids of the Online Boutique log records, whose bodies read
// "TraceID: <hex> SpanID: <hex> ...", and checks that every record gets its own ids back.
func TestAccuracyNezhaLogs(t *testing.T) {
	logs, want := loadNezhaLogs(t)
	out, tel := runProcessor(t, createDefaultConfig().(*Config), logs)
	var got []nezhaIDs
	forEachRecord(out, func(lr plog.LogRecord) { got = append(got, nezhaIDs{lr.TraceID(), lr.SpanID()}) })
	require.Len(t, got, len(want))
	recovered := 0
	for i := range want {
		if !want[i].trace.IsEmpty() && got[i] == want[i] {
			recovered++
		}
	}
	t.Logf("Nezha logs: %d of %d records recovered their trace and span ids", recovered, len(want))
	assert.Equal(t, len(want), recovered)
	assert.Equal(t, map[string]int64{
		"records_seen":                      int64(len(want)),
		"records_extracted{key_value,body}": int64(len(want)),
	}, counters(tel), "no id is rejected")
}

// TestAccuracyNezhaRemoveFromBody checks that remove_from_body deletes exactly the
// "TraceID: <hex> SpanID: <hex> " prefix of each Online Boutique body, wherever it stands.
func TestAccuracyNezhaRemoveFromBody(t *testing.T) {
	logs, want := loadNezhaLogs(t)
	var wantBodies []string
	i := 0
	forEachRecord(logs, func(lr plog.LogRecord) {
		context := "TraceID: " + want[i].trace.String() + " SpanID: " + want[i].span.String() + " "
		require.Contains(t, lr.Body().Str(), context)
		wantBodies = append(wantBodies, strings.Replace(lr.Body().Str(), context, "", 1))
		i++
	})
	cfg := createDefaultConfig().(*Config)
	cfg.RemoveFromBody = true
	out, _ := runProcessor(t, cfg, logs)
	var gotBodies []string
	forEachRecord(out, func(lr plog.LogRecord) { gotBodies = append(gotBodies, lr.Body().Str()) })
	assert.Equal(t, wantBodies, gotBodies)
}

// TestAccuracyHotROD builds log records from HotROD's console log lines and checks each
// recovered trace and span id against the spans of the HotROD trace recording.
func TestAccuracyHotROD(t *testing.T) {
	traceOfSpan := map[pcommon.SpanID]pcommon.TraceID{}
	var traceUnmarshaler ptrace.JSONUnmarshaler
	eachLine(t, "hotrod/hotrod-v1.76.0-120req.traces.otlp.jsonl.gz", func(line []byte) {
		traces, err := traceUnmarshaler.UnmarshalTraces(line)
		require.NoError(t, err)
		for _, rs := range traces.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					traceOfSpan[span.SpanID()] = span.TraceID()
				}
			}
		}
	})
	require.Len(t, traceOfSpan, 4740, "spans in the recording")

	logs := plog.NewLogs()
	records := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	var carriesID []bool
	eachLine(t, "hotrod/hotrod-v1.76.0-120req.stdout.log.gz", func(line []byte) {
		records.AppendEmpty().Body().SetStr(string(line))
		carriesID = append(carriesID, strings.Contains(string(line), `"trace_id"`))
	})

	out, tel := runProcessor(t, createDefaultConfig().(*Config), logs)
	withID, recovered, falsePositives := 0, 0, 0
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, len(carriesID), got.Len())
	for i, lr := range got.All() {
		if !carriesID[i] {
			if !lr.TraceID().IsEmpty() {
				falsePositives++
			}
			continue
		}
		withID++
		if trace, ok := traceOfSpan[lr.SpanID()]; ok && trace == lr.TraceID() {
			recovered++
		}
	}
	t.Logf("HotROD log: %d of %d lines with ids recovered a trace id and span id of the trace recording; %d of %d lines without ids got one",
		recovered, withID, falsePositives, len(carriesID)-withID)
	assert.Equal(t, 5879, withID, "lines with ids in the recording")
	assert.Equal(t, withID, recovered)
	assert.Zero(t, falsePositives)
	assert.Equal(t, map[string]int64{
		"records_seen":                      int64(len(carriesID)),
		"records_extracted{key_value,body}": int64(withID),
	}, counters(tel), "no id is rejected")
}

func forEachRecord(logs plog.Logs, fn func(plog.LogRecord)) {
	for _, rl := range logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				fn(lr)
			}
		}
	}
}
