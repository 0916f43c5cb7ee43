package redact

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// FuzzLogBody walks arbitrary log bodies: JSON objects and arrays become
// maps and slices, anything else a string. Redaction must not panic and
// must keep every value's type; maps may only lose dropped keys.
func FuzzLogBody(f *testing.F) {
	for _, s := range []string{
		`{"user":{"email":"a@b.io","cards":["4111111111111111",1,true]},"password":"x"}`,
		`["+8613812345678",{"k":null},2.5]`,
		"plain text 123-45-6789",
		`{"":{"":[[[]]]}}`,
		"\xff\xfe",
	} {
		f.Add(s)
	}
	r := newRedactor(f, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"email": {Action: ActionDrop}, "payment_card": {Action: ActionPartial}}
	})
	f.Fuzz(func(t *testing.T, in string) {
		ld := plog.NewLogs()
		body := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body()
		var raw any
		if json.Unmarshal([]byte(in), &raw) != nil || body.FromRaw(raw) != nil {
			body.SetStr(in)
		}
		before := pcommon.NewValueEmpty()
		body.CopyTo(before)
		r.Logs(ld)
		sameShape(t, before, body)
	})
}

// sameShape checks that two values have the same types, maps only losing
// dropped keys.
func sameShape(t *testing.T, before, after pcommon.Value) {
	if before.Type() != after.Type() {
		t.Fatalf("type changed from %s to %s", before.Type(), after.Type())
	}
	switch before.Type() {
	case pcommon.ValueTypeMap:
		for k, av := range after.Map().All() {
			bv, ok := before.Map().Get(k)
			if !ok {
				t.Fatalf("key %q appeared", k)
			}
			sameShape(t, bv, av)
		}
	case pcommon.ValueTypeSlice:
		if before.Slice().Len() != after.Slice().Len() {
			t.Fatal("slice length changed")
		}
		for i := 0; i < before.Slice().Len(); i++ {
			sameShape(t, before.Slice().At(i), after.Slice().At(i))
		}
	}
}
