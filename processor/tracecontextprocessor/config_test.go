package tracecontextprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/metadata"
	"github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"
)

func TestLoadConfig(t *testing.T) {
	custom := createDefaultConfig().(*Config)
	custom.Sources = []string{SourceBody, SourceAttributes}
	custom.TraceIDKeys = []string{"trace_id", "request.trace"}
	custom.SpanIDKeys = []string{"span_id"}
	custom.TraceFlagsKeys = []string{}
	custom.Formats.Sleuth = false
	custom.Formats.XRay = false
	custom.Overwrite = true
	custom.RemoveFromBody = true
	custom.Patterns = []string{`req=(?P<trace_id>[0-9a-f]{32})/(?P<span_id>[0-9a-f]{16})`}

	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: createDefaultConfig().(*Config)},
		{name: "custom", want: custom},
		{name: "bad_source", wantErr: []string{`sources::1: unknown source "message"; use "attributes" or "body"`}},
		{name: "no_source", wantErr: []string{`sources: empty; list at least one of "attributes" and "body"`}},
		{name: "duplicate_key", wantErr: []string{`trace_id_keys::1: key "TRACE_ID" is already listed in trace_id_keys::0`}},
		{name: "span_key_in_trace_list", wantErr: []string{`span_id_keys::1: key "trace_id" is already listed in trace_id_keys::0`}},
		{name: "bad_pattern", wantErr: []string{
			"patterns::0: the pattern has no named group (?P<trace_id>...)",
			"patterns::1: error parsing regexp",
		}},
	}
	for _, tt := range tests {
		t.Run("trace_context/"+tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			err := configtest.Load(t, component.NewIDWithName(metadata.Type, tt.name), cfg)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg)
				return
			}
			configtest.ErrorSays(t, err, tt.wantErr...)
		})
	}
}

func TestValidateKeys(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.SpanIDKeys = []string{" ", string(make([]byte, tracectx.MaxKeyLen+1))}
	err := cfg.Validate()
	assert.ErrorContains(t, err, "span_id_keys::0: empty key")
	assert.ErrorContains(t, err, "span_id_keys::1: key")
	assert.ErrorContains(t, err, "is longer than 64 bytes")

	cfg = createDefaultConfig().(*Config)
	cfg.Sources = []string{SourceBody, SourceBody}
	assert.ErrorContains(t, cfg.Validate(), `sources::1: "body" is listed twice`)
}
