package architecture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryInternalPackageIsInTheTables keeps the README's layout table and the shared-code
// table of docs/architecture.md listing every package under internal/.
func TestEveryInternalPackageIsInTheTables(t *testing.T) {
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(filepath.Join(root, "internal"))
	if err != nil {
		t.Fatal(err)
	}
	var packages []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "tools" { // pinned build tools, not shared code
			packages = append(packages, "internal/"+e.Name())
		}
	}
	if len(packages) < 5 {
		t.Fatalf("found only %v under internal/", packages)
	}
	for _, doc := range []string{"README.md", filepath.Join("docs", "architecture.md")} {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range packages {
			if !strings.Contains(string(text), "| `"+pkg+"`") && !strings.Contains(string(text), ", `"+pkg+"`") {
				t.Errorf("%s: no table row for %s", doc, pkg)
			}
		}
	}
}
