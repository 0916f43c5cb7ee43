package tracecontextprocessor // import "github.com/tailwise/tailwise/processor/tracecontextprocessor"

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"
)

// Source names where the processor looks for a trace context.
const (
	SourceAttributes = "attributes"
	SourceBody       = "body"
)

// Config configures the trace_context processor.
type Config struct {
	// Sources lists where to look, in order: "attributes" (the record's attributes) and "body"
	// (a map body searched like attributes, or a string body searched for the text formats).
	Sources []string `mapstructure:"sources"`
	// TraceIDKeys are the keys holding a hex trace id (attributes, map bodies and key=value text).
	TraceIDKeys []string `mapstructure:"trace_id_keys"`
	// SpanIDKeys are the keys holding a hex span id.
	SpanIDKeys []string `mapstructure:"span_id_keys"`
	// TraceFlagsKeys are the keys holding W3C trace flags or a sampled boolean.
	TraceFlagsKeys []string `mapstructure:"trace_flags_keys"`
	// DatadogTraceIDKeys are the keys holding a Datadog trace id in decimal.
	DatadogTraceIDKeys []string `mapstructure:"datadog_trace_id_keys"`
	// DatadogSpanIDKeys are the keys holding a Datadog span id in decimal.
	DatadogSpanIDKeys []string `mapstructure:"datadog_span_id_keys"`
	// Formats switches the built-in formats on and off.
	Formats FormatsConfig `mapstructure:"formats"`
	// Overwrite replaces a valid TraceID already set on the record.
	Overwrite bool `mapstructure:"overwrite"`
	// RemoveFromBody deletes the text (or map entries) that carried the context from the body.
	RemoveFromBody bool `mapstructure:"remove_from_body"`
	// Patterns are regular expressions tried on string bodies when no built-in format matched,
	// with the named groups trace_id and, optionally, span_id and trace_flags.
	Patterns []string `mapstructure:"patterns"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FormatsConfig switches the built-in formats on and off; all are on by default.
type FormatsConfig struct {
	// W3C is the traceparent header value.
	W3C bool `mapstructure:"w3c"`
	// B3 is the b3 single header and the X-B3-* multi headers.
	B3 bool `mapstructure:"b3"`
	// Jaeger is the uber-trace-id header.
	Jaeger bool `mapstructure:"jaeger"`
	// XRay is the AWS X-Ray header (Root=1-...;Parent=...;Sampled=...).
	XRay bool `mapstructure:"xray"`
	// KeyValue is the configured keys in text: logfmt, JSON text, "TraceID: <hex>".
	KeyValue bool `mapstructure:"key_value"`
	// Sleuth is the Spring Sleuth / Micrometer [app,trace,span,exportable] block.
	Sleuth bool `mapstructure:"sleuth"`
	// Datadog is the decimal ids under the Datadog keys.
	Datadog bool `mapstructure:"datadog"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Validate checks the configuration; each error names the field and how to fix it.
func (cfg *Config) Validate() error {
	var errs []error
	errs = append(errs, validateSources(cfg.Sources)...)
	errs = append(errs, validateKeys(cfg)...)
	for i, expr := range cfg.Patterns {
		if _, err := tracectx.CompilePattern(expr); err != nil {
			errs = append(errs, fmt.Errorf("patterns::%d: %w; give a Go regular expression with a (?P<trace_id>...) group", i, err))
		}
	}
	return errors.Join(errs...)
}

func validateSources(sources []string) []error {
	if len(sources) == 0 {
		return []error{errors.New(`sources: empty; list at least one of "attributes" and "body"`)}
	}
	var errs []error
	seen := map[string]bool{}
	for i, s := range sources {
		switch {
		case s != SourceAttributes && s != SourceBody:
			errs = append(errs, fmt.Errorf(`sources::%d: unknown source %q; use "attributes" or "body"`, i, s))
		case seen[s]:
			errs = append(errs, fmt.Errorf("sources::%d: %q is listed twice; list each source once", i, s))
		}
		seen[s] = true
	}
	return errs
}

func validateKeys(cfg *Config) []error {
	lists := []struct {
		field string
		keys  []string
	}{
		{"trace_id_keys", cfg.TraceIDKeys},
		{"span_id_keys", cfg.SpanIDKeys},
		{"trace_flags_keys", cfg.TraceFlagsKeys},
		{"datadog_trace_id_keys", cfg.DatadogTraceIDKeys},
		{"datadog_span_id_keys", cfg.DatadogSpanIDKeys},
	}
	var errs []error
	owner := map[string]string{}
	for _, list := range lists {
		for i, key := range list.keys {
			at := fmt.Sprintf("%s::%d", list.field, i)
			lower := strings.ToLower(key)
			switch {
			case strings.TrimSpace(key) == "":
				errs = append(errs, fmt.Errorf("%s: empty key; remove it or give a key name", at))
			case len(key) > tracectx.MaxKeyLen:
				errs = append(errs, fmt.Errorf("%s: key %q is longer than %d bytes; use a shorter key", at, key, tracectx.MaxKeyLen))
			case owner[lower] != "":
				errs = append(errs, fmt.Errorf("%s: key %q is already listed in %s (keys match case-insensitively); list it once", at, key, owner[lower]))
			default:
				owner[lower] = at
			}
		}
	}
	return errs
}
