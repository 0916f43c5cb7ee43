//go:build e2e

// Helpers the end-to-end tests share: test data, Jaeger and Loki look-ups, retries.

package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/test/harness"
)

// spansPerTrace is the number of spans of every trace makeTraces builds.
const spansPerTrace = 4

// decisionDelay is slo_sampling's decision_delay in configs/gateway.yaml (its default).
const decisionDelay = 2 * time.Second

// makeTraces builds n traces of spansPerTrace spans (a server root and client children) for the
// service; every fifth trace has an ERROR child. It returns the traces and their hex ids.
func makeTraces(service string, n int, start time.Time) (ptrace.Traces, []string) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	ids := make([]string, 0, n)
	for i := range n {
		tid := pcommon.TraceID(randomBytes16())
		ids = append(ids, hex.EncodeToString(tid[:]))
		t0 := start.Add(time.Duration(i) * time.Millisecond)
		var rootID pcommon.SpanID
		for s := range spansPerTrace {
			sp := spans.AppendEmpty()
			sp.SetTraceID(tid)
			sid := pcommon.SpanID(randomBytes8())
			sp.SetSpanID(sid)
			dur := time.Duration(20+i) * time.Millisecond
			if s == 0 {
				rootID = sid
				sp.SetName("GET /checkout")
				sp.SetKind(ptrace.SpanKindServer)
				dur *= 3
			} else {
				sp.SetParentSpanID(rootID)
				sp.SetName(fmt.Sprintf("call-%d", s))
				sp.SetKind(ptrace.SpanKindClient)
			}
			if i%5 == 0 && s == 2 {
				sp.Status().SetCode(ptrace.StatusCodeError)
			}
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(dur)))
		}
	}
	return td, ids
}

// makeOrdersMetric builds one cumulative sum e2e.orders of value for the service.
func makeOrdersMetric(service string, value int64, start time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", service)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("e2e.orders")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := sum.DataPoints().AppendEmpty()
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(-time.Minute)))
	dp.SetTimestamp(pcommon.NewTimestampFromTime(start))
	dp.SetIntValue(value)
	return md
}

// makeLog builds one INFO log record of the service with body, in the trace traceID (hex).
func makeLog(service, traceID, body string, at time.Time) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	lr.Body().SetStr(body)
	var tid pcommon.TraceID
	if _, err := hex.Decode(tid[:], []byte(traceID)); err != nil {
		panic(err)
	}
	lr.SetTraceID(tid)
	lr.SetSpanID(pcommon.SpanID(randomBytes8()))
	return ld
}

// awaitWholeTraces waits, up to timeout for each, until every trace is in Jaeger with all its
// spansPerTrace spans, for the tenant.
func awaitWholeTraces(be *harness.Backends, tenant harness.Tenant, ids []string, timeout time.Duration) error {
	for _, id := range ids {
		err := harness.Eventually(timeout, 500*time.Millisecond, func() error {
			n, err := harness.JaegerTraceSpans(be.JaegerQueryURL, id, tenant.JaegerHeaders())
			if err == nil && n != spansPerTrace {
				err = fmt.Errorf("trace %s has %d of %d spans in Jaeger", id, n, spansPerTrace)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomBytes16() (b [16]byte) { _, _ = rand.Read(b[:]); return }
func randomBytes8() (b [8]byte)   { _, _ = rand.Read(b[:]); return }

// logTraceID is the trace id of a record as the gateway's trace_context processor finds it: the
// record's own field, or an id written in its body or attributes.
func logTraceID(lr plog.LogRecord) string {
	if id := lr.TraceID(); !id.IsEmpty() {
		return hex.EncodeToString(id[:])
	}
	texts := []string{lr.Body().AsString()}
	for _, v := range lr.Attributes().All() {
		texts = append(texts, v.AsString())
	}
	for _, s := range texts {
		if id := hexTraceID.FindString(s); id != "" {
			return id
		}
	}
	return ""
}

// jaegerSpanIDs returns, for every trace Jaeger holds for the tenant that started in the last 15
// minutes or the next 5 (a replay at more than 1x shifts its timestamps ahead of the clock),
// searched service by service with the extra search parameters, how many copies of each span id
// it holds.
func jaegerSpanIDs(queryURL string, tn harness.Tenant, extra url.Values) (map[string]map[string]int, error) {
	var services struct {
		Data []string `json:"data"`
	}
	if err := harness.GetJSON(queryURL, "/api/services", nil, tn.JaegerHeaders(), &services); err != nil {
		return nil, err
	}
	now := time.Now()
	start, end := strconv.FormatInt(now.Add(-15*time.Minute).UnixMicro(), 10), strconv.FormatInt(now.Add(5*time.Minute).UnixMicro(), 10)
	held := map[string]map[string]int{}
	for _, service := range services.Data {
		q := url.Values{"service": {service}, "limit": {"100000"}, "start": {start}, "end": {end}}
		for k, v := range extra {
			q[k] = v
		}
		var res struct {
			Data []struct {
				TraceID string `json:"traceID"`
				Spans   []struct {
					SpanID string `json:"spanID"`
				} `json:"spans"`
			} `json:"data"`
		}
		if err := harness.GetJSON(queryURL, "/api/traces", q, tn.JaegerHeaders(), &res); err != nil {
			return nil, err
		}
		for _, tr := range res.Data {
			copies := map[string]int{}
			for _, sp := range tr.Spans {
				copies[padHex(sp.SpanID, 16)]++
			}
			id := padHex(tr.TraceID, 32)
			if held[id] == nil {
				held[id] = map[string]int{}
			}
			for span, n := range copies {
				held[id][span] = max(held[id][span], n) // the same trace comes back for each of its services
			}
		}
	}
	return held, nil
}

// padHex restores the leading zeros that Jaeger's JSON leaves out of ids.
func padHex(id string, width int) string {
	return strings.Repeat("0", max(width-len(id), 0)) + id
}

// failAll marks a server span of every trace as failed.
func failAll(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if sp.Kind() == ptrace.SpanKindServer {
					sp.Status().SetCode(ptrace.StatusCodeError)
				}
			}
		}
	}
}

// hasError reports whether any span of td has status ERROR.
func hasError(td ptrace.Traces) bool {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if sp.Status().Code() == ptrace.StatusCodeError {
					return true
				}
			}
		}
	}
	return false
}

// retryRefused calls send until it succeeds or fails with a non-retryable error, for at most a
// minute.
func retryRefused(send func() error) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := send()
		switch status.Code(err) {
		case codes.ResourceExhausted, codes.Unavailable:
			if time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				continue
			}
		}
		return err
	}
}
