package fleetextension

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMembers(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []string
		wantErr string
	}{
		{name: "empty", file: "", want: nil},
		{name: "comments and blank lines only", file: "# gateways\n\n   \n# none yet\n", want: nil},
		{
			name: "members with comments",
			file: "# fleet of the eu-west cluster\ngw-0.gw:4317\n\ngw-1.gw:4317   # added for Black Friday\n\t10.0.0.7:4317\n[fd00::7]:4317\n",
			want: []string{"gw-0.gw:4317", "gw-1.gw:4317", "10.0.0.7:4317", "[fd00::7]:4317"},
		},
		{name: "duplicates count once", file: "gw-0:4317\ngw-0:4317\ngw-1:4317\n", want: []string{"gw-0:4317", "gw-1:4317"}},
		{name: "windows line endings", file: "gw-0:4317\r\ngw-1:4317\r\n", want: []string{"gw-0:4317", "gw-1:4317"}},
		{name: "no port", file: "gw-0:4317\ngw-1\n", wantErr: `line 2: "gw-1" is not host:port`},
		{name: "empty host", file: ":4317\n", wantErr: `line 1: ":4317" has no valid host`},
		{name: "port out of range", file: "gw-0:70000\n", wantErr: `line 1: "gw-0:70000" has port "70000", not a number from 1 to 65535`},
		{name: "port zero", file: "gw-0:0\n", wantErr: `has port "0"`},
		{name: "named port", file: "gw-0:otlp\n", wantErr: `has port "otlp"`},
		{name: "two members on a line", file: "gw-0:4317 gw-1:4317\n", wantErr: "line 1:"},
		{name: "long line", file: strings.Repeat("g", 100_000) + ":4317\n", want: []string{strings.Repeat("g", 100_000) + ":4317"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMembers([]byte(tt.file))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzParseMembers(f *testing.F) {
	for _, seed := range []string{
		"",
		"# comment only\n",
		"gw-0.gw:4317\ngw-1.gw:4317 # comment\n\n[fd00::1]:4317\n",
		"gw-0:4317\r\ngw-0:4317\r\n",
		"gw:0\n:4317\n[::1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		members, err := parseMembers(data)
		if err != nil {
			return
		}
		seen := make(map[string]bool, len(members))
		for _, m := range members {
			if m == "" || strings.ContainsAny(m, "#\n") || seen[m] {
				t.Fatalf("member %q is empty, holds a comment or line break, or repeats", m)
			}
			if err := validateMember(m); err != nil {
				t.Fatalf("member %q was accepted but is invalid: %v", m, err)
			}
			seen[m] = true
		}
	})
}
