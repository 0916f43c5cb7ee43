package tracecontextprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestWorkedExample is the worked example of the README.
func TestWorkedExample(t *testing.T) {
	logs := plog.NewLogs()
	records := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	records.AppendEmpty().Body().SetStr("TraceID: fe3974115b911675d0640788986f80c9 SpanID: 105c0354cf3c8799 Request started")
	r2 := records.AppendEmpty()
	r2.Attributes().PutStr("dd.trace_id", "5208512171318403364")
	r2.Body().SetStr("charge ok")
	records.AppendEmpty().Body().SetStr("GET /cart uber-trace-id=a3ce929d0e0e4736:00f067aa0ba902b7:0:1")
	r4 := records.AppendEmpty()
	r4.SetTraceID(mustTraceID(t, "11111111111111111111111111111111"))
	r4.Body().SetStr("trace_id=4bf92f3577b34da6a3ce929d0e0e4736")
	records.AppendEmpty().Body().SetStr("trace_id=00000000000000000000000000000000 retry")

	want := []struct {
		trace, span string
		sampled     bool
	}{
		{"fe3974115b911675d0640788986f80c9", "105c0354cf3c8799", false},
		{"000000000000000048485a3953bb6124", "", false},
		{"0000000000000000a3ce929d0e0e4736", "00f067aa0ba902b7", true},
		{"11111111111111111111111111111111", "", false},
		{"", "", false},
	}
	out, tel := runProcessor(t, createDefaultConfig().(*Config), logs)
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i, w := range want {
		lr := got.At(i)
		wantTrace, wantSpan := pcommon.TraceID{}, pcommon.SpanID{}
		if w.trace != "" {
			wantTrace = mustTraceID(t, w.trace)
		}
		if w.span != "" {
			wantSpan = mustSpanID(t, w.span)
		}
		assert.Equal(t, wantTrace, lr.TraceID(), "record %d", i+1)
		assert.Equal(t, wantSpan, lr.SpanID(), "record %d", i+1)
		assert.Equal(t, w.sampled, lr.Flags().IsSampled(), "record %d", i+1)
	}
	assert.Equal(t, map[string]int64{
		"records_seen":                          5,
		"records_already_set":                   1,
		"records_extracted{key_value,body}":     1,
		"records_extracted{datadog,attributes}": 1,
		"records_extracted{jaeger,body}":        1,
		"ids_malformed{trace_id,all_zero}":      1,
	}, counters(tel))
}
