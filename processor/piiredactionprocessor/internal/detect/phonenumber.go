package detect

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegions are the regions whose numbering plans national phone
// numbers are checked against by default (ISO 3166 codes).
var DefaultPhoneRegions = []string{
	"US", "CA", "MX", "BR", "AR", "CL", "CO", "PE",
	"GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "IT", "ES", "PT",
	"DK", "SE", "NO", "FI", "PL", "CZ", "HU", "RO", "GR", "TR", "RU", "UA",
	"IL", "AE", "SA", "EG", "MA", "NG", "KE", "ZA",
	"IN", "PK", "CN", "HK", "TW", "JP", "KR", "SG", "MY", "ID", "PH", "TH", "VN", "AU", "NZ",
}

// DefaultPhoneKeywords are the words that let a short or unseparated number
// count as a phone number.
var DefaultPhoneKeywords = []string{
	"phone", "telephone", "tel", "call", "mobile", "cell", "cellphone", "fax",
	"whatsapp", "contact", "reach me", "reach us", "dial", "sms", "office", "hotline",
}

// phoneRegion is a region's country calling code and national prefix.
type phoneRegion struct {
	code string
	cc   int32
	ndd  string
}

var callingCodes = phonenumbers.GetSupportedCallingCodes()

// newPhoneRegions looks up the numbering plans of the region codes.
func newPhoneRegions(codes []string) ([]phoneRegion, error) {
	supported := phonenumbers.GetSupportedRegions()
	out := make([]phoneRegion, 0, len(codes))
	for _, c := range codes {
		if !supported[c] {
			return nil, fmt.Errorf("unknown phone region %q; use ISO 3166 codes such as US, GB, DE", c)
		}
		out = append(out, phoneRegion{code: c, cc: int32(phonenumbers.GetCountryCodeForRegion(c)), ndd: phonenumbers.GetNddPrefixForRegion(c, true)})
	}
	return out, nil
}

// ValidPhoneRegion reports whether code names a region with a numbering plan.
func ValidPhoneRegion(code string) bool { return phonenumbers.GetSupportedRegions()[code] }

// internationalPhone reports whether d, the digits after '+' or "00", is a
// possible number of a country calling code.
func internationalPhone(d []byte) bool {
	if len(d) == 0 || d[0] == '0' {
		return false
	}
	for l := 1; l <= 3 && l < len(d); l++ {
		cc := prefixInt(d, l)
		if callingCodes[cc] {
			return possibleNumber(int32(cc), d[l:])
		}
	}
	return false
}

// nationalPhone reports whether d, written without a country code, is a
// number of one of the regions: valid by the region's number patterns with
// strict, else of a possible length.
func nationalPhone(regions []phoneRegion, d []byte, strict bool) bool {
	for i := range regions {
		r := &regions[i]
		nat := d
		if r.ndd != "" && len(nat) > len(r.ndd) && string(nat[:len(r.ndd)]) == r.ndd {
			nat = nat[len(r.ndd):]
		}
		if strict {
			if num := phoneNumber(r.cc, nat); num != nil && phonenumbers.IsValidNumberForRegion(num, r.code) {
				return true
			}
		} else if possibleNumber(r.cc, nat) {
			return true
		}
	}
	return false
}

func possibleNumber(cc int32, nat []byte) bool {
	num := phoneNumber(cc, nat)
	if num == nil {
		return false
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.IS_POSSIBLE, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return true
	}
	return false
}

// phoneNumber builds the number of a country calling code and national
// significant digits, keeping leading zeros as the library does.
func phoneNumber(cc int32, nat []byte) *phonenumbers.PhoneNumber {
	if len(nat) < 2 || len(nat) > 17 {
		return nil
	}
	zeros := int32(0)
	for int(zeros) < len(nat)-1 && nat[zeros] == '0' {
		zeros++
	}
	var v uint64
	for _, c := range nat {
		v = v*10 + uint64(c-'0')
	}
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &v}
	if zeros > 0 {
		leading := true
		num.ItalianLeadingZero = &leading
		num.NumberOfLeadingZeros = &zeros
	}
	return num
}
