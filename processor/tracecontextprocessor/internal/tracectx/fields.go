package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxDepth bounds how deep nested maps are searched.
const maxDepth = 4

// ScanMap offers to res the trace context found in a map (attributes or a map body). Keys of the
// top level are tried first, then nested maps up to maxDepth levels, where a dotted key such as
// dd.trace_id also matches the path {"dd": {"trace_id": ...}}.
func (s *Scanner) ScanMap(m pcommon.Map, res *Result) {
	var path [maxDepth]string
	s.scanMap(m, path[:0], res)
}

func (s *Scanner) scanMap(m pcommon.Map, path []string, res *Result) {
	for k, v := range m.All() {
		if res.Complete() {
			return
		}
		r := s.keys.lookupPath(append(path, k))
		if r == roleNone || r == roleDisabled || r == roleXRayRoot {
			continue
		}
		p := parseField(r, v)
		p.reportField(res, FieldRef{Map: m, Key: k})
	}
	if len(path)+1 == maxDepth {
		return
	}
	for k, v := range m.All() {
		if res.Complete() {
			return
		}
		if v.Type() == pcommon.ValueTypeMap {
			s.scanMap(v.Map(), append(path, k), res)
		}
	}
}

// parseField reads an id, flag or header from a map value of any type.
func parseField(r role, v pcommon.Value) parsed {
	if !r.isPlain() {
		if v.Type() != pcommon.ValueTypeStr {
			return parsed{traceReason: ReasonNotHex}
		}
		return parseHeader(r, v.Str())
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return parsePlain(r, strings.TrimSpace(v.Str()), FormatFields)
	case pcommon.ValueTypeInt:
		return parseIntField(r, v.Int())
	case pcommon.ValueTypeBool:
		if r == roleFlags {
			return parsed{Candidate: Candidate{HasFlags: true, Sampled: v.Bool()}}
		}
	case pcommon.ValueTypeBytes:
		return parseBytesField(r, v.Bytes().AsRaw())
	}
	return rejectOfRole(r, ReasonNotHex)
}

// parseIntField reads an integer id (64 bits, as Datadog and some loggers emit) or flags byte.
func parseIntField(r role, n int64) parsed {
	format := FormatFields
	if r == roleDatadogTraceID || r == roleDatadogSpanID {
		format = FormatDatadog
	}
	p := parsed{Candidate: Candidate{Format: format}}
	switch {
	case r == roleFlags:
		p.setSampled(n&1 == 1, n >= 0 && n <= 0xff)
	case n < 0:
		return rejectOfRole(r, ReasonOutOfRange)
	case n == 0:
		return rejectOfRole(r, ReasonAllZero)
	case r == roleTraceID || r == roleDatadogTraceID:
		putUint64(p.TraceID[8:], uint64(n))
		p.HasTrace = true
	default:
		putUint64(p.SpanID[:], uint64(n))
		p.HasSpan = true
	}
	return p
}

// parseBytesField reads a binary id: 16 or 8 bytes for a trace id, 8 for a span id.
func parseBytesField(r role, b []byte) parsed {
	p := parsed{Candidate: Candidate{Format: FormatFields}}
	switch r {
	case roleFlags:
		return p
	case roleTraceID, roleDatadogTraceID:
		if len(b) != 16 && len(b) != 8 {
			return rejectOfRole(r, ReasonWrongLength)
		}
		copy(p.TraceID[16-len(b):], b)
		p.HasTrace = !p.TraceID.IsEmpty()
		if !p.HasTrace {
			p.traceReason = ReasonAllZero
		}
	default:
		if len(b) != 8 {
			return rejectOfRole(r, ReasonWrongLength)
		}
		copy(p.SpanID[:], b)
		p.HasSpan = !p.SpanID.IsEmpty()
		if !p.HasSpan {
			p.spanReason = ReasonAllZero
		}
	}
	return p
}

// rejectOfRole returns a result that rejects the id the role holds for the reason given.
func rejectOfRole(r role, reason Reason) parsed {
	switch r {
	case roleTraceID, roleDatadogTraceID:
		return parsed{traceReason: reason}
	case roleSpanID, roleDatadogSpanID:
		return parsed{spanReason: reason}
	}
	return parsed{}
}
