//go:generate mdatagen metadata.yaml

// Package piiredactionprocessor redacts personal data and secrets from
// traces, metrics and logs with validated detectors, keyed pseudonyms and
// fail-closed allow-lists.
package piiredactionprocessor // import "github.com/tailwise/tailwise/processor/piiredactionprocessor"
