//go:generate mdatagen metadata.yaml

// Package slometricsconnector computes request, error and duration metrics per service and
// route from all traffic, before sampling, and attaches exemplars only of traces the tail
// sampler kept.
package slometricsconnector
