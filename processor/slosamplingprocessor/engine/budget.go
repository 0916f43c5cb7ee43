package engine

import (
	"math"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// controlHorizon is the time, in seconds, over which the controller makes
// up for the difference between output and budget: longer than the output
// one trace brings, so that keeping a large one does not swing the target.
const controlHorizon = 10

// deficitHorizon bounds, in seconds of budget, how much past over-output
// the controller makes up for.
const deficitHorizon = 30

// burstAllowance bounds, in seconds of budget, how much unspent budget the
// controller may spend later, as a rate limiter's token bucket does: a
// twentieth of a minute's budget.
const burstAllowance = 3

// maxCorrectionDown bounds the controller's downward correction of the
// target, as a share of the budget: it may take the target to zero, as
// every stratum's minimum representation and the violating traces are
// granted apart from it.
const maxCorrectionDown = 1

// minViolatorScale bounds how far the controller may lower a tenant's
// violation grant between adjustments.
const minViolatorScale = 0.05

// budgetController holds the output against the budget: the budget in spans
// per second (traces and bytes budgets converted, the fleet's scale
// applied), the expected output and its integral against the budget, and
// the output target it sets at each adjustment. It decides nothing itself:
// the strata's probabilities follow its target, and its live corrections
// between adjustments.
type budgetController struct {
	cfg   Budget
	scale float64 // share of the configured budget this engine aims at

	spansPerSecond float64 // the effective budget of the last adjustment
	saturated      bool    // arrivals exceed the budget
	target         float64 // output target of the last adjustment
	estimated      float64 // output the last adjustment's probabilities predict
	output         float64 // expected output since the last adjustment, in spans
	outputRate     float64 // EWMA of the output, in spans per second
	deficit        float64 // budget minus output, integrated within its bounds

	lastArrival int64 // when spans last arrived
	burstStart  int64 // when spans first arrived after an idle gap

	// wireBytes and wireSpans average the OTLP size of incoming spans
	// (only measured with a bytes_per_second budget).
	wireBytes, wireSpans float64
}

func newBudgetController(cfg Budget) budgetController {
	return budgetController{cfg: cfg, scale: 1, spansPerSecond: cfg.SpansPerSecond}
}

// SetBudgetScale makes the engine aim at the share f of every configured
// budget (spans, traces and bytes per second) from the next adjustment on,
// e.g. 1/N on each of N gateways that share the budget of a fleet. f is in
// (0, 1]; larger values count as 1, and values not above 0 (or NaN) leave
// the scale unchanged. The default is 1.
func (e *Engine) SetBudgetScale(f float64) {
	if f > 0 {
		e.budget.scale = min(f, 1)
	}
}

// effective converts traces_per_second and bytes_per_second into spans per
// second at the offered spans per trace, keeps the lowest budget and applies
// the scale.
func (c *budgetController) effective(traceRate, spanRate float64) float64 {
	budget := c.cfg.SpansPerSecond
	if c.cfg.TracesPerSecond > 0 && traceRate > 0 {
		budget = math.Min(budget, c.cfg.TracesPerSecond*spanRate/traceRate)
	}
	if c.cfg.BytesPerSecond > 0 && c.wireSpans > 0 {
		budget = math.Min(budget, c.cfg.BytesPerSecond*c.wireSpans/c.wireBytes)
	}
	return budget * c.scale
}

// wireSizeWeight is the weight of a new batch in the average span size.
const wireSizeWeight = 0.05

var wireSizer = &ptrace.ProtoMarshaler{}

// measureWireSize updates the average OTLP protobuf size per span.
func (c *budgetController) measureWireSize(td ptrace.Traces) {
	spans := float64(td.SpanCount())
	if spans == 0 {
		return
	}
	size := float64(wireSizer.TracesSize(td))
	if c.wireSpans == 0 {
		c.wireBytes, c.wireSpans = size, spans
		return
	}
	c.wireBytes = ewma(c.wireBytes, size, wireSizeWeight)
	c.wireSpans = ewma(c.wireSpans, spans, wireSizeWeight)
}

// arrived notes spans arriving at now; arrivals after more than idleGap
// without any start a burst.
func (c *budgetController) arrived(now, idleGap int64) {
	if now-c.lastArrival > idleGap {
		c.burstStart = now
	}
	c.lastArrival = now
}

// idleSince tells whether no span arrived for longer than gap before now.
func (c *budgetController) idleSince(now, gap int64) bool { return now-c.lastArrival > gap }

// starting tells whether now is within window of the start of a burst.
func (c *budgetController) starting(now, window int64) bool { return now-c.burstStart < window }

// counted adds spans to the output since the last adjustment.
func (c *budgetController) counted(spans float64) { c.output += spans }

// settle integrates the last dt seconds' output against budget, as a
// token bucket: output above budget lowers the next target and output below
// raises it. Unspent budget is kept up to burstAllowance seconds of it, and
// a full allowance after an idle gap, so that a short burst is kept whole;
// debt is kept up to deficitHorizon seconds of budget. A burst's first
// seconds decide nothing yet: no output is owed for them.
func (c *budgetController) settle(dt, alpha, budget float64, saturated, idle, starting bool) {
	c.spansPerSecond = budget
	c.outputRate = ewma(c.outputRate, c.output/dt, alpha)
	c.saturated = saturated
	switch {
	case idle:
		c.deficit = budget * burstAllowance
	case !starting:
		c.deficit += budget*dt - c.output
	}
	c.deficit = math.Max(-budget*deficitHorizon, math.Min(budget*burstAllowance, c.deficit))
	c.output = 0
	c.target = budget + c.correction(c.deficit)
}

// correction is the change of the output target that pays deficit back over
// controlHorizon, within the bounds.
func (c *budgetController) correction(deficit float64) float64 {
	return math.Max(-maxCorrectionDown*c.spansPerSecond, deficit/controlHorizon)
}

// liveDeficit is the deficit (budget minus expected output) elapsed
// seconds after the last adjustment.
func (c *budgetController) liveDeficit(elapsed float64) float64 {
	return c.deficit + c.spansPerSecond*elapsed - c.output
}

// liveScale corrects the probabilities between adjustments for the output
// since the last one, as a factor of the adjustment's target: the target the
// controller would set now over the one it set. It depends only on past
// decisions, which keeps the Horvitz–Thompson weights unbiased.
func (c *budgetController) liveScale(elapsed float64) float64 {
	if !c.saturated || c.target <= 0 {
		return 1
	}
	return (c.spansPerSecond + c.correction(c.liveDeficit(elapsed))) / c.target
}

// violatorScale corrects the violation grant of a tenant whose violating
// traces do not all fit in it (limited), by the controller's live target
// over the budget: violating traces are granted against the budget itself,
// so they pay for past over-output only once the other traffic is at its
// minimum.
func (c *budgetController) violatorScale(elapsed float64, limited bool) float64 {
	if !c.saturated || !limited || c.spansPerSecond <= 0 {
		return 1
	}
	return max(minViolatorScale, (c.spansPerSecond+c.correction(c.liveDeficit(elapsed)))/c.spansPerSecond)
}
