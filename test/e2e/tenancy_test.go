//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/test/harness"
)

// Each tenant sends this many traces (of spansPerTrace spans) and log records.
const (
	tenancyTraces = 2500
	tenancyLogs   = 25000
	tenancyBatch  = 1000
)

// Three teams send traces, logs and metrics under the same service name through one gateway.
// Through Jaeger's and Loki's own APIs, each tenant sees exactly its own data (each record
// says who sent it), and a team's token cannot write into another team's tenant.
func TestTenantsSeeOnlyTheirOwnData(t *testing.T) {
	be := harness.StartBackends(t)
	tenants := []harness.Tenant{harness.NewTenant("team-a"), harness.NewTenant("team-b"), harness.NewTenant("team-c")}
	env := harness.GatewayEnv(t, be, tenants...)
	env["TAILWISE_TRACE_BUDGET_SPANS"] = "1000000" // keep every trace: all of them are counted
	env["TAILWISE_TENANT_SPANS_PER_SECOND"] = "1000000"
	env["TAILWISE_TENANT_LOG_RECORDS_PER_SECOND"] = "1000000"
	col := harness.StartGatewayWithEnv(t, env, nil)
	const service = "checkout"
	start := time.Now()

	var wg sync.WaitGroup
	for _, tn := range tenants {
		wg.Go(func() { sendTenantData(t, col.OTLPGRPC, tn, service, start) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	t.Run("a spoofed tenant header is refused", func(t *testing.T) {
		spoofer, err := harness.DialOTLPWithHeaders(col.OTLPGRPC,
			"authorization", "Bearer "+tenants[0].Token, "x-scope-orgid", tenants[1].Name)
		if err != nil {
			t.Fatal(err)
		}
		defer spoofer.Close()
		err = spoofer.SendLogs(makeLog(service, randomHex(16), "spoofed by team-a", time.Now()))
		if status.Code(err) != codes.PermissionDenied {
			t.Errorf("gRPC: team-a's token claiming team-b: got %v, want PermissionDenied", err)
		}
		body, err := plogotlp.NewExportRequestFromLogs(makeLog(service, randomHex(16), "spoofed by team-a", time.Now())).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+col.OTLPHTTP+"/v1/logs", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Authorization", "Bearer "+tenants[0].Token)
		req.Header.Set("X-Scope-OrgID", tenants[1].Name)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("HTTP: team-a's token claiming team-b: status %d, want 403", resp.StatusCode)
		}
	})

	checked, crossTenant := 0, 0
	for _, tn := range tenants {
		t.Run("jaeger: "+tn.Name+" sees its own traces only", func(t *testing.T) {
			var own, foreign int
			err := harness.Eventually(60*time.Second, time.Second, func() error {
				var err error
				own, foreign, err = jaegerSpansBySender(be.JaegerQueryURL, tn, service)
				if err == nil && own+foreign < tenancyTraces*spansPerTrace {
					err = fmt.Errorf("jaeger has %d of %d spans for %s", own+foreign, tenancyTraces*spansPerTrace, tn.Name)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			checked += own + foreign
			crossTenant += foreign
			if own != tenancyTraces*spansPerTrace || foreign != 0 {
				t.Errorf("%s: %d own spans (want %d), %d of other tenants (want 0)", tn.Name, own, tenancyTraces*spansPerTrace, foreign)
			}
		})
		t.Run("loki: "+tn.Name+" sees its own logs only", func(t *testing.T) {
			var own, foreign float64
			err := harness.Eventually(60*time.Second, time.Second, func() error {
				var err error
				if own, err = harness.LokiCount(be.LokiURL, fmt.Sprintf(`sum(count_over_time({service_name=%q} |= "sent-by=%s " [1h]))`, service, tn.Name), tn.Name); err != nil {
					return err
				}
				if foreign, err = harness.LokiCount(be.LokiURL, fmt.Sprintf(`sum(count_over_time({service_name=%q} != "sent-by=%s " [1h]))`, service, tn.Name), tn.Name); err != nil {
					return err
				}
				if own < tenancyLogs {
					return fmt.Errorf("loki has %.0f of %d log lines for %s", own, tenancyLogs, tn.Name)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			checked += int(own + foreign)
			crossTenant += int(foreign)
			if own != tenancyLogs || foreign != 0 {
				t.Errorf("%s: %.0f own log lines (want %d), %.0f of other tenants or spoofed (want 0)", tn.Name, own, tenancyLogs, foreign)
			}
		})
	}
	t.Logf("tenancy: %d records checked in Jaeger and Loki, %d seen by another tenant", checked, crossTenant)
	if checked < 100000 {
		t.Errorf("only %d records checked; want at least 100,000", checked)
	}

	t.Run("prometheus: each tenant's SLO series apart", func(t *testing.T) {
		err := harness.Eventually(60*time.Second, time.Second, func() error {
			res, err := harness.PromQuery(be.PrometheusURL, fmt.Sprintf(`sum by (tenant_id) (slo_requests_total{job=%q})`, service))
			if err != nil {
				return err
			}
			got := map[string]float64{}
			for _, s := range res {
				got[s.Labels["tenant_id"]] = s.Value
			}
			for _, tn := range tenants {
				if got[tn.Name] != tenancyTraces {
					return fmt.Errorf("requests by tenant %v, want %d for each of the three", got, tenancyTraces)
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
}

// sendTenantData sends the tenant's traces and logs, each marked with its sender, retrying what
// the gateway refuses as retryable.
func sendTenantData(t *testing.T, addr string, tn harness.Tenant, service string, start time.Time) {
	client, err := harness.DialOTLP(addr, tn.Token)
	if err != nil {
		t.Error(err)
		return
	}
	defer client.Close()
	for sent := 0; sent < tenancyTraces; sent += tenancyBatch / spansPerTrace {
		td, _ := makeTraces(service, tenancyBatch/spansPerTrace, start)
		for _, rs := range td.ResourceSpans().All() {
			rs.Resource().Attributes().PutStr("sent.by", tn.Name)
		}
		if err := retryRefused(func() error { return client.SendTraces(td) }); err != nil {
			t.Errorf("%s: send traces: %v", tn.Name, err)
			return
		}
	}
	for sent := 0; sent < tenancyLogs; sent += tenancyBatch {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", service)
		records := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := range tenancyBatch {
			lr := records.AppendEmpty()
			lr.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(sent+i) * time.Microsecond)))
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.Body().SetStr(fmt.Sprintf("sent-by=%s seq=%d", tn.Name, sent+i))
		}
		if err := retryRefused(func() error { return client.SendLogs(ld) }); err != nil {
			t.Errorf("%s: send logs: %v", tn.Name, err)
			return
		}
	}
}

// jaegerSpansBySender counts the spans of the service that Jaeger returns to the tenant, split
// by whether the sender marked on their process is the tenant.
func jaegerSpansBySender(queryURL string, tn harness.Tenant, service string) (own, foreign int, err error) {
	var res struct {
		Data []struct {
			Spans []struct {
				ProcessID string `json:"processID"`
			} `json:"spans"`
			Processes map[string]struct {
				Tags []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"tags"`
			} `json:"processes"`
		} `json:"data"`
	}
	q := url.Values{"service": {service}, "limit": {"100000"}, "lookback": {"1h"}}
	if err := harness.GetJSON(queryURL, "/api/traces", q, tn.JaegerHeaders(), &res); err != nil {
		return 0, 0, err
	}
	for _, trace := range res.Data {
		for _, span := range trace.Spans {
			sender := ""
			for _, tag := range trace.Processes[span.ProcessID].Tags {
				if tag.Key == "sent.by" {
					sender = fmt.Sprint(tag.Value)
				}
			}
			if sender == tn.Name {
				own++
			} else {
				foreign++
			}
		}
	}
	return own, foreign, nil
}

// The metrics export gets the tenant of each request in X-Scope-OrgID, as Mimir, Cortex and
// Prometheus-compatible backends read it, over OTLP/HTTP (the gateway's default, at the base URL's
// /v1/metrics) and over remote write (configs/gateway-remote-write.yaml): a loopback endpoint
// stands in for the backend and records the header and path of every request.
func TestMetricsExportCarriesTheTenant(t *testing.T) {
	be := harness.StartBackends(t)
	for _, v := range []struct {
		name, env, base, wantPath string
		overlays                  []string
	}{
		{"otlp", "PROMETHEUS_OTLP_URL", "/api/v1/otlp", "/api/v1/otlp/v1/metrics", nil},
		{"remote write", "PROMETHEUS_REMOTE_WRITE_URL", "/api/v1/push", "/api/v1/push",
			[]string{filepath.Join(harness.RepoRoot(), "configs", "gateway-remote-write.yaml")}},
	} {
		t.Run(v.name, func(t *testing.T) {
			tenants := []harness.Tenant{harness.NewTenant("team-a"), harness.NewTenant("team-b")}
			var mu sync.Mutex
			requests := map[string]int{} // X-Scope-OrgID values, joined, -> requests
			paths := map[string]int{}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				mu.Lock()
				requests[strings.Join(r.Header.Values("X-Scope-OrgID"), ",")]++
				paths[r.URL.Path]++
				mu.Unlock()
				if v.name == "otlp" {
					// An empty ExportMetricsServiceResponse: everything accepted.
					w.Header().Set("Content-Type", "application/x-protobuf")
					w.WriteHeader(http.StatusOK)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}), ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = srv.Serve(l) }()
			t.Cleanup(func() { _ = srv.Close() })

			env := harness.GatewayEnv(t, be, tenants...)
			env[v.env] = "http://" + l.Addr().String() + v.base
			col := harness.StartGatewayWithEnv(t, env, v.overlays)
			for _, tn := range tenants {
				client, err := harness.DialOTLP(col.OTLPGRPC, tn.Token)
				if err != nil {
					t.Fatal(err)
				}
				td, _ := makeTraces("shop", 20, time.Now()) // SLO metrics, made inside the gateway
				if err := client.SendTraces(td); err != nil {
					t.Fatal(err)
				}
				if err := client.SendMetrics(makeOrdersMetric("shop", 7, time.Now())); err != nil { // pushed metrics
					t.Fatal(err)
				}
				client.Close()
			}
			err = harness.Eventually(60*time.Second, time.Second, func() error {
				mu.Lock()
				defer mu.Unlock()
				if requests["team-a"] < 2 || requests["team-b"] < 2 {
					return fmt.Errorf("%s requests by X-Scope-OrgID: %v; want the pushed and the SLO metrics of both tenants", v.name, requests)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for header, n := range requests {
				if header != "team-a" && header != "team-b" {
					t.Errorf("%d %s requests with X-Scope-OrgID %q; want exactly one tenant each", n, v.name, header)
				}
			}
			for path, n := range paths {
				if path != v.wantPath {
					t.Errorf("%d %s requests to %s; want %s", n, v.name, path, v.wantPath)
				}
			}
			t.Logf("%s requests by X-Scope-OrgID: %v", v.name, requests)
		})
	}
}
