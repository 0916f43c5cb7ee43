package tracedecisionprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/processor/tracedecisionprocessor/internal/metadata"
)

// base is what the logs and metrics processors share.
type base struct {
	id        component.ID
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	registry  tracedecisionextension.Registry
	now       func() time.Time
}

func newBase(set processor.Settings, cfg *Config) (*base, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &base{id: set.ID, cfg: cfg, logger: set.Logger, telemetry: tb, now: time.Now}, nil
}

func (b *base) start(_ context.Context, host component.Host) error {
	reg, err := tracedecisionextension.Find(host, b.cfg.Decisions)
	if err != nil {
		return err
	}
	b.registry = reg
	return nil
}

func (b *base) shutdown() error {
	b.telemetry.Shutdown()
	return nil
}

// Indexes of the fate and action attribute values, for counting without allocation.
const (
	fateIndexKept = iota
	fateIndexDropped
	fateIndexUndecided
	fateIndexNoTrace
)

const (
	actionIndexForwarded = iota
	actionIndexMarked
	actionIndexDropped
)

var (
	fateNames   = [...]string{"kept", "dropped", "undecided", "no_trace"}
	actionNames = [...]string{"forwarded", "marked", "dropped"}

	fateActionAttrs = func() (a [4][3]metric.AddOption) {
		for f, fn := range fateNames {
			for ac, an := range actionNames {
				a[f][ac] = metric.WithAttributeSet(attribute.NewSet(attribute.String("fate", fn), attribute.String("action", an)))
			}
		}
		return a
	}()

	resultAttrs = map[string]metric.AddOption{
		"retained":     metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "retained"))),
		"not_buffered": metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "not_buffered"))),
	}
)

// fateIndex maps a registry answer to the fate attribute; pending and unknown are undecided.
func fateIndex(f tracedecisionextension.Fate) int {
	switch f {
	case tracedecisionextension.Kept:
		return fateIndexKept
	case tracedecisionextension.Dropped:
		return fateIndexDropped
	}
	return fateIndexUndecided
}
