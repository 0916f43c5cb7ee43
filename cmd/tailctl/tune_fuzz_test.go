package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSamplerConfig checks that any YAML either fails with an error or
// yields a config the engine accepts, and never panics.
func FuzzSamplerConfig(f *testing.F) {
	seeds, err := filepath.Glob("testdata/tune/*.yaml")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed configs in testdata/tune: %v", err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("- a list\n"))
	f.Add([]byte("objectives: [{name: x, latency: {threshold: 1s, target: 2}}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := parseSamplerConfig("fuzz.yaml", b)
		if err != nil {
			return
		}
		if err := cfg.Check(); err != nil {
			t.Fatalf("accepted a config its Check refuses: %v", err)
		}
	})
}
