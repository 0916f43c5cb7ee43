package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import (
	"slices"
	"strings"
)

// RemoveRanges returns text without the given ranges, together with the separator that tied each
// range to its neighbours: the spaces and ',' or ';' after it, or, for a range that ends a list,
// the ones before it. "TraceID: a SpanID: b done" becomes "done" and
// `{"x": 1, "trace_id": "a"}` becomes `{"x": 1}`.
func RemoveRanges(text string, ranges []Range) string {
	if len(ranges) == 0 {
		return text
	}
	cuts := make([]Range, 0, len(ranges))
	for _, r := range ranges {
		if r.Start >= 0 && r.End <= len(text) && r.Start < r.End {
			cuts = append(cuts, r)
		}
	}
	slices.SortFunc(cuts, func(a, b Range) int { return a.Start - b.Start })
	cuts = joinAdjacent(text, cuts)
	for i := range cuts {
		cuts[i] = widen(text, cuts[i])
	}

	var b strings.Builder
	b.Grow(len(text))
	next := 0
	for _, c := range cuts {
		if c.Start > next {
			b.WriteString(text[next:c.Start])
		}
		next = max(next, c.End)
	}
	b.WriteString(text[next:])
	return b.String()
}

// joinAdjacent merges sorted ranges that overlap or are separated only by separators, so that
// a run of removed items is widened as one.
func joinAdjacent(text string, sorted []Range) []Range {
	out := sorted[:0]
	for _, r := range sorted {
		if n := len(out); n > 0 && (r.Start <= out[n-1].End || onlySeparators(text[out[n-1].End:r.Start])) {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

func onlySeparators(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != ',' && s[i] != ';' {
			return false
		}
	}
	return true
}

// widen extends r over the separator that links it to the following item or, when none follows,
// to the preceding one.
func widen(text string, r Range) Range {
	end := skipSpaces(text, r.End)
	if end < len(text) && (text[end] == ',' || text[end] == ';') {
		return Range{r.Start, skipSpaces(text, end+1)}
	}
	if end < len(text) && r.Start == 0 {
		return Range{r.Start, end}
	}
	start := r.Start
	for start > 0 && text[start-1] == ' ' {
		start--
	}
	if start > 0 && (text[start-1] == ',' || text[start-1] == ';') {
		return Range{start - 1, r.End}
	}
	if end == len(text) {
		return Range{start, end}
	}
	return Range{r.Start, end}
}

func skipSpaces(text string, i int) int {
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}
