package replay

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/tailwise/tailwise/internal/recording"
)

// Rewrite is what one loop changes in every entry: a time offset and the keys that give trace
// and span ids fresh values. XOR with a fixed key is a bijection, so the spans, logs and exemplars
// of one trace get the same new trace id, distinct traces stay distinct, and the ids' randomness
// (which consistent samplers read) stays uniform. Empty ids stay empty.
type Rewrite struct {
	Offset   time.Duration
	TraceKey pcommon.TraceID // zero: ids unchanged
	SpanKey  pcommon.SpanID
	// ids, when set, are the recording's ids to find and rewrite in the text of logs.
	ids *recordedIDs
}

func (rw *Rewrite) rewritesIDs() bool { return rw.TraceKey != pcommon.TraceID{} }

func (rw *Rewrite) ts(t pcommon.Timestamp) pcommon.Timestamp {
	if t == 0 || rw.Offset == 0 {
		return t
	}
	return pcommon.Timestamp(int64(t) + int64(rw.Offset))
}

func (rw *Rewrite) traceID(id pcommon.TraceID) pcommon.TraceID {
	if id.IsEmpty() || !rw.rewritesIDs() {
		return id
	}
	for i := range id {
		id[i] ^= rw.TraceKey[i]
	}
	return id
}

func (rw *Rewrite) spanID(id pcommon.SpanID) pcommon.SpanID {
	if id.IsEmpty() || !rw.rewritesIDs() {
		return id
	}
	for i := range id {
		id[i] ^= rw.SpanKey[i]
	}
	return id
}

// Apply rewrites the entry in place.
func (rw *Rewrite) Apply(e recording.Entry) {
	if rw.Offset == 0 && !rw.rewritesIDs() {
		return
	}
	switch e.Signal {
	case recording.Traces:
		rw.traces(e)
	case recording.Logs:
		rw.logs(e)
	case recording.Metrics:
		rw.metrics(e)
	}
}

func (rw *Rewrite) traces(e recording.Entry) {
	for _, rs := range e.Traces.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if rw.ids != nil {
					rw.ids.add(sp.TraceID(), sp.SpanID())
				}
				sp.SetTraceID(rw.traceID(sp.TraceID()))
				sp.SetSpanID(rw.spanID(sp.SpanID()))
				sp.SetParentSpanID(rw.spanID(sp.ParentSpanID()))
				sp.SetStartTimestamp(rw.ts(sp.StartTimestamp()))
				sp.SetEndTimestamp(rw.ts(sp.EndTimestamp()))
				for _, ev := range sp.Events().All() {
					ev.SetTimestamp(rw.ts(ev.Timestamp()))
				}
				for _, l := range sp.Links().All() {
					l.SetTraceID(rw.traceID(l.TraceID()))
					l.SetSpanID(rw.spanID(l.SpanID()))
				}
			}
		}
	}
}

func (rw *Rewrite) logs(e recording.Entry) {
	for _, rl := range e.Logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if rw.ids != nil && rw.rewritesIDs() {
					rw.rewriteValue(lr.Body())
					for _, v := range lr.Attributes().All() {
						rw.rewriteValue(v)
					}
				}
				lr.SetTraceID(rw.traceID(lr.TraceID()))
				lr.SetSpanID(rw.spanID(lr.SpanID()))
				lr.SetTimestamp(rw.ts(lr.Timestamp()))
				lr.SetObservedTimestamp(rw.ts(lr.ObservedTimestamp()))
			}
		}
	}
}

func (rw *Rewrite) metrics(e recording.Entry) {
	for _, rm := range e.Metrics.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				rw.metric(m)
			}
		}
	}
}

func (rw *Rewrite) metric(m pmetric.Metric) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		rw.numberPoints(m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		rw.numberPoints(m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			dp.SetStartTimestamp(rw.ts(dp.StartTimestamp()))
			dp.SetTimestamp(rw.ts(dp.Timestamp()))
			rw.exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			dp.SetStartTimestamp(rw.ts(dp.StartTimestamp()))
			dp.SetTimestamp(rw.ts(dp.Timestamp()))
			rw.exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			dp.SetStartTimestamp(rw.ts(dp.StartTimestamp()))
			dp.SetTimestamp(rw.ts(dp.Timestamp()))
		}
	}
}

func (rw *Rewrite) numberPoints(dps pmetric.NumberDataPointSlice) {
	for _, dp := range dps.All() {
		dp.SetStartTimestamp(rw.ts(dp.StartTimestamp()))
		dp.SetTimestamp(rw.ts(dp.Timestamp()))
		rw.exemplars(dp.Exemplars())
	}
}

func (rw *Rewrite) exemplars(exs pmetric.ExemplarSlice) {
	for _, ex := range exs.All() {
		ex.SetTraceID(rw.traceID(ex.TraceID()))
		ex.SetSpanID(rw.spanID(ex.SpanID()))
		ex.SetTimestamp(rw.ts(ex.Timestamp()))
	}
}
