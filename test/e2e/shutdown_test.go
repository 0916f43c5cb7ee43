//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/tailwise/tailwise/test/harness"
)

// TestSIGTERMDecidesAndFlushesBufferedTraces stops the gateway with SIGTERM right after sending
// traces that the sampler is still buffering (their decision is due seconds later), starts it
// again on the same storage, and checks that every SLO-violating trace reaches Jaeger, whole:
// shutdown decides every buffered trace and hands the kept ones to the persistent export queue,
// which delivers what it could not send before the stop once the gateway is back.
func TestSIGTERMDecidesAndFlushesBufferedTraces(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	env := harness.GatewayEnv(t, be, tenant)
	col := harness.StartGatewayWithEnv(t, env, nil)
	client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)

	td, ids := makeTraces("shutdown-"+randomHex(3), 50, time.Now())
	failAll(td)
	if err := client.SendTraces(td); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	if err := col.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("the gateway stopped %v after SIGTERM", time.Since(stopped).Round(time.Millisecond))
	harness.StartGatewayWithEnv(t, env, nil)

	if err := awaitWholeTraces(be, tenant, ids, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}
