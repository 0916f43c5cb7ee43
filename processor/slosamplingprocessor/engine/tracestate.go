package engine

import (
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
)

// samplingState is what a span's W3C tracestate says about probability sampling: the "ot"
// member's th and rv fields.
type samplingState struct {
	threshold     Threshold
	hasThreshold  bool
	randomness    Randomness
	hasRandomness bool
}

// parseSamplingState reads th and rv from the "ot" member; a malformed tracestate or value is
// ignored, as the specification asks.
func parseSamplingState(traceState string) samplingState {
	var st samplingState
	w3c, err := sampling.NewW3CTraceState(traceState)
	if err != nil {
		return st
	}
	ot := w3c.OTelValue()
	if th, ok := ot.TValueThreshold(); ok {
		st.threshold, st.hasThreshold = Threshold(th.Unsigned()), true
	}
	if rv, ok := ot.RValueRandomness(); ok {
		st.randomness, st.hasRandomness = Randomness(rv.Unsigned()), true
	}
	return st
}

// mark is what the spans of a kept trace carry: the threshold it was kept
// at and, when the sampler chose the trace's randomness, that randomness
// (zero otherwise: only a threshold above zero needs it).
type mark struct {
	threshold  Threshold
	randomness Randomness
}

// withMark returns traceState with the mark's th and, if set, rv.
func withMark(traceState string, m mark) string {
	if m.randomness == 0 {
		return withThreshold(traceState, m.threshold)
	}
	return withThreshold(withRandomness(traceState, m.randomness), m.threshold)
}

// withRandomness returns traceState with the ot member's rv set to r; a
// malformed tracestate is replaced by the ot member alone.
func withRandomness(traceState string, r Randomness) string {
	w3c, err := sampling.NewW3CTraceState(traceState)
	if err != nil {
		w3c, _ = sampling.NewW3CTraceState("")
	}
	rnd, err := sampling.UnsignedToRandomness(uint64(r))
	if err != nil {
		return traceState
	}
	w3c.OTelValue().SetRValue(rnd)
	var b strings.Builder
	if err := w3c.Serialize(&b); err != nil {
		return traceState
	}
	return b.String()
}

// withThreshold returns traceState with the ot member's th set to th, unless an upstream th is
// already higher (thresholds only ever rise). Other members and ot fields are kept; a malformed
// tracestate is replaced by the ot member alone.
func withThreshold(traceState string, th Threshold) string {
	w3c, err := sampling.NewW3CTraceState(traceState)
	if err != nil {
		w3c, _ = sampling.NewW3CTraceState("")
	}
	ot := w3c.OTelValue()
	if upstream, ok := ot.TValueThreshold(); !ok || !sampling.ThresholdGreater(upstream, th.sampling()) {
		// Cannot fail: the new threshold is not below the upstream one.
		_ = ot.UpdateTValueWithSampling(th.sampling())
	}
	var b strings.Builder
	if err := w3c.Serialize(&b); err != nil {
		return "ot=th:" + th.String()
	}
	return b.String()
}
