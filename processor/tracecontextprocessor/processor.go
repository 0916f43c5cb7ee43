package tracecontextprocessor // import "github.com/tailwise/tailwise/processor/tracecontextprocessor"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/metadata"
	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"
)

type logsProcessor struct {
	scanner        *tracectx.Scanner
	sources        []source
	overwrite      bool
	removeFromBody bool
	telemetry      *telemetry
}

func newLogsProcessor(set component.TelemetrySettings, cfg *Config) (*logsProcessor, error) {
	patterns := make([]tracectx.Pattern, 0, len(cfg.Patterns))
	for i, expr := range cfg.Patterns {
		pat, err := tracectx.CompilePattern(expr)
		if err != nil {
			return nil, fmt.Errorf("patterns::%d: %w", i, err)
		}
		patterns = append(patterns, pat)
	}
	builder, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	p := &logsProcessor{
		scanner: tracectx.NewScanner(tracectx.Keys{
			TraceID:        cfg.TraceIDKeys,
			SpanID:         cfg.SpanIDKeys,
			TraceFlags:     cfg.TraceFlagsKeys,
			DatadogTraceID: cfg.DatadogTraceIDKeys,
			DatadogSpanID:  cfg.DatadogSpanIDKeys,
		}, tracectx.Formats{
			W3C:      cfg.Formats.W3C,
			B3:       cfg.Formats.B3,
			Jaeger:   cfg.Formats.Jaeger,
			XRay:     cfg.Formats.XRay,
			KeyValue: cfg.Formats.KeyValue,
			Sleuth:   cfg.Formats.Sleuth,
			Datadog:  cfg.Formats.Datadog,
		}, patterns),
		overwrite:      cfg.Overwrite,
		removeFromBody: cfg.RemoveFromBody,
		telemetry:      newTelemetry(builder),
	}
	for _, s := range cfg.Sources {
		if s == SourceAttributes {
			p.sources = append(p.sources, sourceAttributes)
		} else {
			p.sources = append(p.sources, sourceBody)
		}
	}
	return p, nil
}

func (p *logsProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var stats batchStats
	var res, scratch tracectx.Result
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				p.processRecord(lr, &res, &scratch, &stats)
			}
		}
	}
	p.telemetry.record(ctx, &stats)
	return ld, nil
}

// processRecord sets the record's trace context from its sources, in order: the first trace id
// found wins, and later sources may only add the span id or flags of that same trace.
func (p *logsProcessor) processRecord(lr plog.LogRecord, res, scratch *tracectx.Result, stats *batchStats) {
	stats.seen++
	if !p.overwrite && !lr.TraceID().IsEmpty() {
		stats.alreadySet++
		return
	}
	res.Reset()
	from := sourceAttributes
	for _, src := range p.sources {
		scratch.Reset()
		if src == sourceAttributes {
			p.scanner.ScanMap(lr.Attributes(), scratch)
		} else {
			scratch.Track = p.removeFromBody
			p.scanBody(lr.Body(), scratch)
		}
		hadTrace := res.HasTrace
		res.Merge(scratch)
		if !hadTrace && res.HasTrace {
			from = src
		}
		if res.Complete() {
			break
		}
	}
	stats.addRejections(res)
	if !res.HasTrace {
		return
	}
	lr.SetTraceID(res.TraceID)
	// A span id only belongs with the trace id it came with; never keep one of a replaced trace.
	lr.SetSpanID(pcommon.SpanID{})
	if res.HasSpan {
		lr.SetSpanID(res.SpanID)
	}
	if res.HasFlags {
		lr.SetFlags(lr.Flags().WithIsSampled(res.Sampled))
	}
	stats.extracted[from][res.Format]++
	if p.removeFromBody {
		removeFromBody(lr.Body(), res)
	}
}

func (p *logsProcessor) scanBody(body pcommon.Value, res *tracectx.Result) {
	switch body.Type() {
	case pcommon.ValueTypeStr:
		p.scanner.ScanText(body.Str(), res)
	case pcommon.ValueTypeMap:
		p.scanner.ScanMap(body.Map(), res)
	}
}

// removeFromBody deletes the text or map entries of the body that carried the context.
func removeFromBody(body pcommon.Value, res *tracectx.Result) {
	switch body.Type() {
	case pcommon.ValueTypeStr:
		if ranges := res.Ranges(); len(ranges) > 0 {
			body.SetStr(tracectx.RemoveRanges(body.Str(), ranges))
		}
	case pcommon.ValueTypeMap:
		for _, f := range res.Fields() {
			f.Map.Remove(f.Key)
		}
	}
}

func (p *logsProcessor) shutdown(context.Context) error {
	p.telemetry.builder.Shutdown()
	return nil
}
