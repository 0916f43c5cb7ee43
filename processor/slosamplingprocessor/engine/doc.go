// Package engine is the decision engine of the slo_sampling processor. It
// has no dependency on the collector runtime and never reads the wall
// clock: the caller passes the time to every call, so that the same engine
// runs live in the processor and on recordings under virtual time.
//
// Use:
//
//	e, err := engine.New(cfg, observer)    // observer may be nil
//	out, err := e.Ingest(now, traces)      // buffer spans; out.Late and out.Decisions to forward
//	decisions := e.Advance(now)            // decide what is due, re-adjust rates
//	decisions = e.DecideAll(now)           // decide everything (shutdown)
//	e.Retain(traceID)                      // keep a buffered trace whatever its sampling
//	e.SetBudgetScale(1.0 / gateways)       // aim at a share of the budget from the next adjustment
//
// A kept Decision carries its spans (with ot=th:<threshold> in their
// tracestate), its Probability, Reason, Trigger, Objective and Stratum. The
// Observer receives every new trace, decision, late span, refusal and
// adjustment, for self-telemetry and offline reports; Snapshot returns the
// current rates, probabilities, tenants' shares and burn rates. An Engine is not safe for
// concurrent use.
package engine // import "github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
