package engine

import (
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Compact form of a run of spans of one trace from one scope: the trace id
// is stored once by the trace, names and attribute keys are interned ids,
// start times are deltas, end times are durations, and a string attribute
// shares its prefix and suffix with the same attribute of the previous span.

// Span flag bits.
const (
	flagParent = 1 << iota
	flagTraceState
	flagStatusMessage
	flagSpanFlags
	flagDropped
	flagEvents
	flagLinks
	flagKindShift   = 7  // 3 bits of span kind
	flagStatusShift = 10 // 2 bits of status code
)

var errCorrupt = errors.New("corrupt buffered span")

// attrRef remembers one attribute of the previous span for delta coding.
type attrRef struct {
	key   string
	keyID uint32
	str   string
	isStr bool
}

// spanEncoder encodes spans; it is reused across calls and not safe for
// concurrent use.
type spanEncoder struct {
	keys, names *interner
	prev, cur   []attrRef
	// used, when journaling, collects the interned ids the encoded spans refer to.
	used *journalIDs
}

// beginChunk resets delta state at the start of a run of spans.
func (e *spanEncoder) beginChunk() { e.prev = e.prev[:0] }

func (e *spanEncoder) appendSpan(b []byte, span ptrace.Span, prevStart uint64) []byte {
	id := span.SpanID()
	b = append(b, id[:]...)
	var flags uint64
	parent := span.ParentSpanID()
	if !parent.IsEmpty() {
		flags |= flagParent
	}
	traceState := span.TraceState().AsRaw()
	if traceState != "" {
		flags |= flagTraceState
	}
	status := span.Status()
	if status.Message() != "" {
		flags |= flagStatusMessage
	}
	if span.Flags() != 0 {
		flags |= flagSpanFlags
	}
	if span.DroppedAttributesCount()|span.DroppedEventsCount()|span.DroppedLinksCount() != 0 {
		flags |= flagDropped
	}
	if span.Events().Len() > 0 {
		flags |= flagEvents
	}
	if span.Links().Len() > 0 {
		flags |= flagLinks
	}
	flags |= uint64(span.Kind()&7) << flagKindShift
	flags |= uint64(status.Code()&3) << flagStatusShift
	b = appendUvarint(b, flags)
	if flags&flagParent != 0 {
		b = append(b, parent[:]...)
	}
	b = e.appendName(b, span.Name())
	start, end := uint64(span.StartTimestamp()), uint64(span.EndTimestamp())
	b = appendVarint(b, int64(start-prevStart))
	b = appendVarint(b, int64(end-start))
	b = e.appendAttributes(b, span.Attributes())
	if flags&flagTraceState != 0 {
		b = appendString(b, traceState)
	}
	if flags&flagStatusMessage != 0 {
		b = appendString(b, status.Message())
	}
	if flags&flagSpanFlags != 0 {
		b = appendUvarint(b, uint64(span.Flags()))
	}
	if flags&flagDropped != 0 {
		b = appendUvarint(b, uint64(span.DroppedAttributesCount()))
		b = appendUvarint(b, uint64(span.DroppedEventsCount()))
		b = appendUvarint(b, uint64(span.DroppedLinksCount()))
	}
	if flags&flagEvents != 0 {
		b = appendEvents(b, span.Events(), start)
	}
	if flags&flagLinks != 0 {
		b = appendLinks(b, span.Links())
	}
	return b
}

func (e *spanEncoder) appendAttributes(b []byte, attrs pcommon.Map) []byte {
	b = appendUvarint(b, uint64(attrs.Len()))
	e.cur = e.cur[:0]
	i := 0
	for k, v := range attrs.All() {
		var ref attrRef
		if i < len(e.prev) && e.prev[i].key == k {
			ref = attrRef{key: e.prev[i].key, keyID: e.prev[i].keyID}
		} else {
			id, ok := e.keys.id(k)
			if !ok {
				id = internOverflow
			}
			ref = attrRef{key: k, keyID: id}
		}
		if ref.keyID == internOverflow {
			b = appendString(append(b, 0), k)
		} else {
			b = appendUvarint(b, uint64(ref.keyID)+1)
			if e.used != nil {
				e.used.keys.add(ref.keyID)
			}
		}
		if v.Type() == pcommon.ValueTypeStr {
			ref.str, ref.isStr = v.Str(), true
			delta := false
			if i < len(e.prev) && e.prev[i].isStr && e.prev[i].keyID == ref.keyID && ref.keyID != internOverflow {
				b, delta = appendDeltaString(b, ref.str, e.prev[i].str)
			}
			if !delta {
				b = appendString(append(b, tagStr), ref.str)
			}
		} else {
			b = appendValue(b, v)
		}
		e.cur = append(e.cur, ref)
		i++
	}
	e.prev, e.cur = e.cur, e.prev
	return b
}

func (e *spanEncoder) appendName(b []byte, s string) []byte {
	if id, ok := e.names.id(s); ok {
		if e.used != nil {
			e.used.names.add(id)
		}
		return appendUvarint(b, uint64(id)+1)
	}
	return appendString(append(b, 0), s)
}

func appendEvents(b []byte, events ptrace.SpanEventSlice, spanStart uint64) []byte {
	b = appendUvarint(b, uint64(events.Len()))
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		b = appendString(b, ev.Name())
		b = appendVarint(b, int64(uint64(ev.Timestamp())-spanStart))
		b = appendPlainMap(b, ev.Attributes())
		b = appendUvarint(b, uint64(ev.DroppedAttributesCount()))
	}
	return b
}

func appendLinks(b []byte, links ptrace.SpanLinkSlice) []byte {
	b = appendUvarint(b, uint64(links.Len()))
	for i := 0; i < links.Len(); i++ {
		l := links.At(i)
		tid, sid := l.TraceID(), l.SpanID()
		b = append(b, tid[:]...)
		b = append(b, sid[:]...)
		b = appendString(b, l.TraceState().AsRaw())
		b = appendUvarint(b, uint64(l.Flags()))
		b = appendPlainMap(b, l.Attributes())
		b = appendUvarint(b, uint64(l.DroppedAttributesCount()))
	}
	return b
}

// spanDecoder turns encoded chunks back into pdata.
type spanDecoder struct {
	keys, names *interner
	prev, cur   []attrRef
}

// decodeChunk appends count spans of trace id to dst, with the trace's mark
// written into each span's tracestate.
func (d *spanDecoder) decodeChunk(data []byte, count int, id pcommon.TraceID, m mark, dst ptrace.SpanSlice) error {
	first := dst.Len()
	err := d.decodeSpans(data, count, id, dst)
	for i := first; i < dst.Len(); i++ {
		span := dst.At(i)
		span.TraceState().FromRaw(withMark(span.TraceState().AsRaw(), m))
	}
	return err
}

// decodeSpans appends count spans of trace id to dst as they were encoded.
func (d *spanDecoder) decodeSpans(data []byte, count int, id pcommon.TraceID, dst ptrace.SpanSlice) error {
	r := reader{b: data}
	d.prev = d.prev[:0]
	var prevStart uint64
	dst.EnsureCapacity(dst.Len() + min(count, len(data)))
	for i := 0; i < count && !r.failed; i++ {
		span := dst.AppendEmpty()
		span.SetTraceID(id)
		prevStart = d.decodeSpan(&r, span, prevStart)
	}
	if r.failed || len(r.b) != 0 {
		return errCorrupt
	}
	return nil
}

func (d *spanDecoder) decodeSpan(r *reader, span ptrace.Span, prevStart uint64) uint64 {
	span.SetSpanID(r.spanID())
	flags := r.uvarint()
	if flags&flagParent != 0 {
		span.SetParentSpanID(r.spanID())
	}
	span.SetKind(ptrace.SpanKind((flags >> flagKindShift) & 7))
	span.Status().SetCode(ptrace.StatusCode((flags >> flagStatusShift) & 3))
	span.SetName(d.interned(r, d.names))
	start := prevStart + uint64(r.varint())
	span.SetStartTimestamp(pcommon.Timestamp(start))
	span.SetEndTimestamp(pcommon.Timestamp(start + uint64(r.varint())))
	d.decodeAttributes(r, span.Attributes())
	if flags&flagTraceState != 0 {
		span.TraceState().FromRaw(r.string())
	}
	if flags&flagStatusMessage != 0 {
		span.Status().SetMessage(r.string())
	}
	if flags&flagSpanFlags != 0 {
		span.SetFlags(uint32(r.uvarint()))
	}
	if flags&flagDropped != 0 {
		span.SetDroppedAttributesCount(uint32(r.uvarint()))
		span.SetDroppedEventsCount(uint32(r.uvarint()))
		span.SetDroppedLinksCount(uint32(r.uvarint()))
	}
	if flags&flagEvents != 0 {
		decodeEvents(r, span.Events(), start)
	}
	if flags&flagLinks != 0 {
		decodeLinks(r, span.Links())
	}
	return start
}

func (d *spanDecoder) interned(r *reader, in *interner) string {
	id := r.uvarint()
	if id == 0 {
		return r.string()
	}
	s, ok := in.str(uint32(id - 1))
	if !ok {
		r.fail()
	}
	return s
}

func (d *spanDecoder) decodeAttributes(r *reader, dst pcommon.Map) {
	n := r.length()
	dst.EnsureCapacity(n)
	d.cur = d.cur[:0]
	for i := 0; i < n && !r.failed; i++ {
		key := d.interned(r, d.keys)
		ref := attrRef{key: key}
		switch tag := r.byte(); tag {
		case tagStr:
			ref.str, ref.isStr = r.string(), true
			dst.PutStr(key, ref.str)
		case tagStrDelta:
			if i >= len(d.prev) || !d.prev[i].isStr {
				r.fail()
				return
			}
			ref.str, ref.isStr = r.deltaString(d.prev[i].str), true
			dst.PutStr(key, ref.str)
		default:
			r.taggedValue(tag, dst.PutEmpty(key), 0)
		}
		d.cur = append(d.cur, ref)
	}
	d.prev, d.cur = d.cur, d.prev
}

func decodeEvents(r *reader, dst ptrace.SpanEventSlice, spanStart uint64) {
	n := r.length()
	dst.EnsureCapacity(n)
	for i := 0; i < n && !r.failed; i++ {
		ev := dst.AppendEmpty()
		ev.SetName(r.string())
		ev.SetTimestamp(pcommon.Timestamp(spanStart + uint64(r.varint())))
		r.plainMap(ev.Attributes(), 0)
		ev.SetDroppedAttributesCount(uint32(r.uvarint()))
	}
}

func decodeLinks(r *reader, dst ptrace.SpanLinkSlice) {
	n := r.length()
	dst.EnsureCapacity(n)
	for i := 0; i < n && !r.failed; i++ {
		l := dst.AppendEmpty()
		l.SetTraceID(r.traceID())
		l.SetSpanID(r.spanID())
		l.TraceState().FromRaw(r.string())
		l.SetFlags(uint32(r.uvarint()))
		r.plainMap(l.Attributes(), 0)
		l.SetDroppedAttributesCount(uint32(r.uvarint()))
	}
}

// appendResourceScope encodes what a chunk shares with its neighbours:
// resource and scope, stored once per distinct value.
func appendResourceScope(b []byte, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans) []byte {
	res, scope := rs.Resource(), ss.Scope()
	b = appendPlainMap(b, res.Attributes())
	b = appendUvarint(b, uint64(res.DroppedAttributesCount()))
	b = appendString(b, rs.SchemaUrl())
	b = appendString(b, scope.Name())
	b = appendString(b, scope.Version())
	b = appendPlainMap(b, scope.Attributes())
	b = appendUvarint(b, uint64(scope.DroppedAttributesCount()))
	return appendString(b, ss.SchemaUrl())
}

func decodeResourceScope(data []byte, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans) error {
	r := reader{b: data}
	res, scope := rs.Resource(), ss.Scope()
	r.plainMap(res.Attributes(), 0)
	res.SetDroppedAttributesCount(uint32(r.uvarint()))
	rs.SetSchemaUrl(r.string())
	scope.SetName(r.string())
	scope.SetVersion(r.string())
	r.plainMap(scope.Attributes(), 0)
	scope.SetDroppedAttributesCount(uint32(r.uvarint()))
	ss.SetSchemaUrl(r.string())
	if r.failed || len(r.b) != 0 {
		return errCorrupt
	}
	return nil
}
