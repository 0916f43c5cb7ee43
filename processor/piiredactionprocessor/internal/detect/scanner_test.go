package detect

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type found struct {
	text     string
	detector string
}

func scanAll(t testing.TB, o Options, s string) []found {
	t.Helper()
	sc, err := NewScanner(o)
	require.NoError(t, err)
	var got []found
	for _, m := range sc.Scan(s, nil) {
		got = append(got, found{s[m.Start:m.End], sc.Name(m.Detector)})
	}
	return got
}

func TestScan(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []found
	}{
		{"email", "mail alice.smith+tag@example.co.uk.", []found{{"alice.smith+tag@example.co.uk", "email"}}},
		{"email without tld", "user@localhost", nil},
		{"digits before at-sign are the e-mail", "13812345678@qq.com", []found{{"13812345678@qq.com", "email"}}},
		{"visa", "card 4111111111111111 ok", []found{{"4111111111111111", "payment_card"}}},
		{"visa grouped", "card 4111 1111 1111 1111", []found{{"4111 1111 1111 1111", "payment_card"}}},
		{"amex dashed", "amex 3782-822463-10005", []found{{"3782-822463-10005", "payment_card"}}},
		{"bad luhn", "card 4111111111111112", nil},
		{"card inside a word", "x4111111111111111", nil},
		{"card after decimal point", "0.4111111111111111", nil},
		{"iban", "pay DE89370400440532013000 now", []found{{"DE89370400440532013000", "iban"}}},
		{"iban printed", "GB82 WEST 1234 5698 7654 32", []found{{"GB82 WEST 1234 5698 7654 32", "iban"}}},
		{"iban bad checksum", "DE89370400440532013001", nil},
		{"cn id", "身份证号11010519491231002X，", []found{{"11010519491231002X", "cn_resident_id"}}},
		{"cn id digit check", "id 110101199003074514", []found{{"110101199003074514", "cn_resident_id"}}},
		{"cn id bad date", "id 110101199013074514", nil},
		{"cn mobile", "手机13812345678联系", []found{{"13812345678", "cn_mobile"}}},
		{"cn mobile +86", "tel +86 138 1234 5678", []found{{"+86 138 1234 5678", "cn_mobile"}}},
		{"cn mobile dashed", "138-1234-5678", []found{{"138-1234-5678", "cn_mobile"}}},
		{"e164", "call +14155552671.", []found{{"+14155552671", "phone"}}},
		{"ssn dashed", "ssn 123-45-6789", []found{{"123-45-6789", "us_ssn"}}},
		{"ssn invalid area", "666-45-6789", nil},
		{"ssn bare with keyword", "SSN: 123456789", []found{{"123456789", "us_ssn"}}},
		{"ssn bare without keyword", "order 123456789", nil},
		{"jwt", "t=x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
			[]found{{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"}}},
		{"bearer", "Authorization: Bearer abcdef0123456789", []found{{"Bearer abcdef0123456789", "secret_parameter"}}},
		{"bearer alone", "sent bearer abcdef0123456789xyz", []found{{"abcdef0123456789xyz", "auth_credential"}}},
		{"basic", "Basic dXNlcjpwYXNzd29yZA==", []found{{"dXNlcjpwYXNzd29yZA==", "auth_credential"}}},
		{"aws key", "key AKIAIOSFODNN7EXAMPLE.", []found{{"AKIAIOSFODNN7EXAMPLE", "api_key"}}},
		{"github token", "ghp_0123456789abcdefghijABCDEFGHIJ012345", []found{{"ghp_0123456789abcdefghijABCDEFGHIJ012345", "api_key"}}},
		{"private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- tail",
			[]found{{"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "api_key"}}},
		{"url userinfo", "dsn postgres://admin:s3cr3t@db:5432/app", []found{{"admin:s3cr3t", "url_userinfo"}}},
		{"query secret", "GET /cb?code=1&access_token=abc123&x=1", []found{{"abc123", "secret_parameter"}}},
		{"json secret", `{"password":"hunter2","user":"bob"}`, []found{{"hunter2", "secret_parameter"}}},
		{"trace id", "TraceID: fe3974115b911675d0640788986f80c9 SpanID: 105c0354cf3c8799", nil},
		{"uuid", "id 123e4567-e89b-12d3-a456-426614174000", nil},
		{"epoch ms", "ts 1732165800123", nil},
		{"sku 18 digits", "sku 123456789012345678", nil},
		{"version", "version 10.21.3.4", nil},
		{"uid 14 digits", "uid 20220822123456", nil},
		{"date and time", "2022-08-22 10:21:33.123", nil},
		{"ip off by default", "from 192.168.1.20", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scanAll(t, DefaultOptions(), tt.in))
		})
	}
}

func TestScanOptions(t *testing.T) {
	withIP := DefaultOptions()
	withIP.Enabled[IPAddress] = true
	noEmail := DefaultOptions()
	noEmail.Enabled[Email] = false
	mobileNeedsContext := DefaultOptions()
	mobileNeedsContext.Context[CNMobile] = Context{Keywords: []string{"手机", "mobile"}, Required: true}
	custom := DefaultOptions()
	custom.Custom = []CustomRule{{Name: "order_card", Pattern: regexp.MustCompile(`ORD-\d{16}`), Validate: func(m string) bool { return Validators["luhn"](m) }}}

	tests := []struct {
		name string
		opts Options
		in   string
		want []found
	}{
		{"ipv4", withIP, "from 192.168.1.20.", []found{{"192.168.1.20", "ip_address"}}},
		{"ipv6", withIP, "addr 2001:db8::8a2e:370:7334 x", []found{{"2001:db8::8a2e:370:7334", "ip_address"}}},
		{"time is no ipv6", withIP, "at 10:21:33", nil},
		{"detector off", noEmail, "a@example.com", nil},
		{"context required, present", mobileNeedsContext, "mobile 13812345678", []found{{"13812345678", "cn_mobile"}}},
		{"context required, absent", mobileNeedsContext, "order 13812345678", nil},
		{"custom with validator", custom, "ref ORD-4111111111111111", []found{{"ORD-4111111111111111", "order_card"}}},
		{"custom validator rejects", custom, "ref ORD-4111111111111112", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scanAll(t, tt.opts, tt.in))
		})
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		validator string
		in        string
		want      bool
	}{
		{"luhn", "4111-1111-1111-1111", true},
		{"luhn", "4111-1111-1111-1112", false},
		{"mod97", "de89 3704 0044 0532 0130 00", true},
		{"mod97", "DE89370400440532013001", false},
		{"mod11_2", "11010519491231002X", true},
		{"mod11_2", "110105194912310021", false},
		{"us_ssn", "123-45-6789", true},
		{"us_ssn", "900-45-6789", false},
		{"luhn", "", false},
		{"mod11_2", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.validator+"/"+tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Validators[tt.validator](tt.in))
		})
	}
}

func TestScanDoesNotAllocateOnCleanText(t *testing.T) {
	sc, err := NewScanner(DefaultOptions())
	require.NoError(t, err)
	buf := make([]Match, 0, 8)
	line := "2022-08-22T05:14:57.312Z INFO TraceID: fe3974115b911675d0640788986f80c9 GET /api/v1/products/OLJCESPC7Z?currency=USD took 1732165800123 ms version 10.21.3.4"
	allocs := testing.AllocsPerRun(100, func() { buf = sc.Scan(line, buf) })
	assert.Zero(t, allocs)
	assert.Empty(t, buf)
}

func TestInsertMatchKeepsOrder(t *testing.T) {
	out := []Match{{Start: 0, End: 2}, {Start: 10, End: 12}}
	out = insertMatch(out, Match{Start: 4, End: 6, Detector: 1})
	out = insertMatch(out, Match{Start: 5, End: 11, Detector: 2})
	assert.Equal(t, []Match{{Start: 0, End: 2}, {Start: 4, End: 6, Detector: 1}, {Start: 10, End: 12}}, out)
	out = insertMatch(out, Match{Start: 3, End: 13, Detector: 3})
	assert.Equal(t, []Match{{Start: 0, End: 2}, {Start: 3, End: 13, Detector: 3}}, out)
}

func TestNameMatches(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"password", true},
		{"db.password", true},
		{"http.request.header.authorization", true},
		{"X-Api-Key", true},
		{"userPassword", true},
		{"access_tokens", true},
		{"tokenizer", false},
		{"keyword", false},
		{"passwords_policy", true},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NameMatches(tt.name, []string{"password", "token", "api_key", "authorization"}))
		})
	}
}
