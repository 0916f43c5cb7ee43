//go:generate mdatagen metadata.yaml

// Package recordexporter records the OTLP traffic it receives, for replay and offline tuning.
package recordexporter
