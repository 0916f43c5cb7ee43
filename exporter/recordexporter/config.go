package recordexporter

import (
	"errors"
	"fmt"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
)

// Config of the record exporter.
type Config struct {
	// Path of the recording. A name ending in .gz is gzip-compressed, .zst zstd-compressed.
	Path string `mapstructure:"path"`
	// Rotation starts a new file when the current one is large.
	Rotation Rotation `mapstructure:"rotation"`
	// FlushInterval is how often buffered lines reach the file.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
}

// Rotation of the recording file.
type Rotation struct {
	// MaxMegabytes of uncompressed lines per file; 0 never rotates.
	MaxMegabytes int `mapstructure:"max_megabytes"`
	// MaxFiles is how many rotated files to keep; 0 keeps all.
	MaxFiles int `mapstructure:"max_files"`
}

func createDefaultConfig() *Config {
	return &Config{FlushInterval: time.Second}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: set the recording file, e.g. /var/lib/tailwise/rec/traffic.jsonl.zst"))
	}
	if c.Rotation.MaxMegabytes < 0 {
		errs = append(errs, fmt.Errorf("rotation::max_megabytes: %d is negative; use 0 to never rotate", c.Rotation.MaxMegabytes))
	}
	if c.Rotation.MaxFiles < 0 {
		errs = append(errs, fmt.Errorf("rotation::max_files: %d is negative; use 0 to keep every rotated file", c.Rotation.MaxFiles))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flush_interval: %v must be positive, e.g. 1s", c.FlushInterval))
	}
	return errors.Join(errs...)
}

func (c *Config) writerOptions() recording.WriterOptions {
	return recording.WriterOptions{RotateBytes: int64(c.Rotation.MaxMegabytes) << 20, MaxFiles: c.Rotation.MaxFiles}
}
