package piiredactionprocessor

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"
)

// The benchmarks run this processor (every detector on, including
// ip_address) and contrib's redaction processor (allow_all_keys, blocked
// values with equivalent patterns, the same secret keys) on the same
// batches, in the same run:
//   go test -run '^$' -bench . -benchmem -count 6 ./processor/piiredactionprocessor/ | benchstat -col /impl -

// contribPatterns are regular expressions for the values this processor detects.
var contribPatterns = []string{
	`[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}`,              // e-mail
	`\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b`,                     // payment card
	`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b`, // IBAN
	`\b\d{17}[\dXx]\b`, // China resident ID
	`(?:\+86[ -]?)?\b1[3-9]\d[ -]?\d{4}[ -]?\d{4}\b`,                  // China mobile
	`\+[1-9]\d{0,2}[ -]?\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}`,              // E.164
	`\b\d{3}-\d{2}-\d{4}\b`,                                           // US SSN
	`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                                     // IPv4
	`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,            // JWT
	`(?i)\b(?:bearer|basic) [A-Za-z0-9._~+/=-]{8,}`,                   // bearer/basic credentials
	`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,                                   // AWS access key ID
	`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,                                  // GitHub token
	`://[^/\s:@]+:[^/\s@]+@`,                                          // URL user-info
	`(?i)(?:password|passwd|pwd|secret|token|api_key|apikey)=[^&\s]+`, // secret parameters
}

const secretKeyPattern = `(?i)(password|passwd|pwd|secret|token|authorization|cookie|api_key|apikey|access_key|private_key|credential|session_id|signature|cvv|cvc)`

func ourFactory() (processor.Factory, component.Config) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Detectors = map[string]redact.DetectorConfig{"ip_address": {Enabled: ptr(true)}}
	return f, cfg
}

func contribFactory() (processor.Factory, component.Config) {
	f := redactionprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	cfg.BlockedValues = contribPatterns
	cfg.BlockedKeyPatterns = []string{secretKeyPattern}
	cfg.Summary = "silent"
	return f, cfg
}

var (
	cleanValues = []string{
		"GET",
		"https://shop.example/api/v1/products/OLJCESPC7Z?currency=USD",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"SELECT id, name, price FROM products WHERE category = ? LIMIT 50",
		"123e4567-e89b-12d3-a456-426614174000",
		"sku 123456789012345678 qty 3",
		"frontend version 1.76.0",
		"1732165800123",
		"trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
		"cart checkout completed for user 20220822123456 in 182 ms",
	}
	pii = []string{
		"customer alice.smith@corp.io placed an order",
		"charged card 4111 1111 1111 1111 for 12.50 USD",
		"callback to +8613812345678 scheduled",
	}
)

// spanBatch returns 100 traces of 10 spans with 10 string attributes each;
// with laden, 3 of the 10 attributes hold personal data.
func spanBatch(laden bool) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for tr := range 100 {
		for s := range 10 {
			span := spans.AppendEmpty()
			span.SetName("oteldemo.CheckoutService/PlaceOrder")
			span.SetTraceID([16]byte{byte(tr), 1})
			span.SetSpanID([8]byte{byte(s), 1})
			for a, v := range cleanValues {
				if laden && a < len(pii) {
					v = pii[a]
				}
				span.Attributes().PutStr(fmt.Sprintf("attr.%d", a), v)
			}
		}
	}
	return td
}

// logBatch returns 1,000 log records with a body and 3 string attributes;
// with laden, the body and one attribute hold personal data.
func logBatch(laden bool) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range 1000 {
		lr := records.AppendEmpty()
		body := "TraceID: fe3974115b911675d0640788986f80c9 SpanID: 105c0354cf3c8799 Request complete in 182 ms, version 1.76.0"
		user := "user 20220822123456"
		if laden {
			body = "TraceID: fe3974115b911675d0640788986f80c9 SpanID: 105c0354cf3c8799 Order confirmation email sent to \"someone@example.com\""
			user = "card 4432-8015-6152-0454"
		}
		lr.Body().SetStr(body)
		lr.Attributes().PutStr("log.iostream", "stdout")
		lr.Attributes().PutStr("http.target", fmt.Sprintf("/api/v1/cart/%d?currency=USD", i))
		lr.Attributes().PutStr("detail", user)
	}
	return ld
}

var impls = []struct {
	name    string
	factory func() (processor.Factory, component.Config)
}{{"pii_redaction", ourFactory}, {"redaction", contribFactory}}

func BenchmarkTraces(b *testing.B) {
	for _, laden := range []bool{false, true} {
		src := spanBatch(laden)
		for _, impl := range impls {
			b.Run(fmt.Sprintf("data=%s/impl=%s", dataName(laden), impl.name), func(b *testing.B) {
				f, cfg := impl.factory()
				p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
				require.NoError(b, err)
				var td ptrace.Traces
				runBatches(b, src.SpanCount(), "span",
					func() { td = ptrace.NewTraces(); src.CopyTo(td) },
					func() error { return p.ConsumeTraces(context.Background(), td) })
			})
		}
	}
}

func BenchmarkLogs(b *testing.B) {
	for _, laden := range []bool{false, true} {
		src := logBatch(laden)
		for _, impl := range impls {
			b.Run(fmt.Sprintf("data=%s/impl=%s", dataName(laden), impl.name), func(b *testing.B) {
				f, cfg := impl.factory()
				p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
				require.NoError(b, err)
				var ld plog.Logs
				runBatches(b, src.LogRecordCount(), "record",
					func() { ld = plog.NewLogs(); src.CopyTo(ld) },
					func() error { return p.ConsumeLogs(context.Background(), ld) })
			})
		}
	}
}

// tenantLogBatch returns logBatch(true)'s 1,000 records in 4 resources of
// 250: tenants team-a, team-b, team-c (not configured) and none.
func tenantLogBatch() plog.Logs {
	src := logBatch(true).ResourceLogs().At(0)
	ld := plog.NewLogs()
	for _, tenant := range []string{"team-a", "team-b", "team-c", ""} {
		rl := ld.ResourceLogs().AppendEmpty()
		src.Resource().CopyTo(rl.Resource())
		if tenant != "" {
			rl.Resource().Attributes().PutStr("tenant.id", tenant)
		}
		records := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := range 250 {
			src.ScopeLogs().At(0).LogRecords().At(i).CopyTo(records.AppendEmpty())
		}
	}
	return ld
}

// ourTenantFactory is ourFactory with settings for two tenants.
func ourTenantFactory() (processor.Factory, component.Config) {
	f, cfg := ourFactory()
	setTenants(cfg.(*Config), `
tenants:
  team-a: {default_action: drop, detectors: {payment_card: {action: partial}}}
  team-b: {allowed_values: ['.+@example\.com'], detectors: {ip_address: {enabled: false}}}
`)
	return f, cfg
}

// BenchmarkTenantLogs runs a PII-laden batch of four tenants through this
// processor with settings for two of them, and through contrib's processor,
// which has one set of settings for all.
func BenchmarkTenantLogs(b *testing.B) {
	src := tenantLogBatch()
	for _, impl := range []struct {
		name    string
		factory func() (processor.Factory, component.Config)
	}{{"pii_redaction", ourTenantFactory}, {"redaction", contribFactory}} {
		b.Run("data=tenants/impl="+impl.name, func(b *testing.B) {
			f, cfg := impl.factory()
			p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
			require.NoError(b, err)
			var ld plog.Logs
			runBatches(b, src.LogRecordCount(), "record",
				func() { ld = plog.NewLogs(); src.CopyTo(ld) },
				func() error { return p.ConsumeLogs(context.Background(), ld) })
		})
	}
}

// runBatches times process on fresh copies of a batch of n items (prepare
// makes the copy, untimed) and reports items per second and allocations per item.
func runBatches(b *testing.B, n int, unit string, prepare func(), process func() error) {
	b.ReportAllocs()
	var ms runtime.MemStats
	var mallocs uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		prepare()
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		b.StartTimer()
		require.NoError(b, process())
		b.StopTimer()
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - before
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), unit+"s/s")
	b.ReportMetric(float64(mallocs)/float64(n*b.N), "allocs/"+unit)
}

func dataName(laden bool) string {
	if laden {
		return "pii"
	}
	return "clean"
}
