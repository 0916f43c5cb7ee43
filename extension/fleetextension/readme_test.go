package fleetextension_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/processor/tenantprocessor"
)

func TestWorkedExample(t *testing.T) {
	conf := configtest.ReadmeExample(t, "fleet-example")

	fleetCfg := fleetextension.NewFactory().CreateDefaultConfig()
	require.NoError(t, configtest.Decode(t, conf, "extensions::fleet", fleetCfg))
	assert.Equal(t, "tailwise-gateway-headless.observability.svc.cluster.local", fleetCfg.(*fleetextension.Config).DNS.Hostname)

	tenantCfg := tenantprocessor.NewFactory().CreateDefaultConfig()
	require.NoError(t, configtest.Decode(t, conf, "processors::tenant", tenantCfg))
	fleetID := tenantCfg.(*tenantprocessor.Config).Fleet
	require.NotNil(t, fleetID)
	assert.Equal(t, "fleet", fleetID.String())
	assert.Contains(t, conf.Get("service::extensions"), fleetID.String(), "the fleet extension is started")
}
