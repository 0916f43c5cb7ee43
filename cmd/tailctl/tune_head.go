package main

import (
	"cmp"
	"os"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/extension/headsamplingextension"
	"github.com/tailwise/tailwise/internal/spans"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// loadHeadSamplingConfig reads a head_sampling extension YAML block over the extension's
// defaults and validates it; errors name the file and the field.
func loadHeadSamplingConfig(path string) (*headsamplingextension.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeComponentConfig[*headsamplingextension.Config](path, b, headsamplingextension.NewFactory())
}

// headRun follows the head_sampling strategies one config's engine would have a gateway serve
// while the recording plays, and what they would have let in: every trace is counted at the
// probability served for its root when its root arrived.
type headRun struct {
	planner    *headsamplingextension.Planner
	objectives []engine.Objective
	strategies map[string]*headsamplingextension.Strategy
	admitted   map[pcommon.TraceID]float64 // head probability of each trace, at its root
}

func newHeadRun(cfg *headsamplingextension.Config, sampler engine.Config) *headRun {
	return &headRun{
		planner:    headsamplingextension.NewPlanner(cfg, sampler.Budget.SpansPerSecond),
		objectives: sampler.Objectives,
		admitted:   map[pcommon.TraceID]float64{},
	}
}

// roots counts the root spans of td, arrived at now.
func (h *headRun) roots(now time.Time, td ptrace.Traces) {
	spans.ForEach(td, func(service string, span ptrace.Span) {
		if !span.ParentSpanID().IsEmpty() {
			return
		}
		h.planner.ObserveRoot(now, headsamplingextension.Root{Service: service, Operation: span.Name(), Probability: 1})
		if _, seen := h.admitted[span.TraceID()]; !seen {
			h.admitted[span.TraceID()] = h.planner.Probability(h.strategies, service, span.Name())
		}
	})
}

// adjusted recomputes the strategies after an adjustment of the engine.
func (h *headRun) adjusted(now time.Time, s *engine.Snapshot) {
	h.planner.ObserveState(slosamplingprocessor.HeadSamplingState(s, h.objectives))
	h.strategies = h.planner.Adjust(now)
}

// headResult is what `tune --head-sampling` reports per config.
type headResult struct {
	// InputBudget is the head_sampling input budget in spans per second.
	InputBudget float64 `json:"input_budget"`
	// SpansAdmitted is the spans the served strategies would have let through to the gateway,
	// each trace at the probability served for its root when it arrived.
	SpansAdmitted float64 `json:"spans_admitted"`
	// InputCut is the share of the recording's spans the strategies would have left at the
	// source (1 - spans_admitted / spans_in).
	InputCut float64 `json:"input_cut"`
	// Strategies are the strategies served at the end of the run, by service.
	Strategies []strategyResult `json:"strategies"`
}

type strategyResult struct {
	Service            string              `json:"service"`
	DefaultProbability float64             `json:"default_probability"`
	Operations         []operationStrategy `json:"operations"`
}

type operationStrategy struct {
	Operation   string  `json:"operation"`
	Probability float64 `json:"probability"`
}

func (h *headRun) result(truth *groundTruth) *headResult {
	res := &headResult{InputBudget: h.planner.InputBudget(), Strategies: []strategyResult{}}
	for id, p := range h.admitted {
		res.SpansAdmitted += p * float64(truth.traceSpans[id])
	}
	if truth.spans > 0 {
		res.InputCut = 1 - res.SpansAdmitted/float64(truth.spans)
	}
	for name, s := range h.strategies {
		sr := strategyResult{Service: name, DefaultProbability: s.DefaultProbability, Operations: []operationStrategy{}}
		for _, op := range s.Operations {
			sr.Operations = append(sr.Operations, operationStrategy{Operation: op.Operation, Probability: op.Probability})
		}
		res.Strategies = append(res.Strategies, sr)
	}
	slices.SortFunc(res.Strategies, func(a, b strategyResult) int { return cmp.Compare(a.Service, b.Service) })
	return res
}
