package engine

import (
	"errors"
	"fmt"
	"time"
)

// Config drives an Engine. Its mapstructure tags let the processor embed it
// so that the processor and offline tools read the same YAML.
type Config struct {
	// DecisionDelay is how long a trace whose root span has arrived must be
	// quiet before it is decided.
	DecisionDelay time.Duration `mapstructure:"decision_delay"`
	// TraceTimeout decides a trace this long after its first span, root or not.
	TraceTimeout time.Duration `mapstructure:"trace_timeout"`
	// MaxSpansPerTrace decides a trace as soon as it holds this many spans.
	MaxSpansPerTrace int `mapstructure:"max_spans_per_trace"`
	// MaxBufferedBytes bounds the encoded size of buffered spans; the oldest
	// traces are decided early to stay under it.
	MaxBufferedBytes int64 `mapstructure:"max_buffered_bytes"`
	// AdjustInterval is how often rates and probabilities are recomputed.
	AdjustInterval time.Duration `mapstructure:"adjust_interval"`
	// RateWindow is the time constant of the EWMA arrival rates.
	RateWindow time.Duration `mapstructure:"rate_window"`
	// Budget is the output the sampler aims at.
	Budget Budget `mapstructure:"budget"`
	// Objectives are the SLOs; traces breaking one are kept first.
	Objectives []Objective `mapstructure:"objectives"`
	// MinTracesPerStratumPerMinute is the representation every stratum keeps.
	MinTracesPerStratumPerMinute float64 `mapstructure:"min_traces_per_stratum_per_minute"`
	// MaxStrata bounds the number of (service, route, outcome) strata; later
	// ones share an overflow stratum of their tenant.
	MaxStrata int `mapstructure:"max_strata"`
	// BurnRate tunes how fast-burning objectives get more normal traces.
	BurnRate BurnRate `mapstructure:"burn_rate"`
	// DecisionCache sizes the memory of past decisions for late spans.
	DecisionCache DecisionCache `mapstructure:"decision_cache"`
	// Tenants shares the budget fairly over the tenants of a shared gateway.
	Tenants Tenants `mapstructure:"tenants"`
}

// Budget is the output target. SpansPerSecond is required; TracesPerSecond
// and BytesPerSecond (OTLP protobuf size), when set, cap the output further.
type Budget struct {
	SpansPerSecond  float64 `mapstructure:"spans_per_second"`
	TracesPerSecond float64 `mapstructure:"traces_per_second"`
	BytesPerSecond  float64 `mapstructure:"bytes_per_second"`
	// ViolationShare caps the share of the budget SLO-violating traces may
	// take; they come first, after every stratum's minimum representation.
	ViolationShare float64 `mapstructure:"violation_share"`
}

// BurnRate configures multi-window burn-rate awareness.
type BurnRate struct {
	ShortWindow time.Duration `mapstructure:"short_window"`
	LongWindow  time.Duration `mapstructure:"long_window"`
	// Threshold is the burn rate above which, in both windows, an objective
	// burns fast (14.4 spends 2% of a 30-day budget in an hour).
	Threshold float64 `mapstructure:"threshold"`
	// Boost multiplies the allocation weight of a fast-burning objective's
	// strata.
	Boost float64 `mapstructure:"boost"`
}

// DecisionCache sizes the memory of decided trace ids.
type DecisionCache struct {
	// KeptTraces is the capacity of the kept-ids LRU.
	KeptTraces int `mapstructure:"kept_traces"`
	// DroppedTraces is the number of dropped ids each of the two filter
	// generations holds (about 2 bytes per id).
	DroppedTraces int `mapstructure:"dropped_traces"`
}

// DefaultConfig returns the defaults documented in the README.
func DefaultConfig() Config {
	return Config{
		DecisionDelay:                2 * time.Second,
		TraceTimeout:                 30 * time.Second,
		MaxSpansPerTrace:             10000,
		MaxBufferedBytes:             256 << 20,
		AdjustInterval:               time.Second,
		RateWindow:                   10 * time.Second,
		Budget:                       Budget{SpansPerSecond: 1000, ViolationShare: 1},
		MinTracesPerStratumPerMinute: 1,
		MaxStrata:                    1000,
		BurnRate:                     BurnRate{ShortWindow: 5 * time.Minute, LongWindow: time.Hour, Threshold: 14.4, Boost: 4},
		DecisionCache:                DecisionCache{KeptTraces: 100000, DroppedTraces: 1000000},
		Tenants:                      Tenants{DefaultWeight: 1, MaxTenants: 1000},
	}
}

// Check reports every invalid field with the fix. It is not named Validate
// so that the collector, which validates embedded structs on its own,
// reports each problem once when a component embeds Config.
func (c *Config) Check() error {
	var errs []error
	positive := func(field string, d time.Duration, example string) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, e.g. %s", field, example))
		}
	}
	positive("decision_delay", c.DecisionDelay, "2s")
	positive("trace_timeout", c.TraceTimeout, "30s")
	positive("adjust_interval", c.AdjustInterval, "1s")
	positive("rate_window", c.RateWindow, "10s")
	positive("burn_rate::short_window", c.BurnRate.ShortWindow, "5m")
	positive("burn_rate::long_window", c.BurnRate.LongWindow, "1h")
	if c.DecisionDelay > 0 && c.TraceTimeout > 0 && c.TraceTimeout < c.DecisionDelay {
		errs = append(errs, fmt.Errorf("trace_timeout: %s is shorter than decision_delay (%s); raise trace_timeout", c.TraceTimeout, c.DecisionDelay))
	}
	if c.BurnRate.LongWindow > 0 && c.BurnRate.LongWindow < c.BurnRate.ShortWindow {
		errs = append(errs, errors.New("burn_rate::long_window: must be at least burn_rate::short_window, e.g. 5m and 1h"))
	}
	if c.MaxSpansPerTrace <= 0 {
		errs = append(errs, errors.New("max_spans_per_trace: must be positive, e.g. 10000"))
	}
	if c.MaxBufferedBytes < 1<<20 {
		errs = append(errs, errors.New("max_buffered_bytes: must be at least 1048576 (1 MiB), e.g. 268435456 for 256 MiB"))
	}
	if !(c.Budget.SpansPerSecond > 0) {
		errs = append(errs, errors.New("budget::spans_per_second: must be positive: the output rate to aim at, e.g. 1000"))
	}
	if c.Budget.TracesPerSecond < 0 {
		errs = append(errs, errors.New("budget::traces_per_second: must be positive, or 0 to leave traces per second unbounded"))
	}
	if c.Budget.BytesPerSecond < 0 {
		errs = append(errs, errors.New("budget::bytes_per_second: must be positive, or 0 to leave bytes per second unbounded"))
	}
	if !(c.Budget.ViolationShare > 0 && c.Budget.ViolationShare <= 1) {
		errs = append(errs, errors.New("budget::violation_share: must be in (0, 1], e.g. 0.5 to let SLO-violating traces take at most half the budget (1, the default, lets them take all of it after every stratum's minimum representation)"))
	}
	if c.MinTracesPerStratumPerMinute < 0 {
		errs = append(errs, errors.New("min_traces_per_stratum_per_minute: must be >= 0, e.g. 1"))
	}
	if c.MaxStrata <= 0 {
		errs = append(errs, errors.New("max_strata: must be positive, e.g. 1000"))
	}
	if !(c.BurnRate.Threshold > 0) {
		errs = append(errs, errors.New("burn_rate::threshold: must be positive, e.g. 14.4"))
	}
	if !(c.BurnRate.Boost >= 1) {
		errs = append(errs, errors.New("burn_rate::boost: must be >= 1 (1 disables the boost), e.g. 4"))
	}
	if c.DecisionCache.KeptTraces <= 0 {
		errs = append(errs, errors.New("decision_cache::kept_traces: must be positive, e.g. 100000"))
	}
	if c.DecisionCache.DroppedTraces <= 0 {
		errs = append(errs, errors.New("decision_cache::dropped_traces: must be positive, e.g. 1000000"))
	}
	errs = append(errs, c.Tenants.check()...)
	if len(c.Objectives) > maxObjectives {
		errs = append(errs, fmt.Errorf("objectives: at most %d are supported, got %d; merge objectives with OTTL conditions", maxObjectives, len(c.Objectives)))
	}
	names := map[string]bool{}
	for i := range c.Objectives {
		o := &c.Objectives[i]
		if names[o.Name] {
			errs = append(errs, fmt.Errorf("objectives::%d::name: %q is used twice; give each objective its own name", i, o.Name))
		}
		names[o.Name] = true
		errs = append(errs, o.validate(fmt.Sprintf("objectives::%d", i))...)
	}
	return errors.Join(errs...)
}
