package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"

import (
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/extension/headsamplingextension"
	"github.com/tailwise/tailwise/internal/spans"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// Attributes the Jaeger SDKs' samplers (among them go.opentelemetry.io/contrib/samplers/jaegerremote)
// set on the root span of a trace they sampled: the sampler's type and its parameter, the
// probability for "probabilistic".
const (
	jaegerSamplerType  = "jaeger.sampler.type"
	jaegerSamplerParam = "jaeger.sampler.param"
)

// headGeneration is the number of trace ids per generation of the table of head thresholds (only
// traces the gateway must stamp are in it): a new generation starts when the current one is full
// and two are kept, so a trace is remembered for at least 2^18 stamped traces after its root.
const headGeneration = 1 << 18

// headStage joins the head sampler's probability to the tail sampler's. Head samplers that do
// not write ot=th (the Go SDK's TraceIDRatioBased, which jaegerremote uses, decides on the
// trace id's high bits and writes no tracestate) are recognized on the trace's root span; the
// trace is then remembered with its head threshold T_h = (1 - p_h)·2^56, the engine samples the
// traffic it receives at its own probability p_t (threshold T_t) on the trace's randomness R,
// and every kept span gets
//
//	th = T_h + T_t·p_h   and   rv = T_h + R·p_h
//
// so rv ≥ th exactly when R ≥ T_t (the engine's decision), the kept trace stands for
// 1/(p_h·p_t) requests, and the threshold only ever rises on the way.
type headStage struct {
	source headsamplingextension.Source

	mu          sync.Mutex
	current     map[pcommon.TraceID]uint64
	previous    map[pcommon.TraceID]uint64
	rootScratch []headsamplingextension.Root
}

func newHeadStage(source headsamplingextension.Source) *headStage {
	return &headStage{source: source, current: map[pcommon.TraceID]uint64{}, previous: map[pcommon.TraceID]uint64{}}
}

// headProbability is the rule for the probability a root span was head-sampled with: its ot=th
// when an SDK wrote one (consistent samplers; weighted, not stamped: the engine raises it),
// else jaeger.sampler.type=probabilistic with jaeger.sampler.param, else the probability the
// head_sampling extension served for its service and name when the service polls. stamp is
// true when the gateway must join the head probability to the tail's.
func (h *headStage) headProbability(service string, span ptrace.Span) (prob float64, stamp bool) {
	if raw := span.TraceState().AsRaw(); raw != "" {
		if w3c, err := sampling.NewW3CTraceState(raw); err == nil {
			if th, ok := w3c.OTelValue().TValueThreshold(); ok {
				return th.Probability(), false
			}
		}
	}
	attrs := span.Attributes()
	if typ, ok := attrs.Get(jaegerSamplerType); ok {
		if typ.Str() != "probabilistic" {
			return 1, false // rate-limited or constant: weight unknown or 1, counted once
		}
		param, ok := attrs.Get(jaegerSamplerParam)
		if !ok {
			return 1, false
		}
		p := param.Double()
		if param.Type() == pcommon.ValueTypeStr {
			return 1, false
		}
		if param.Type() == pcommon.ValueTypeInt {
			p = float64(param.Int())
		}
		if p > 0 && p < 1 {
			return p, true
		}
		return 1, false
	}
	if h.source != nil {
		if p, ok := h.source.ServedProbability(service, span.Name()); ok && p > 0 && p < 1 {
			return p, true
		}
	}
	return 1, false
}

// intake counts the root spans of td for the head_sampling extension and remembers the head
// threshold of the traces to stamp. It does not modify td.
func (h *headStage) intake(now time.Time, td ptrace.Traces) {
	h.mu.Lock()
	defer h.mu.Unlock()
	roots := h.rootScratch[:0]
	spans.ForEach(td, func(service string, span ptrace.Span) {
		if !span.ParentSpanID().IsEmpty() {
			return
		}
		prob, stamp := h.headProbability(service, span)
		roots = append(roots, headsamplingextension.Root{Service: service, Operation: span.Name(), Probability: prob})
		if stamp {
			h.remember(span.TraceID(), headThreshold(prob))
		}
	})
	h.rootScratch = roots[:0]
	if len(roots) > 0 {
		h.source.ObserveRoots(now, roots)
	}
}

func (h *headStage) remember(id pcommon.TraceID, threshold uint64) {
	if len(h.current) >= headGeneration {
		h.previous, h.current = h.current, make(map[pcommon.TraceID]uint64, headGeneration/4)
	}
	h.current[id] = threshold
}

func (h *headStage) threshold(id pcommon.TraceID) (uint64, bool) {
	if t, ok := h.current[id]; ok {
		return t, true
	}
	t, ok := h.previous[id]
	return t, ok
}

const maxThreshold = uint64(1) << 56

// headThreshold is T_h = (1 - p)·2^56 for a head probability p in (0, 1).
func headThreshold(p float64) uint64 {
	return maxThreshold - uint64(p*float64(maxThreshold))
}

// scale maps x in [0, 2^56) onto [T_h, 2^56): T_h + x·(2^56 - T_h)/2^56.
func scale(th, x uint64) uint64 {
	hi, lo := bits.Mul64(x, maxThreshold-th)
	return th + (hi<<8 | lo>>56)
}

// stamp rewrites the ot member of the kept spans of stamped traces (see headStage).
func (h *headStage) stamp(td ptrace.Traces) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.current) == 0 && len(h.previous) == 0 {
		return
	}
	// The spans of a kept trace carry the same tracestate: join it once per
	// trace and tracestate, not once per span.
	var last struct {
		id       pcommon.TraceID
		in, out  string
		joinable bool
	}
	spans.ForEach(td, func(_ string, span ptrace.Span) {
		id, in := span.TraceID(), span.TraceState().AsRaw()
		if id != last.id || in != last.in {
			th, ok := h.threshold(id)
			last.id, last.in, last.joinable = id, in, false
			if ok {
				last.out, last.joinable = joinThresholds(in, id, th)
			}
		}
		if last.joinable {
			span.TraceState().FromRaw(last.out)
		}
	})
}

// joinThresholds returns the tracestate with th = T_h + T_t·p_h and rv = T_h + R·p_h, where
// T_t and R are the tail sampler's threshold and the trace's randomness in traceState.
func joinThresholds(traceState string, id pcommon.TraceID, head uint64) (string, bool) {
	w3c, err := sampling.NewW3CTraceState(traceState)
	if err != nil {
		return "", false
	}
	ot := w3c.OTelValue()
	tail := uint64(0)
	if t, ok := ot.TValueThreshold(); ok {
		tail = t.Unsigned()
	}
	randomness := sampling.TraceIDToRandomness(id)
	if r, ok := ot.RValueRandomness(); ok {
		randomness = r
	}
	joined, err := sampling.UnsignedToThreshold(scale(head, tail))
	if err != nil {
		return "", false
	}
	rv, err := sampling.UnsignedToRandomness(scale(head, randomness.Unsigned()))
	if err != nil {
		return "", false
	}
	ot.ClearTValue()
	if err := ot.UpdateTValueWithSampling(joined); err != nil {
		return "", false
	}
	ot.SetRValue(rv)
	var b strings.Builder
	if err := w3c.Serialize(&b); err != nil {
		return "", false
	}
	return b.String(), true
}

// HeadSamplingState converts the engine's snapshot for the head_sampling extension, whose
// strategies follow the tail sampler's rates and objectives (offline too, in tailctl tune).
func HeadSamplingState(s *engine.Snapshot, objectives []engine.Objective) headsamplingextension.State {
	out := headsamplingextension.State{
		Strata:     make([]headsamplingextension.StratumRates, len(s.Strata)),
		Objectives: make([]headsamplingextension.ObjectiveState, 0, len(s.Objectives)),
	}
	for i, st := range s.Strata {
		out.Strata[i] = headsamplingextension.StratumRates{
			Service: st.Service, Route: st.Route, Violation: st.Outcome == engine.OutcomeViolation,
			TracesPerSecond: st.TracesPerSecond, SpansPerSecond: st.SpansPerSecond,
		}
	}
	for i, o := range s.Objectives {
		if i >= len(objectives) {
			break
		}
		out.Objectives = append(out.Objectives, headsamplingextension.ObjectiveState{
			Service: objectives[i].Match.Service, Route: objectives[i].Match.Route,
			Burning: o.BurningFast, BadRatio: o.BadRatio, BudgetBadRatio: o.BudgetBadRatio,
		})
	}
	return out
}
