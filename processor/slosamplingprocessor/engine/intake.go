package engine

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// stagedChunk is a run of consecutive spans of one trace from one scope,
// encoded into the scratch buffer with the facts the decision needs.
type stagedChunk struct {
	id         pcommon.TraceID
	rs         ptrace.ResourceSpans
	ss         ptrace.ScopeSpans
	first      int // index of the first span in ss
	count      int
	scopeStart int // encoded resource and scope in scratch
	scopeEnd   int
	start, end int // encoded spans in scratch

	service       uint32
	tenant        uint32
	rootSeen      bool
	rootName      uint32
	earliestStart uint64
	earliestName  uint32
	hasError      bool
	shape         shape
	matched       uint64
	violated      uint64

	upstreamThreshold Threshold
	randomness        Randomness
	hasRandomness     bool
}

// stage encodes every span of td into the scratch buffer and returns an
// upper bound of the bytes committing them adds to the buffer (as if every
// chunk started a new trace).
func (e *Engine) stage(td ptrace.Traces) int64 {
	e.scratch = e.scratch[:0]
	e.staged = e.staged[:0]
	var total int64
	invalid := 0
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		serviceName := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			serviceName = v.AsString()
		}
		service, _ := e.services.id(serviceName)
		tenant := internEmpty
		if e.cfg.Tenants.Attribute != "" {
			if v, ok := rs.Resource().Attributes().Get(e.cfg.Tenants.Attribute); ok {
				tenant = e.pop.tenantID(v.AsString())
			}
		}
		objectives := e.matcher.serviceMask(serviceName)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			if spans.Len() == 0 {
				continue
			}
			scopeStart := len(e.scratch)
			e.scratch = appendResourceScope(e.scratch, rs, ss)
			scopeEnd := len(e.scratch)
			var c *stagedChunk
			var prevStart uint64
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				id := span.TraceID()
				if id.IsEmpty() {
					invalid++
					c = nil
					continue
				}
				if c == nil || c.id != id {
					e.staged = append(e.staged, stagedChunk{
						id: id, rs: rs, ss: ss, first: k, scopeStart: scopeStart, scopeEnd: scopeEnd,
						start: len(e.scratch), service: service, tenant: tenant, earliestStart: ^uint64(0),
					})
					c = &e.staged[len(e.staged)-1]
					e.encoder.beginChunk()
					prevStart = 0
				}
				e.scratch = e.encoder.appendSpan(e.scratch, span, prevStart)
				prevStart = uint64(span.StartTimestamp())
				c.end = len(e.scratch)
				c.count++
				e.observeSpan(c, objectives, rs, ss, span)
			}
		}
	}
	for i := range e.staged {
		total += int64(e.staged[i].end-e.staged[i].start) + chunkOverheadBytes + traceOverheadBytes
	}
	e.refused(invalid, RefuseInvalidTraceID)
	return total
}

// observeSpan records what the decision needs to know about span.
func (e *Engine) observeSpan(c *stagedChunk, objectives uint64, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) {
	root := span.ParentSpanID().IsEmpty()
	if root {
		c.rootSeen = true
		c.rootName, _ = e.names.id(span.Name())
	}
	if root || span.Kind() == ptrace.SpanKindServer {
		name, _ := e.names.id(span.Name())
		c.shape = c.shape.with(c.service, name)
	}
	if start := uint64(span.StartTimestamp()); start < c.earliestStart {
		c.earliestStart = start
		c.earliestName, _ = e.names.id(span.Name())
	}
	if span.Status().Code() == ptrace.StatusCodeError {
		c.hasError = true
	}
	if objectives != 0 {
		matched, violated := e.matcher.evaluate(objectives, rs, ss, span)
		c.matched |= matched
		c.violated |= violated
	}
	if ts := span.TraceState().AsRaw(); ts != "" {
		st := parseSamplingState(ts)
		if st.hasThreshold && st.threshold > c.upstreamThreshold {
			c.upstreamThreshold = st.threshold
		}
		if st.hasRandomness {
			c.randomness, c.hasRandomness = st.randomness, true
		}
	}
}

// commit moves staged chunks into the buffer, or routes them as late spans.
func (e *Engine) commit(out *Output) {
	if len(e.staged) > 0 {
		e.budget.arrived(e.now, e.cfg.RateWindow.Nanoseconds())
	}
	started := 0
	for i := range e.staged {
		c := &e.staged[i]
		t, buffered := e.buffer.get(c.id)
		if !buffered {
			if m, kept := e.kept.get(c.id); kept {
				e.appendLate(out.Late, c, m)
				e.budget.counted(float64(c.count))
				e.lateSpans(c.count, true)
				if e.reportSettlement {
					out.Settled = append(out.Settled, c.id)
				}
				continue
			}
			if e.dropped.contains(c.id) {
				e.lateSpans(c.count, false)
				if e.reportSettlement {
					out.Settled = append(out.Settled, c.id)
				}
				continue
			}
			t = e.buffer.start(c.id, c.tenant, e.now, e.now+e.cfg.TraceTimeout.Nanoseconds())
			if e.reportSettlement {
				out.Started = append(out.Started, c.id)
			}
			started++
		}
		e.addChunk(t, c)
		if t.spans >= e.cfg.MaxSpansPerTrace {
			out.Decisions = e.decide(t, TriggerMaxSpans, false, out.Decisions)
		}
	}
	if e.observer != nil && started > 0 {
		e.observer.TracesStarted(started)
	}
	clear(e.staged) // drop references to the caller's pdata
	e.staged = e.staged[:0]
	e.buffer.compact()
}

func (e *Engine) addChunk(t *bufferedTrace, c *stagedChunk) {
	e.buffer.addSpans(t, e.scratch[c.scopeStart:c.scopeEnd], e.scratch[c.start:c.end], c.count)
	if c.rootSeen {
		t.rootSeen = true
		t.entryService, t.entryName = c.service, c.rootName
	} else if !t.rootSeen && c.earliestStart < t.earliestStart {
		t.earliestStart = c.earliestStart
		t.entryService, t.entryName = c.service, c.earliestName
	}
	t.hasError = t.hasError || c.hasError
	t.shape |= c.shape
	t.matched |= c.matched
	t.violated |= c.violated
	if c.upstreamThreshold > t.upstreamThreshold {
		t.upstreamThreshold = c.upstreamThreshold
	}
	if c.hasRandomness {
		t.randomness, t.hasRandomness = c.randomness, true
	}
	if t.rootSeen {
		e.buffer.quietAt(t, e.now+e.cfg.DecisionDelay.Nanoseconds())
	}
}

// appendLate copies a chunk's spans to the late output with their trace's mark.
func (e *Engine) appendLate(late ptrace.Traces, c *stagedChunk, m mark) {
	rs := late.ResourceSpans().AppendEmpty()
	c.rs.Resource().CopyTo(rs.Resource())
	rs.SetSchemaUrl(c.rs.SchemaUrl())
	ss := rs.ScopeSpans().AppendEmpty()
	c.ss.Scope().CopyTo(ss.Scope())
	ss.SetSchemaUrl(c.ss.SchemaUrl())
	src := c.ss.Spans()
	for k := c.first; k < src.Len() && ss.Spans().Len() < c.count; k++ {
		if span := src.At(k); span.TraceID() == c.id {
			dst := ss.Spans().AppendEmpty()
			span.CopyTo(dst)
			dst.TraceState().FromRaw(withMark(dst.TraceState().AsRaw(), m))
		}
	}
}

func (e *Engine) lateSpans(n int, kept bool) {
	if e.observer != nil {
		e.observer.LateSpans(n, kept)
	}
}
