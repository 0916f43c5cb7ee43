package tracedecisionextension

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/extension/tracedecisionextension/internal/metadata"
)

type fakeSampler struct {
	fates    map[pcommon.TraceID]Fate
	retained []pcommon.TraceID
}

func (s *fakeSampler) Fate(id pcommon.TraceID) Fate { return s.fates[id] }
func (s *fakeSampler) Retain(id pcommon.TraceID) bool {
	if s.fates[id] != Pending {
		return false
	}
	s.retained = append(s.retained, id)
	return true
}

func newTestRegistry(t *testing.T) Registry {
	t.Helper()
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), &Config{})
	if err != nil {
		t.Fatal(err)
	}
	return ext.(Registry)
}

func TestFateAndRetainGoToTheAttachedSampler(t *testing.T) {
	r := newTestRegistry(t)
	a, b, c := pcommon.TraceID{1}, pcommon.TraceID{2}, pcommon.TraceID{3}
	if r.Fate(a) != Unknown || r.Retain(a) {
		t.Fatal("without a sampler, every trace must be unknown and not retainable")
	}
	s := &fakeSampler{fates: map[pcommon.TraceID]Fate{a: Pending, b: Kept, c: Dropped}}
	r.AttachSampler(s)
	for id, want := range map[pcommon.TraceID]Fate{a: Pending, b: Kept, c: Dropped, {4}: Unknown} {
		if got := r.Fate(id); got != want {
			t.Errorf("Fate(%v) = %v, want %v", id, got, want)
		}
	}
	if !r.Retain(a) || r.Retain(c) || len(s.retained) != 1 {
		t.Errorf("Retain: pending trace must be retained, decided one not; sampler saw %v", s.retained)
	}
}

func TestSubscribersSeeEveryDecisionUntilTheyUnsubscribe(t *testing.T) {
	r := newTestRegistry(t)
	var seen []string
	unsubscribe := r.Subscribe(func(id pcommon.TraceID, kept bool) {
		seen = append(seen, id.String()[:2]+map[bool]string{true: "+", false: "-"}[kept])
	})
	r.Publish(pcommon.TraceID{1}, true)
	r.Publish(pcommon.TraceID{2}, false)
	unsubscribe()
	r.Publish(pcommon.TraceID{3}, true)
	if got := strings.Join(seen, " "); got != "01+ 02-" {
		t.Errorf("subscriber saw %q, want %q", got, "01+ 02-")
	}
}

type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

func TestFind(t *testing.T) {
	id := component.NewID(metadata.Type)
	r := newTestRegistry(t)
	if got, err := Find(hostWith{id: r.(component.Component)}, id); err != nil || got != r {
		t.Fatalf("Find: %v, %v", got, err)
	}
	if _, err := Find(componenttest.NewNopHost(), id); err == nil || !strings.Contains(err.Error(), "is not configured") {
		t.Errorf("missing extension: %v", err)
	}
	other := component.MustNewID("health_check")
	if _, err := Find(hostWith{other: struct{ component.Component }{}}, other); err == nil || !strings.Contains(err.Error(), "is not a trace_decisions") {
		t.Errorf("wrong extension: %v", err)
	}
}
