package tracectx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResultOffer(t *testing.T) {
	first := traceID(t, w3cTrace)
	other := traceID(t, padded64)
	span := spanID(t, w3cSpan)

	var res Result
	assert.True(t, res.Offer(Candidate{SpanID: span, HasSpan: true, Format: FormatKeyValue}))
	assert.True(t, res.Offer(Candidate{TraceID: first, HasTrace: true, Format: FormatW3C}))
	assert.Equal(t, FormatW3C, res.Format)
	assert.False(t, res.Offer(Candidate{TraceID: other, HasTrace: true, HasFlags: true, Sampled: true}),
		"a candidate of another trace adds nothing")
	assert.False(t, res.HasFlags)
	assert.True(t, res.Offer(Candidate{TraceID: first, HasTrace: true, HasFlags: true, Sampled: true}))
	assert.True(t, res.Complete())

	res.Reject(KindSpanID, ReasonNotHex)
	res.Reject(KindSpanID, ReasonNone)
	assert.Equal(t, uint16(1), res.Rejected[KindSpanID][ReasonNotHex])
	assert.Equal(t, uint16(0), res.Rejected[KindSpanID][ReasonNone])
	res.Reset()
	assert.Equal(t, Result{}, res)
}

func TestResultMerge(t *testing.T) {
	first := traceID(t, w3cTrace)
	span := spanID(t, w3cSpan)

	var res Result
	res.Merge(&Result{Candidate: Candidate{TraceID: first, HasTrace: true, Format: FormatFields}})

	spanOnly := Result{Track: true}
	spanOnly.offerText(Candidate{SpanID: span, HasSpan: true}, Range{2, 5})
	res.Merge(&spanOnly)
	assert.Equal(t, span, res.SpanID, "a span id without a trace id joins the trace")
	assert.Equal(t, FormatFields, res.Format, "the format is the trace id's")
	assert.Equal(t, []Range{{2, 5}}, res.Ranges())

	other := Result{Candidate: Candidate{TraceID: traceID(t, padded64), HasTrace: true, HasFlags: true}, Track: true}
	other.offerText(Candidate{}, Range{7, 9})
	other.Reject(KindTraceID, ReasonNotHex)
	res.Merge(&other)
	assert.False(t, res.HasFlags, "the flags of another trace are not taken")
	assert.Equal(t, []Range{{2, 5}}, res.Ranges(), "nor its locations")
	assert.Equal(t, uint16(1), res.Rejected[KindTraceID][ReasonNotHex], "rejections are kept")

	res.Merge(&Result{Candidate: Candidate{HasFlags: true, Sampled: true}})
	assert.False(t, res.HasFlags, "after another trace, flags without a trace id are ambiguous")
}

func TestKeyLookupPath(t *testing.T) {
	idx := newKeyIndex(defaultKeys, allFormats)
	assert.Equal(t, roleDatadogTraceID, idx.lookupPath([]string{"DD", "Trace_ID"}))
	assert.Equal(t, roleTraceID, idx.lookupPath([]string{"x", "trace_id"}))
	assert.Equal(t, roleTraceID, idx.lookupPath([]string{"trace", "id"}))
	assert.Equal(t, roleNone, idx.lookupPath([]string{"trace_id", "x"}))
	long := string(make([]byte, MaxKeyLen+1))
	assert.Equal(t, roleNone, idx.lookupPath([]string{long}))
	assert.Equal(t, roleNone, idx.lookup(""))

	noDatadog := newKeyIndex(defaultKeys, Formats{})
	assert.Equal(t, roleDisabled, noDatadog.lookupPath([]string{"dd", "trace_id"}), "with datadog off, dd ids are not read as hex")
}
