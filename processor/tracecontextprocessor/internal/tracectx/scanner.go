package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

// Scanner finds trace contexts in maps and text. It is safe for concurrent use.
type Scanner struct {
	keys     keyIndex
	formats  Formats
	patterns []Pattern
}

// NewScanner returns a scanner for the given keys, built-in formats and user patterns.
func NewScanner(keys Keys, formats Formats, patterns []Pattern) *Scanner {
	return &Scanner{keys: newKeyIndex(keys, formats), formats: formats, patterns: patterns}
}
