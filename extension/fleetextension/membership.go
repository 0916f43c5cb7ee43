package fleetextension

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
)

// Membership tells a component how many gateways share the fleet-wide limits.
type Membership interface {
	Size() int                                     // current members, at least 1
	Subscribe(func(size int)) (unsubscribe func()) // called on every change, and once at once
}

// FromHost returns the membership of the fleet extension with the given ID, for the
// components whose config names it (as `fleet: fleet`).
func FromHost(host component.Host, id component.ID) (Membership, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("extension %q is not configured: add it under extensions and service::extensions", id)
	}
	m, ok := ext.(Membership)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a fleet extension: name an extension of type fleet, such as fleet or fleet/gateways", id)
	}
	return m, nil
}
