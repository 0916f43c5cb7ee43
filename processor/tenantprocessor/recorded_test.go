package tenantprocessor

import (
	"bufio"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// hotrodTraces is HotROD's recorded traffic: 120 traces of 6 services, one OTLP request a line.
var hotrodTraces = filepath.Join("..", "..", "..", "shared", "data", "hotrod", "hotrod-v1.76.0-120req.traces.otlp.jsonl.gz")

func loadRecordedTraces(tb testing.TB, path string) []ptrace.Traces {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err, "the recorded telemetry is expected beside the project")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(tb, err)
	scanner := bufio.NewScanner(gz)
	scanner.Buffer(nil, 64<<20)
	var requests []ptrace.Traces
	var unmarshaler ptrace.JSONUnmarshaler
	for scanner.Scan() {
		td, err := unmarshaler.UnmarshalTraces(scanner.Bytes())
		require.NoError(tb, err)
		requests = append(requests, td)
	}
	require.NoError(tb, scanner.Err())
	require.NotEmpty(tb, requests)
	return requests
}

// TestRecordedTracesSplitPerService relays HotROD's traffic with the service name as the
// trusted tenant attribute: every request passed on holds one tenant, and every span arrives
// with the tenant of its service.
func TestRecordedTracesSplitPerService(t *testing.T) {
	requests := loadRecordedTraces(t, hotrodTraces)
	services := []string{"customer", "driver", "frontend", "mysql", "redis-manual", "route"}
	cfg := createDefaultConfig()
	cfg.TrustedResourceAttribute = "service.name"
	run := startTraces(t, cfg)
	relay := client.NewContext(context.Background(), client.Info{Auth: testAuth{
		tenantid.AttributeTenant:  "relay",
		tenantid.AttributeTenants: append([]string{"relay"}, services...),
	}})

	sent := map[string]int{}
	for _, td := range requests {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			name, _ := rs.Resource().Attributes().Get("service.name")
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				sent[name.Str()] += rs.ScopeSpans().At(j).Spans().Len()
			}
		}
		require.NoError(t, run.processor.ConsumeTraces(relay, td))
	}

	received := map[string]int{}
	for i, td := range run.sink.AllTraces() {
		tenant := run.sink.tenants[i]
		for j := 0; j < td.ResourceSpans().Len(); j++ {
			res := td.ResourceSpans().At(j).Resource().Attributes()
			name, _ := res.Get("service.name")
			stamp, _ := res.Get("tenant.id")
			require.Equal(t, tenant, stamp.Str(), "a request holds only its tenant's resources")
			require.Equal(t, name.Str(), stamp.Str())
		}
		received[tenant] += td.SpanCount()
	}
	assert.Len(t, sent, len(services))
	assert.Equal(t, sent, received)
	total := 0
	for _, n := range received {
		total += n
	}
	assert.Equal(t, 4740, total)
}
