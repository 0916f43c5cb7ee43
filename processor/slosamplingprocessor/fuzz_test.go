package slosamplingprocessor

import (
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/confmap"

	"github.com/tailwise/tailwise/internal/yamlconf"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// FuzzConfig checks that any YAML either fails to load or validate with an
// error, or yields a config the engine accepts: never a panic.
func FuzzConfig(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("budget: {spans_per_second: 10}\nobjectives: [{name: a, errors: {target: 0.5}}]"))
	f.Add([]byte("objectives: [{name: a, match: {condition: 'attributes[\"x\"] == 1'}, latency: {threshold: 1ms, target: 0.9}}]"))
	f.Add([]byte("decision_delay: -1s\ntrace_timeout: 0\nmax_buffered_bytes: -5"))
	f.Add([]byte("tenants: {attribute: tenant.id, weights: {team-a: 2, _none: 0.5}, default_weight: 1, max_tenants: 3}"))
	f.Add([]byte("tenants: {weights: {x: -1}, default_weight: .inf, max_tenants: -1}"))
	f.Fuzz(func(t *testing.T, yaml []byte) {
		cfg := createDefaultConfig()
		if yamlconf.Decode(yaml, cfg) != nil || confmap.Validate(cfg) != nil {
			return
		}
		if _, err := engine.New(cfg.Config, nil); err != nil {
			t.Fatalf("a validated config is refused by the engine: %v", err)
		}
	})
}
