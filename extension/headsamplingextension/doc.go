//go:generate mdatagen metadata.yaml

// Package headsamplingextension serves the Jaeger remote sampling protocol (HTTP
// /sampling?service=NAME and the gRPC SamplingManager) with per-operation strategies computed
// from the slo_sampling processor's live state: an input budget shared over (service, operation),
// routes whose objective is violated or burning at probability 1, every route kept visible, and
// damped, fleet-wide changes.
package headsamplingextension
