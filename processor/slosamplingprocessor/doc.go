//go:generate mdatagen metadata.yaml

// Package slosamplingprocessor keeps every trace that breaks a declared SLO
// and samples the rest to an output budget, with tracestate thresholds that
// keep downstream counts unbiased. The decision engine lives in the engine
// sub-package.
package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"
