package engine_test

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// An engine on virtual time: a slow checkout breaks its objective and is
// kept with probability 1 once it has been quiet for decision_delay.
func Example() {
	cfg := engine.DefaultConfig()
	cfg.Objectives = []engine.Objective{{
		Name:    "checkout",
		Match:   engine.Match{Service: "frontend", Route: "POST /checkout"},
		Latency: &engine.LatencyObjective{Threshold: 500 * time.Millisecond, Target: 0.99},
	}}
	e, err := engine.New(cfg, nil)
	if err != nil {
		panic(err)
	}

	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "frontend")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetTraceID(pcommon.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c})
	span.SetSpanID(pcommon.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74})
	span.SetName("POST /checkout")
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(1200 * time.Millisecond)))

	if _, err := e.Ingest(start, td); err != nil {
		panic(err)
	}
	fmt.Println("decided at once:", len(e.Advance(start.Add(time.Second))))
	for _, d := range e.Advance(start.Add(2 * time.Second)) {
		kept := d.Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		fmt.Println(d.Kept, d.Reason, d.Objective, d.Probability, kept.TraceState().AsRaw())
	}
	// Output:
	// decided at once: 0
	// true slo_violation checkout 1 ot=th:0
}
