package detect

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCardIssuer(t *testing.T) {
	tests := []struct {
		name   string
		number string
		want   Issuer
	}{
		{"visa 16", "4111111111111111", Visa},
		{"visa 13", "4222222222222", Visa},
		{"visa 14 is no visa length", "41111111111114", NoIssuer},
		{"mastercard 51-55", "5555555555554444", Mastercard},
		{"mastercard 2-series", "2221000000000009", Mastercard},
		{"mastercard 15 digits", "555555555555557", NoIssuer},
		{"amex 34", "340000000000009", Amex},
		{"amex 37", "371449635398431", Amex},
		{"amex 16 digits", "3714496353984310", NoIssuer},
		{"discover 6011", "6011000000000004", Discover},
		{"discover 65", "6500000000000002", Discover},
		{"discover co-branded 622126", "6221260000000000", Discover},
		{"jcb 16", "3530111333300000", JCB},
		{"jcb 15 1800", "180012345678905", JCB},
		{"jcb 15 2131", "213112345678904", JCB},
		{"jcb 1800 at 16", "1800123456789014", NoIssuer},
		{"diners 14 300-305", "30000000000004", DinersClub},
		{"diners 14 36", "36227206271667", DinersClub},
		{"diners 14 38", "38000000000006", DinersClub},
		{"diners 306 is outside", "30600000000008", NoIssuer},
		{"maestro 12", "500000000009", Maestro},
		{"maestro 19", "6767700000000000001", Maestro},
		{"unionpay 16", "6212345678901232", UnionPay},
		{"unionpay 19", "6212345678901234569", UnionPay},
		{"mir", "2200123456789019", Mir},
		{"rupay 60", "6080123456789015", RuPay},
		{"rupay 81", "8100123456789017", RuPay},
		{"bad luhn", "4111111111111112", NoIssuer},
		{"unknown prefix", "9111111111111119", NoIssuer},
		{"too short", "50000000009", NoIssuer},
		{"too long", "41111111111111111110", NoIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cardIssuer([]byte(tt.number)))
		})
	}
}

func TestScanCards(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []found
	}{
		{"jcb grouped", "card 3530 1113 3330 0000", []found{{"3530 1113 3330 0000", "payment_card"}}},
		{"diners 4-6-4", "card 3622-720627-1667.", []found{{"3622-720627-1667", "payment_card"}}},
		{"maestro 12", "maestro 500000000009", []found{{"500000000009", "payment_card"}}},
		{"unionpay 19 grouped", "6212 3456 7890 1234 569", []found{{"6212 3456 7890 1234 569", "payment_card"}}},
		{"mir", "Mir 2200 1234 5678 9019", []found{{"2200 1234 5678 9019", "payment_card"}}},
		{"18 digits grouped", "card 6212 3456 7890 1234 56", nil},
		{"18 digits unseparated", "sku 621234567890123456", nil},
		{"second half of a longer number", "ref 6011 6632 0408 6933", nil},
		{"span id after SpanID", "TraceID: 4bf92f3577b34da6a3ce929d0e0e4736 SpanID: 5172871048023241", nil},
		{"span id with a valid IBAN shape after SpanID", "TraceID: e3ec7d6459b9d957aeca3ca1c203b87b SpanID: be276e3291b0a9b5 Servlet", nil},
		{"iban in an id-named key's value", `{"accountId":"DE89370400440532013000"}`, nil},
		{"span_id=", "span_id=5172871048023241 ok", nil},
		{"json key named like an id", `{"orderId":"4111111111111111"}`, nil},
		{"traceparent", "traceparent: 00-4111111111111111-4111111111111111-01", nil},
		{"uuid", "req 41111111-1111-1111-1111-111111111111 done", nil},
		{"hex run", "0x4111111111111111", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scanAll(t, DefaultOptions(), tt.in))
		})
	}
}

func TestCardIssuerOfAMatchedValue(t *testing.T) {
	tests := []struct {
		value string
		want  Issuer
	}{
		{"4111 1111 1111 1111", Visa},
		{"5555-5555-5555-4444", Mastercard},
		{"3782 822463 10005", Amex},
		{"3530111333300000", JCB},
		{"6200000000000005", UnionPay},
		{"2200 0000 0000 0004", Mir},
		{"4111 1111 1111 1112", NoIssuer},           // Luhn fails
		{"4111 1111 1111 1111 1111 1111", NoIssuer}, // too long
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CardIssuer(tt.value), tt.value)
		assert.Equal(t, issuerNames[tt.want], tt.want.String())
	}
}
