// Package configtest loads components' test configurations the same way in every component's
// tests: testdata/config.yaml, one entry per component ID, or a README's worked example, decoded
// and validated as the collector does.
package configtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/tailwise/tailwise/internal/yamlconf"
)

// Load decodes the entry id of testdata/config.yaml into cfg and returns the validation error.
func Load(t testing.TB, id component.ID, cfg component.Config) error {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return Decode(t, cm, id.String(), cfg)
}

// Decode decodes the entry key of conf (a path such as processors::tenant) into cfg and returns
// the validation error.
func Decode(t testing.TB, conf *confmap.Conf, key string, cfg component.Config) error {
	t.Helper()
	sub, err := conf.Sub(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return xconfmap.Validate(cfg)
}

// ReadmeExample returns the YAML block of README.md that follows the comment <!-- name -->.
func ReadmeExample(t testing.TB, name string) *confmap.Conf {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, found := strings.Cut(string(readme), "<!-- "+name+" -->\n```yaml\n")
	block, _, closed := strings.Cut(after, "```")
	if !found || !closed {
		t.Fatalf("README.md has no YAML block after <!-- %s -->", name)
	}
	conf, err := yamlconf.Parse([]byte(block))
	if err != nil {
		t.Fatalf("README.md, <!-- %s -->: %v", name, err)
	}
	return conf
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
