package hostext

import (
	"testing"

	"go.opentelemetry.io/collector/component"
)

type greeter interface{ Greet() string }

type greeterExt struct{ component.Component }

func (greeterExt) Greet() string { return "hello" }

type host map[component.ID]component.Component

func (h host) GetExtensions() map[component.ID]component.Component { return h }

func TestFind(t *testing.T) {
	greeterID := component.MustNewIDWithName("greeter", "a")
	otherID := component.MustNewID("other")
	h := host{greeterID: greeterExt{}, otherID: struct{ component.Component }{}}
	for _, c := range []struct {
		name    string
		id      component.ID
		wantErr string
	}{
		{"found", greeterID, ""},
		{"not configured", component.MustNewID("missing"), `extension "missing" is not configured: add it under extensions and service::extensions`},
		{"another type", otherID, `extension "other" is not a greeter extension: name an extension of type greeter, such as greeter or greeter/NAME`},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := Find[greeter](h, c.id, "greeter")
			switch {
			case c.wantErr == "" && (err != nil || g.Greet() != "hello"):
				t.Fatalf("Find: %v", err)
			case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
				t.Fatalf("error %v, want %q", err, c.wantErr)
			}
		})
	}
}
