package fleetextension_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/processor/tenantprocessor"
)

// fleetExample returns the gateway configuration of the README's worked example.
func fleetExample(t *testing.T) *confmap.Conf {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, found := strings.Cut(string(readme), "<!-- fleet-example -->\n```yaml\n")
	require.True(t, found, "README.md has the worked example")
	block, _, found := strings.Cut(after, "```")
	require.True(t, found)
	retrieved, err := confmap.NewRetrievedFromYAML([]byte(block))
	require.NoError(t, err)
	conf, err := retrieved.AsConf()
	require.NoError(t, err)
	return conf
}

func TestWorkedExample(t *testing.T) {
	conf := fleetExample(t)

	fleetCfg := fleetextension.NewFactory().CreateDefaultConfig()
	sub, err := conf.Sub("extensions::fleet")
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(fleetCfg))
	require.NoError(t, xconfmap.Validate(fleetCfg))
	assert.Equal(t, "tailwise-gateway-headless.observability.svc.cluster.local", fleetCfg.(*fleetextension.Config).DNS.Hostname)

	tenantCfg := tenantprocessor.NewFactory().CreateDefaultConfig()
	sub, err = conf.Sub("processors::tenant")
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(tenantCfg))
	require.NoError(t, xconfmap.Validate(tenantCfg))
	fleetID := tenantCfg.(*tenantprocessor.Config).Fleet
	require.NotNil(t, fleetID)
	assert.Equal(t, "fleet", fleetID.String())
	assert.Contains(t, conf.Get("service::extensions"), fleetID.String(), "the fleet extension is started")
}
