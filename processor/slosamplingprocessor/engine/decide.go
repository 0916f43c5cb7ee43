package engine

import (
	"math/bits"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// decide decides t, appending to out the decisions it completes: retained
// traces are kept, SLO-violating ones and the rest are kept with their
// probability (see select.go). A trace may wait, still buffered, for the
// next trace of its kind to draw against (select.go); final forbids that.
func (e *Engine) decide(t *bufferedTrace, trigger Trigger, final bool, out []Decision) []Decision {
	if t.draw != nil {
		return e.resolve(t, out)
	}
	st := e.countArrival(t)
	probability, reason := st.probability, ReasonSampled
	switch {
	case t.retained:
		probability, reason = 1, ReasonRetained
	case t.violated != 0:
		scale := e.budget.violatorScale(e.sinceAdjust(), st.tenant.violatorSizes.limited())
		probability, reason = st.tenant.violatorSizes.probability(t.spans, scale), ReasonViolation
	case probability < 1:
		probability = min(1, max(st.floorProbability, probability*e.budget.liveScale(e.sinceAdjust())))
	}
	th := max(ThresholdFromProbability(probability), t.upstreamThreshold)
	p := th.Probability()
	t.draw = &draw{stratum: st, trigger: trigger, reason: reason, threshold: th, carried: p}
	// The controller counts the output a decision is expected to bring, as
	// soon as the trace is due: the selection realizes it closely, and a
	// trace waiting for its draw does not delay the feedback.
	e.budget.counted(p * float64(t.spans))
	if final {
		return e.resolve(t, out)
	}
	return e.selectTrace(t, out)
}

// residenceWeight is the weight of one decision in the average time traces
// spend in the buffer.
const residenceWeight = 0.02

// finish removes t from the buffer with its decision and reports it.
func (e *Engine) finish(t *bufferedTrace, kept bool, m mark, out []Decision) []Decision {
	dr := t.draw
	d := Decision{
		TraceID:     t.id,
		Kept:        kept,
		Reason:      dr.reason,
		Trigger:     dr.trigger,
		Stratum:     dr.stratum.name,
		Threshold:   m.threshold,
		Probability: m.threshold.Probability(),
		Randomness:  m.randomness,
		Spans:       t.spans,
		Latency:     time.Duration(e.now - t.firstSeen),
		Objective:   e.objectiveName(t),
	}
	e.residence = ewma(e.residence, d.Latency.Seconds(), residenceWeight)
	if kept {
		d.Traces = e.decode(t, m)
		e.kept.add(t.id, m)
	} else {
		if d.Reason == ReasonViolation {
			d.Reason = ReasonViolationOverShare
		} else {
			d.Reason = ReasonSampledOut
		}
		e.dropped.add(t.id)
	}
	e.buffer.remove(t)
	t.draw = nil
	if e.observer != nil {
		e.observer.Decided(&d)
	}
	return append(out, d)
}

// countArrival adds a trace to its stratum's and objectives' arrivals,
// once, and returns its stratum.
func (e *Engine) countArrival(t *bufferedTrace) *stratum {
	st := e.stratumOf(t)
	if t.counted {
		return st
	}
	t.counted = true
	st.arrivedTraces++
	st.arrivedSpans += float64(t.spans)
	if t.violated != 0 {
		st.tenant.violatorSizes.add(t.spans)
	}
	for m := t.matched; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		e.burn[i].arrived++
		if t.violated&(1<<i) != 0 {
			e.burn[i].bad++
		}
	}
	return st
}

func (e *Engine) objectiveName(t *bufferedTrace) string {
	mask := t.violated
	if mask == 0 {
		mask = t.matched
	}
	if mask == 0 {
		return ""
	}
	return e.cfg.Objectives[bits.TrailingZeros64(mask)].Name
}

// decode rebuilds a kept trace's spans with their mark in their tracestate.
// A chunk that fails to decode is left out and counted as refused.
func (e *Engine) decode(t *bufferedTrace, m mark) ptrace.Traces {
	td := ptrace.NewTraces()
	rss := td.ResourceSpans()
	rss.EnsureCapacity(len(t.chunks))
	for _, c := range t.chunks {
		rs := ptrace.NewResourceSpans()
		ss := rs.ScopeSpans().AppendEmpty()
		if decodeResourceScope(c.scope.encoded, rs, ss) != nil ||
			e.decoder.decodeChunk(c.spans, c.count, t.id, m, ss.Spans()) != nil {
			e.refused(c.count, RefuseCorrupt)
			continue
		}
		rs.MoveTo(rss.AppendEmpty())
	}
	return td
}

// stratumOf finds or creates the stratum of a trace: its tenant, its entry
// service and route (the root span, else the earliest span) and its outcome.
// The first objective the trace matches is a property of the stratum (its
// SLI variability and burn rate), never its name.
func (e *Engine) stratumOf(t *bufferedTrace) *stratum {
	key := stratumKey{tenant: t.tenant, service: t.entryService, route: t.entryName, outcome: OutcomeOK}
	switch {
	case t.violated != 0:
		key.outcome = OutcomeViolation
	case t.hasError:
		key.outcome = OutcomeError
	}
	if st, ok := e.pop.byKey[key]; ok {
		return st
	}
	objective := -1
	if t.matched != 0 {
		objective = bits.TrailingZeros64(t.matched)
	}
	if len(e.pop.strata) >= e.cfg.MaxStrata {
		key = stratumKey{tenant: key.tenant, service: internOverflow, route: internOverflow, outcome: key.outcome}
		objective = -1
		if st, ok := e.pop.byKey[key]; ok {
			return st
		}
	}
	service, _ := e.services.str(key.service)
	route, _ := e.names.str(key.route)
	return e.pop.add(key, service, route, objective)
}
