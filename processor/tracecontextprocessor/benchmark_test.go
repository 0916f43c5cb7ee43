package tracecontextprocessor

import (
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"
)

// benchRecord is one log record shape of the benchmarks.
type benchRecord struct {
	name  string
	setup func(plog.LogRecord)
}

func stringBody(s string) func(plog.LogRecord) {
	return func(lr plog.LogRecord) { lr.Body().SetStr(s) }
}

var benchRecords = []benchRecord{
	{"nothing", stringBody(`2026-11-21T05:15:03.623Z	INFO	customer/server.go:63	HTTP request received	{"service": "customer", "method": "GET", "url": "/customer?customer=123"}`)},
	{"key_value_text", stringBody("TraceID: " + traceHex + " SpanID: " + spanHex + " Query product with name and description 6E92ZMYYFZ")},
	{"json_text", stringBody(`2026-11-21T05:15:03.623Z	INFO	customer/server.go:63	HTTP request received	{"service": "customer", "trace_id": "` + traceHex + `", "span_id": "` + spanHex + `", "method": "GET", "url": "/customer?customer=123"}`)},
	{"logfmt", stringBody(`time=2026-11-21T05:15:03Z level=info msg="order placed" trace_id=` + traceHex + ` span_id=` + spanHex + ` user=42`)},
	{"w3c", stringBody("incoming request GET /cart traceparent=00-" + traceHex + "-" + spanHex + "-01 user=42")},
	{"b3", stringBody("incoming request GET /cart b3=" + traceHex + "-" + spanHex + "-1 user=42")},
	{"jaeger", stringBody("incoming request GET /cart uber-trace-id=" + traceHex + ":" + spanHex + ":0:1 user=42")},
	{"xray", stringBody("incoming request GET /cart X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")},
	{"sleuth", stringBody("2026-11-21 10:00:00.000  INFO [checkout," + traceHex + "," + spanHex + ",true] 1 --- [nio-8080-exec-1] c.e.Checkout : placed order")},
	{"datadog_text", stringBody("order placed dd.trace_id=5208512171318403364 dd.span_id=5208512171318403364 user=42")},
	{"attributes", func(lr plog.LogRecord) {
		lr.Body().SetStr("order placed")
		lr.Attributes().PutStr("service", "checkout")
		lr.Attributes().PutStr("trace_id", traceHex)
		lr.Attributes().PutStr("span_id", spanHex)
	}},
}

// regexpExtractor is the naive alternative: one regular expression per format, tried in turn on
// every record, as a transform processor configuration would do.
type regexpExtractor struct{ patterns []*regexp.Regexp }

func newRegexpExtractor() *regexpExtractor {
	exprs := []string{
		`traceparent["']?\s*[:=]\s*["']?[0-9a-f]{2}-(?P<trace_id>[0-9a-f]{32})-(?P<span_id>[0-9a-f]{16})`,
		`(?i)\bb3["']?\s*[:=]\s*["']?(?P<trace_id>[0-9a-f]{16}|[0-9a-f]{32})-(?P<span_id>[0-9a-f]{16})`,
		`(?i)uber-trace-id["']?\s*[:=]\s*["']?(?P<trace_id>[0-9a-f]{1,32}):(?P<span_id>[0-9a-f]{1,16}):`,
		`Root=1-(?P<epoch>[0-9a-f]{8})-(?P<trace_id>[0-9a-f]{24});Parent=(?P<span_id>[0-9a-f]{16})`,
		`(?i)\b(?:trace_id|traceid|trace\.id)["']?\s*[:=]\s*["']?(?P<trace_id>[0-9a-f]{32}|[0-9a-f]{16})\b`,
		`\[[^,\]]*,(?P<trace_id>[0-9a-f]{16}|[0-9a-f]{32}),(?P<span_id>[0-9a-f]{16})`,
		`dd\.trace_id["']?\s*[:=]\s*["']?(?P<dd_trace_id>\d+)`,
	}
	e := &regexpExtractor{}
	for _, expr := range exprs {
		e.patterns = append(e.patterns, regexp.MustCompile(expr))
	}
	return e
}

var spanIDPattern = regexp.MustCompile(`(?i)\b(?:span_id|spanid|span\.id)["']?\s*[:=]\s*["']?([0-9a-f]{16})\b`)

func (e *regexpExtractor) process(lr plog.LogRecord) {
	if v, ok := lr.Attributes().Get("trace_id"); ok {
		var id pcommon.TraceID
		if b, err := hex.DecodeString(v.Str()); err == nil && len(b) == len(id) {
			copy(id[:], b)
			lr.SetTraceID(id)
		}
		return
	}
	body := lr.Body().Str()
	for _, re := range e.patterns {
		m := re.FindStringSubmatch(body)
		if m == nil {
			continue
		}
		var id pcommon.TraceID
		if i := re.SubexpIndex("dd_trace_id"); i >= 0 {
			if n, err := strconv.ParseUint(m[i], 10, 64); err == nil {
				binary.BigEndian.PutUint64(id[8:], n)
				lr.SetTraceID(id)
			}
			return
		}
		raw := m[re.SubexpIndex("trace_id")]
		if b, err := hex.DecodeString(raw); err == nil && len(b) <= len(id) {
			copy(id[len(id)-len(b):], b)
			lr.SetTraceID(id)
		}
		if i := re.SubexpIndex("span_id"); i >= 0 {
			setSpanHex(lr, m[i])
		} else if sm := spanIDPattern.FindStringSubmatch(body); sm != nil {
			setSpanHex(lr, sm[1])
		}
		return
	}
}

func setSpanHex(lr plog.LogRecord, s string) {
	var id pcommon.SpanID
	if b, err := hex.DecodeString(s); err == nil && len(b) == len(id) {
		copy(id[:], b)
		lr.SetSpanID(id)
	}
}

// BenchmarkExtract measures one log record per operation, so ns/op is ns per record; compare the
// implementations with `benchstat -col /impl`.
func BenchmarkExtract(b *testing.B) {
	p, err := newLogsProcessor(componenttest.NewNopTelemetrySettings(), createDefaultConfig().(*Config))
	if err != nil {
		b.Fatal(err)
	}
	naive := newRegexpExtractor()
	for _, rec := range benchRecords {
		lr := plog.NewLogRecord()
		rec.setup(lr)
		b.Run("impl=trace_context/record="+rec.name, func(b *testing.B) {
			var res, scratch tracectx.Result
			var stats batchStats
			b.ReportAllocs()
			for b.Loop() {
				lr.SetTraceID(pcommon.TraceID{})
				p.processRecord(lr, &res, &scratch, &stats)
			}
			if rec.name != "nothing" && lr.TraceID().IsEmpty() {
				b.Fatal("no trace id extracted")
			}
		})
		b.Run("impl=regexp/record="+rec.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lr.SetTraceID(pcommon.TraceID{})
				naive.process(lr)
			}
			if rec.name != "nothing" && lr.TraceID().IsEmpty() {
				b.Fatal("no trace id extracted")
			}
		})
	}
}
