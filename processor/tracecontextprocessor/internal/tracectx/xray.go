package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import "strings"

// xrayRootLen is the length of an X-Ray trace id: 1-<8 hex epoch seconds>-<24 hex random>.
const xrayRootLen = 35

// parseXRay reads an AWS X-Ray trace header: ';'-separated fields such as
// Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1, in any order. The
// trace id is the epoch and random parts joined into 128 bits, as the OpenTelemetry X-Ray
// propagator does.
func parseXRay(s string) parsed {
	p := parsed{Candidate: Candidate{Format: FormatXRay}}
	rest := s
	hasRoot := false
	var span string
	for {
		key := alnumToken(rest)
		after, ok := strings.CutPrefix(rest[len(key):], "=")
		if key == "" || !ok {
			break
		}
		value := xrayValue(after)
		rest = after[len(value):]
		switch key {
		case "Root":
			hasRoot = true
			p.setXRayRoot(value)
		case "Parent":
			span = value
		case "Sampled":
			p.setSampled(parseSampled(value))
		}
		if rest, ok = strings.CutPrefix(rest, ";"); !ok {
			break
		}
	}
	p.n = len(s) - len(rest)
	switch {
	case !hasRoot:
		p.traceReason = ReasonEmpty
		p.HasFlags = false
	case !p.HasTrace:
		p.HasFlags = false
	default:
		p.setSpan(span, exact)
	}
	return p
}

// setXRayRoot reads one Root field. Of repeated Root fields the last decides, as in the
// OpenTelemetry X-Ray propagator: a malformed one leaves the header without a trace id.
func (p *parsed) setXRayRoot(v string) {
	if len(v) != xrayRootLen || v[0] != '1' || v[1] != '-' || v[10] != '-' {
		p.traceReason, p.HasTrace = ReasonWrongLength, false
		return
	}
	var hex [32]byte
	copy(hex[:8], v[2:10])
	copy(hex[8:], v[11:])
	p.setTrace(string(hex[:]), exact)
}

// xrayValue returns the leading run of letters, digits and '-' of s.
func xrayValue(s string) string {
	i := 0
	for i < len(s) && (isAlnum(s[i]) || s[i] == '-') {
		i++
	}
	return s[:i]
}
