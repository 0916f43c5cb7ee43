package tracecontextprocessor // import "github.com/tailwise/tailwise/processor/tracecontextprocessor"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/metadata"
	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"
)

// source is where a context was found, as an index into the telemetry tables.
type source uint8

const (
	sourceAttributes source = iota
	sourceBody
	numSources
)

var sourceNames = [numSources]string{SourceAttributes, SourceBody}

// batchStats counts one batch; it is flushed to the telemetry once per batch.
type batchStats struct {
	seen       int64
	alreadySet int64
	extracted  [numSources][tracectx.NumFormats]int64
	malformed  [tracectx.NumKinds][tracectx.NumReasons]int64
}

func (s *batchStats) addRejections(res *tracectx.Result) {
	if !res.AnyRejected {
		return
	}
	for kind := range res.Rejected {
		for reason, n := range res.Rejected[kind] {
			s.malformed[kind][reason] += int64(n)
		}
	}
}

// telemetry records batchStats with attribute sets built once.
type telemetry struct {
	builder        *metadata.TelemetryBuilder
	extractedAttrs [numSources][tracectx.NumFormats]metric.MeasurementOption
	malformedAttrs [tracectx.NumKinds][tracectx.NumReasons]metric.MeasurementOption
}

func newTelemetry(builder *metadata.TelemetryBuilder) *telemetry {
	t := &telemetry{builder: builder}
	for src := range numSources {
		for f := range tracectx.NumFormats {
			t.extractedAttrs[src][f] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("source", sourceNames[src]), attribute.String("format", f.String())))
		}
	}
	for kind := range tracectx.NumKinds {
		for reason := range tracectx.NumReasons {
			t.malformedAttrs[kind][reason] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("id", kind.String()), attribute.String("reason", reason.String())))
		}
	}
	return t
}

func (t *telemetry) record(ctx context.Context, s *batchStats) {
	t.builder.ProcessorTraceContextRecordsSeen.Add(ctx, s.seen)
	if s.alreadySet > 0 {
		t.builder.ProcessorTraceContextRecordsAlreadySet.Add(ctx, s.alreadySet)
	}
	for src := range s.extracted {
		for f, n := range s.extracted[src] {
			if n > 0 {
				t.builder.ProcessorTraceContextRecordsExtracted.Add(ctx, n, t.extractedAttrs[src][f])
			}
		}
	}
	for kind := range s.malformed {
		for reason, n := range s.malformed[kind] {
			if n > 0 {
				t.builder.ProcessorTraceContextIdsMalformed.Add(ctx, n, t.malformedAttrs[kind][reason])
			}
		}
	}
}
