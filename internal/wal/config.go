package wal // import "github.com/tailwise/tailwise/internal/wal"

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
)

// Config is the `wal:` block of a component that logs what it holds in memory.
// The log is on when Directory is set.
type Config struct {
	// Directory holds one subdirectory per component instance, named as file_storage names
	// its files (processor_slo_sampling, processor_trace_decision_NAME).
	Directory string `mapstructure:"directory"`
	// Fsync makes an acknowledgment wait until the record is on disk. Without it a record
	// is acknowledged once written to the operating system: it survives the process being
	// killed, not the machine failing.
	Fsync bool `mapstructure:"fsync"`
	// SyncInterval is the group-commit window: one fsync covers every record written during
	// it. Longer windows cost fewer fsyncs and add latency to each acknowledgment.
	SyncInterval time.Duration `mapstructure:"sync_interval"`
	// SegmentBytes is the size at which the log moves on to a new file. A file is removed
	// once nothing in it or before it is still waiting.
	SegmentBytes int64 `mapstructure:"segment_bytes"`
	// MaxBytes bounds the log on disk; at the bound new data is refused with a retryable
	// error until waiting data is decided and its files removed.
	MaxBytes int64 `mapstructure:"max_bytes"`
}

// DefaultConfig is off (no directory), with the settings a directory turns on.
func DefaultConfig() Config {
	return Config{
		Fsync:        true,
		SyncInterval: 2 * time.Millisecond,
		SegmentBytes: 16 << 20,
		MaxBytes:     2 << 30,
	}
}

// Enabled says whether the component logs to disk.
func (c Config) Enabled() bool { return c.Directory != "" }

// Validate reports every invalid option with its fix, named under prefix (e.g. "wal").
func (c Config) Validate(prefix string) error {
	if !c.Enabled() {
		return nil
	}
	var errs []error
	if c.SyncInterval < 0 || c.SyncInterval > time.Second {
		errs = append(errs, fmt.Errorf("%s::sync_interval: %v is outside 0..1s; 2ms groups the requests of a busy gateway", prefix, c.SyncInterval))
	}
	if c.SegmentBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("%s::segment_bytes: %d is below 1 MiB (1048576); 16 MiB suits most gateways", prefix, c.SegmentBytes))
	}
	if c.MaxBytes < 2*c.SegmentBytes {
		errs = append(errs, fmt.Errorf("%s::max_bytes: %d is below two segments (2 x segment_bytes = %d); raise it", prefix, c.MaxBytes, 2*c.SegmentBytes))
	}
	return errors.Join(errs...)
}

// InstanceDirectory is where the component id keeps its log: one directory per instance,
// named as the file_storage extension names its files.
func (c Config) InstanceDirectory(kind component.Kind, id component.ID) string {
	name := strings.ToLower(kind.String()) + "_" + id.Type().String()
	if id.Name() != "" {
		name += "_" + id.Name()
	}
	return filepath.Join(c.Directory, name)
}
