//go:generate mdatagen metadata.yaml

// Package tracedecisionextension shares the tail sampler's trace decisions with the other
// components of the collector, so that exemplars and logs link only to traces that were kept
// and an error log can ask the sampler to keep its trace.
package tracedecisionextension
