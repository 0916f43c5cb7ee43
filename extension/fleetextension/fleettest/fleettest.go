// Package fleettest helps test the components that divide fleet-wide limits by the fleet
// size: a membership whose size the test sets, and a host that offers it.
package fleettest

import (
	"sync"

	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/extension/fleetextension"
)

// Membership is a fleet whose size the test changes with Set.
type Membership struct {
	component.Component // nil: Start and Shutdown are not called by the components under test

	mu          sync.Mutex
	size        int
	subscribers map[int]func(int)
	nextID      int
}

var _ fleetextension.Membership = (*Membership)(nil)

// NewMembership returns a fleet of the given size.
func NewMembership(size int) *Membership {
	return &Membership{size: size, subscribers: make(map[int]func(int))}
}

// Size returns the size last set.
func (m *Membership) Size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

// Subscribe calls fn with the current size and with each size set after.
func (m *Membership) Subscribe(fn func(int)) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.nextID
	m.nextID++
	m.subscribers[id] = fn
	fn(m.size)
	return func() {
		m.mu.Lock()
		delete(m.subscribers, id)
		m.mu.Unlock()
	}
}

// Subscribers returns how many subscribers have not unsubscribed.
func (m *Membership) Subscribers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.subscribers)
}

// Set changes the size and notifies the subscribers when it differs.
func (m *Membership) Set(size int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if size == m.size {
		return
	}
	m.size = size
	for _, fn := range m.subscribers {
		fn(size)
	}
}

// Host offers extensions by ID.
type Host map[component.ID]component.Component

// GetExtensions returns the extensions of the host.
func (h Host) GetExtensions() map[component.ID]component.Component { return h }

var _ component.Host = Host(nil)
