package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The conformance test builds each signal twice with the same generator:
// once with a marker in every string-bearing field, once with the mask in
// its place. After redaction the first must equal the second: no marker
// left anywhere, every other value and every value type unchanged.

const mask = "****"

var markers = []string{
	"marker.leak@pii-test.io",
	"4111 1111 1111 1111",
	"11010519491231002X",
	"+8613812345678",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}

// fill puts the marker in a map in every kind of value: strings, bytes,
// nested maps and slices, next to values of other types.
func fill(m pcommon.Map, marker string) {
	m.PutStr("plain", "text "+marker+" text")
	m.PutInt("count", 7)
	m.PutDouble("ratio", 0.5)
	m.PutBool("ok", true)
	m.PutEmptyBytes("raw").FromRaw([]byte("bytes " + marker))
	nested := m.PutEmptyMap("nested")
	nested.PutStr("inner", marker)
	nested.PutInt("n", 1)
	list := nested.PutEmptySlice("list")
	list.AppendEmpty().SetStr(marker)
	list.AppendEmpty().SetInt(2)
	list.AppendEmpty().SetEmptyMap().PutStr("deep", "x "+marker)
}

func genTraces(marker string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.SetSchemaUrl("https://schema/" + marker)
	fill(rs.Resource().Attributes(), marker)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.SetSchemaUrl("https://schema/" + marker)
	ss.Scope().SetName("scope " + marker)
	ss.Scope().SetVersion("v " + marker)
	fill(ss.Scope().Attributes(), marker)
	span := ss.Spans().AppendEmpty()
	span.SetName("op " + marker)
	span.TraceState().FromRaw("vendor=" + marker)
	fill(span.Attributes(), marker)
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("failed for " + marker)
	ev := span.Events().AppendEmpty()
	ev.SetName("event " + marker)
	fill(ev.Attributes(), marker)
	link := span.Links().AppendEmpty()
	link.TraceState().FromRaw("vendor=" + marker)
	fill(link.Attributes(), marker)
	return td
}

func genLogs(marker string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.SetSchemaUrl("https://schema/" + marker)
	fill(rl.Resource().Attributes(), marker)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.SetSchemaUrl("https://schema/" + marker)
	sl.Scope().SetName("scope " + marker)
	fill(sl.Scope().Attributes(), marker)
	withMapBody := sl.LogRecords().AppendEmpty()
	fill(withMapBody.Body().SetEmptyMap(), marker)
	fill(withMapBody.Attributes(), marker)
	withMapBody.SetEventName("event " + marker)
	withMapBody.SetSeverityText("sev " + marker)
	withStrBody := sl.LogRecords().AppendEmpty()
	withStrBody.Body().SetStr("user " + marker + " logged in")
	withSliceBody := sl.LogRecords().AppendEmpty()
	s := withSliceBody.Body().SetEmptySlice()
	s.AppendEmpty().SetStr(marker)
	s.AppendEmpty().SetDouble(1.5)
	withBytesBody := sl.LogRecords().AppendEmpty()
	withBytesBody.Body().SetEmptyBytes().FromRaw([]byte(marker))
	return ld
}

func genMetrics(marker string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.SetSchemaUrl("https://schema/" + marker)
	fill(rm.Resource().Attributes(), marker)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.SetSchemaUrl("https://schema/" + marker)
	sm.Scope().SetName("scope " + marker)
	fill(sm.Scope().Attributes(), marker)
	newMetric := func() pmetric.Metric {
		m := sm.Metrics().AppendEmpty()
		m.SetName("name " + marker)
		m.SetDescription("about " + marker)
		m.SetUnit("unit " + marker)
		return m
	}
	exemplar := func(es pmetric.ExemplarSlice) { fill(es.AppendEmpty().FilteredAttributes(), marker) }
	g := newMetric().SetEmptyGauge().DataPoints().AppendEmpty()
	fill(g.Attributes(), marker)
	exemplar(g.Exemplars())
	s := newMetric().SetEmptySum().DataPoints().AppendEmpty()
	fill(s.Attributes(), marker)
	exemplar(s.Exemplars())
	h := newMetric().SetEmptyHistogram().DataPoints().AppendEmpty()
	fill(h.Attributes(), marker)
	exemplar(h.Exemplars())
	e := newMetric().SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	fill(e.Attributes(), marker)
	exemplar(e.Exemplars())
	fill(newMetric().SetEmptySummary().DataPoints().AppendEmpty().Attributes(), marker)
	return md
}

func conformanceRedactor(t *testing.T) *Redactor {
	return newRedactor(t, func(c *Config) { c.SpanName = SpanNameConfig{Enabled: true} })
}

func TestConformanceTraces(t *testing.T) {
	r := conformanceRedactor(t)
	for _, marker := range markers {
		t.Run(marker, func(t *testing.T) {
			got := genTraces(marker)
			r.Traces(got)
			assertSameJSON(t, marshalTraces(t, genTraces(mask)), marshalTraces(t, got), marker)
		})
	}
}

func TestConformanceLogs(t *testing.T) {
	r := conformanceRedactor(t)
	for _, marker := range markers {
		t.Run(marker, func(t *testing.T) {
			got := genLogs(marker)
			r.Logs(got)
			assertSameJSON(t, marshalLogs(t, genLogs(mask)), marshalLogs(t, got), marker)
		})
	}
}

func TestConformanceMetrics(t *testing.T) {
	r := conformanceRedactor(t)
	for _, marker := range markers {
		t.Run(marker, func(t *testing.T) {
			got := genMetrics(marker)
			r.Metrics(got)
			assertSameJSON(t, marshalMetrics(t, genMetrics(mask)), marshalMetrics(t, got), marker)
		})
	}
}

func assertSameJSON(t *testing.T, want, got []byte, marker string) {
	t.Helper()
	assert.NotContains(t, string(got), marker)
	assert.JSONEq(t, string(want), string(got))
}

func marshalTraces(t *testing.T, td ptrace.Traces) []byte {
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	return b
}

func marshalLogs(t *testing.T, ld plog.Logs) []byte {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return b
}

func marshalMetrics(t *testing.T, md pmetric.Metrics) []byte {
	b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	require.NoError(t, err)
	return b
}
