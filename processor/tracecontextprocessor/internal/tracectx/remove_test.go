package tracectx

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRemoveRanges(t *testing.T) {
	// rangesOf returns the ranges of the given substrings of text.
	rangesOf := func(text string, parts ...string) []Range {
		var out []Range
		for _, p := range parts {
			i := strings.Index(text, p)
			out = append(out, Range{i, i + len(p)})
		}
		return out
	}
	tests := []struct {
		name  string
		text  string
		parts []string
		want  string
	}{
		{"leading key-value pairs", "TraceID: abc SpanID: def Request started", []string{"TraceID: abc", "SpanID: def"}, "Request started"},
		{"middle of a line", "05:18:40 INFO  - TraceID: abc SpanID: def Query", []string{"TraceID: abc", "SpanID: def"}, "05:18:40 INFO  - Query"},
		{"json list, middle", `{"a": 1, "trace_id": "x", "b": 2}`, []string{`"trace_id": "x"`}, `{"a": 1, "b": 2}`},
		{"json list, last items", `{"a": 1, "trace_id": "x", "span_id": "y"}`, []string{`"span_id": "y"`, `"trace_id": "x"`}, `{"a": 1}`},
		{"logfmt end", "msg=hi trace_id=x", []string{"trace_id=x"}, "msg=hi"},
		{"whole text", "trace_id=x", []string{"trace_id=x"}, ""},
		{"out-of-bounds ranges are ignored", "abc", nil, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RemoveRanges(tt.text, rangesOf(tt.text, tt.parts...)))
		})
	}
	assert.Equal(t, "abc", RemoveRanges("abc", []Range{{-1, 2}, {2, 9}, {2, 2}}))
}

func FuzzRemoveRanges(f *testing.F) {
	f.Add("TraceID: abc SpanID: def Request", 0, 12, 13, 24)
	f.Add(`{"a": 1, "trace_id": "x"}`, 9, 24, 30, 2)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		out := RemoveRanges(text, []Range{{s1, e1}, {s2, e2}})
		if len(out) > len(text) {
			t.Fatalf("removal grew %q to %q", text, out)
		}
	})
}
