//go:generate mdatagen metadata.yaml

// Package fleetextension tells the components of a gateway how many gateways share the
// fleet-wide limits, so that each enforces its share: the limit divided by the fleet size.
package fleetextension
