package engine

import "strings"

// samplingState is what a span's W3C tracestate says about probability
// sampling: the "ot" member's th and rv fields.
type samplingState struct {
	threshold     Threshold
	hasThreshold  bool
	randomness    Randomness
	hasRandomness bool
}

// parseSamplingState reads th and rv from the "ot" member; malformed values
// are ignored, as the spec asks.
func parseSamplingState(traceState string) samplingState {
	var st samplingState
	ot, ok := otMember(traceState)
	if !ok {
		return st
	}
	for ot != "" {
		var field string
		field, ot, _ = strings.Cut(ot, ";")
		key, value, _ := strings.Cut(field, ":")
		switch key {
		case "th":
			if th, err := ParseThreshold(value); err == nil {
				st.threshold, st.hasThreshold = th, true
			}
		case "rv":
			if rv, err := ParseRandomness(value); err == nil {
				st.randomness, st.hasRandomness = rv, true
			}
		}
	}
	return st
}

func otMember(traceState string) (string, bool) {
	for traceState != "" {
		var member string
		member, traceState, _ = strings.Cut(traceState, ",")
		member = strings.TrimSpace(member)
		if value, ok := strings.CutPrefix(member, "ot="); ok {
			return value, true
		}
	}
	return "", false
}

// withThreshold returns traceState with the ot member's th set to th, unless
// an upstream th is already higher (thresholds only ever rise). The updated
// ot member moves to the front; other members and ot fields are kept.
func withThreshold(traceState string, th Threshold) string {
	var others []string
	var otFields []string
	current := th
	for rest := traceState; rest != ""; {
		var member string
		member, rest, _ = strings.Cut(rest, ",")
		member = strings.TrimSpace(member)
		if member == "" {
			continue
		}
		ot, isOT := strings.CutPrefix(member, "ot=")
		if !isOT {
			others = append(others, member)
			continue
		}
		for ot != "" {
			var field string
			field, ot, _ = strings.Cut(ot, ";")
			if value, isTh := strings.CutPrefix(field, "th:"); isTh {
				if upstream, err := ParseThreshold(value); err == nil && upstream > current {
					current = upstream
				}
				continue
			}
			if field != "" {
				otFields = append(otFields, field)
			}
		}
	}
	var b strings.Builder
	b.WriteString("ot=th:")
	b.WriteString(current.String())
	for _, f := range otFields {
		b.WriteByte(';')
		b.WriteString(f)
	}
	for _, m := range others {
		b.WriteByte(',')
		b.WriteString(m)
	}
	return b.String()
}
