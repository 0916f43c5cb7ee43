// Package tracedecisiontest helps test the components that follow the sampler's decisions: a
// trace_decisions registry whose answers the test sets, and a host that offers it.
package tracedecisiontest

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
)

// Registry answers Fate from Fates (Unknown when absent) and records Retain requests; a
// retention succeeds for a Pending trace. Publish, Subscribe and AttachSampler do nothing.
type Registry struct {
	component.Component // nil: Start and Shutdown are not called by the components under test

	mu       sync.Mutex
	fates    map[pcommon.TraceID]tracedecisionextension.Fate
	retained []pcommon.TraceID
}

var _ tracedecisionextension.Registry = (*Registry)(nil)

// NewRegistry returns a registry with the given fates.
func NewRegistry(fates map[pcommon.TraceID]tracedecisionextension.Fate) *Registry {
	if fates == nil {
		fates = map[pcommon.TraceID]tracedecisionextension.Fate{}
	}
	return &Registry{fates: fates}
}

// Set changes the fate of a trace.
func (r *Registry) Set(id pcommon.TraceID, f tracedecisionextension.Fate) {
	r.mu.Lock()
	r.fates[id] = f
	r.mu.Unlock()
}

// Retained lists the traces retention was asked for, in order.
func (r *Registry) Retained() []pcommon.TraceID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pcommon.TraceID(nil), r.retained...)
}

func (r *Registry) Fate(id pcommon.TraceID) tracedecisionextension.Fate {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fates[id]
}

func (r *Registry) Retain(id pcommon.TraceID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retained = append(r.retained, id)
	return r.fates[id] == tracedecisionextension.Pending
}

func (*Registry) AttachSampler(tracedecisionextension.Sampler)               {}
func (*Registry) Publish(pcommon.TraceID, bool)                              {}
func (*Registry) Subscribe(func(pcommon.TraceID, bool)) (unsubscribe func()) { return func() {} }

// Host offers extensions by ID.
type Host map[component.ID]component.Component

func (h Host) GetExtensions() map[component.ID]component.Component { return h }
