// Package architecture holds the test that keeps the import rules of docs/architecture.md.
package architecture

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tailwise/tailwise"

// componentRoot matches the directory of a component: processor/X, connector/X, ...
var componentRoot = regexp.MustCompile(`^(processor|connector|extension|receiver|exporter)/[^/]+$`)

// skipped are directories that are not this module's code: other modules, generated code,
// caches and test data.
var skipped = map[string]bool{
	".git": true, ".cache": true, ".tools": true, "bin": true, "testdata": true,
	"cmd/tailwise": true, "internal/tools": true, "test/backends": true,
}

// importEdge is one import of one file.
type importEdge struct {
	file, from, to string // file and importing package relative to the module root; imported path
}

func TestImportRules(t *testing.T) {
	edges := moduleImports(t, filepath.Join("..", ".."))
	if len(edges) < 100 {
		t.Fatalf("read only %d imports of the module's own packages; is the walk right?", len(edges))
	}
	for _, e := range edges {
		if err := check(e); err != "" {
			t.Errorf("%s imports %s: %s", e.file, e.to, err)
		}
	}
}

// check returns what rule of docs/architecture.md an import breaks, or "".
func check(e importEdge) string {
	to, ok := strings.CutPrefix(e.to, module+"/")
	if !ok {
		return ""
	}
	from, target := componentOf(e.from), componentOf(to)
	switch {
	case strings.HasPrefix(e.from, "internal/") && target != "":
		return "shared code under internal/ must not depend on a component"
	case target == "" || from == target:
		return ""
	case strings.HasPrefix(from, "processor/") && strings.HasPrefix(target, "processor/"):
		return "processors do not import each other; share code through internal/ or an extension"
	case from != "" && to != target && !isTestHelper(target, to):
		return "a component uses another only through its root package or its *test helper package"
	}
	return ""
}

// componentOf returns the component directory that holds the package dir, or "".
func componentOf(dir string) string {
	parts := strings.SplitN(dir, "/", 3)
	if len(parts) < 2 || !componentRoot.MatchString(parts[0]+"/"+parts[1]) {
		return ""
	}
	return parts[0] + "/" + parts[1]
}

// isTestHelper tells whether pkg is a component's package of test helpers, such as
// extension/fleetextension/fleettest.
func isTestHelper(component, pkg string) bool {
	return path.Dir(pkg) == component && strings.HasSuffix(path.Base(pkg), "test")
}

func moduleImports(t *testing.T, root string) []importEdge {
	var edges []importEdge
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipped[rel] || skipped[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			to, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(to, module+"/") {
				edges = append(edges, importEdge{file: rel, from: path.Dir(rel), to: to})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return edges
}

func TestCheck(t *testing.T) {
	tests := []struct {
		from, to string
		broken   bool
	}{
		{"processor/tenantprocessor", "internal/tenantid", false},
		{"processor/tenantprocessor", "processor/tenantprocessor/internal/metadata", false},
		{"processor/tenantprocessor", "extension/fleetextension", false},
		{"processor/tenantprocessor", "extension/fleetextension/fleettest", false},
		{"cmd/tailctl", "processor/piiredactionprocessor/redact", false},
		{"test/e2e", "internal/recording", false},
		{"processor/tenantprocessor", "processor/piiredactionprocessor", true},
		{"processor/slosamplingprocessor/engine", "processor/tracedecisionprocessor", true},
		{"connector/slometricsconnector", "processor/slosamplingprocessor/engine", true},
		{"extension/fleetextension", "extension/tenantauthextension/internal/metadata", true},
		{"internal/replay", "receiver/replayreceiver", true},
	}
	for _, tt := range tests {
		got := check(importEdge{file: tt.from + "/x.go", from: tt.from, to: module + "/" + tt.to})
		if (got != "") != tt.broken {
			t.Errorf("%s -> %s: %q, want broken %v", tt.from, tt.to, got, tt.broken)
		}
	}
}
