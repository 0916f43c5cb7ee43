//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/test/harness"
)

// The overload: overloadReplayers tailctl processes, each replaying the web-shop recording
// overloadLoops times as fast as the gateway takes it, against a gateway whose sampling budget is
// a small fraction of that.
const (
	overloadReplayers = 3
	overloadLoops     = 32
	overloadRetries   = 10 // retries of a refused request, with tailctl's back-off up to 5 s

	overloadMemoryLimitMiB = 304 // hard limit; the config's spike_limit_mib of 256 puts the soft limit at 48 MiB
	overloadBudgetSpans    = 200
	overloadTenantSpans    = 5000
	overloadTenantLogs     = 4000
)

// recoveryPause is the sampler's decision_delay plus the memory_limiter's check_interval (1s).
const recoveryPause = decisionDelay + time.Second

// tailctlReport is the part of `tailctl replay --json` the overload test reads.
type tailctlReport struct {
	Loops           int            `json:"loops"`
	Requests        int            `json:"requests"`
	Items           map[string]int `json:"items_sent"`
	Accepted        int            `json:"requests_accepted"`
	ItemsAccepted   int            `json:"items_accepted"`
	Refused         int            `json:"requests_refused"`
	RefusedByStatus map[string]int `json:"refused_by_status"`
	Retries         int            `json:"retries"`
	DurationSeconds float64        `json:"duration_seconds"`
}

// TestGatewayOverload replays the web-shop recording from several tailctl processes as fast as
// the gateway takes it, at many times the sampling budget and over the tenant's quotas, with a
// low memory limit: the quotas refuse with RESOURCE_EXHAUSTED, the memory_limiter, when the heap
// passes its soft limit, with UNAVAILABLE. The gateway refuses with these retryable statuses
// only, every item is accounted for (accepted by the gateway's receiver as the clients count it,
// or refused), its resident memory stays under the memory limit plus what it holds when idle, it
// keeps at least 99% of the SLO-violating traces, and once the load stops it accepts and
// delivers a normal request at once.
func TestGatewayOverload(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	env := harness.GatewayEnv(t, be, tenant)
	env["TAILWISE_MEMORY_LIMIT_MIB"] = strconv.Itoa(overloadMemoryLimitMiB)
	env["TAILWISE_TRACE_BUDGET_SPANS"] = strconv.Itoa(overloadBudgetSpans)
	env["TAILWISE_TENANT_SPANS_PER_SECOND"] = strconv.Itoa(overloadTenantSpans)
	env["TAILWISE_TENANT_LOG_RECORDS_PER_SECOND"] = strconv.Itoa(overloadTenantLogs)
	col := harness.StartGatewayWithEnv(t, env, nil)
	_, idleRSS, err := col.Usage()
	if err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop.jsonl.zst")
	violatingPerLoop := countViolatingTraces(t, rec)

	reports := runReplayers(t, rec, col.OTLPGRPC, tenant)
	overloadEnd := time.Now()
	_, peakRSS, err := col.Usage()
	if err != nil {
		t.Fatal(err)
	}

	var total tailctlReport
	total.Items, total.RefusedByStatus = map[string]int{}, map[string]int{}
	for i, r := range reports {
		if r.Requests != r.Accepted+r.Refused || r.Loops != overloadLoops {
			t.Errorf("replayer %d: %d requests, %d accepted, %d refused, %d of %d loops", i, r.Requests, r.Accepted, r.Refused, r.Loops, overloadLoops)
		}
		total.Loops += r.Loops
		total.Requests += r.Requests
		total.Accepted += r.Accepted
		total.Refused += r.Refused
		total.ItemsAccepted += r.ItemsAccepted
		total.Retries += r.Retries
		total.DurationSeconds = max(total.DurationSeconds, r.DurationSeconds)
		for k, v := range r.Items {
			total.Items[k] += v
		}
		for k, v := range r.RefusedByStatus {
			total.RefusedByStatus[k] += v
		}
	}
	itemsSent := total.Items["traces"] + total.Items["logs"] + total.Items["metrics"]
	seconds := total.DurationSeconds
	t.Logf("offered %.0f items/s (%.0f spans/s, %.1fx the budget of %d) for %.1fs; accepted %.0f items/s; "+
		"%d of %d requests accepted, %d retries of refused requests, %d refused for good %v",
		float64(itemsSent)/seconds, float64(total.Items["traces"])/seconds, float64(total.Items["traces"])/seconds/overloadBudgetSpans,
		overloadBudgetSpans, seconds, float64(total.ItemsAccepted)/seconds, total.Accepted, total.Requests, total.Retries,
		total.Refused, total.RefusedByStatus)

	t.Run("the overload is ten times the budget and is refused", func(t *testing.T) {
		if rate := float64(total.Items["traces"]) / seconds; rate < 10*overloadBudgetSpans {
			t.Errorf("offered %.0f spans/s, want at least ten times the budget of %d", rate, overloadBudgetSpans)
		}
		if total.Retries == 0 {
			t.Error("the gateway refused nothing: the test did not overload it")
		}
	})

	t.Run("refusals are retryable and nothing is lost silently", func(t *testing.T) {
		for status := range total.RefusedByStatus {
			if status != "ResourceExhausted" && status != "Unavailable" {
				t.Errorf("%d requests refused with %s, want only ResourceExhausted or Unavailable", total.RefusedByStatus[status], status)
			}
		}
		metrics, err := scrapeSelfMetrics(col.SelfMetrics)
		if err != nil {
			t.Fatal(err)
		}
		signals := []string{"spans", "log_records", "metric_points"}
		var received, refused, limiterRefused float64
		for _, s := range signals {
			received += metrics.sum("otelcol_receiver_accepted_"+s, `receiver="otlp"`)
			refused += metrics.sum("otelcol_receiver_refused_"+s, `receiver="otlp"`)
			limiterRefused += metrics.sum("otelcol_processor_memory_limiter_refused_"+s, "")
		}
		// The tenant processor refuses with RESOURCE_EXHAUSTED (quotas, and its own memory
		// pressure check when configured); the memory_limiter with UNAVAILABLE.
		var tenantRefused float64
		for _, reason := range []string{"item_quota", "byte_quota", "memory_pressure"} {
			tenantRefused += metrics.sum("otelcol_processor_tenant_items_refused", `reason="`+reason+`"`)
		}
		t.Logf("the gateway's receiver accepted %.0f items and refused %.0f (tenant quotas %.0f, memory_limiter %.0f); "+
			"the replayers count %d accepted, %d refused for good",
			received, refused, tenantRefused, limiterRefused, total.ItemsAccepted, itemsSent-total.ItemsAccepted)
		if int(received) != total.ItemsAccepted {
			t.Errorf("the gateway accepted %.0f items, the replayers %d", received, total.ItemsAccepted)
		}
		if refused != tenantRefused+limiterRefused {
			t.Errorf("the gateway refused %.0f items, of which only %.0f with a retryable status", refused, tenantRefused+limiterRefused)
		}
	})

	t.Run("resident memory stays bounded", func(t *testing.T) {
		// The memory_limiter keeps the Go heap under limit_mib; the rest of the resident memory is
		// the process's code, runtime and caches, which the idle figure measures (with the idle
		// heap, so the bound errs on the loose side).
		bound := idleRSS + overloadMemoryLimitMiB<<20
		t.Logf("peak RSS %d MiB (idle %d MiB, bound %d MiB = idle + limit_mib)", peakRSS>>20, idleRSS>>20, bound>>20)
		if peakRSS > bound {
			t.Errorf("peak RSS %d MiB over the bound of %d MiB", peakRSS>>20, bound>>20)
		}
	})

	var probeIDs []string
	t.Run("it recovers on its own", func(t *testing.T) {
		// By then the sampler has decided what the overload left in its buffer, the memory_limiter
		// has checked the heap again, and the quota buckets have refilled.
		time.Sleep(time.Until(overloadEnd.Add(recoveryPause)))
		client := harness.ConnectOTLP(t, col.OTLPGRPC, tenant.Token)
		td, ids := makeTraces("overload-probe-"+randomHex(3), 10, time.Now())
		failAll(td)
		probeIDs = ids
		if err := client.SendTraces(td); err != nil {
			t.Fatalf("a normal request %v after the overload: %v", time.Since(overloadEnd).Round(time.Millisecond), err)
		}
		accepted := time.Now()
		if err := awaitWholeTraces(be, tenant, ids, 60*time.Second); err != nil {
			t.Fatal(err)
		}
		t.Logf("a normal request %v after the overload was accepted at once and in Jaeger %v later",
			accepted.Sub(overloadEnd).Round(time.Millisecond), time.Since(accepted).Round(time.Millisecond))
	})
	t.Run("SLO-violating traces are kept", func(t *testing.T) {
		// tailctl retried every refusal until it was accepted, so every violating trace sent was
		// accepted; were some refused for good, counting them all would only lower the share.
		sent := violatingPerLoop * total.Loops
		var kept int
		var progress []string // kept in Jaeger / in the Jaeger exporter's queue / buffered in the sampler
		err := harness.Eventually(90*time.Second, 3*time.Second, func() error {
			held, err := jaegerSpanIDs(be.JaegerQueryURL, tenant, url.Values{"tags": {`{"error":"true"}`}})
			if err != nil {
				return err
			}
			for _, id := range probeIDs {
				delete(held, id)
			}
			previous := kept
			kept = len(held)
			metrics, err := scrapeSelfMetrics(col.SelfMetrics)
			if err != nil {
				return err
			}
			progress = append(progress, fmt.Sprintf("%d/%.0f/%.0f", kept,
				metrics.sum("otelcol_exporter_queue_size", `exporter="otlp_grpc/jaeger"`),
				metrics.sum("otelcol_processor_slo_sampling_buffered_traces", "")))
			if kept < sent && (kept != previous || float64(kept) < 0.99*float64(sent)) {
				return fmt.Errorf("jaeger holds %d of the %d SLO-violating traces sent", kept, sent)
			}
			return nil
		})
		t.Logf("SLO-violating traces kept: %d of %d sent (%.1f%%); every 3 s, kept/Jaeger exporter queue/sampler buffer: %v",
			kept, sent, 100*float64(kept)/float64(max(sent, 1)), progress)
		if float64(kept) < 0.99*float64(sent) {
			t.Errorf("%d of %d SLO-violating traces kept (%v), want at least 99%%", kept, sent, err)
		}
	})

}

// runReplayers runs the overload's tailctl processes at once and returns their reports.
func runReplayers(t *testing.T, rec, endpoint string, tn harness.Tenant) []tailctlReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	reports := make([]tailctlReport, overloadReplayers)
	var wg sync.WaitGroup
	for i := range reports {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, filepath.Join(harness.RepoRoot(), "bin", "tailctl"), "replay", rec,
				"--endpoint", endpoint, "--header", "authorization=Bearer "+tn.Token,
				"--speed", "0", "--loop", strconv.Itoa(overloadLoops), "--rewrite-ids", "--shift-time",
				"--max-retries", strconv.Itoa(overloadRetries), "--json")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			// tailctl exits non-zero when requests stay refused; its report says which.
			if exitErr := (*exec.ExitError)(nil); err != nil && !errors.As(err, &exitErr) {
				t.Errorf("replayer %d: %v", i, err)
				return
			}
			if err := json.Unmarshal(out, &reports[i]); err != nil {
				t.Errorf("replayer %d: report: %v\n%s%s", i, err, out, stderr.String())
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("the replayers did not finish within 150 s")
	}
	if t.Failed() {
		t.FailNow()
	}
	return reports
}

// countViolatingTraces counts the recording's traces with an ERROR span.
func countViolatingTraces(t *testing.T, rec string) int {
	t.Helper()
	violating := map[string]bool{}
	if _, err := recording.ReadFile(rec, false, func(e recording.Entry) error {
		if e.Signal != recording.Traces || !hasError(e.Traces) {
			return nil
		}
		for _, rs := range e.Traces.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					violating[sp.TraceID().String()] = true
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(violating) == 0 {
		t.Fatal("the recording has no SLO-violating trace")
	}
	return len(violating)
}

// selfMetrics are the samples of the collector's own Prometheus endpoint, one text line each.
type selfMetrics []string

func scrapeSelfMetrics(addr string) (selfMetrics, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("self-metrics: status %d", resp.StatusCode)
	}
	return selfMetrics(strings.Split(string(body), "\n")), nil
}

// sum adds the samples of the counter (with or without its _total suffix) whose labels hold the
// given text, such as `receiver="otlp"`.
func (m selfMetrics) sum(name, labels string) float64 {
	total := 0.0
	for _, line := range m {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		rest = strings.TrimPrefix(rest, "_total")
		if rest == "" || (rest[0] != '{' && rest[0] != ' ') || !strings.Contains(rest, labels) {
			continue
		}
		fields := strings.Fields(rest[strings.LastIndexByte(rest, '}')+1:])
		if len(fields) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(fields[0], 64); err == nil {
			total += v
		}
	}
	return total
}
