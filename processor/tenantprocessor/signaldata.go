package tenantprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// signalData is what the processor needs of a request of one signal.
type signalData[T any] struct {
	resources func(T) int
	resource  func(T, int) pcommon.Resource
	items     func(T) int
	size      func(T) int
	// split moves each resource i into the request of tenants[i]; requests come in the order
	// of their tenants' first resource.
	split func(data T, tenants []string) []T
}

var (
	tracesSizer  ptrace.ProtoMarshaler
	logsSizer    plog.ProtoMarshaler
	metricsSizer pmetric.ProtoMarshaler
)

var tracesData = signalData[ptrace.Traces]{
	resources: func(td ptrace.Traces) int { return td.ResourceSpans().Len() },
	resource:  func(td ptrace.Traces, i int) pcommon.Resource { return td.ResourceSpans().At(i).Resource() },
	items:     ptrace.Traces.SpanCount,
	size:      tracesSizer.TracesSize,
	split: func(td ptrace.Traces, tenants []string) []ptrace.Traces {
		return splitResources(td.ResourceSpans(), tenants, ptrace.NewTraces,
			func(dst ptrace.Traces) ptrace.ResourceSpans { return dst.ResourceSpans().AppendEmpty() })
	},
}

var logsData = signalData[plog.Logs]{
	resources: func(ld plog.Logs) int { return ld.ResourceLogs().Len() },
	resource:  func(ld plog.Logs, i int) pcommon.Resource { return ld.ResourceLogs().At(i).Resource() },
	items:     plog.Logs.LogRecordCount,
	size:      logsSizer.LogsSize,
	split: func(ld plog.Logs, tenants []string) []plog.Logs {
		return splitResources(ld.ResourceLogs(), tenants, plog.NewLogs,
			func(dst plog.Logs) plog.ResourceLogs { return dst.ResourceLogs().AppendEmpty() })
	},
}

var metricsData = signalData[pmetric.Metrics]{
	resources: func(md pmetric.Metrics) int { return md.ResourceMetrics().Len() },
	resource:  func(md pmetric.Metrics, i int) pcommon.Resource { return md.ResourceMetrics().At(i).Resource() },
	items:     pmetric.Metrics.DataPointCount,
	size:      metricsSizer.MetricsSize,
	split: func(md pmetric.Metrics, tenants []string) []pmetric.Metrics {
		return splitResources(md.ResourceMetrics(), tenants, pmetric.NewMetrics,
			func(dst pmetric.Metrics) pmetric.ResourceMetrics { return dst.ResourceMetrics().AppendEmpty() })
	},
}

// resourceSlice is a pdata slice of resource-level elements (ResourceSpans, ResourceLogs,
// ResourceMetrics).
type resourceSlice[R interface{ MoveTo(R) }] interface {
	Len() int
	At(int) R
}

func splitResources[T any, R interface{ MoveTo(R) }](from resourceSlice[R], tenants []string, newData func() T, appendTo func(T) R) []T {
	index := make(map[string]int)
	var parts []T
	for i := 0; i < from.Len(); i++ {
		at, ok := index[tenants[i]]
		if !ok {
			at = len(parts)
			index[tenants[i]] = at
			parts = append(parts, newData())
		}
		from.At(i).MoveTo(appendTo(parts[at]))
	}
	return parts
}
