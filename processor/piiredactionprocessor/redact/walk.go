package redact

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/detect"
)

// attributes redacts a map in place; entries whose value must be dropped are removed.
func (p *pass) attributes(m pcommon.Map) {
	if m.Len() > 0 {
		m.RemoveIf(p.entryFn)
	}
}

// entry redacts one map entry and reports whether to remove it. No numeric
// detector matches in the value of a key named like an identifier.
func (p *pass) entry(key string, v pcommon.Value) bool {
	saved := p.inID
	p.inID = detect.IDName(key)
	drop := p.value(v, p.inSecret || detect.NameMatches(key, p.pol.secretKeys), true)
	p.inID = saved
	return drop
}

// value redacts v in place, keeping its type; maps and slices are walked.
// It reports whether v must be dropped, which only a droppable value can be.
func (p *pass) value(v pcommon.Value, secret, droppable bool) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		out, vd := p.str(v.Str(), secret, droppable)
		if vd == changed {
			v.SetStr(out)
		}
		return vd == dropValue
	case pcommon.ValueTypeBytes:
		raw := v.Bytes().AsRaw()
		out, vd := p.str(string(raw), secret, droppable)
		if vd == changed {
			v.SetEmptyBytes().FromRaw([]byte(out))
		}
		return vd == dropValue
	case pcommon.ValueTypeMap:
		saved := p.inSecret
		p.inSecret = secret
		p.attributes(v.Map())
		p.inSecret = saved
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			p.value(s.At(i), secret, false)
		}
	}
	return false
}

func (p *pass) str(s string, secret, droppable bool) (string, verdict) {
	if secret {
		return p.whole(s, droppable)
	}
	return p.text(s, droppable)
}

// field redacts a string field that cannot be dropped (names, messages).
func (p *pass) field(s string) (string, bool) {
	out, vd := p.text(s, false)
	return out, vd == changed
}

func (p *pass) beginItem() {
	if p.itemHit {
		clear(p.item)
		p.itemHit = false
	}
}

// endItem adds the audit summary of the current item to attrs.
func (p *pass) endItem(attrs pcommon.Map) {
	if !p.itemHit {
		return
	}
	for d, n := range p.item {
		if n > 0 {
			attrs.PutInt(p.pol.auditKeys[d], n)
		}
	}
	clear(p.item)
	p.itemHit = false
}

// resource redacts a resource after reading its tenant.
func (p *pass) resource(res pcommon.Resource) {
	p.setTenant(res.Attributes())
	p.beginItem()
	p.attributes(res.Attributes())
	p.endItem(res.Attributes())
}

// scope redacts an instrumentation scope's name, version and attributes.
func (p *pass) scope(sc pcommon.InstrumentationScope) {
	p.beginItem()
	if name, ok := p.field(sc.Name()); ok {
		sc.SetName(name)
	}
	if version, ok := p.field(sc.Version()); ok {
		sc.SetVersion(version)
	}
	p.attributes(sc.Attributes())
	p.endItem(sc.Attributes())
}
