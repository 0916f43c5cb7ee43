package slosamplingprocessor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/internal/metadata"
)

// loadConfig decodes the entry name of testdata/config.yaml and returns it with its validation
// error.
func loadConfig(t *testing.T, name string) (*Config, error) {
	cfg := createDefaultConfig()
	err := configtest.Load(t, component.NewIDWithName(metadata.Type, name), cfg)
	return cfg, err
}

func TestLoadConfig(t *testing.T) {
	defaults, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), defaults)

	shop, err := loadConfig(t, "shop")
	require.NoError(t, err)
	want := createDefaultConfig()
	want.DecisionDelay = 3 * time.Second
	want.TraceTimeout = 20 * time.Second
	want.MaxSpansPerTrace = 5000
	want.MaxBufferedBytes = 128 << 20
	want.AdjustInterval = 2 * time.Second
	want.RateWindow = 15 * time.Second
	want.MinTracesPerStratumPerMinute = 2
	want.MaxStrata = 500
	want.ShutdownTimeout = 5 * time.Second
	want.WAL.Directory = "/var/lib/tailwise/wal"
	want.WAL.SyncInterval = 10 * time.Millisecond
	want.WAL.MaxBytes = 4 << 30
	want.Budget = engine.Budget{SpansPerSecond: 2000, TracesPerSecond: 100, BytesPerSecond: 2e6, ViolationShare: 0.4}
	want.BurnRate.Boost = 3
	want.DecisionCache = engine.DecisionCache{KeptTraces: 50000, DroppedTraces: 500000}
	want.Objectives = []engine.Objective{
		{
			Name:    "checkout",
			Match:   engine.Match{Service: "frontend", Route: "POST /api/checkout"},
			Latency: &engine.LatencyObjective{Threshold: 800 * time.Millisecond, Target: 0.99},
			Errors:  &engine.ErrorObjective{Target: 0.999, HTTPStatusClasses: []string{"5xx"}},
		},
		{
			Name:   "payment-errors",
			Match:  engine.Match{Service: "payment", Condition: `attributes["payment.method"] == "card"`},
			Errors: &engine.ErrorObjective{Target: 0.9995, GRPCStatusCodes: []int64{2, 13, 14}},
		},
	}
	assert.Equal(t, want, shop)
}

func TestReadmeExamplesAreValid(t *testing.T) {
	for name, check := range map[string]func(*testing.T, *Config){
		"webshop": func(t *testing.T, cfg *Config) {
			assert.Len(t, cfg.Objectives, 2)
			assert.Equal(t, 2000.0, cfg.Budget.SpansPerSecond)
		},
		"teams": func(t *testing.T, cfg *Config) {
			assert.Equal(t, engine.Tenants{Attribute: "tenant.id", Weights: map[string]float64{"shop": 2}, DefaultWeight: 1, MaxTenants: 1000}, cfg.Tenants)
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := loadConfig(t, name)
			require.NoError(t, err)
			check(t, cfg)
			_, err = NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
			require.NoError(t, err)
		})
	}
}

func TestValidateNamesFieldAndFix(t *testing.T) {
	for name, wants := range map[string][]string{
		"invalid": {
			"budget::spans_per_second: must be positive",
			"budget::violation_share: must be in (0, 1]",
			"decision_delay: must be positive, e.g. 2s",
			"shutdown_timeout: must be positive, e.g. 10s",
			"objectives::0::name: must be set",
			"objectives::0::latency::threshold: must be positive",
			"objectives::0::latency::target: must be in (0, 1), e.g. 0.99",
			"objectives::1::match::condition",
			`objectives::1::errors::http_status_classes: "6xx" is not a status class`,
		},
		"invalid_tenants": {
			"tenants::weights::shop: must be a positive number",
			"tenants::default_weight: must be a positive number, e.g. 1",
			"tenants::max_tenants: must be positive, e.g. 1000",
			"tenants::attribute: empty while tenants::weights are set; set the resource attribute naming the tenant, e.g. tenant.id",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			for _, want := range wants {
				assert.Equal(t, 1, strings.Count(err.Error(), want), "reported once: %s", want)
			}
			assert.NotContains(t, err.Error(), "config:", "errors name the YAML field, not the Go struct")
		})
	}
}

func TestValidateTable(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"shutdown timeout", func(c *Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout: must be positive"},
		{"timeout shorter than delay", func(c *Config) { c.TraceTimeout = time.Second }, "trace_timeout: 1s is shorter than decision_delay (2s)"},
		{"tiny wal segments", func(c *Config) { c.WAL.Directory, c.WAL.SegmentBytes = "/wal", 4096 }, "wal::segment_bytes: 4096 is below 1 MiB"},
		{"wal settings without a directory", func(c *Config) { c.WAL.SegmentBytes = 4096 }, ""},
		{"tiny buffer", func(c *Config) { c.MaxBufferedBytes = 1000 }, "max_buffered_bytes: must be at least 1048576"},
		{"negative traces budget", func(c *Config) { c.Budget.TracesPerSecond = -1 }, "budget::traces_per_second: must be positive, or 0"},
		{"negative bytes budget", func(c *Config) { c.Budget.BytesPerSecond = -1 }, "budget::bytes_per_second: must be positive, or 0"},
		{"boost below one", func(c *Config) { c.BurnRate.Boost = 0.5 }, "burn_rate::boost: must be >= 1"},
		{"windows reversed", func(c *Config) { c.BurnRate.LongWindow = time.Minute }, "burn_rate::long_window: must be at least burn_rate::short_window"},
		{"objective without target", func(c *Config) { c.Objectives = []engine.Objective{{Name: "x"}} }, "objectives::0: set latency and/or errors"},
		{"duplicate names", func(c *Config) {
			o := engine.Objective{Name: "x", Errors: &engine.ErrorObjective{Target: 0.99}}
			c.Objectives = []engine.Objective{o, o}
		}, `objectives::1::name: "x" is used twice`},
		{"grpc code out of range", func(c *Config) {
			c.Objectives = []engine.Objective{{Name: "x", Errors: &engine.ErrorObjective{Target: 0.99, GRPCStatusCodes: []int64{17}}}}
		}, "17 is not a gRPC code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			tt.mutate(cfg)
			err := confmap.Validate(cfg)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
