package redact

import "go.opentelemetry.io/collector/pdata/ptrace"

// Traces redacts td in place and returns what was redacted.
func (r *Redactor) Traces(td ptrace.Traces) *Stats {
	p := r.newPass()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		p.resource(rs.Resource())
		if url, ok := p.field(rs.SchemaUrl()); ok {
			rs.SetSchemaUrl(url)
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			p.scope(ss.Scope())
			if url, ok := p.field(ss.SchemaUrl()); ok {
				ss.SetSchemaUrl(url)
			}
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				p.span(spans.At(k))
			}
		}
	}
	return p.stats
}

func (p *pass) span(span ptrace.Span) {
	p.beginItem()
	if p.pol.spanName.Enabled {
		if name, ok := p.spanName(span.Name()); ok {
			span.SetName(name)
		}
	}
	if ts, ok := p.field(span.TraceState().AsRaw()); ok {
		span.TraceState().FromRaw(ts)
	}
	p.attributes(span.Attributes())
	if msg, ok := p.field(span.Status().Message()); ok {
		span.Status().SetMessage(msg)
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		e := events.At(i)
		if name, ok := p.field(e.Name()); ok {
			e.SetName(name)
		}
		p.attributes(e.Attributes())
	}
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		link := links.At(i)
		if ts, ok := p.field(link.TraceState().AsRaw()); ok {
			link.TraceState().FromRaw(ts)
		}
		p.attributes(link.Attributes())
	}
	p.endItem(span.Attributes())
}
