// Package configtest loads components' test configurations the same way in every component's
// tests: testdata/config.yaml, one entry per component ID, decoded and validated as the collector
// does.
package configtest

import (
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"
)

// Load decodes the entry id of testdata/config.yaml into cfg and returns the validation error.
func Load(t testing.TB, id component.ID, cfg component.Config) error {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(id.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return xconfmap.Validate(cfg)
}

// ErrorSays fails the test unless err mentions every one of wants.
func ErrorSays(t testing.TB, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error; want one that says %q", wants)
		return
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
