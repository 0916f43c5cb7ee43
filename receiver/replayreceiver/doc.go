//go:generate mdatagen metadata.yaml

// Package replayreceiver feeds recordings of OTLP traffic into a pipeline at the recorded pace.
package replayreceiver
