package tenantprocessor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDefaults = Limits{SpansPerSecond: 1000, LogRecordsPerSecond: 2000, DataPointsPerSecond: 3000, BytesPerSecond: 4000}

func TestLoadOverridesTestdata(t *testing.T) {
	got, err := loadOverrides(filepath.Join("testdata", "overrides.yaml"), testDefaults)
	require.NoError(t, err)
	assert.Equal(t, map[string]Limits{
		"team-a":       {SpansPerSecond: 20000, LogRecordsPerSecond: 2000, DataPointsPerSecond: 3000, BytesPerSecond: 20971520},
		"team-b":       {SpansPerSecond: 1000, LogRecordsPerSecond: 5000, DataPointsPerSecond: 3000, BytesPerSecond: 4000},
		"Team_C.batch": {SpansPerSecond: 1000, LogRecordsPerSecond: 2000, DataPointsPerSecond: 0, BytesPerSecond: 4000},
	}, got)
}

func TestParseOverridesErrors(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"not yaml", "tenants: {", "yaml"},
		{"unknown key", "quotas: {}", "quotas"},
		{"unknown limit", "tenants: {team-a: {spans: 5}}", "spans"},
		{"negative limit", "tenants: {team-a: {spans_per_second: -5}}", "tenants::team-a::spans_per_second: -5 is not a finite number >= 0"},
		{"not a finite number", "tenants: {team-a: {spans_per_second: .nan}}", "NaN is not a finite number"},
		{"infinite", "tenants: {team-a: {bytes_per_second: .inf}}", "+Inf is not a finite number"},
		{"invalid tenant", "tenants: {'team a': {spans_per_second: 5}}", `tenant ID "team a"`},
		{"not a number", "tenants: {team-a: {spans_per_second: lots}}", "spans_per_second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOverrides([]byte(tt.yaml), testDefaults)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestParseOverridesEmpty(t *testing.T) {
	got, err := parseOverrides([]byte("tenants: {}"), testDefaults)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func FuzzParseOverrides(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "overrides.yaml"))
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte("tenants: {team-a: {spans_per_second: 1e308}}"))
	f.Add([]byte("tenants: {'..': {bytes_per_second: 1}}"))
	f.Add([]byte("tenants: [1, 2]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits, err := parseOverrides(data, testDefaults)
		if err != nil {
			return
		}
		for tenant, l := range limits {
			if err := l.validate(); err != nil {
				t.Fatalf("tenant %q got invalid limits %+v: %v", tenant, l, err)
			}
		}
	})
}
