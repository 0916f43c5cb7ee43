package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Format is the form in which a trace context was found.
type Format uint8

const (
	FormatFields Format = iota
	FormatDatadog
	FormatW3C
	FormatB3
	FormatJaeger
	FormatXRay
	FormatKeyValue
	FormatSleuth
	FormatPattern
	NumFormats
)

var formatNames = [NumFormats]string{"fields", "datadog", "w3c", "b3", "jaeger", "xray", "key_value", "sleuth", "pattern"}

func (f Format) String() string { return formatNames[f] }

// Candidate is what one occurrence of a trace context yields: any of a trace id, a span id and
// the sampled flag.
type Candidate struct {
	TraceID  pcommon.TraceID
	SpanID   pcommon.SpanID
	HasTrace bool
	HasSpan  bool
	HasFlags bool
	Sampled  bool
	Format   Format
}

// Range is a byte range [Start, End) of a string body.
type Range struct{ Start, End int }

// FieldRef names a map entry that carried part of the trace context.
type FieldRef struct {
	Map pcommon.Map
	Key string
}

// maxLocations bounds the locations kept for removal; a context has at most three parts.
const maxLocations = 4

// Result accumulates the candidates of one source of a log record. The first valid trace id
// wins; span id and flags come from candidates with the same trace id, or without one as long as
// no candidate of another trace came before them.
type Result struct {
	Candidate
	// Rejected counts rejected ids by kind and reason.
	Rejected [NumKinds][NumReasons]uint16
	// AnyRejected tells whether Rejected holds any count.
	AnyRejected bool
	// Track makes offerText and offerField remember where the candidates they took were, for
	// removal; Offer itself keeps no location.
	Track bool
	// otherTrace is set once a candidate of another trace was seen; from then on, ids without a
	// trace id of their own cannot tell which trace they belong to and are not taken.
	otherTrace bool

	ranges  [maxLocations]Range
	nRanges int
	fields  [maxLocations]FieldRef
	nFields int
}

// Reset clears the result for the next record.
func (r *Result) Reset() { *r = Result{} }

// Complete reports whether nothing more can be learnt from further candidates.
func (r *Result) Complete() bool { return r.HasTrace && r.HasSpan && r.HasFlags }

// Reject counts a rejected id.
func (r *Result) Reject(kind IDKind, reason Reason) {
	if reason != ReasonNone {
		r.Rejected[kind][reason] = addSaturating(r.Rejected[kind][reason], 1)
		r.AnyRejected = true
	}
}

// Offer merges c into the result and reports whether any part of it was taken.
func (r *Result) Offer(c Candidate) bool {
	if c.HasTrace && r.HasTrace && c.TraceID != r.TraceID {
		r.otherTrace = true
		return false
	}
	if !c.HasTrace && r.otherTrace {
		return false
	}
	taken := false
	if c.HasTrace && !r.HasTrace {
		r.TraceID, r.HasTrace, r.Format = c.TraceID, true, c.Format
		taken = true
	}
	if c.HasSpan && !r.HasSpan {
		r.SpanID, r.HasSpan = c.SpanID, true
		taken = true
	}
	if c.HasFlags && !r.HasFlags {
		r.Sampled, r.HasFlags = c.Sampled, true
		taken = true
	}
	return taken
}

// offerText offers c and remembers the text range it came from.
func (r *Result) offerText(c Candidate, at Range) {
	if r.Offer(c) && r.Track && r.nRanges < maxLocations {
		r.ranges[r.nRanges] = at
		r.nRanges++
	}
}

// offerField offers c and remembers the map entry it came from.
func (r *Result) offerField(c Candidate, at FieldRef) {
	if r.Offer(c) && r.Track && r.nFields < maxLocations {
		r.fields[r.nFields] = at
		r.nFields++
	}
}

// Merge folds the result of one source into r: the source's context is offered as one
// candidate, so that a span id never joins the trace id of another source, its rejections are
// added and, if any part of its context was taken, its locations are kept.
func (r *Result) Merge(src *Result) {
	if src.AnyRejected {
		r.AnyRejected = true
		for kind := range src.Rejected {
			for reason, n := range src.Rejected[kind] {
				r.Rejected[kind][reason] = addSaturating(r.Rejected[kind][reason], n)
			}
		}
	}
	if !r.Offer(src.Candidate) {
		return
	}
	for _, at := range src.Ranges() {
		if r.nRanges < maxLocations {
			r.ranges[r.nRanges] = at
			r.nRanges++
		}
	}
	for _, at := range src.Fields() {
		if r.nFields < maxLocations {
			r.fields[r.nFields] = at
			r.nFields++
		}
	}
}

func addSaturating(a, b uint16) uint16 {
	if a > ^uint16(0)-b {
		return ^uint16(0)
	}
	return a + b
}

// Ranges returns the text ranges of the accepted candidates, in the order found.
func (r *Result) Ranges() []Range { return r.ranges[:r.nRanges] }

// Fields returns the map entries of the accepted candidates.
func (r *Result) Fields() []FieldRef { return r.fields[:r.nFields] }
