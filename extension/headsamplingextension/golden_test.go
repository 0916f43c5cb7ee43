package headsamplingextension

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The web shop's strategy in both encodings, checked in under testdata/ and decoded with
// jaeger-idl's own Go types by test/headsampling/idlcheck (a module of its own).
func TestGoldenEncodings(t *testing.T) {
	for name, b := range map[string][]byte{"webshop.json": encodeJSON(webshop), "webshop.pb": encodeProto(webshop)} {
		path := filepath.Join("testdata", name)
		if os.Getenv("UPDATE_GOLDEN") != "" {
			require.NoError(t, os.WriteFile(path, b, 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want, b, "%s: run with UPDATE_GOLDEN=1 after a deliberate change", name)
	}
}
