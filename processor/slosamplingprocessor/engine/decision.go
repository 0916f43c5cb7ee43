package engine

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Trigger is what made a trace due for a decision.
type Trigger string

const (
	TriggerRootQuiet      Trigger = "root_quiet"      // root seen, quiet for decision_delay
	TriggerTimeout        Trigger = "trace_timeout"   // trace_timeout after the first span
	TriggerMaxSpans       Trigger = "max_spans"       // max_spans_per_trace reached
	TriggerMemoryPressure Trigger = "memory_pressure" // max_buffered_bytes reached
	TriggerShutdown       Trigger = "shutdown"        // DecideAll
)

// Reason explains a decision.
type Reason string

const (
	ReasonViolation          Reason = "slo_violation"        // kept: an objective is violated
	ReasonRetained           Reason = "retained"             // kept: Retain was called
	ReasonSampled            Reason = "sampled"              // kept by its stratum's probability
	ReasonSampledOut         Reason = "sampled_out"          // dropped by its stratum's probability
	ReasonViolationOverShare Reason = "violation_over_share" // dropped: violating, beyond the reserved share
)

// RefuseReason explains spans that were not buffered.
type RefuseReason string

const (
	RefuseInvalidTraceID RefuseReason = "invalid_trace_id" // all-zero trace id: cannot be assembled
	RefuseBufferFull     RefuseReason = "buffer_full"      // the batch alone exceeds max_buffered_bytes
	RefuseCorrupt        RefuseReason = "corrupt"          // a buffered chunk failed to decode
	RefuseJournalFull    RefuseReason = "wal_full"         // the write-ahead log has no room for the batch
)

// Decision is the fate of one trace.
type Decision struct {
	TraceID pcommon.TraceID
	Kept    bool
	Reason  Reason
	Trigger Trigger
	// Objective is the first violated objective, else the first matched one.
	Objective string
	Stratum   Stratum
	// Threshold and Probability are those written in the kept spans'
	// tracestate; 1/Probability is each kept trace's adjusted count.
	Threshold   Threshold
	Probability float64
	// Randomness is the rv the sampler wrote into a kept trace's spans
	// (see select.go); zero when the trace keeps its own randomness.
	Randomness Randomness
	Spans      int
	// Latency is the time from the trace's first span to the decision.
	Latency time.Duration
	// Traces holds the spans of a kept trace, with ot=th set.
	Traces ptrace.Traces
}

// Output is what Ingest produces besides buffering.
type Output struct {
	// Decisions made during the call (max_spans, memory_pressure).
	Decisions []Decision
	// Late holds late spans of kept traces, with their trace's threshold.
	Late ptrace.Traces
	// With ReportSettlement on, Started lists the traces the call began to buffer, and
	// Settled those whose spans followed an earlier decision (forwarded in Late, or dropped).
	Started, Settled []pcommon.TraceID
	// Journal is the batch's journal record (see SetJournal), valid until the next Ingest.
	Journal []byte
}

// Observer receives the engine's events, for self-telemetry and reports.
// Calls happen on the goroutine that drives the engine.
type Observer interface {
	TracesStarted(traces int)
	Decided(d *Decision)
	LateSpans(spans int, kept bool)
	Refused(spans int, reason RefuseReason)
	Adjusted(s *Snapshot)
}

// Snapshot is the engine's state after an adjustment.
type Snapshot struct {
	BufferedTraces int
	BufferedBytes  int64
	// BudgetSpansPerSecond is the effective budget the last adjustment aimed at: the lowest
	// of the spans, traces and bytes budgets in spans per second, times the budget scale
	// (this gateway's share of a fleet budget).
	BudgetSpansPerSecond float64
	// EstimatedSpansPerSecond is the output the new probabilities predict.
	EstimatedSpansPerSecond float64
	// OutputSpansPerSecond is the measured output (EWMA).
	OutputSpansPerSecond float64
	// ViolationProbability is the lowest of the tenants' probabilities for
	// SLO-violating traces.
	ViolationProbability float64
	Strata               []StratumState
	Tenants              []TenantState
	Objectives           []ObjectiveState
}

// TenantState is one tenant's share of the budget.
type TenantState struct {
	Name   string
	Weight float64
	// ViolationSpansPerSecond is the arrival rate of its SLO-violating spans.
	ViolationSpansPerSecond float64
	// ViolationProbability is the probability of its SLO-violating traces.
	ViolationProbability float64
	// ViolationGrant and SampledGrant are its shares, in spans per second,
	// of the violation reserve and of the rest of the budget.
	ViolationGrant, SampledGrant float64
}

// StratumState is one stratum's rates and probability.
type StratumState struct {
	Stratum
	Probability     float64
	TracesPerSecond float64
	SpansPerSecond  float64
}

// ObjectiveState is one objective's burn rates.
type ObjectiveState struct {
	Name             string
	ShortBurnRate    float64
	LongBurnRate     float64
	BurningFast      bool
	BadRatio         float64
	MatchedPerSecond float64
	BudgetBadRatio   float64
}
