package tracedecisionextension

// Config of the trace_decisions extension. It has no options: the sampler that attaches to it
// decides how long decisions are remembered (see the slo_sampling processor's README).
type Config struct{}
