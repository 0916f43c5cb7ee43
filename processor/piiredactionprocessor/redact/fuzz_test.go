package redact

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/internal/yamlconf"
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

// FuzzTenantLogs redacts a batch of two resources of arbitrary tenants with
// per-tenant settings. Each resource must come out exactly as the
// tenant's effective settings alone redact it.
func FuzzTenantLogs(f *testing.F) {
	for _, s := range [][3]string{
		{"team-a", "team-b", "card 4111 1111 1111 1111 from 10.1.2.3 by ann@team-b.example.com, badge B1234"},
		{"team-b", "", `password=hunter2 4111111111111111`},
		{"team-c", "team-a", "+8613812345678 at 192.168.0.1"},
		{"", "", ""},
		{"ann@corp.io", "team-a\x00", "\xff B9999"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	cfg := DefaultConfig()
	twoTeams(&cfg)
	r := newRedactor(f, func(c *Config) { *c = cfg })
	alone := map[string]*Redactor{}
	for _, id := range []string{"", "team-a", "team-b"} {
		effective := cfg.ForTenant(id)
		alone[id] = newRedactor(f, func(c *Config) { *c = effective })
	}
	var marshaler plog.JSONMarshaler
	f.Fuzz(func(t *testing.T, tenantA, tenantB, text string) {
		ld, want := plog.NewLogs(), plog.NewLogs()
		for _, tenant := range []string{tenantA, tenantB} {
			appendTenantRecord(ld, tenant, text)
			single := plog.NewLogs()
			appendTenantRecord(single, tenant, text)
			ref, ok := alone[tenant]
			if !ok {
				ref = alone[""]
			}
			ref.Logs(single)
			single.ResourceLogs().At(0).CopyTo(want.ResourceLogs().AppendEmpty())
		}
		r.Logs(ld)
		got, err := marshaler.MarshalLogs(ld)
		if err != nil {
			t.Fatal(err)
		}
		expected, err := marshaler.MarshalLogs(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(expected) {
			t.Fatalf("per-tenant redaction differs from the tenant's settings alone:\n got %s\nwant %s", got, expected)
		}
	})
}

// appendTenantRecord appends a resource of the tenant ("" for none) with one
// record holding text in its body and in an attribute.
func appendTenantRecord(ld plog.Logs, tenant, text string) {
	rl := ld.ResourceLogs().AppendEmpty()
	if tenant != "" {
		rl.Resource().Attributes().PutStr("tenant.id", tenant)
	}
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(text)
	lr.Attributes().PutStr("detail", text)
}

// FuzzConfig: any YAML fails to decode or validate with an error, or gives settings, every
// tenant's included, that build a redactor: never a panic.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("detectors: {ip_address: {enabled: true}}\ntenants: {team-a: {default_action: drop, detectors: {payment_card: {action: partial}}}}"))
	f.Add([]byte("tenants: {team-b: {allowed_values: ['.*@b\\.example'], custom_rules: [{name: badge, pattern: 'B\\d{4}'}]}, team-c: }"))
	f.Add([]byte("tenants: {team-a: {pseudonym: {key_env: X}}}"))
	f.Add([]byte("tenants: [a, b]"))
	f.Fuzz(func(t *testing.T, yaml []byte) {
		cfg := DefaultConfig()
		if yamlconf.Decode(yaml, &cfg) != nil || cfg.Validate() != nil {
			return
		}
		if _, err := New(cfg); err != nil {
			t.Fatalf("valid settings refused: %v", err)
		}
	})
}
