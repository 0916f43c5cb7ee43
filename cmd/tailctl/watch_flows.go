package main

import (
	"fmt"
	"strings"
	"time"
)

// flows are the totals watch reads from the components' own metrics (their metadata.yaml).
type flows struct {
	spansIn       float64 // slo_sampling: spans received
	spansKept     float64 // slo_sampling: spans of kept traces
	budget        float64 // slo_sampling: the budget aimed at, spans/s (a gauge)
	violatingKept float64 // slo_sampling: traces kept because they violate an objective
	logsLinked    float64 // trace_decision: log records whose trace was kept
	redacted      float64 // pii_redaction: values masked, pseudonymized or dropped
}

// flowsOf sums the samples that make up each flow; counters may carry the _total suffix.
func flowsOf(samples []sample) flows {
	var f flows
	for _, s := range samples {
		l := s.labels
		switch strings.TrimSuffix(s.name, "_total") {
		case "otelcol_processor_slo_sampling_spans_received":
			f.spansIn += s.value
		case "otelcol_processor_slo_sampling_spans_decided":
			if l["decision"] == "kept" {
				f.spansKept += s.value
			}
		case "otelcol_processor_slo_sampling_output_rate":
			if l["rate"] == "budget" {
				f.budget += s.value
			}
		case "otelcol_processor_slo_sampling_traces_decided":
			if l["decision"] == "kept" && l["reason"] == "slo_violation" {
				f.violatingKept += s.value
			}
		case "otelcol_processor_trace_decision_log_records":
			if l["fate"] == "kept" {
				f.logsLinked += s.value
			}
		case "otelcol_processor_pii_redaction_values":
			if l["outcome"] != "allowed" {
				f.redacted += s.value
			}
		}
	}
	return f
}

// summary is the line of what flowed from prev to cur, elapsed apart, printed at now.
func summary(prev, cur flows, elapsed time.Duration, now time.Time) string {
	sec := max(elapsed.Seconds(), 0.001)
	return fmt.Sprintf("%s  spans in %.0f/s, kept %.0f/s (budget %.0f/s) | SLO-violating traces kept %.0f (%.0f in all) | logs linked to kept traces %.0f | values redacted %.0f (%.0f in all)",
		now.Format("15:04:05"),
		delta(prev.spansIn, cur.spansIn)/sec, delta(prev.spansKept, cur.spansKept)/sec, cur.budget,
		delta(prev.violatingKept, cur.violatingKept), cur.violatingKept,
		delta(prev.logsLinked, cur.logsLinked),
		delta(prev.redacted, cur.redacted), cur.redacted)
}

// delta is a counter's increase; after a restart of the collector it starts again from 0.
func delta(prev, cur float64) float64 {
	if cur < prev {
		return cur
	}
	return cur - prev
}
