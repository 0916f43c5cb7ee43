package tenantprocessor

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/tailwise/tailwise/extension/tenantauthextension"
)

// gatewayExample returns the gateway configuration of the README's worked example.
func gatewayExample(t *testing.T) *confmap.Conf {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "<!-- gateway-example -->\n```yaml\n")
	require.True(t, found, "README.md has the gateway example")
	block, _, found := strings.Cut(after, "```")
	require.True(t, found)
	retrieved, err := confmap.NewRetrievedFromYAML([]byte(block))
	require.NoError(t, err)
	conf, err := retrieved.AsConf()
	require.NoError(t, err)
	return conf
}

func TestGatewayExample(t *testing.T) {
	conf := gatewayExample(t)

	processorCfg := createDefaultConfig()
	sub, err := conf.Sub("processors::tenant")
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(processorCfg))
	require.NoError(t, xconfmap.Validate(processorCfg))

	authCfg := tenantauthextension.NewFactory().CreateDefaultConfig()
	sub, err = conf.Sub("extensions::tenant_auth")
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(authCfg))
	require.NoError(t, xconfmap.Validate(authCfg))

	assert.True(t, authCfg.(*tenantauthextension.Config).DeferClaimRefusals, "spoofed claims get HTTP 403")
	for _, protocol := range []string{"grpc", "http"} {
		assert.Equal(t, "tenant_auth", conf.Get("receivers::otlp::protocols::"+protocol+"::auth::authenticator"), protocol)
	}
	assert.Equal(t, []any{processorCfg.Header}, conf.Get("processors::batch::metadata_keys"))
	for exporter, headersSetter := range map[string]string{
		"otlp_http/loki":          "headers_setter/tenant",
		"prometheus_remote_write": "headers_setter/tenant",
		"otlp_grpc/jaeger":        "headers_setter/jaeger",
	} {
		assert.Equal(t, headersSetter, conf.Get("exporters::"+exporter+"::auth::authenticator"), exporter)
	}
	assert.Nil(t, conf.Get("exporters::prometheus_remote_write::wal"), "the WAL loses the tenant")
	assert.Equal(t, []any{map[string]any{"action": "upsert", "key": "X-Scope-OrgID", "from_context": processorCfg.Header}},
		conf.Get("extensions::headers_setter/tenant::headers"))
	assert.Equal(t, []any{map[string]any{"action": "upsert", "key": "x-tenant", "from_context": processorCfg.Header}},
		conf.Get("extensions::headers_setter/jaeger::headers"))
	for _, pipeline := range []string{"traces", "metrics", "logs"} {
		processors, _ := conf.Get("service::pipelines::" + pipeline + "::processors").([]any)
		assert.Less(t, indexOf(processors, "tenant"), indexOf(processors, "batch"), pipeline)
		assert.GreaterOrEqual(t, indexOf(processors, "tenant"), 0, pipeline)
	}
}

func indexOf(list []any, name string) int {
	for i, v := range list {
		if v == name {
			return i
		}
	}
	return -1
}
