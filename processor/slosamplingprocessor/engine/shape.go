package engine

// shape is the set of requests a trace serves, (service, span name) of its
// root and server spans, as a 64-bit signature: each request sets one bit.
// Traces of one shape make the same requests; the systematic selection
// (select.go) balances shapes within a stratum, so that request counts by
// route are estimated nearly exactly. Distinct sets may share a signature:
// they are then balanced together.
type shape uint64

func (s shape) with(service, name uint32) shape {
	return s | 1<<(mix64(uint64(service)<<32|uint64(name))&63)
}
