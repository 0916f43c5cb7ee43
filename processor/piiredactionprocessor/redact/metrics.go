package redact

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Metrics redacts md in place and returns what was redacted. Data points
// get no audit attributes, which would split their series.
func (r *Redactor) Metrics(md pmetric.Metrics) *Stats {
	p := r.newPass()
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		p.resource(rm.Resource())
		if url, ok := p.field(rm.SchemaUrl()); ok {
			rm.SetSchemaUrl(url)
		}
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			p.scope(sm.Scope())
			if url, ok := p.field(sm.SchemaUrl()); ok {
				sm.SetSchemaUrl(url)
			}
			metrics := sm.Metrics()
			for k := 0; k < metrics.Len(); k++ {
				p.metric(metrics.At(k))
			}
		}
	}
	return p.stats
}

func (p *pass) metric(m pmetric.Metric) {
	if name, ok := p.field(m.Name()); ok {
		m.SetName(name)
	}
	if d, ok := p.field(m.Description()); ok {
		m.SetDescription(d)
	}
	if unit, ok := p.field(m.Unit()); ok {
		m.SetUnit(unit)
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		p.numberPoints(m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		p.numberPoints(m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p.point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p.point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p.attributes(dps.At(i).Attributes())
		}
	}
}

func (p *pass) numberPoints(dps pmetric.NumberDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		p.point(dps.At(i).Attributes(), dps.At(i).Exemplars())
	}
}

func (p *pass) point(attrs pcommon.Map, exemplars pmetric.ExemplarSlice) {
	p.attributes(attrs)
	for i := 0; i < exemplars.Len(); i++ {
		p.attributes(exemplars.At(i).FilteredAttributes())
	}
}
