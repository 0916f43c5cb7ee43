package engine

import (
	"math"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// SetBudgetScale makes the engine aim at the share f of every configured
// budget (spans, traces and bytes per second) from the next adjustment on,
// e.g. 1/N on each of N gateways that share the budget of a fleet. f is in
// (0, 1]; larger values count as 1, and values not above 0 (or NaN) leave
// the scale unchanged. The default is 1.
func (e *Engine) SetBudgetScale(f float64) {
	if f > 0 {
		e.budgetScale = min(f, 1)
	}
}

// effectiveBudget converts traces_per_second and bytes_per_second into
// spans per second, keeps the lowest budget and applies the budget scale.
func (e *Engine) effectiveBudget() float64 {
	budget := e.cfg.Budget.SpansPerSecond
	if e.cfg.Budget.TracesPerSecond > 0 {
		var traces, spans float64
		for _, st := range e.strataList {
			traces += st.traceRate
			spans += st.spanRate
		}
		if traces > 0 {
			budget = math.Min(budget, e.cfg.Budget.TracesPerSecond*spans/traces)
		}
	}
	if e.cfg.Budget.BytesPerSecond > 0 && e.wireSpans > 0 {
		budget = math.Min(budget, e.cfg.Budget.BytesPerSecond*e.wireSpans/e.wireBytes)
	}
	return budget * e.budgetScale
}

// wireSizeWeight is the weight of a new batch in the average span size.
const wireSizeWeight = 0.05

// measureWireSize updates the average OTLP protobuf size per span.
func (e *Engine) measureWireSize(td ptrace.Traces) {
	spans := float64(td.SpanCount())
	if spans == 0 {
		return
	}
	size := float64(wireSizer.TracesSize(td))
	if e.wireSpans == 0 {
		e.wireBytes, e.wireSpans = size, spans
		return
	}
	e.wireBytes = ewma(e.wireBytes, size, wireSizeWeight)
	e.wireSpans = ewma(e.wireSpans, spans, wireSizeWeight)
}

var wireSizer = &ptrace.ProtoMarshaler{}

// liveScale corrects the probabilities between adjustments for the output
// since the last one, as a factor of the adjustment's target: the target the
// controller would set now over the one it set. It depends only on past
// decisions, which keeps the Horvitz–Thompson weights unbiased.
func (e *Engine) liveScale() float64 {
	if !e.saturated || e.adjustTarget <= 0 {
		return 1
	}
	return (e.budgetSpansPerSecond + e.correction(e.liveDeficit())) / e.adjustTarget
}

// liveDeficit is the controller's deficit (budget minus expected output)
// as of now, between two adjustments.
func (e *Engine) liveDeficit() float64 {
	elapsed := float64(e.now-e.lastAdjust) / 1e9
	return e.outputDeficit + e.budgetSpansPerSecond*elapsed - e.outputSpans
}

// minViolatorScale bounds how far the controller may lower a tenant's
// violation grant between adjustments.
const minViolatorScale = 0.05

// violatorScale corrects the violation grant of a tenant whose violating
// traces do not all fit in it, by the controller's live target over the
// budget: violating traces are granted against the budget itself, so they
// pay for past over-output only once the other traffic is at its minimum.
func (e *Engine) violatorScale(tn *tenant) float64 {
	if !e.saturated || !tn.violatorSizes.limited() || e.budgetSpansPerSecond <= 0 {
		return 1
	}
	return max(minViolatorScale, (e.budgetSpansPerSecond+e.correction(e.liveDeficit()))/e.budgetSpansPerSecond)
}
