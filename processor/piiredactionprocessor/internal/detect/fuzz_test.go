package detect

import (
	"regexp"
	"testing"
)

// Each detector family has a fuzz target; all check that no input panics
// and that results stay inside the text. FuzzScan also checks the order and
// the validators of the scanner's matches.

func fuzzSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add("")
	f.Add("\xff\xfe@\x00")
}

func checkSpan(t *testing.T, s string, start, end int) {
	if end < 0 {
		return
	}
	if start < 0 || start >= end || end > len(s) {
		t.Fatalf("span [%d,%d) outside %q", start, end, s)
	}
}

func FuzzScan(f *testing.F) {
	fuzzSeeds(f, "card 4111 1111 1111 1111 mail a@b.io", "身份证11010519491231002X", "+86 138 1234 5678",
		"Bearer abcdefgh12345678", "https://u:p@h/x?token=1", "DE89370400440532013000", "-----BEGIN PRIVATE KEY-----\n", "2001:db8::1 10.0.0.1",
		"(978)645-9740x11144 fax", "Phone: 785 8949", "+1-743-438-6774 ext. 12", "SpanID: 5172871048023241", "gb82 west 1234 5698 7654 32",
		"550e8400-e29b-41d4-a716-446655440000", "3530 1113 3330 0000")
	opts := DefaultOptions()
	opts.Enabled[IPAddress] = true
	opts.Custom = []CustomRule{{Name: "emp", Pattern: regexp.MustCompile(`EMP-\d{4}`), Validate: Validators["luhn"]}}
	sc, err := NewScanner(opts)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, m := range sc.Scan(s, nil) {
			checkSpan(t, s, m.Start, m.End)
			if m.Start < last {
				t.Fatalf("overlapping or unsorted matches in %q", s)
			}
			last = m.End
			var buf [maxDigits]byte
			d, ok := digitsOf(s[m.Start:m.End], buf[:0])
			if m.Detector == PaymentCard && (!ok || !validCard(d)) {
				t.Fatalf("card %q fails validation", s[m.Start:m.End])
			}
			if m.Detector <= USSSN && m.Detector != Email && m.Detector != CNResidentID && identifierAt(s, m.Start) {
				t.Fatalf("%s %q matched in identifier context", builtinNames[m.Detector], s[m.Start:m.End])
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	fuzzSeeds(f, "a@b.io", "@", "a@.b", "x.@y.com", "a@b.c.")
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if s[i] == '@' {
				start, end := scanEmail(s, i, 0)
				checkSpan(t, s, start, end)
			}
		}
	})
}

func FuzzDigits(f *testing.F) {
	fuzzSeeds(f, "4111111111111111", "123-45-6789", "+8613812345678", "11010519491231002X", "1 2 3 4 5 6 7 8 9 0 1 2", "0.4111111111111111",
		"(85) 5986-8343", "0487 23 46 71 office", "001-748-088-2851x818", "tel 2023-01-30 12:34", "+49 (0) 30 1234567")
	sc, err := NewScanner(DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r digitRun
		var p phoneShape
		for i := 0; i < len(s); i++ {
			if isDigit(s[i]) || s[i] == '+' && i+1 < len(s) && isDigit(s[i+1]) {
				end, _ := sc.scanDigits(s, i, &r, false)
				checkSpan(t, s, i, end)
			}
			if isDigit(s[i]) || s[i] == '+' || s[i] == '(' {
				checkSpan(t, s, i, sc.scanPhone(s, i, &p))
			}
		}
	})
}

func FuzzValidators(f *testing.F) {
	fuzzSeeds(f, "4111111111111111", "DE89370400440532013000", "11010519491231002X", "123456789", "00000000000000000000", "0487234671")
	sc, err := NewScanner(DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range Validators {
			v(s)
		}
		if len(s) >= 17 {
			validCNResidentID([]byte(s[:17]), s[len(s)-1])
		}
		validSSN([]byte(s))
		validCNMobile([]byte(s))
		var buf [maxDigits]byte
		if d, ok := digitsOf(s, buf[:0]); ok && len(d) > 0 {
			cardIssuer(d)
			internationalPhone(d)
			nationalPhone(sc.phoneRegions, d, true)
			nationalPhone(sc.phoneRegions, d, false)
		}
	})
}

func FuzzIBAN(f *testing.F) {
	fuzzSeeds(f, "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "DE89 3704", "ZZ00", "gb50mvfc38361978683032", "gB82 wESt 1234")
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			end, _ := scanIBAN(s, i)
			checkSpan(t, s, i, end)
		}
	})
}

func FuzzTokens(f *testing.F) {
	fuzzSeeds(f, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "Bearer abcdefgh1234", "Basic dXNlcjpw",
		"AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijABCDEFGHIJ012345", "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END")
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			checkSpan(t, s, i, scanJWT(s, i))
			start, end := scanAuthCredential(s, i)
			checkSpan(t, s, start, end)
			checkSpan(t, s, i, scanAPIKey(s, i))
			checkSpan(t, s, i, scanPrivateKey(s, i))
		}
	})
}

func FuzzURL(f *testing.F) {
	fuzzSeeds(f, "https://u:p@h/x", "a=b&token=1", `"password":"x"`, "token: 'abc", "://@")
	sc, err := NewScanner(DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if s[i] == ':' {
				start, end := scanURLUserinfo(s, i)
				checkSpan(t, s, start, end)
			}
			if s[i] == ':' || s[i] == '=' {
				start, end := sc.scanSecretParameter(s, i, 0)
				checkSpan(t, s, start, end)
			}
		}
	})
}

func FuzzIP(f *testing.F) {
	fuzzSeeds(f, "10.0.0.1", "2001:db8::1", "::1", "1.2.3.4.5", "fe80::1%eth0")
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			checkSpan(t, s, i, scanIP(s, i))
		}
	})
}

func FuzzNameMatches(f *testing.F) {
	fuzzSeeds(f, "db.password", "X-Api-Key", "userPassword", "tokens", "TraceID", "x-request-id")
	f.Fuzz(func(t *testing.T, s string) {
		if NameMatches(s, nil) {
			t.Fatal("no secret names, no match")
		}
		NameMatches(s, DefaultSecretNames)
		if !IDName(s) || len(s) > maxKeyLen {
			return
		}
		for i := 0; i < len(s); i++ {
			if !isWord(s[i]) && s[i] != '-' && s[i] != '.' {
				return
			}
		}
		if !identifierAt(s+": 1", len(s)+2) {
			t.Fatalf("value after id name %q not in identifier context", s)
		}
	})
}
