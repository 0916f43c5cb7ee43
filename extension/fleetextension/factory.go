package fleetextension

import (
	"context"
	"net"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/tailwise/tailwise/extension/fleetextension/internal/metadata"
)

// NewFactory returns the factory of the fleet extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, func() component.Config { return &Config{} }, create, metadata.ExtensionStability)
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newExtension(set, cfg.(*Config), net.DefaultResolver)
}

// newExtension builds the extension with the source its config selects; DNS lookups go
// through resolver.
func newExtension(set extension.Settings, cfg *Config, resolver hostResolver) (*fleetExtension, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	src, interval := sourceOf(cfg, resolver)
	return newFleetExtension(src, interval, set.Logger, tb), nil
}

// sourceOf returns the source the config selects and its refresh interval; a config without
// a source, which Validate refuses, counts one member.
func sourceOf(cfg *Config, resolver hostResolver) (source, time.Duration) {
	switch {
	case cfg.DNS != nil:
		return dnsSource{resolver: resolver, hostname: cfg.DNS.Hostname}, intervalOr(cfg.DNS.Interval, defaultDNSInterval)
	case cfg.File != nil:
		return fileSource{path: cfg.File.Path}, intervalOr(cfg.File.Interval, defaultFileInterval)
	case cfg.Static != nil:
		return staticSource(cfg.Static.Members), 0
	}
	return staticSource(1), 0
}

func intervalOr(interval, fallback time.Duration) time.Duration {
	if interval > 0 {
		return interval
	}
	return fallback
}
