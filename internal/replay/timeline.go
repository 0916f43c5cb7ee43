package replay

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/tailwise/tailwise/internal/recording"
)

// EntryTime is when the entry happened on the recording's timeline: its arrival time when the
// recorder wrote one, otherwise the latest timestamp it carries (a span is exported once it has
// ended, a log once it was written, a data point once it was taken). Zero when it has neither.
func EntryTime(e recording.Entry) time.Time {
	if !e.Arrival.IsZero() {
		return e.Arrival
	}
	var latest pcommon.Timestamp
	see := func(t pcommon.Timestamp) {
		if t > latest {
			latest = t
		}
	}
	switch e.Signal {
	case recording.Traces:
		for _, rs := range e.Traces.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					see(sp.EndTimestamp())
				}
			}
		}
	case recording.Logs:
		for _, rl := range e.Logs.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					t := lr.Timestamp()
					if t == 0 {
						t = lr.ObservedTimestamp()
					}
					see(t)
				}
			}
		}
	case recording.Metrics:
		for _, rm := range e.Metrics.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					eachPointTime(m, see)
				}
			}
		}
	}
	if latest == 0 {
		return time.Time{}
	}
	return latest.AsTime()
}

func eachPointTime(m pmetric.Metric, see func(pcommon.Timestamp)) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for _, dp := range m.Gauge().DataPoints().All() {
			see(dp.Timestamp())
		}
	case pmetric.MetricTypeSum:
		for _, dp := range m.Sum().DataPoints().All() {
			see(dp.Timestamp())
		}
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			see(dp.Timestamp())
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			see(dp.Timestamp())
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			see(dp.Timestamp())
		}
	}
}
