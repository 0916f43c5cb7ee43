package engine

import (
	"math/bits"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// decide removes t from the buffer and decides it: retained and violating
// traces (within their share) are kept with probability 1, the rest with
// their stratum's probability, consistently on the trace's randomness.
func (e *Engine) decide(t *bufferedTrace, trigger Trigger) Decision {
	delete(e.traces, t.id)
	t.decided = true
	e.bufferedBytes -= t.bytes

	st := e.countArrival(t)
	d := Decision{
		TraceID:   t.id,
		Trigger:   trigger,
		Stratum:   st.name,
		Spans:     t.spans,
		Latency:   time.Duration(e.now - t.firstSeen),
		Objective: e.objectiveName(t),
	}
	probability := st.probability
	switch {
	case t.retained:
		probability, d.Reason = 1, ReasonRetained
	case t.violated != 0:
		probability, d.Reason = st.tenant.violationProbability, ReasonViolation
	case probability < 1:
		probability, d.Reason = min(1, probability*e.liveScale()), ReasonSampled
	default:
		d.Reason = ReasonSampled
	}
	d.Threshold = max(ThresholdFromProbability(probability), t.upstreamThreshold)
	d.Probability = d.Threshold.Probability()
	randomness := RandomnessFromTraceID(t.id)
	if t.hasRandomness {
		randomness = t.randomness
	}
	d.Kept = d.Threshold.ShouldKeep(randomness)
	if d.Kept {
		d.Traces = e.decode(t, d.Threshold)
		e.kept.add(t.id, d.Threshold)
		e.outputSpans += float64(t.spans)
	} else {
		if d.Reason == ReasonViolation {
			d.Reason = ReasonViolationOverShare
		} else {
			d.Reason = ReasonSampledOut
		}
		e.dropped.add(t.id)
	}
	for _, c := range t.chunks {
		e.scopes.release(c.scope)
	}
	t.chunks = nil
	if e.observer != nil {
		e.observer.Decided(&d)
	}
	return d
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
		st.tenant.violationArrivedSpans += float64(t.spans)
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

// decode rebuilds a kept trace's spans with threshold th in their tracestate.
// A chunk that fails to decode is left out and counted as refused.
func (e *Engine) decode(t *bufferedTrace, th Threshold) ptrace.Traces {
	td := ptrace.NewTraces()
	rss := td.ResourceSpans()
	rss.EnsureCapacity(len(t.chunks))
	for _, c := range t.chunks {
		rs := ptrace.NewResourceSpans()
		ss := rs.ScopeSpans().AppendEmpty()
		if decodeResourceScope(c.scope.encoded, rs, ss) != nil ||
			e.decoder.decodeChunk(c.spans, c.count, t.id, th, ss.Spans()) != nil {
			e.refused(c.count, RefuseCorrupt)
			continue
		}
		rs.MoveTo(rss.AppendEmpty())
	}
	return td
}

// stratumOf finds or creates the stratum of a trace: its tenant, its first
// matched objective (else its entry span's name), its entry service and
// outcome.
func (e *Engine) stratumOf(t *bufferedTrace) *stratum {
	key := stratumKey{tenant: t.tenant, service: t.entryService, route: t.entryName, outcome: OutcomeOK}
	objective := -1
	if t.matched != 0 {
		objective = bits.TrailingZeros64(t.matched)
		key.route, key.routeIsObjective = uint32(objective), true
	}
	switch {
	case t.violated != 0:
		key.outcome = OutcomeViolation
	case t.hasError:
		key.outcome = OutcomeError
	}
	if st, ok := e.strata[key]; ok {
		return st
	}
	if len(e.strataList) >= e.cfg.MaxStrata {
		key = stratumKey{tenant: key.tenant, service: internOverflow, route: internOverflow, outcome: key.outcome}
		objective = -1
		if st, ok := e.strata[key]; ok {
			return st
		}
	}
	service, _ := e.services.str(key.service)
	route, _ := e.names.str(key.route)
	if key.routeIsObjective {
		route = e.cfg.Objectives[key.route].Name
	}
	tn := e.tenantOf(key.tenant)
	st := &stratum{
		name:        Stratum{Tenant: tn.name, Service: service, Route: route, Outcome: key.outcome},
		tenant:      tn,
		objective:   objective,
		probability: 1,
	}
	e.strata[key] = st
	e.strataList = append(e.strataList, st)
	tn.strata = append(tn.strata, st)
	return st
}
