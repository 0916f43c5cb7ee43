package engine

import (
	"context"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlspan"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/ptrace"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
)

// spanCondition is a compiled OTTL condition in the span context.
type spanCondition struct {
	condition *ottl.Condition[*ottlspan.TransformContext]
}

func newConditionParser() (ottl.Parser[*ottlspan.TransformContext], error) {
	settings := component.TelemetrySettings{
		Logger:         zap.NewNop(),
		MeterProvider:  metricnoop.NewMeterProvider(),
		TracerProvider: tracenoop.NewTracerProvider(),
	}
	functions := ottlfuncs.StandardConverters[*ottlspan.TransformContext]()
	isRoot := ottlfuncs.NewIsRootSpanFactoryNew()
	functions[isRoot.Name()] = isRoot
	return ottlspan.NewParser(functions, settings)
}

func parseCondition(expr string) (*spanCondition, error) {
	parser, err := newConditionParser()
	if err != nil {
		return nil, err
	}
	c, err := parser.ParseCondition(expr)
	if err != nil {
		return nil, err
	}
	return &spanCondition{condition: c}, nil
}

// matches evaluates the condition; an evaluation error counts as no match.
func (c *spanCondition) matches(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) bool {
	tCtx := ottlspan.NewTransformContextPtr(rs, ss, span)
	defer tCtx.Close()
	ok, err := c.condition.Eval(context.Background(), tCtx)
	return err == nil && ok
}
