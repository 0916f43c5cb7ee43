package engine

import (
	"math/bits"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// compiledObjective is an Objective ready for per-span evaluation.
type compiledObjective struct {
	Objective
	condition        *spanCondition
	latencyNanos     uint64
	badHTTPClass     [6]bool
	badGRPCCode      [17]bool
	budgetedBadRatio float64
}

// matcher evaluates every objective on spans at intake, so that decisions
// need only the per-trace bitmasks.
type matcher struct {
	objectives []compiledObjective
	byRoute    map[string]uint64 // route -> objectives naming it
	anyRoute   uint64            // objectives without a route
}

func newMatcher(objectives []Objective) (*matcher, error) {
	m := &matcher{byRoute: map[string]uint64{}}
	for i, o := range objectives {
		c := compiledObjective{Objective: o, budgetedBadRatio: o.budgetedBadRatio()}
		if o.Match.Condition != "" {
			cond, err := parseCondition(o.Match.Condition)
			if err != nil {
				return nil, err
			}
			c.condition = cond
		}
		if o.Latency != nil {
			c.latencyNanos = uint64(o.Latency.Threshold.Nanoseconds())
		}
		if o.Errors != nil {
			for _, class := range o.Errors.HTTPStatusClasses {
				if n, err := parseStatusClass(class); err == nil {
					c.badHTTPClass[n] = true
				}
			}
			for _, code := range o.Errors.GRPCStatusCodes {
				if code >= 0 && code < int64(len(c.badGRPCCode)) {
					c.badGRPCCode[code] = true
				}
			}
		}
		bit := uint64(1) << i
		if o.Match.Route == "" {
			m.anyRoute |= bit
		} else {
			m.byRoute[o.Match.Route] |= bit
		}
		m.objectives = append(m.objectives, c)
	}
	return m, nil
}

// serviceMask is the set of objectives that may match spans of service.
func (m *matcher) serviceMask(service string) uint64 {
	var mask uint64
	for i := range m.objectives {
		if s := m.objectives[i].Match.Service; s == "" || s == service {
			mask |= 1 << i
		}
	}
	return mask
}

// evaluate returns the objectives among candidates that span matches and
// those it violates.
func (m *matcher) evaluate(candidates uint64, rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) (matched, violated uint64) {
	candidates &= m.anyRoute | m.byRoute[span.Name()]
	for candidates != 0 {
		i := bits.TrailingZeros64(candidates)
		bit := uint64(1) << i
		candidates &^= bit
		o := &m.objectives[i]
		if o.condition != nil && !o.condition.matches(rs, ss, span) {
			continue
		}
		matched |= bit
		if o.violatedBy(span) {
			violated |= bit
		}
	}
	return matched, violated
}

func (o *compiledObjective) violatedBy(span ptrace.Span) bool {
	if o.Latency != nil {
		start, end := uint64(span.StartTimestamp()), uint64(span.EndTimestamp())
		if end > start && end-start > o.latencyNanos {
			return true
		}
	}
	if o.Errors == nil {
		return false
	}
	if span.Status().Code() == ptrace.StatusCodeError {
		return true
	}
	attrs := span.Attributes()
	for _, key := range [...]string{"http.response.status_code", "http.status_code"} {
		if code, ok := intAttribute(attrs, key); ok && code >= 100 && code < 600 && o.badHTTPClass[code/100] {
			return true
		}
	}
	if code, ok := intAttribute(attrs, "rpc.grpc.status_code"); ok && code >= 0 && code < int64(len(o.badGRPCCode)) && o.badGRPCCode[code] {
		return true
	}
	return false
}

func intAttribute(attrs pcommon.Map, key string) (int64, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeStr:
		var n int64
		s := v.Str()
		if s == "" || len(s) > 6 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int64(s[i]-'0')
		}
		return n, true
	default:
		return 0, false
	}
}
