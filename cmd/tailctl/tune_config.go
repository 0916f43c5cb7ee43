package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/yamlconf"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// samplerConfig is one config under test and the name it is reported by.
type samplerConfig struct {
	name string
	cfg  engine.Config
}

// loadSamplerConfig reads a sampler YAML file over the processor's defaults
// and validates it; errors name the file and the field.
func loadSamplerConfig(path string) (engine.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return engine.Config{}, err
	}
	return parseSamplerConfig(path, b)
}

// parseSamplerConfig decodes the YAML of the file named path into the
// processor's own Config, so that every key of a collector's slo_sampling
// block is accepted; the processor's options that do not change decisions
// (shutdown_timeout, decisions, fleet) are ignored.
func parseSamplerConfig(path string, b []byte) (engine.Config, error) {
	cfg, err := decodeComponentConfig[*slosamplingprocessor.Config](path, b, slosamplingprocessor.NewFactory())
	if err != nil {
		return engine.Config{}, err
	}
	return cfg.Config, nil
}

// decodeComponentConfig decodes the YAML of the file named path over a
// component's default configuration, as the collector would, and validates
// it; errors name the file and the field.
func decodeComponentConfig[C interface{ Validate() error }](path string, b []byte, f component.Factory) (C, error) {
	cfg, ok := f.CreateDefaultConfig().(C)
	if !ok {
		return cfg, fmt.Errorf("%s: the %s factory returned an unexpected config type", path, f.Type())
	}
	if err := yamlconf.Decode(b, cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// loadSamplerConfigs loads every --config file. A config is named by its file
// name without extension, or by its path when two file names are the same.
func loadSamplerConfigs(paths []string) ([]samplerConfig, error) {
	bases := map[string]int{}
	for _, p := range paths {
		bases[configBaseName(p)]++
	}
	configs := make([]samplerConfig, 0, len(paths))
	seen := map[string]bool{}
	for _, p := range paths {
		name := configBaseName(p)
		if bases[name] > 1 {
			name = p
		}
		if seen[name] {
			return nil, usageError{fmt.Errorf("--config %s is given twice", p)}
		}
		seen[name] = true
		cfg, err := loadSamplerConfig(p)
		if err != nil {
			return nil, err
		}
		configs = append(configs, samplerConfig{name: name, cfg: cfg})
	}
	return configs, nil
}

func configBaseName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
