package tracedecisionextension

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Fate is what became of a trace, as far as the sampler remembers.
type Fate int8

const (
	// Unknown: the sampler has not seen the trace, has forgotten it, or is not attached.
	Unknown Fate = iota
	// Pending: the sampler is still buffering the trace.
	Pending
	// Kept: the sampler kept the trace.
	Kept
	// Dropped: the sampler dropped the trace.
	Dropped
)

func (f Fate) String() string {
	switch f {
	case Pending:
		return "pending"
	case Kept:
		return "kept"
	case Dropped:
		return "dropped"
	}
	return "unknown"
}

// Sampler is what the tail sampler offers the other components. Its methods are safe for
// concurrent use.
type Sampler interface {
	// Fate tells what became of a trace: pending while buffered, then kept or dropped for as
	// long as the sampler remembers its decision.
	Fate(id pcommon.TraceID) Fate
	// Retain makes a buffered trace kept when it is decided; false when it is not buffered.
	Retain(id pcommon.TraceID) bool
}

// Registry is the meeting point of the sampler and the components that follow its decisions.
// It is safe for concurrent use.
type Registry interface {
	Sampler
	// AttachSampler connects the sampler; until then Fate answers Unknown and Retain false.
	AttachSampler(s Sampler)
	// Publish announces a decision to the subscribers; the sampler calls it once per trace.
	Publish(id pcommon.TraceID, kept bool)
	// Subscribe calls fn, on the publisher's goroutine, for every decision published from now
	// on; fn must not block. The returned function unsubscribes.
	Subscribe(fn func(id pcommon.TraceID, kept bool)) (unsubscribe func())
}

type registry struct {
	mu      sync.RWMutex
	sampler Sampler
	subs    map[int]func(pcommon.TraceID, bool)
	nextSub int
	observe observer
}

// observer counts lookups and publications for self-telemetry.
type observer interface {
	looked(Fate)
	published(kept bool)
}

func newRegistry(o observer) *registry {
	return &registry{subs: map[int]func(pcommon.TraceID, bool){}, observe: o}
}

func (r *registry) Fate(id pcommon.TraceID) Fate {
	r.mu.RLock()
	s := r.sampler
	r.mu.RUnlock()
	fate := Unknown
	if s != nil {
		fate = s.Fate(id)
	}
	r.observe.looked(fate)
	return fate
}

func (r *registry) Retain(id pcommon.TraceID) bool {
	r.mu.RLock()
	s := r.sampler
	r.mu.RUnlock()
	return s != nil && s.Retain(id)
}

func (r *registry) AttachSampler(s Sampler) {
	r.mu.Lock()
	r.sampler = s
	r.mu.Unlock()
}

func (r *registry) Publish(id pcommon.TraceID, kept bool) {
	r.mu.RLock()
	for _, fn := range r.subs {
		fn(id, kept)
	}
	r.mu.RUnlock()
	r.observe.published(kept)
}

func (r *registry) Subscribe(fn func(pcommon.TraceID, bool)) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.nextSub
	r.nextSub++
	r.subs[n] = fn
	return func() {
		r.mu.Lock()
		delete(r.subs, n)
		r.mu.Unlock()
	}
}
