package replayreceiver

import (
	"errors"
	"fmt"
	"time"

	"github.com/tailwise/tailwise/internal/replay"
)

// Config of the replay receiver.
type Config struct {
	// Path lists recording files or glob patterns, played in order (each glob's matches sorted).
	// Files ending in .gz or .zst are decompressed.
	Path []string `mapstructure:"path"`
	// Speed is a multiple of the recorded pace; 0 plays as fast as the pipeline takes it.
	Speed float64 `mapstructure:"speed"`
	// Loop is how many times to play the recording; 0 plays it until the collector stops.
	Loop int `mapstructure:"loop"`
	// ShiftTime moves each loop's timestamps so that it looks live, keeping durations and order.
	ShiftTime bool `mapstructure:"shift_time"`
	// RewriteIDs gives each loop fresh trace and span ids, consistently across signals.
	RewriteIDs bool `mapstructure:"rewrite_ids"`
	// SkipBad skips and counts lines that do not decode; otherwise the replay stops at the first.
	SkipBad bool `mapstructure:"skip_bad"`
	// MaxRetryDelay caps the back-off between retries of a request the pipeline refused with a
	// retryable error. Such a request is retried until accepted or the collector stops.
	MaxRetryDelay time.Duration `mapstructure:"max_retry_delay"`
}

func createDefaultConfig() *Config {
	return &Config{Speed: 1, Loop: 1, ShiftTime: true, MaxRetryDelay: 5 * time.Second}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Path) == 0 {
		errs = append(errs, errors.New("path: set at least one recording file or glob, e.g. path: [/var/lib/tailwise/rec/*.jsonl.gz]"))
	}
	for i, p := range c.Path {
		if p == "" {
			errs = append(errs, fmt.Errorf("path::%d: empty; remove it or name a file", i))
		}
	}
	if c.Speed < 0 {
		errs = append(errs, fmt.Errorf("speed: %v is negative; use 1 for the recorded pace, 10 for ten times faster, 0 for as fast as possible", c.Speed))
	}
	if c.Loop < 0 {
		errs = append(errs, fmt.Errorf("loop: %d is negative; use 1 to play once, 0 to play until the collector stops", c.Loop))
	}
	if c.MaxRetryDelay <= 0 {
		errs = append(errs, fmt.Errorf("max_retry_delay: %v must be positive, e.g. 5s", c.MaxRetryDelay))
	}
	return errors.Join(errs...)
}

func (c *Config) playerOptions() replay.Options {
	return replay.Options{Speed: c.Speed, Loops: c.Loop, ShiftTime: c.ShiftTime, RewriteIDs: c.RewriteIDs, SkipBad: c.SkipBad}
}
