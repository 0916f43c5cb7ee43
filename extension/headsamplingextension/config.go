package headsamplingextension

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
)

// Config of the head_sampling extension.
type Config struct {
	// HTTP serves GET /sampling?service=NAME; an empty endpoint disables it.
	HTTP EndpointConfig `mapstructure:"http"`
	// GRPC serves jaeger.api_v2.SamplingManager/GetSamplingStrategy; an empty endpoint disables it.
	GRPC EndpointConfig `mapstructure:"grpc"`
	// InputBudget is the rate of spans the gateways want to receive, for the whole fleet.
	InputBudget InputBudgetConfig `mapstructure:"input_budget"`
	// DefaultProbability is served to services never seen and to their operations not yet listed.
	DefaultProbability float64 `mapstructure:"default_probability"`
	// MinTracesPerMinute is the head-sampled traffic every (service, operation) keeps, so that the
	// tail sampler can represent it.
	MinTracesPerMinute float64 `mapstructure:"min_traces_per_minute"`
	// LowerBoundTracesPerSecond is served as defaultLowerBoundTracesPerSecond.
	LowerBoundTracesPerSecond float64 `mapstructure:"lower_bound_traces_per_second"`
	// AdjustInterval is how often the strategies are recomputed.
	AdjustInterval time.Duration `mapstructure:"adjust_interval"`
	// RateWindow is the time constant of the request-rate averages.
	RateWindow time.Duration `mapstructure:"rate_window"`
	// MaxIncrease caps the relative increase of a probability per adjustment.
	MaxIncrease float64 `mapstructure:"max_increase"`
	// Deadband: a new probability within this relative distance of the served one is not served.
	Deadband float64 `mapstructure:"deadband"`
	// HotHold is how long a route stays at probability 1 after its last violation or fast burn.
	HotHold time.Duration `mapstructure:"hot_hold"`
	// MaxServices bounds the services with their own strategy.
	MaxServices int `mapstructure:"max_services"`
	// MaxOperations bounds the operations listed per service.
	MaxOperations int `mapstructure:"max_operations"`
	// TelemetryOperationLimit bounds the (service, operation) series of the per-operation
	// probability in self-telemetry; the strategies served are not bounded by it.
	TelemetryOperationLimit int `mapstructure:"telemetry_operation_limit"`
	// Fleet names the fleet extension: measured rates are multiplied by the fleet size.
	Fleet *component.ID `mapstructure:"fleet"`
}

// EndpointConfig is a listening address.
type EndpointConfig struct {
	Endpoint string `mapstructure:"endpoint"`
}

// InputBudgetConfig is the fleet's input budget.
type InputBudgetConfig struct {
	// SpansPerSecond is the input budget; 0 means OutputMultiple times the slo_sampling budget.
	SpansPerSecond float64 `mapstructure:"spans_per_second"`
	// OutputMultiple is the default input budget as a multiple of the output budget.
	OutputMultiple float64 `mapstructure:"output_multiple"`
}

func createDefaultConfig() component.Config {
	return &Config{
		HTTP:                      EndpointConfig{Endpoint: "localhost:5778"},
		GRPC:                      EndpointConfig{Endpoint: "localhost:14250"},
		InputBudget:               InputBudgetConfig{OutputMultiple: 4},
		DefaultProbability:        0.1,
		MinTracesPerMinute:        6,
		LowerBoundTracesPerSecond: 0,
		AdjustInterval:            5 * time.Second,
		RateWindow:                30 * time.Second,
		MaxIncrease:               0.5,
		Deadband:                  0.1,
		HotHold:                   time.Minute,
		MaxServices:               1000,
		MaxOperations:             500,
		TelemetryOperationLimit:   200,
	}
}

// Validate reports every invalid option with the fix.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.HTTP.Endpoint == "" && c.GRPC.Endpoint == "" {
		bad("http::endpoint and grpc::endpoint are both empty: set at least one, e.g. http::endpoint: localhost:5778")
	}
	if c.HTTP.Endpoint != "" && c.HTTP.Endpoint == c.GRPC.Endpoint {
		bad("http::endpoint and grpc::endpoint are both %q: give them different ports", c.HTTP.Endpoint)
	}
	if c.InputBudget.SpansPerSecond < 0 {
		bad("input_budget::spans_per_second: %g is negative; set a rate in spans per second, or 0 for output_multiple times the slo_sampling budget", c.InputBudget.SpansPerSecond)
	}
	if c.InputBudget.SpansPerSecond == 0 && c.InputBudget.OutputMultiple < 1 {
		bad("input_budget::output_multiple: %g is below 1; the gateway must receive at least what it keeps, e.g. 4", c.InputBudget.OutputMultiple)
	}
	if !(c.DefaultProbability > 0 && c.DefaultProbability <= 1) {
		bad("default_probability: %g is outside (0, 1]; e.g. 0.1", c.DefaultProbability)
	}
	if c.MinTracesPerMinute < 0 {
		bad("min_traces_per_minute: %g is negative; e.g. 6", c.MinTracesPerMinute)
	}
	if c.LowerBoundTracesPerSecond < 0 {
		bad("lower_bound_traces_per_second: %g is negative; use 0 (unbiased counts) or a small rate", c.LowerBoundTracesPerSecond)
	}
	if c.AdjustInterval <= 0 {
		bad("adjust_interval must be positive, e.g. 5s")
	}
	if c.RateWindow < c.AdjustInterval {
		bad("rate_window (%v) is shorter than adjust_interval (%v): make it several adjust intervals, e.g. 30s", c.RateWindow, c.AdjustInterval)
	}
	if c.MaxIncrease <= 0 {
		bad("max_increase: %g must be positive, e.g. 0.5 (at most +50%% an adjustment)", c.MaxIncrease)
	}
	if c.Deadband < 0 || c.Deadband >= 1 {
		bad("deadband: %g is outside [0, 1); e.g. 0.1", c.Deadband)
	}
	if c.HotHold < 0 {
		bad("hot_hold must not be negative, e.g. 1m")
	}
	if c.MaxServices < 1 {
		bad("max_services: %d is below 1; e.g. 1000", c.MaxServices)
	}
	if c.TelemetryOperationLimit < 0 {
		bad("telemetry_operation_limit: %d is negative; e.g. 200, or 0 for no per-operation series", c.TelemetryOperationLimit)
	}
	if c.MaxOperations < 1 {
		bad("max_operations: %d is below 1; e.g. 500 (Jaeger SDKs track up to 2000 operations)", c.MaxOperations)
	}
	return errors.Join(errs...)
}
