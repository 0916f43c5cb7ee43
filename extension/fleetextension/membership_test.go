package fleetextension_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/extension/fleetextension/fleettest"
)

func TestFromHost(t *testing.T) {
	fleetID := component.MustNewID("fleet")
	otherID := component.MustNewIDWithName("fleet", "other")
	decisionsID := component.MustNewID("trace_decisions")
	membership := fleettest.NewMembership(3)
	host := fleettest.Host{fleetID: membership, decisionsID: struct{ component.Component }{}}
	tests := []struct {
		name    string
		id      component.ID
		wantErr string
	}{
		{name: "found", id: fleetID},
		{name: "not configured", id: otherID, wantErr: `extension "fleet/other" is not configured: add it under extensions and service::extensions`},
		{name: "not a fleet extension", id: decisionsID, wantErr: `extension "trace_decisions" is not a fleet extension: name an extension of type fleet, such as fleet or fleet/NAME`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := fleetextension.FromHost(host, tt.id)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 3, m.Size())
		})
	}
}

func TestFactoryCreatesMembership(t *testing.T) {
	cfg := &fleetextension.Config{Static: &fleetextension.StaticConfig{Members: 5}}
	ext, err := fleetextension.NewFactory().Create(context.Background(), extensiontest.NewNopSettings(component.MustNewType("fleet")), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	m, err := fleetextension.FromHost(fleettest.Host{component.MustNewID("fleet"): ext}, component.MustNewID("fleet"))
	require.NoError(t, err)
	assert.Equal(t, 5, m.Size())
}
