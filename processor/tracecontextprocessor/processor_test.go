package tracecontextprocessor

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/metadatatest"
)

const (
	traceHex   = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanHex    = "00f067aa0ba902b7"
	otherTrace = "11111111111111111111111111111111"
	otherSpan  = "2222222222222222"
)

func mustTraceID(t testing.TB, s string) pcommon.TraceID {
	var id pcommon.TraceID
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	copy(id[:], b)
	return id
}

func mustSpanID(t testing.TB, s string) pcommon.SpanID {
	var id pcommon.SpanID
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	copy(id[:], b)
	return id
}

// counters reads the processor's counters as "name{attr=value,...}" -> value.
func counters(tel *componenttest.Telemetry) map[string]int64 {
	out := map[string]int64{}
	for _, name := range []string{"records_seen", "records_extracted", "records_already_set", "ids_malformed"} {
		m, err := tel.GetMetric("otelcol_processor_trace_context_" + name)
		if err != nil {
			continue
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			var attrs []string
			for _, kv := range dp.Attributes.ToSlice() {
				attrs = append(attrs, kv.Value.AsString())
			}
			key := name
			if len(attrs) > 0 {
				key += "{" + strings.Join(attrs, ",") + "}"
			}
			out[key] += dp.Value
		}
	}
	return out
}

// runProcessor passes logs through a processor with the configuration cfg.
func runProcessor(t *testing.T, cfg *Config, logs plog.Logs) (plog.Logs, *componenttest.Telemetry) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeLogs(context.Background(), logs))
	require.NoError(t, p.Shutdown(context.Background()))
	require.Len(t, sink.AllLogs(), 1)
	return sink.AllLogs()[0], tel
}

func TestProcessRecord(t *testing.T) {
	nezhaBody := "TraceID: " + traceHex + " SpanID: " + spanHex + " Request started"
	tests := []struct {
		name      string
		configure func(*Config)
		setup     func(plog.LogRecord)
		wantTrace string
		wantSpan  string
		sampled   bool
		wantBody  any
		wantAttrs map[string]any
		counts    map[string]int64
	}{
		{
			name:      "string body",
			setup:     func(lr plog.LogRecord) { lr.Body().SetStr(nezhaBody) },
			wantTrace: traceHex, wantSpan: spanHex, wantBody: nezhaBody,
			counts: map[string]int64{"records_seen": 1, "records_extracted{key_value,body}": 1},
		},
		{
			name: "attributes, with flags",
			setup: func(lr plog.LogRecord) {
				lr.Attributes().PutStr("trace_id", traceHex)
				lr.Attributes().PutStr("span_id", spanHex)
				lr.Attributes().PutInt("trace_flags", 1)
			},
			wantTrace: traceHex, wantSpan: spanHex, sampled: true, wantBody: nil,
			wantAttrs: map[string]any{"trace_id": traceHex, "span_id": spanHex, "trace_flags": int64(1)},
			counts:    map[string]int64{"records_seen": 1, "records_extracted{fields,attributes}": 1},
		},
		{
			name: "attributes first by default",
			setup: func(lr plog.LogRecord) {
				lr.Attributes().PutStr("trace_id", otherTrace)
				lr.Body().SetStr(nezhaBody)
			},
			wantTrace: otherTrace, wantBody: nezhaBody, wantAttrs: map[string]any{"trace_id": otherTrace},
			counts: map[string]int64{"records_seen": 1, "records_extracted{fields,attributes}": 1},
		},
		{
			name:      "body first when configured",
			configure: func(c *Config) { c.Sources = []string{SourceBody, SourceAttributes} },
			setup: func(lr plog.LogRecord) {
				lr.Attributes().PutStr("trace_id", otherTrace)
				lr.Body().SetStr(nezhaBody)
			},
			wantTrace: traceHex, wantSpan: spanHex, wantBody: nezhaBody, wantAttrs: map[string]any{"trace_id": otherTrace},
			counts: map[string]int64{"records_seen": 1, "records_extracted{key_value,body}": 1},
		},
		{
			name:      "attributes only",
			configure: func(c *Config) { c.Sources = []string{SourceAttributes} },
			setup:     func(lr plog.LogRecord) { lr.Body().SetStr(nezhaBody) },
			wantBody:  nezhaBody,
			counts:    map[string]int64{"records_seen": 1},
		},
		{
			name: "span id from the body completes the trace id of the attributes",
			setup: func(lr plog.LogRecord) {
				lr.Attributes().PutStr("trace_id", traceHex)
				lr.Body().SetStr(nezhaBody)
			},
			wantTrace: traceHex, wantSpan: spanHex, wantBody: nezhaBody, wantAttrs: map[string]any{"trace_id": traceHex},
			counts: map[string]int64{"records_seen": 1, "records_extracted{fields,attributes}": 1},
		},
		{
			name: "existing trace id is kept",
			setup: func(lr plog.LogRecord) {
				lr.SetTraceID(mustTraceID(t, otherTrace))
				lr.SetSpanID(mustSpanID(t, otherSpan))
				lr.Body().SetStr(nezhaBody)
			},
			wantTrace: otherTrace, wantSpan: otherSpan, wantBody: nezhaBody,
			counts: map[string]int64{"records_seen": 1, "records_already_set": 1},
		},
		{
			name:      "overwrite replaces trace and span ids",
			configure: func(c *Config) { c.Overwrite = true },
			setup: func(lr plog.LogRecord) {
				lr.SetTraceID(mustTraceID(t, otherTrace))
				lr.SetSpanID(mustSpanID(t, otherSpan))
				lr.Body().SetStr("trace_id=" + traceHex)
			},
			wantTrace: traceHex, wantBody: "trace_id=" + traceHex,
			counts: map[string]int64{"records_seen": 1, "records_extracted{key_value,body}": 1},
		},
		{
			name:      "overwrite keeps the ids when nothing is found",
			configure: func(c *Config) { c.Overwrite = true },
			setup: func(lr plog.LogRecord) {
				lr.SetTraceID(mustTraceID(t, otherTrace))
				lr.Body().SetStr("no context")
			},
			wantTrace: otherTrace, wantBody: "no context",
			counts: map[string]int64{"records_seen": 1},
		},
		{
			name:     "malformed ids are counted and never set",
			setup:    func(lr plog.LogRecord) { lr.Body().SetStr("trace_id=00000000000000000000000000000000 span_id=abc") },
			wantBody: "trace_id=00000000000000000000000000000000 span_id=abc",
			counts: map[string]int64{
				"records_seen": 1, "ids_malformed{trace_id,all_zero}": 1, "ids_malformed{span_id,wrong_length}": 1,
			},
		},
		{
			name:      "remove from a string body",
			configure: func(c *Config) { c.RemoveFromBody = true },
			setup:     func(lr plog.LogRecord) { lr.Body().SetStr(nezhaBody) },
			wantTrace: traceHex, wantSpan: spanHex, wantBody: "Request started",
			counts: map[string]int64{"records_seen": 1, "records_extracted{key_value,body}": 1},
		},
		{
			name:      "remove from a map body, never from attributes",
			configure: func(c *Config) { c.RemoveFromBody = true },
			setup: func(lr plog.LogRecord) {
				lr.Attributes().PutStr("trace_id", traceHex)
				body := lr.Body().SetEmptyMap()
				body.PutStr("msg", "hi")
				body.PutStr("span_id", spanHex)
				body.PutStr("traceparent", "00-"+traceHex+"-"+spanHex+"-01")
			},
			wantTrace: traceHex, wantSpan: spanHex, sampled: true,
			wantBody: map[string]any{"msg": "hi"}, wantAttrs: map[string]any{"trace_id": traceHex},
			counts: map[string]int64{"records_seen": 1, "records_extracted{fields,attributes}": 1},
		},
		{
			name:      "unsupported body type",
			setup:     func(lr plog.LogRecord) { lr.Body().SetInt(42) },
			wantBody:  int64(42),
			wantTrace: "",
			counts:    map[string]int64{"records_seen": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			if tt.configure != nil {
				tt.configure(cfg)
			}
			require.NoError(t, cfg.Validate())
			logs := plog.NewLogs()
			tt.setup(logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())

			out, tel := runProcessor(t, cfg, logs)
			lr := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			wantTrace, wantSpan := pcommon.TraceID{}, pcommon.SpanID{}
			if tt.wantTrace != "" {
				wantTrace = mustTraceID(t, tt.wantTrace)
			}
			if tt.wantSpan != "" {
				wantSpan = mustSpanID(t, tt.wantSpan)
			}
			assert.Equal(t, wantTrace, lr.TraceID(), "trace id")
			assert.Equal(t, wantSpan, lr.SpanID(), "span id")
			assert.Equal(t, tt.sampled, lr.Flags().IsSampled(), "sampled")
			assert.Equal(t, tt.wantBody, lr.Body().AsRaw(), "body")
			if tt.wantAttrs == nil {
				tt.wantAttrs = map[string]any{}
			}
			assert.Equal(t, tt.wantAttrs, lr.Attributes().AsRaw(), "attributes")
			assert.Equal(t, tt.counts, counters(tel))
		})
	}
}

func TestTelemetryAcrossBatch(t *testing.T) {
	logs := plog.NewLogs()
	records := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	bodies := []string{
		"traceparent: 00-" + traceHex + "-" + spanHex + "-01",
		"uber-trace-id: " + traceHex + ":" + spanHex + ":0:1",
		"uber-trace-id: " + otherTrace + ":" + otherSpan + ":0:0",
		"nothing",
		"trace_id=xyz",
	}
	for _, b := range bodies {
		records.AppendEmpty().Body().SetStr(b)
	}
	_, tel := runProcessor(t, createDefaultConfig().(*Config), logs)

	metadatatest.AssertEqualProcessorTraceContextRecordsSeen(t, tel,
		[]metricdata.DataPoint[int64]{{Value: int64(len(bodies))}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorTraceContextRecordsExtracted(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("source", "body"), attribute.String("format", "w3c"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("source", "body"), attribute.String("format", "jaeger"))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue())
	metadatatest.AssertEqualProcessorTraceContextIdsMalformed(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("id", "trace_id"), attribute.String("reason", "not_hex"))},
	}, metricdatatest.IgnoreTimestamp())
	assert.Equal(t, int64(2), counters(tel)["records_extracted{jaeger,body}"])
}

func TestSampledFlagCleared(t *testing.T) {
	logs := plog.NewLogs()
	lr := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
	lr.Body().SetStr("b3: " + traceHex + "-" + spanHex + "-0")
	out, _ := runProcessor(t, createDefaultConfig().(*Config), logs)
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.False(t, got.Flags().IsSampled())
	assert.Equal(t, mustTraceID(t, traceHex), got.TraceID())
}

func TestCreateLogsRejectsBadPattern(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Patterns = []string{"(?P<span_id>x)"}
	_, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
	assert.ErrorContains(t, err, "patterns::0")
}
