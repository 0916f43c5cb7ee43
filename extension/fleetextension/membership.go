package fleetextension

import (
	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/internal/hostext"
)

// Membership tells a component how many gateways share the fleet-wide limits.
type Membership interface {
	Size() int                                     // current members, at least 1
	Subscribe(func(size int)) (unsubscribe func()) // called on every change, and once at once
}

// FromHost returns the membership of the fleet extension with the given ID, for the
// components whose config names it (as `fleet: fleet`).
func FromHost(host component.Host, id component.ID) (Membership, error) {
	return hostext.Find[Membership](host, id, "fleet")
}
