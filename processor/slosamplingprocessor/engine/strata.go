package engine

import "math"

// Outcome classifies a decided trace within its route.
type Outcome uint8

const (
	OutcomeOK        Outcome = iota // no error, no violated objective
	OutcomeError                    // a span has status ERROR, no objective violated
	OutcomeViolation                // an objective is violated
)

func (o Outcome) String() string {
	switch o {
	case OutcomeError:
		return "error"
	case OutcomeViolation:
		return "violation"
	default:
		return "ok"
	}
}

// Stratum names a (tenant, service, route, outcome) group of traces.
// Tenant is "" for traces without tenant (reported as TenantNone). Service
// and Route are the service and name of the trace's root span (of its
// earliest span while the root is missing).
type Stratum struct {
	Tenant  string
	Service string
	Route   string
	Outcome Outcome
}

type stratumKey struct {
	tenant         uint32
	service, route uint32
	outcome        Outcome
}

// stratum holds the arrival statistics and sampling probability of a group.
type stratum struct {
	name      Stratum
	tenant    *tenant
	objective int // index of the first objective its first trace matched, or -1

	arrivedTraces, arrivedSpans float64 // since the last adjustment
	traceRate, spanRate         float64 // EWMA per second
	probability                 float64
	floorProbability            float64 // what its minimum representation needs
	selectors                   map[selectorKey]*selector
}

// population is the strata and tenants seen so far, with their arrival
// rates.
type population struct {
	cfg         Tenants
	byKey       map[stratumKey]*stratum
	strata      []*stratum // in order of appearance
	tenantNames *interner
	tenantByID  []*tenant // by interned id
	tenants     []*tenant // in order of appearance
	rateWeight  float64   // EWMA bias correction during warm-up
}

func newPopulation(cfg Tenants) population {
	return population{
		cfg:         cfg,
		byKey:       make(map[stratumKey]*stratum),
		tenantNames: newInterner(cfg.MaxTenants + 2), // + internEmpty and internOverflow
	}
}

// add creates the stratum of key, named service and route.
func (p *population) add(key stratumKey, service, route string, objective int) *stratum {
	tn := p.tenantOf(key.tenant)
	st := &stratum{
		name:        Stratum{Tenant: tn.name, Service: service, Route: route, Outcome: key.outcome},
		tenant:      tn,
		objective:   objective,
		probability: 1,
	}
	p.byKey[key] = st
	p.strata = append(p.strata, st)
	tn.strata = append(tn.strata, st)
	return st
}

// updateRates blends the arrivals of the last dt seconds into the rates.
func (p *population) updateRates(dt, alpha float64) {
	p.rateWeight = ewma(p.rateWeight, 1, alpha)
	for _, st := range p.strata {
		st.traceRate = ewma(st.traceRate, st.arrivedTraces/dt, alpha)
		st.spanRate = ewma(st.spanRate, st.arrivedSpans/dt, alpha)
		st.arrivedTraces, st.arrivedSpans = 0, 0
	}
	for _, tn := range p.tenants {
		tn.violatorSizes.update(dt, alpha)
	}
}

// offered is the traces and spans per second of every stratum (EWMAs, not
// corrected for warm-up).
func (p *population) offered() (traces, spans float64) {
	for _, st := range p.strata {
		traces += st.traceRate
		spans += st.spanRate
	}
	return traces, spans
}

// ewma blends an observed rate into the average with weight alpha.
func ewma(avg, observed, alpha float64) float64 { return avg + alpha*(observed-avg) }

// ewmaAlpha is the weight of an interval of dt seconds for time constant tau.
func ewmaAlpha(dt, tau float64) float64 { return 1 - math.Exp(-dt/tau) }

// burnRate tracks an objective's bad ratio over a short and a long window.
type burnRate struct {
	arrived, bad         float64 // since the last adjustment
	shortTotal, shortBad float64 // EWMA rates
	longTotal, longBad   float64
	shortBurn, longBurn  float64
	fast                 bool
}

func (b *burnRate) update(dt, shortTau, longTau, budgeted, threshold float64) {
	as, al := ewmaAlpha(dt, shortTau), ewmaAlpha(dt, longTau)
	b.shortTotal = ewma(b.shortTotal, b.arrived/dt, as)
	b.shortBad = ewma(b.shortBad, b.bad/dt, as)
	b.longTotal = ewma(b.longTotal, b.arrived/dt, al)
	b.longBad = ewma(b.longBad, b.bad/dt, al)
	b.arrived, b.bad = 0, 0
	b.shortBurn = burn(b.shortBad, b.shortTotal, budgeted)
	b.longBurn = burn(b.longBad, b.longTotal, budgeted)
	b.fast = b.shortBurn > threshold && b.longBurn > threshold
}

func burn(bad, total, budgeted float64) float64 {
	if total <= 0 || budgeted <= 0 {
		return 0
	}
	return bad / total / budgeted
}

// badRatio is the short-window bad ratio of the objective.
func (b *burnRate) badRatio() float64 {
	if b.shortTotal <= 0 {
		return 0
	}
	return b.shortBad / b.shortTotal
}
