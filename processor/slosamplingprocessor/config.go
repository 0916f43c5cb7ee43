package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/wal"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// Config is the processor's configuration: the engine's options at the top
// level plus the processor's own.
type Config struct {
	engine.Config `mapstructure:",squash"`
	// ShutdownTimeout bounds the time Shutdown spends deciding and flushing
	// the buffered traces.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// Decisions, when set, names the trace_decisions extension to publish
	// every decision to and to answer other components' questions through
	// (what became of a trace, keep a buffered trace).
	Decisions *component.ID `mapstructure:"decisions"`
	// Fleet, when set, names the fleet extension: the budget is then the fleet's, and each
	// gateway keeps budget / N for the N gateways the extension counts.
	Fleet *component.ID `mapstructure:"fleet"`
	// HeadSampling, when set, names the head_sampling extension: the processor reports its rates
	// to it, counts root spans by their head probability, and joins the head probability to its
	// own in the ot=th of kept spans.
	HeadSampling *component.ID `mapstructure:"head_sampling"`
	// WAL, when its directory is set, logs every batch before it is acknowledged and every
	// decision after the kept spans are passed on: a restart after a crash takes back the
	// undecided traces and sends no decided one twice.
	WAL wal.Config `mapstructure:"wal"`
}

// Validate reports every invalid option with the fix.
func (c *Config) Validate() error {
	err := c.Check()
	if c.ShutdownTimeout <= 0 {
		err = errors.Join(err, errors.New("shutdown_timeout: must be positive, e.g. 10s"))
	}
	return errors.Join(err, c.WAL.Validate("wal"))
}

func createDefaultConfig() *Config {
	return &Config{Config: engine.DefaultConfig(), ShutdownTimeout: 10 * time.Second, WAL: wal.DefaultConfig()}
}
