package engine

import (
	"fmt"
	"strings"
	"time"
)

// maxObjectives is the number of objectives a trace's bitmasks can track.
const maxObjectives = 64

// Objective is one SLO: which spans it covers and what they must meet.
type Objective struct {
	// Name identifies the objective in telemetry and decisions.
	Name string `mapstructure:"name"`
	// Match selects the spans the objective applies to.
	Match Match `mapstructure:"match"`
	// Latency, when set, is violated by a matched span slower than Threshold.
	Latency *LatencyObjective `mapstructure:"latency"`
	// Errors, when set, is violated by a matched span that failed.
	Errors *ErrorObjective `mapstructure:"errors"`
}

// Match selects spans by service, route (span name) and an optional OTTL
// span condition; empty fields match everything.
type Match struct {
	Service string `mapstructure:"service"`
	Route   string `mapstructure:"route"`
	// Condition is an OTTL condition in the span context, e.g.
	// `attributes["http.request.method"] == "POST"`.
	Condition string `mapstructure:"condition"`
}

// LatencyObjective: Target of the matched spans last at most Threshold.
type LatencyObjective struct {
	Threshold time.Duration `mapstructure:"threshold"`
	Target    float64       `mapstructure:"target"`
}

// ErrorObjective: Target of the matched spans succeed. A span fails when
// its status is ERROR, or its HTTP status code is in HTTPStatusClasses
// (e.g. "5xx"), or its gRPC status code is in GRPCStatusCodes.
type ErrorObjective struct {
	Target            float64  `mapstructure:"target"`
	HTTPStatusClasses []string `mapstructure:"http_status_classes"`
	GRPCStatusCodes   []int64  `mapstructure:"grpc_status_codes"`
}

// validate reports every invalid field of the objective at path, e.g. objectives::0.
func (o *Objective) validate(path string) []error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, fmt.Errorf("%s::name: must be set, e.g. checkout-latency", path))
	}
	if o.Latency == nil && o.Errors == nil {
		errs = append(errs, fmt.Errorf("%s: set latency and/or errors; an objective needs something to meet", path))
	}
	if o.Latency != nil {
		if o.Latency.Threshold <= 0 {
			errs = append(errs, fmt.Errorf("%s::latency::threshold: must be positive, e.g. 500ms", path))
		}
		if !validTarget(o.Latency.Target) {
			errs = append(errs, fmt.Errorf("%s::latency::target: must be in (0, 1), e.g. 0.99 for 99%%", path))
		}
	}
	if o.Errors != nil {
		if !validTarget(o.Errors.Target) {
			errs = append(errs, fmt.Errorf("%s::errors::target: must be in (0, 1), e.g. 0.999 for 99.9%%", path))
		}
		for _, c := range o.Errors.HTTPStatusClasses {
			if _, err := parseStatusClass(c); err != nil {
				errs = append(errs, fmt.Errorf("%s::errors::http_status_classes: %w", path, err))
			}
		}
		for _, c := range o.Errors.GRPCStatusCodes {
			if c < 0 || c > 16 {
				errs = append(errs, fmt.Errorf("%s::errors::grpc_status_codes: %d is not a gRPC code; use 0 to 16, e.g. 13 (INTERNAL)", path, c))
			}
		}
	}
	if o.Match.Condition != "" {
		if _, err := parseCondition(o.Match.Condition); err != nil {
			errs = append(errs, fmt.Errorf("%s::match::condition: %w", path, err))
		}
	}
	return errs
}

func validTarget(t float64) bool { return t > 0 && t < 1 }

func parseStatusClass(c string) (int64, error) {
	if len(c) == 3 && strings.EqualFold(c[1:], "xx") && c[0] >= '1' && c[0] <= '5' {
		return int64(c[0] - '0'), nil
	}
	return 0, fmt.Errorf("%q is not a status class; use 1xx to 5xx, e.g. 5xx", c)
}

// budgetedBadRatio is the bad ratio the objective allows: 1 - the strictest target.
func (o *Objective) budgetedBadRatio() float64 {
	target := 1.0
	if o.Latency != nil {
		target = min(target, o.Latency.Target)
	}
	if o.Errors != nil {
		target = min(target, o.Errors.Target)
	}
	return 1 - target
}
