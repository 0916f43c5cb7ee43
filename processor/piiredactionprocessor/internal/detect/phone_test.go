package detect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanPhones(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the phone found, "" for none
	}{
		// International prefixes need a length the country uses.
		{"e164", "call +14155552671.", "+14155552671"},
		{"plus grouped", "ring +44 20 7946 0958 now", "+44 20 7946 0958"},
		{"plus dashed with extension", "+1-743-438-6774x62406", "+1-743-438-6774x62406"},
		{"plus with trunk in parentheses", "+49 (0) 30 1234567", "+49 (0) 30 1234567"},
		{"00 prefix", "0044 20 7946 0958", "0044 20 7946 0958"},
		{"001 prefix", "001-748-088-2851 is mine", "001-748-088-2851"},
		{"plus too short", "+1234567", ""},
		{"plus unknown country code", "+999 1234 5678", ""},
		// Strong national forms stand alone.
		{"nanp dashed", "or 415-555-2671.", "415-555-2671"},
		{"nanp dotted with extension", "833.719.3994x1887", "833.719.3994x1887"},
		{"nanp parentheses with extension", "(978)645-9740x11144", "(978)645-9740x11144"},
		{"extension word", "415 555 2671 ext. 12", "415 555 2671 ext. 12"},
		{"area code in parentheses", "(85) 5986-8343", "(85) 5986-8343"},
		{"trunk prefix grouped", "try 0487 23 46 71", "0487 23 46 71"},
		{"trunk prefix dashed", "06-24312407", "06-24312407"},
		{"french dotted pairs", "02.27.96.63.08", "02.27.96.63.08"},
		// Short and unseparated forms need a keyword before or a label after.
		{"seven digits after keyword", "Phone: 785 8949", "785 8949"},
		{"eight digits after call", "you can call 9469 9966", "9469 9966"},
		{"pairs after keyword", "call 33 93 31", "33 93 31"},
		{"unseparated after fax", "fax\n2813882583", "2813882583"},
		{"label after", "9885 1152 office", "9885 1152"},
		{"seven digits without keyword", "not answering at 785 8949", ""},
		{"unseparated without keyword", "order 2813882583 shipped", ""},
		{"keyword inside a word", "hotel 785 8949", ""},
		// Negatives: timestamps, dates, versions, prices, ports, durations, ids.
		{"date and time", "call at 2023-01-30 12:34:56", ""},
		{"day month year", "phone 30.01.2023", ""},
		{"date slashes", "phone 01/30/2023", ""},
		{"epoch seconds", "tel ts 1675036800", ""},
		{"version", "phone app 10.21.3.4", ""},
		{"ipv4", "call 192.168.100.200", ""},
		{"price with thousands", "total 1 234 567.89 EUR", ""},
		{"thousands dots", "contact 12.345.678", ""},
		{"port", "phone db:5432 10.0.0.1:8080", ""},
		{"duration", "call took 1234567 ms", ""},
		{"duration unit attached", "call took 1234567ms", ""},
		{"path", "GET /phone/0487234671", ""},
		{"ssn form", "contact 921-82-7901", ""},
		{"id key", "contact_id: 0487 23 46 71", ""},
		{"span id", "SpanID: 4155552671 call", ""},
		{"uuid", "call 550e8400-e29b-41d4-a716-446655440000", ""},
		{"uuid digits", "call 12345678-1234-1234-1234-123456789012", ""},
		{"rest of a longer number", "1234 0487 23 46 71", ""},
		{"too many digits", "phone 1234 5678 9012 3456 78", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			for _, f := range scanAll(t, DefaultOptions(), tt.in) {
				if f.detector == "phone" {
					got = f.text
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPhoneOptions(t *testing.T) {
	usOnly := DefaultOptions()
	usOnly.PhoneRegions = []string{"US"}
	assert.Empty(t, scanAll(t, usOnly, "try 0487 23 46 71"), "a Belgian number is not valid in the US")
	assert.Equal(t, []found{{"415-555-2671", "phone"}}, scanAll(t, usOnly, "or 415-555-2671"))

	keywords := DefaultOptions()
	keywords.Context[Phone].Keywords = []string{"handy"}
	assert.Equal(t, []found{{"785 8949", "phone"}}, scanAll(t, keywords, "Handy: 785 8949"))
	assert.Empty(t, scanAll(t, keywords, "Phone: 785 8949"))

	required := DefaultOptions()
	required.Context[Phone].Required = true
	assert.Empty(t, scanAll(t, required, "or 415-555-2671"))
	assert.Equal(t, []found{{"415-555-2671", "phone"}}, scanAll(t, required, "tel 415-555-2671"))

	_, err := NewScanner(Options{PhoneRegions: []string{"XX"}})
	require.ErrorContains(t, err, `unknown phone region "XX"`)
}

func TestIDName(t *testing.T) {
	for name, want := range map[string]bool{
		"TraceID": true, "trace_id": true, "spanId": true, "x-request-id": true, "userIds": true,
		"traceparent": true, "uuid": true, "ID": true, "uid": true,
		"paid": false, "valid": false, "phone": false, "android": false, "": false,
	} {
		assert.Equal(t, want, IDName(name), name)
	}
}
