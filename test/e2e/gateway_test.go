//go:build e2e

// Package e2e runs the built collector against real Jaeger, Prometheus and Loki on loopback and
// asserts through each backend's own query API.
package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/test/harness"
)

func TestGatewayDeliversToRealBackends(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	col := harness.StartGateway(t, be, tenant)

	client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)

	service := "e2e-shop-" + randomHex(3)
	start := time.Now()
	td, traceIDs := makeTraces(service, 20, start)

	t.Run("refuses requests without a valid token", func(t *testing.T) {
		for _, tok := range []string{"", "not-" + tenant.Token} {
			anon, err := harness.DialOTLP(col.OTLPGRPC, tok)
			if err != nil {
				t.Fatal(err)
			}
			err = anon.SendTraces(td)
			anon.Close()
			if status.Code(err) != codes.Unauthenticated {
				t.Errorf("token %q: got %v, want Unauthenticated", tok, err)
			}
		}
	})

	if err := client.SendTraces(td); err != nil {
		t.Fatalf("send traces: %v", err)
	}
	if err := client.SendMetrics(makeOrdersMetric(service, 42, start)); err != nil {
		t.Fatalf("send metrics: %v", err)
	}
	logTraceID := traceIDs[3]
	if err := client.SendLogs(makeLog(service, logTraceID, "order placed", start)); err != nil {
		t.Fatalf("send logs: %v", err)
	}
	// Personal data planted in a span attribute, a secret-named attribute and a log line.
	planted := []string{"jane.roe." + randomHex(3) + "@example.com", "4111 1111 1111 1111", "hunter2-" + randomHex(4)}
	piiTrace, piiTraceIDs := makeTraces(service, 1, start)
	piiSpan := piiTrace.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	piiSpan.Attributes().PutStr("user.email", planted[0])
	piiSpan.Attributes().PutStr("db.password", planted[2])
	if err := client.SendTraces(piiTrace); err != nil {
		t.Fatalf("send traces: %v", err)
	}
	piiLogBody := fmt.Sprintf("card %s charged for %s", planted[1], planted[0])
	if err := client.SendLogs(makeLog(service, piiTraceIDs[0], piiLogBody, start)); err != nil {
		t.Fatalf("send logs: %v", err)
	}
	allTraceIDs := append(slices.Clone(traceIDs), piiTraceIDs...)

	t.Run("jaeger has every SLO-violating trace, and every kept trace whole", func(t *testing.T) {
		kept := 0
		for i, id := range allTraceIDs {
			violating := i%5 == 0 || i == len(allTraceIDs)-1 // an ERROR span; the last is the PII trace
			err := harness.Eventually(30*time.Second, 500*time.Millisecond, func() error {
				n, err := harness.JaegerTraceSpans(be.JaegerQueryURL, id, tenant.JaegerHeaders())
				switch {
				case err != nil:
					return err
				case n == spansPerTrace:
					kept++
					return nil
				case n == 0 && !violating:
					return nil // dropped by the sampler: fine, but it must not be half there
				}
				return fmt.Errorf("trace %s has %d spans in Jaeger, want %d", id, n, spansPerTrace)
			})
			if err != nil {
				t.Error(err)
			}
		}
		t.Logf("%d of %d traces kept", kept, len(allTraceIDs))
	})

	t.Run("prometheus has the pushed metric and the span metrics", func(t *testing.T) {
		for _, c := range []struct{ query string }{
			{fmt.Sprintf(`e2e_orders_total{job=%q}`, service)},
			// OTLP to Prometheus: one request per trace, counted on all traffic, before sampling
			{fmt.Sprintf(`sum(slo_requests_total{job=%q})`, service)},
			// scrape of the collector's OpenMetrics endpoint
			{fmt.Sprintf(`sum(slo_requests_total{exported_job=%q, job="tailwise"})`, service)},
		} {
			want := float64(len(allTraceIDs))
			if c.query[:3] == "e2e" {
				want = 42
			}
			err := harness.Eventually(60*time.Second, time.Second, func() error {
				res, err := harness.PromQuery(be.PrometheusURL, c.query)
				if err != nil {
					return err
				}
				if len(res) != 1 || res[0].Value != want {
					return fmt.Errorf("%s = %v, want one sample of %v", c.query, res, want)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			t.Logf("%s: after %v", c.query, time.Since(start).Round(time.Second))
		}
	})

	t.Run("prometheus exemplars point only to kept traces, in jaeger", func(t *testing.T) {
		query := fmt.Sprintf(`slo_request_duration_milliseconds_bucket{job=%q}`, service)
		var exemplars []harness.PromExemplar
		err := harness.Eventually(60*time.Second, time.Second, func() error {
			var err error
			exemplars, err = harness.PromExemplars(be.PrometheusURL, query, start.Add(-time.Minute), time.Now())
			if err == nil && len(exemplars) == 0 {
				err = fmt.Errorf("no exemplars for %s yet", query)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exemplars {
			id := ex.Labels["trace_id"]
			if !slices.Contains(allTraceIDs, id) {
				t.Errorf("exemplar trace_id %q is not one of the sent traces", id)
				continue
			}
			n, err := harness.JaegerTraceSpans(be.JaegerQueryURL, id, tenant.JaegerHeaders())
			if err != nil || n == 0 {
				t.Errorf("exemplar trace %s does not resolve in Jaeger: %d spans, %v", id, n, err)
			}
		}
		t.Logf("%d exemplars, all resolving in Jaeger", len(exemplars))
	})

	t.Run("no planted personal data reaches Jaeger, Loki or the collector's log", func(t *testing.T) {
		var traceJSON []byte
		err := harness.Eventually(60*time.Second, 500*time.Millisecond, func() error {
			var err error
			traceJSON, err = harness.JaegerTraceJSON(be.JaegerQueryURL, piiTraceIDs[0], tenant.JaegerHeaders())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var lokiLine string
		query := fmt.Sprintf(`{service_name=%q} | trace_id=%q`, service, piiTraceIDs[0])
		err = harness.Eventually(60*time.Second, time.Second, func() error {
			entries, err := harness.LokiQueryRange(be.LokiURL, query, start.Add(-time.Minute), time.Now().Add(time.Minute), tenant.Name)
			if err == nil && len(entries) != 1 {
				err = fmt.Errorf("%s returned %d lines, want 1", query, len(entries))
			}
			if err == nil {
				lokiLine = entries[0].Line
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		colLog, err := os.ReadFile(col.LogPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range planted {
			for where, text := range map[string]string{"Jaeger": string(traceJSON), "Loki": lokiLine, "collector log": string(colLog)} {
				if strings.Contains(text, v) {
					t.Errorf("planted value %q found in %s", v, where)
				}
			}
		}
		if want := "card **** charged for ****"; lokiLine != want {
			t.Errorf("redacted log line %q, want %q", lokiLine, want)
		}
		if !strings.Contains(string(traceJSON), `"user.email"`) {
			t.Errorf("the redacted attribute is gone from the span: %s", traceJSON)
		}
	})

	t.Run("loki has the log line with its trace_id as structured metadata", func(t *testing.T) {
		query := fmt.Sprintf(`{service_name=%q} | trace_id=%q`, service, logTraceID)
		err := harness.Eventually(60*time.Second, time.Second, func() error {
			entries, err := harness.LokiQueryRange(be.LokiURL, query, start.Add(-time.Minute), time.Now().Add(time.Minute), tenant.Name)
			if err != nil {
				return err
			}
			if len(entries) != 1 {
				return fmt.Errorf("%s returned %d lines, want 1", query, len(entries))
			}
			e := entries[0]
			if e.Line != "order placed" || e.StructuredMetadata["trace_id"] != logTraceID {
				return fmt.Errorf("unexpected entry %+v", e)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
}

// TestRemoteWriteOptionDeliversToPrometheus runs the gateway with configs/gateway-remote-write.yaml
// against the real Prometheus 3 (its remote-write receiver): the pushed metric and the SLO metrics
// arrive with the same names and labels as over OTLP, and the exemplars with them.
func TestRemoteWriteOptionDeliversToPrometheus(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	col := harness.StartGatewayWith(t, be, []string{filepath.Join(harness.RepoRoot(), "configs", "gateway-remote-write.yaml")}, tenant)
	client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)

	service := "e2e-rw-" + randomHex(3)
	start := time.Now()
	td, traceIDs := makeTraces(service, 20, start)
	failAll(td) // every trace kept, so every exemplar may point to any of them
	if err := client.SendTraces(td); err != nil {
		t.Fatalf("send traces: %v", err)
	}
	if err := client.SendMetrics(makeOrdersMetric(service, 42, start)); err != nil {
		t.Fatalf("send metrics: %v", err)
	}
	for _, c := range []struct {
		query string
		want  float64
	}{
		{fmt.Sprintf(`e2e_orders_total{job=%q}`, service), 42},
		{fmt.Sprintf(`sum(slo_requests_total{job=%q, tenant_id=%q})`, service, tenant.Name), float64(len(traceIDs))},
	} {
		err := harness.Eventually(60*time.Second, time.Second, func() error {
			res, err := harness.PromQuery(be.PrometheusURL, c.query)
			if err == nil && (len(res) != 1 || res[0].Value != c.want) {
				err = fmt.Errorf("%s = %v, want one sample of %v", c.query, res, c.want)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	query := fmt.Sprintf(`slo_request_duration_milliseconds_bucket{job=%q}`, service)
	err := harness.Eventually(60*time.Second, time.Second, func() error {
		exemplars, err := harness.PromExemplars(be.PrometheusURL, query, start.Add(-time.Minute), time.Now())
		if err != nil {
			return err
		}
		if len(exemplars) == 0 {
			return fmt.Errorf("no exemplars for %s yet", query)
		}
		for _, ex := range exemplars {
			if !slices.Contains(traceIDs, ex.Labels["trace_id"]) {
				return fmt.Errorf("exemplar trace_id %q is not one of the sent traces", ex.Labels["trace_id"])
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
