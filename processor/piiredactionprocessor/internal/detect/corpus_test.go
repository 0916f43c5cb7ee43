package detect

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The labelled corpus: generated entities of every detector, valid and with
// broken checksums, in Latin and Chinese sentences, plus hard negatives.

// label is an expected match: its text inside the sample and its detector.
type label struct {
	text     string
	detector string
}

type sample struct {
	text   string
	labels []label
}

var (
	latinTemplates = []string{
		"Contact %s for details.",
		"payment from %s failed at 2022-08-22T10:21:33Z",
		`{"customer":"%s","items":3}`,
		"%s",
		"user record updated (%s) by admin",
	}
	chineseTemplates = []string{
		"用户%s已登录",
		"联系方式：%s，请核实。",
		"订单由 %s 支付成功",
		"身份信息%s已提交审核",
	}
)

type generator struct{ rng *rand.Rand }

func newGenerator() *generator { return &generator{rng: rand.New(rand.NewPCG(1, 2))} }

func (g *generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}

func (g *generator) pick(options []string) string { return options[g.rng.IntN(len(options))] }

func (g *generator) alnum(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// embed places an entity in a random Latin or Chinese template.
func (g *generator) embed(entity, detector string) sample {
	tpl := g.pick(latinTemplates)
	if g.rng.IntN(2) == 0 {
		tpl = g.pick(chineseTemplates)
	}
	s := sample{text: fmt.Sprintf(tpl, entity)}
	if detector != "" {
		s.labels = []label{{entity, detector}}
	}
	return s
}

func luhnDigit(body string) byte {
	for c := byte('0'); c <= '9'; c++ {
		if luhn([]byte(body + string(c))) {
			return c
		}
	}
	panic("unreachable")
}

// card returns a card number; broken gives it a wrong check digit.
func (g *generator) card(broken bool) string {
	issuers := []struct {
		prefix string
		length int
	}{{"4", 16}, {"4", 13}, {"51", 16}, {"55", 16}, {"2221", 16}, {"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"62", 16}, {"62", 19}, {"3530", 16}}
	is := issuers[g.rng.IntN(len(issuers))]
	body := is.prefix + g.digits(is.length-len(is.prefix)-1)
	check := luhnDigit(body)
	if broken {
		check = '0' + (check-'0'+1+byte(g.rng.IntN(9)))%10
	}
	n := body + string(check)
	if is.length == 16 {
		switch g.rng.IntN(3) {
		case 1:
			return n[:4] + " " + n[4:8] + " " + n[8:12] + " " + n[12:]
		case 2:
			return n[:4] + "-" + n[4:8] + "-" + n[8:12] + "-" + n[12:]
		}
	}
	return n
}

// iban returns an IBAN; broken changes one digit of the account.
func (g *generator) iban(broken bool) string {
	countries := []string{"DE", "FR", "NL", "ES", "IT", "CH", "BE", "GB", "PL", "SE"}
	cc := g.pick(countries)
	n := ibanLengths[[2]byte{cc[0], cc[1]}]
	bban := g.digits(n - 4)
	if cc == "GB" || cc == "NL" {
		bban = g.alnum(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + bban[4:]
	}
	check := 98 - mod97Remainder(bban+cc+"00")
	iban := fmt.Sprintf("%s%02d%s", cc, check, bban)
	if broken {
		i := len(iban) - 1 - g.rng.IntN(4)
		iban = iban[:i] + string('0'+(iban[i]-'0'+1)%10) + iban[i+1:]
	}
	if g.rng.IntN(2) == 0 {
		var grouped []string
		for i := 0; i < len(iban); i += 4 {
			grouped = append(grouped, iban[i:min(i+4, len(iban))])
		}
		return strings.Join(grouped, " ")
	}
	return iban
}

func mod97Remainder(s string) int {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	return rem
}

// cnID returns a resident ID; broken gives it a wrong check character.
func (g *generator) cnID(broken bool) string {
	regions := []string{"110101", "310104", "440305", "510107", "330106", "420102", "610113"}
	date := fmt.Sprintf("%04d%02d%02d", 1950+g.rng.IntN(60), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	body := g.pick(regions) + date + g.digits(3)
	check := mod112Check([]byte(body))
	if broken {
		check = "10X98765432"[(strings.IndexByte("10X98765432", check)+1+g.rng.IntN(10))%11]
	}
	if check == 'X' && g.rng.IntN(2) == 0 {
		check = 'x'
	}
	return body + string(check)
}

func (g *generator) cnMobile() string {
	n := "1" + string(byte('3'+g.rng.IntN(7))) + g.digits(9)
	switch g.rng.IntN(4) {
	case 1:
		return "+86" + n
	case 2:
		return "+86 " + n[:3] + " " + n[3:7] + " " + n[7:]
	case 3:
		return n[:3] + "-" + n[3:7] + "-" + n[7:]
	}
	return n
}

func (g *generator) phone() string {
	switch g.rng.IntN(4) {
	case 0:
		return "+1 " + string(byte('2'+g.rng.IntN(8))) + g.digits(2) + " " + g.digits(3) + " " + g.digits(4)
	case 1:
		return "+44 20 " + g.digits(4) + " " + g.digits(4)
	case 2:
		return "+49" + g.digits(10)
	}
	return "+33" + string(byte('1'+g.rng.IntN(9))) + g.digits(8)
}

// ssn returns a dashed SSN; broken uses an area that is never assigned.
func (g *generator) ssn(broken bool) string {
	area := 1 + g.rng.IntN(899)
	if area == 666 {
		area = 665
	}
	if broken {
		area = []int{0, 666, 900 + g.rng.IntN(100)}[g.rng.IntN(3)]
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+g.rng.IntN(99), 1+g.rng.IntN(9999))
}

func (g *generator) jwt() string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload := enc.EncodeToString(fmt.Appendf(nil, `{"sub":"%s","iat":%d}`, g.alnum(8, lowerAlnum), 1600000000+g.rng.IntN(1e8)))
	return header + "." + payload + "." + g.alnum(43, mixedAlnum+"-_")
}

func (g *generator) apiKey() string {
	switch g.rng.IntN(5) {
	case 0:
		return "AKIA" + g.alnum(16, upperAlnum)
	case 1:
		return "ghp_" + g.alnum(36, mixedAlnum)
	case 2:
		return "xoxb-" + g.digits(11) + "-" + g.alnum(24, mixedAlnum)
	case 3:
		return "sk_live_" + g.alnum(24, mixedAlnum)
	}
	return "AIza" + g.alnum(35, mixedAlnum+"-_")
}

func (g *generator) uuid() string {
	h := g.alnum(32, "0123456789abcdef")
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// corpus builds n samples of each kind.
func buildCorpus(n int) []sample {
	g := newGenerator()
	var out []sample
	add := func(s sample) { out = append(out, s) }
	for range n {
		add(g.embed(g.pick([]string{"alice", "bob.smith", "x_y+tag", "zhang.wei"})+g.digits(2)+"@"+g.pick([]string{"example.com", "corp.io", "qq.com", "mail.co.uk"}), "email"))
		add(g.embed(g.card(false), "payment_card"))
		add(g.embed(g.iban(false), "iban"))
		add(g.embed(g.cnID(false), "cn_resident_id"))
		add(g.embed(g.cnMobile(), "cn_mobile"))
		add(g.embed(g.phone(), "phone"))
		add(g.embed(g.ssn(false), "us_ssn"))
		ssn := strings.ReplaceAll(g.ssn(false), "-", "")
		add(sample{text: "SSN: " + ssn + " verified", labels: []label{{ssn, "us_ssn"}}})
		add(g.embed(g.jwt(), "jwt"))
		tok := g.alnum(32, mixedAlnum)
		add(sample{text: "retrying with Bearer " + tok, labels: []label{{tok, "auth_credential"}}})
		b64 := base64.StdEncoding.EncodeToString([]byte(g.alnum(6, lowerAlnum) + ":" + g.alnum(10, mixedAlnum)))
		add(sample{text: "header was Basic " + b64 + " from proxy", labels: []label{{b64, "auth_credential"}}})
		add(g.embed(g.apiKey(), "api_key"))
		info := g.alnum(6, lowerAlnum) + ":" + g.alnum(12, mixedAlnum)
		add(sample{text: "connecting to postgres://" + info + "@db-1:5432/app", labels: []label{{info, "url_userinfo"}}})
		secret := g.alnum(20, mixedAlnum)
		around := [][2]string{{"GET /callback?state=1&access_token=", "&x=1"}, {"login password=", " accepted"}, {`{"client_secret":"`, `"}`}}[g.rng.IntN(3)]
		add(sample{text: around[0] + secret + around[1], labels: []label{{secret, "secret_parameter"}}})

		// Broken checksums and unassigned numbers: not personal data.
		add(g.embed(g.card(true), ""))
		add(g.embed(g.iban(true), ""))
		add(g.embed(g.cnID(true), ""))
		add(g.embed(g.ssn(true), ""))
		// Hard negatives.
		add(g.embed("trace_id="+g.alnum(32, "0123456789abcdef")+" span_id="+g.alnum(16, "0123456789abcdef"), ""))
		add(g.embed("TraceID: "+g.digits(32), ""))
		add(g.embed("request "+g.uuid(), ""))
		add(g.embed("ts="+fmt.Sprint(1600000000000+g.rng.Int64N(2e11)), ""))
		add(g.embed("sku "+g.digits(18), ""))
		add(g.embed("uid:"+g.digits(14), ""))
		add(g.embed(fmt.Sprintf("version %d.%d.%d.%d", g.rng.IntN(20), g.rng.IntN(50), g.rng.IntN(10), g.rng.IntN(10)), ""))
		add(g.embed(fmt.Sprintf("latency %d.%s ms, order %s", g.rng.IntN(100), g.digits(16), g.digits(9)), ""))
	}
	return out
}
