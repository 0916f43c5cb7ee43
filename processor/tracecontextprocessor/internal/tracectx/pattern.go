package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import (
	"errors"
	"regexp"
)

// Pattern is a user regular expression with the named groups trace_id and, optionally, span_id
// and trace_flags.
type Pattern struct {
	re                       *regexp.Regexp
	traceIdx, spanIdx, flags int
}

// CompilePattern compiles expr and checks that it names a trace_id group.
func CompilePattern(expr string) (Pattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return Pattern{}, err
	}
	p := Pattern{re: re, traceIdx: re.SubexpIndex("trace_id"), spanIdx: re.SubexpIndex("span_id"), flags: re.SubexpIndex("trace_flags")}
	if p.traceIdx < 0 {
		return Pattern{}, errors.New("the pattern has no named group (?P<trace_id>...)")
	}
	return p, nil
}

// scan offers the first match of the pattern in text and reports whether it yielded a trace id.
func (pat Pattern) scan(text string, res *Result) bool {
	m := pat.re.FindStringSubmatchIndex(text)
	if m == nil {
		return false
	}
	group := func(i int) string {
		if i < 0 || m[2*i] < 0 {
			return ""
		}
		return text[m[2*i]:m[2*i+1]]
	}
	p := parsed{Candidate: Candidate{Format: FormatPattern}, n: m[1] - m[0]}
	if p.setTrace(group(pat.traceIdx), exactOrHalf); p.HasTrace {
		if span := group(pat.spanIdx); span != "" {
			p.setSpan(span, exact)
		}
		if flags := group(pat.flags); flags != "" {
			p.setSampled(parseSampled(flags))
		}
	}
	p.report(res, Range{m[0], m[1]})
	return p.HasTrace
}
