//go:generate mdatagen metadata.yaml

// Package tracecontextprocessor sets log records' TraceID, SpanID and trace flags from the trace
// context that the record carries in its attributes, map body or string body.
package tracecontextprocessor // import "github.com/tailwise/tailwise/processor/tracecontextprocessor"
