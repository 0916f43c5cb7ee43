//go:generate mdatagen metadata.yaml

// Package tracedecisionprocessor makes logs and metric exemplars agree with the tail sampler:
// logs of dropped traces are marked or dropped, error logs keep their trace, and exemplars link
// only to kept traces.
package tracedecisionprocessor
