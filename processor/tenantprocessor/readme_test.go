package tenantprocessor

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/tailwise/tailwise/extension/tenantauthextension"
	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/internal/yamlconf"
)

func TestGatewayExample(t *testing.T) {
	conf := configtest.ReadmeExample(t, "gateway-example")

	processorCfg := createDefaultConfig()
	require.NoError(t, configtest.Decode(t, conf, "processors::tenant", processorCfg))
	authCfg := tenantauthextension.NewFactory().CreateDefaultConfig()
	require.NoError(t, configtest.Decode(t, conf, "extensions::tenant_auth", authCfg))

	checkTenancyWiring(t, conf, processorCfg.Header)
}

// TestShippedGatewayIsMultiTenant checks configs/gateway.yaml for the same wiring, alone and
// merged with the remote-write option, as the collector merges --config files.
func TestShippedGatewayIsMultiTenant(t *testing.T) {
	conf, err := yamlconf.Parse(mustRead(t, "../../configs/gateway.yaml"))
	require.NoError(t, err)
	checkTenancyWiring(t, conf, createDefaultConfig().Header)

	t.Run("with remote write", func(t *testing.T) {
		conf, err := yamlconf.Parse(mustRead(t, "../../configs/gateway.yaml"))
		require.NoError(t, err)
		overlay, err := yamlconf.Parse(mustRead(t, "../../configs/gateway-remote-write.yaml"))
		require.NoError(t, err)
		require.NoError(t, conf.Merge(overlay))
		assert.Equal(t, []any{"prometheus_remote_write", "prometheus"}, conf.Get("service::pipelines::metrics::exporters"))
		checkTenancyWiring(t, conf, createDefaultConfig().Header)
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// checkTenancyWiring checks that a gateway configuration authenticates with tenant_auth, keeps
// tenants apart in batches (the batch processor's or the exporters') and sets each backend's
// tenant header, and that every pipeline that batches restores the tenant after the components
// that emit on their own schedule.
func checkTenancyWiring(t *testing.T, conf *confmap.Conf, header string) {
	t.Helper()
	assert.Equal(t, true, conf.Get("extensions::tenant_auth::defer_claim_refusals"), "spoofed claims get HTTP 403")
	for _, protocol := range []string{"grpc", "http"} {
		assert.Equal(t, "tenant_auth", conf.Get("receivers::otlp::protocols::"+protocol+"::auth::authenticator"), protocol)
	}
	if conf.IsSet("processors::batch") {
		assert.Equal(t, []any{header}, conf.Get("processors::batch::metadata_keys"))
	}
	pipelines, _ := conf.Get("service::pipelines").(map[string]any)
	require.NotEmpty(t, pipelines)
	metricsExporters, _ := conf.Get("service::pipelines::metrics::exporters").([]any)
	metricsBackend := "otlp_http/prometheus"
	if indexOf(metricsExporters, "prometheus_remote_write") >= 0 {
		metricsBackend = "prometheus_remote_write"
	}
	for exporter, headersSetter := range map[string]string{
		"otlp_http/loki":   "headers_setter/tenant",
		metricsBackend:     "headers_setter/tenant",
		"otlp_grpc/jaeger": "headers_setter/jaeger",
	} {
		assert.Equal(t, headersSetter, conf.Get("exporters::"+exporter+"::auth::authenticator"), exporter)
	}
	assert.Nil(t, conf.Get("exporters::prometheus_remote_write::wal"), "the WAL loses the tenant")
	exporterBatches := map[string]bool{}
	for _, exporter := range []string{"otlp_http/loki", "otlp_http/prometheus", "otlp_grpc/jaeger"} {
		if conf.IsSet("exporters::" + exporter + "::sending_queue::batch") {
			exporterBatches[exporter] = true
			assert.Equal(t, []any{header}, conf.Get("exporters::"+exporter+"::sending_queue::batch::partition::metadata_keys"),
				"%s: one batch per tenant", exporter)
		}
	}
	assert.Equal(t, []any{map[string]any{"action": "upsert", "key": "X-Scope-OrgID", "from_context": header}},
		conf.Get("extensions::headers_setter/tenant::headers"))
	assert.Equal(t, []any{map[string]any{"action": "upsert", "key": "x-tenant", "from_context": header}},
		conf.Get("extensions::headers_setter/jaeger::headers"))
	for name := range pipelines {
		processors, _ := conf.Get("service::pipelines::" + name + "::processors").([]any)
		receivers, _ := conf.Get("service::pipelines::" + name + "::receivers").([]any)
		exporters, _ := conf.Get("service::pipelines::" + name + "::exporters").([]any)
		lastTenant, lastEmitter := -1, -1
		for i, p := range processors {
			switch id := p.(string); {
			case id == "tenant" || strings.HasPrefix(id, "tenant/"):
				lastTenant = i
			case id == "slo_sampling", id == "trace_decision" && strings.HasPrefix(name, "logs"):
				lastEmitter = i // decided traces, held logs: emitted later, without the request's context
			}
		}
		if indexOf(receivers, "otlp") >= 0 {
			assert.GreaterOrEqual(t, indexOf(processors, "tenant"), 0, "%s: data from clients gets its tenant", name)
		}
		batch := indexOf(processors, "batch")
		if batch < 0 && slices.ContainsFunc(exporters, func(e any) bool { return exporterBatches[e.(string)] }) {
			batch = len(processors) // the exporter batches, after every processor
		}
		if batch >= 0 {
			assert.Less(t, lastTenant, batch, "%s: the tenant is set before batching", name)
			if lastEmitter >= 0 {
				assert.Greater(t, lastTenant, lastEmitter, "%s: the tenant is restored after components that emit on their own schedule", name)
			}
		}
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
