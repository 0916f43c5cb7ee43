// Package hostext finds a component's extension in the collector's host by its ID and checks
// that it offers the interface the component needs.
package hostext // import "github.com/tailwise/tailwise/internal/hostext"

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
)

// Find returns extension id of host as T, the interface extensions of type kind implement.
// The errors say what to configure.
func Find[T any](host component.Host, id component.ID, kind string) (T, error) {
	var zero T
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return zero, fmt.Errorf("extension %q is not configured: add it under extensions and service::extensions", id)
	}
	t, ok := ext.(T)
	if !ok {
		return zero, fmt.Errorf("extension %q is not a %s extension: name an extension of type %s, such as %s or %s/NAME", id, kind, kind, kind, kind)
	}
	return t, nil
}
