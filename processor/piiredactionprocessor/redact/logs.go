package redact

import "go.opentelemetry.io/collector/pdata/plog"

// Logs redacts ld in place and returns what was redacted.
func (r *Redactor) Logs(ld plog.Logs) *Stats {
	p := r.newPass()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		p.resource(rl.Resource())
		if url, ok := p.field(rl.SchemaUrl()); ok {
			rl.SetSchemaUrl(url)
		}
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			p.scope(sl.Scope())
			if url, ok := p.field(sl.SchemaUrl()); ok {
				sl.SetSchemaUrl(url)
			}
			records := sl.LogRecords()
			for k := 0; k < records.Len(); k++ {
				p.logRecord(records.At(k))
			}
		}
	}
	return p.stats
}

func (p *pass) logRecord(lr plog.LogRecord) {
	p.beginItem()
	p.value(lr.Body(), false, false)
	p.attributes(lr.Attributes())
	if name, ok := p.field(lr.EventName()); ok {
		lr.SetEventName(name)
	}
	if sev, ok := p.field(lr.SeverityText()); ok {
		lr.SetSeverityText(sev)
	}
	p.endItem(lr.Attributes())
}
