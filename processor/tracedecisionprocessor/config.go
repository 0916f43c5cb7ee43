package tracedecisionprocessor

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/internal/wal"
)

// Config of the trace_decision processor.
type Config struct {
	// Decisions is the trace_decisions extension the sampler publishes to.
	Decisions component.ID  `mapstructure:"decisions"`
	Logs      LogsConfig    `mapstructure:"logs"`
	Metrics   MetricsConfig `mapstructure:"metrics"`
}

// LogsConfig tunes what happens to logs.
type LogsConfig struct {
	// RetainSeverity: a log at or above it makes the sampler keep its trace if still buffered;
	// empty turns retention off.
	RetainSeverity string `mapstructure:"retain_severity"`
	// DroppedTrace is what happens to a log whose trace was dropped: mark or drop.
	DroppedTrace string `mapstructure:"dropped_trace"`
	// KeepSeverity: with dropped_trace: drop, logs at or above it are marked and kept anyway.
	KeepSeverity string `mapstructure:"keep_severity"`
	// MaxWait is how long a log waits for the decision of a trace the sampler is buffering.
	MaxWait time.Duration `mapstructure:"max_wait"`
	// UnknownWait is how long a log waits for the sampler to see its trace at all.
	UnknownWait time.Duration `mapstructure:"unknown_wait"`
	// MaxHeldRecords bounds the records waiting; past it the oldest batch leaves undecided.
	MaxHeldRecords int `mapstructure:"max_held_records"`
	// WAL, when its directory is set, logs every batch before it is held and acknowledged, and
	// its release once passed on: a restart after a crash holds again what was waiting.
	WAL wal.Config `mapstructure:"wal"`
}

// MetricsConfig tunes what happens to exemplars.
type MetricsConfig struct {
	// UndecidedExemplars: drop (default) or keep exemplars whose trace is not decided yet.
	UndecidedExemplars string `mapstructure:"undecided_exemplars"`
}

const (
	actionMark = "mark"
	actionDrop = "drop"
	actionKeep = "keep"
)

func createDefaultConfig() component.Config {
	return &Config{
		Logs: LogsConfig{
			RetainSeverity: "ERROR", DroppedTrace: actionMark, KeepSeverity: "WARN",
			MaxWait: 40 * time.Second, UnknownWait: 5 * time.Second, MaxHeldRecords: 100000,
			WAL: wal.DefaultConfig(),
		},
		Metrics: MetricsConfig{UndecidedExemplars: actionDrop},
	}
}

// severityOf parses a severity name (TRACE, DEBUG, INFO, WARN, ERROR, FATAL); "" is 0 (off).
func severityOf(name string) (plog.SeverityNumber, bool) {
	switch strings.ToUpper(name) {
	case "":
		return plog.SeverityNumberUnspecified, true
	case "TRACE":
		return plog.SeverityNumberTrace, true
	case "DEBUG":
		return plog.SeverityNumberDebug, true
	case "INFO":
		return plog.SeverityNumberInfo, true
	case "WARN", "WARNING":
		return plog.SeverityNumberWarn, true
	case "ERROR":
		return plog.SeverityNumberError, true
	case "FATAL":
		return plog.SeverityNumberFatal, true
	}
	return 0, false
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Decisions == (component.ID{}) {
		errs = append(errs, errors.New("decisions: name the trace_decisions extension the sampler publishes to, e.g. decisions: trace_decisions"))
	}
	for field, v := range map[string]string{"logs::retain_severity": c.Logs.RetainSeverity, "logs::keep_severity": c.Logs.KeepSeverity} {
		if _, ok := severityOf(v); !ok {
			errs = append(errs, fmt.Errorf("%s: unknown severity %q; use TRACE, DEBUG, INFO, WARN, ERROR, FATAL or empty", field, v))
		}
	}
	if c.Logs.DroppedTrace != actionMark && c.Logs.DroppedTrace != actionDrop {
		errs = append(errs, fmt.Errorf("logs::dropped_trace: %q; use mark or drop", c.Logs.DroppedTrace))
	}
	if c.Logs.MaxWait <= 0 || c.Logs.UnknownWait < 0 || c.Logs.UnknownWait > c.Logs.MaxWait {
		errs = append(errs, fmt.Errorf("logs::max_wait: %v must be positive and logs::unknown_wait (%v) between 0 and it; set max_wait above the sampler's trace_timeout",
			c.Logs.MaxWait, c.Logs.UnknownWait))
	}
	if c.Logs.MaxHeldRecords < 1 {
		errs = append(errs, fmt.Errorf("logs::max_held_records: %d must be at least 1", c.Logs.MaxHeldRecords))
	}
	if err := c.Logs.WAL.Validate("logs::wal"); err != nil {
		errs = append(errs, err)
	}
	if c.Metrics.UndecidedExemplars != actionDrop && c.Metrics.UndecidedExemplars != actionKeep {
		errs = append(errs, fmt.Errorf("metrics::undecided_exemplars: %q; use drop or keep", c.Metrics.UndecidedExemplars))
	}
	return errors.Join(errs...)
}
