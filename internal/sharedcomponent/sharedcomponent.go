// Package sharedcomponent is a registry of shared components: one instance per component ID,
// for components whose pipelines of several signals must share state (one recording played
// once, one file written).
package sharedcomponent

import (
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Components maps component IDs to their one instance.
type Components[T any] struct {
	mu    sync.Mutex
	items map[component.ID]T
}

// Get returns the instance of id, creating it with create on first use. create gets a function
// that forgets the instance, to call when it shuts down, so that a restarted pipeline creates
// a fresh one.
func (c *Components[T]) Get(id component.ID, create func(forget func()) T) T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.items[id]; ok {
		return v
	}
	if c.items == nil {
		c.items = map[component.ID]T{}
	}
	v := create(func() {
		c.mu.Lock()
		delete(c.items, id)
		c.mu.Unlock()
	})
	c.items[id] = v
	return v
}
