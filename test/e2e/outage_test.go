//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tailwise/tailwise/test/harness"
)

// TestBackendOutagesLoseNothing stops Loki, Prometheus and Jaeger one at a time (60 s each, or
// OUTAGE_SECONDS), sends traces, logs and metrics while the backend is down, starts it again,
// and checks that everything sent during the outage arrives: the gateway's persistent queues
// and retries hold the data until the backend is back.
func TestBackendOutagesLoseNothing(t *testing.T) {
	outage := 60 * time.Second
	if s, err := strconv.Atoi(os.Getenv("OUTAGE_SECONDS")); err == nil {
		outage = time.Duration(s) * time.Second
	}
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	col := harness.StartGateway(t, be, tenant)
	client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)

	for _, backend := range []string{"loki", "prometheus", "jaeger"} {
		t.Run(backend, func(t *testing.T) {
			service := "outage-" + backend + "-" + randomHex(3)
			be.Stop(t, backend)
			start := time.Now()
			td, ids := makeTraces(service, 10, start)
			failAll(td) // SLO-violating traces: a tail sampler keeps them all
			if err := client.SendTraces(td); err != nil {
				t.Fatalf("send traces: %v", err)
			}
			for i, id := range ids {
				if err := client.SendLogs(makeLog(service, id, fmt.Sprintf("line %d during the %s outage", i, backend), start)); err != nil {
					t.Fatalf("send logs: %v", err)
				}
			}
			if err := client.SendMetrics(makeOrdersMetric(service, 7, start)); err != nil {
				t.Fatalf("send metrics: %v", err)
			}
			time.Sleep(time.Until(start.Add(outage)))
			be.Start(t, backend)
			t.Logf("%s was down %v", backend, time.Since(start).Round(time.Second))

			deadline := 3 * time.Minute // the exporters' retry back-off reaches 30 s, with jitter
			err := harness.Eventually(deadline, 2*time.Second, func() error {
				entries, err := harness.LokiQueryRange(be.LokiURL, fmt.Sprintf(`{service_name=%q}`, service),
					start.Add(-time.Minute), time.Now().Add(time.Minute), tenant.Name)
				if err == nil && len(entries) != len(ids) {
					err = fmt.Errorf("loki has %d of %d log lines", len(entries), len(ids))
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
			err = harness.Eventually(deadline, 2*time.Second, func() error {
				res, err := harness.PromQuery(be.PrometheusURL, fmt.Sprintf(`e2e_orders_total{job=%q}`, service))
				if err == nil && (len(res) != 1 || res[0].Value != 7) {
					err = fmt.Errorf("prometheus has %v for the metric sent during the outage", res)
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
			if err := awaitWholeTraces(be, tenant, ids, deadline); err != nil {
				t.Error(err)
			}
		})
	}
}
