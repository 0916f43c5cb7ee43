//go:build e2e

package e2e

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailwise/tailwise/internal/recording"
	"github.com/tailwise/tailwise/test/harness"
)

// fleetBudget is the spans per second the whole fleet keeps; each gateway keeps its share.
const fleetBudget = 60

// One load balancer (configs/loadbalancer.yaml) in front of three gateways (configs/gateway.yaml),
// as processes. The web-shop recording is replayed at 4x through the load balancer; every
// gateway also records what it receives. Shown: each trace's spans reach exactly one gateway,
// kept traces are complete in Jaeger, and the fleet keeps its budget. Then a fourth gateway
// joins and leaves mid-run (the load balancer's static resolver list is changed and reloaded),
// and the share of traces split between gateways is reported.
func TestLoadBalancedFleet(t *testing.T) {
	be := harness.StartBackends(t)
	tenant := harness.NewTenant("team-a")
	dir := t.TempDir()
	membersFile := filepath.Join(dir, "members")
	lbOverlay := filepath.Join(dir, "lb-resolver.yaml")

	gateways := map[int]*harness.Collector{}
	addrs := map[int]string{}
	setMembers := func(slots ...int) {
		var list []string
		for _, s := range slots {
			list = append(list, addrs[s])
		}
		writeFile(t, membersFile, strings.Join(list, "\n")+"\n")
		resolver := fmt.Sprintf("{static: {hostnames: [%s]}}", strings.Join(list, ", "))
		writeFile(t, lbOverlay, fmt.Sprintf("exporters:\n  load_balancing/traces: {resolver: %s}\n  load_balancing/logs: {resolver: %s}\n  load_balancing/metrics: {resolver: %s}\n",
			resolver, resolver, resolver))
	}
	var credentials string
	startGateway := func(slot int) {
		env := harness.GatewayEnvAt(t, be, slot, tenant)
		credentials = env["TAILWISE_TENANT_CREDENTIALS_FILE"]
		env["TAILWISE_FLEET"] = fmt.Sprintf("{file: {path: %s, interval: 1s}}", membersFile)
		env["TAILWISE_TRACE_BUDGET_SPANS"] = strconv.Itoa(fleetBudget)
		audit := filepath.Join(dir, fmt.Sprintf("audit-%d.yaml", slot))
		writeFile(t, audit, fmt.Sprintf(`exporters:
  record/audit:
    path: %s
    flush_interval: 200ms
service:
  pipelines:
    traces/audit:
      receivers: [otlp]
      exporters: [record/audit]
`, filepath.Join(dir, fmt.Sprintf("received-%d.jsonl", slot))))
		addrs[slot] = env["TAILWISE_OTLP_GRPC_ENDPOINT"]
		gateways[slot] = harness.StartGatewayWithEnv(t, env, []string{audit})
	}
	for slot := 1; slot <= 3; slot++ {
		addrs[slot] = harness.GatewayEnvAt(t, be, slot)["TAILWISE_OTLP_GRPC_ENDPOINT"]
	}
	setMembers(1, 2, 3)
	for slot := 1; slot <= 3; slot++ {
		startGateway(slot)
	}

	lbEnv := harness.GatewayEnv(t, be, tenant)
	lbEnv["TAILWISE_TENANT_CREDENTIALS_FILE"] = credentials
	lbEnv["TAILWISE_GATEWAY_RESOLVER"] = "{static: {hostnames: [" + addrs[1] + "]}}" // the overlay's list wins
	lbEnv["GATEWAY_TLS_INSECURE"] = "true"
	lb := harness.StartCollector(t, []string{filepath.Join(harness.RepoRoot(), "configs", "loadbalancer.yaml"), lbOverlay},
		lbEnv["TAILWISE_HEALTH_ENDPOINT"], lbEnv, lbEnv["TAILWISE_OTLP_GRPC_ENDPOINT"], lbEnv["TAILWISE_OTLP_HTTP_ENDPOINT"],
		"127.0.0.1:"+lbEnv["TAILWISE_TELEMETRY_PORT"])

	// 8 loops of the 70 s recording at 4x: 140 s, about 190 spans/s offered.
	replay := exec.Command(filepath.Join(harness.RepoRoot(), "bin", "tailctl"), "replay",
		filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop.jsonl.zst"),
		"--endpoint", lb.OTLPGRPC, "--header", "authorization=Bearer "+tenant.Token,
		"--speed", "4", "--loop", "8", "--rewrite-ids", "--shift-time", "--max-retries", "20", "--json")
	replayOut := &strings.Builder{}
	replay.Stdout = replayOut
	replay.Stderr = io.Discard
	started := time.Now()
	if err := replay.Start(); err != nil {
		t.Fatal(err)
	}
	replayDone := make(chan error, 1)
	go func() { replayDone <- replay.Wait() }()
	t.Cleanup(func() { _ = replay.Process.Kill() })

	// Steady state with three gateways: the fleet's output over 30 s after a 25 s warm-up.
	sleepUntil(started.Add(25 * time.Second))
	kept0 := fleetKeptSpans(t, gateways)
	t0 := time.Now()
	sleepUntil(started.Add(55 * time.Second))
	steadyRate := float64(fleetKeptSpans(t, gateways)-kept0) / time.Since(t0).Seconds()
	steadyEnd := time.Now()

	// A fourth gateway joins at 60 s and leaves at 95 s.
	sleepUntil(started.Add(60 * time.Second))
	addrs[4] = harness.GatewayEnvAt(t, be, 4)["TAILWISE_OTLP_GRPC_ENDPOINT"]
	startGateway(4)
	setMembers(1, 2, 3, 4)
	joined := time.Now()
	if err := lb.Reload(); err != nil {
		t.Fatal(err)
	}
	sleepUntil(started.Add(95 * time.Second))
	setMembers(1, 2, 3)
	left := time.Now()
	if err := lb.Reload(); err != nil {
		t.Fatal(err)
	}

	select {
	case err := <-replayDone:
		if err != nil {
			t.Fatalf("tailctl replay: %v\n%s", err, replayOut)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("replay did not end within 3 minutes")
	}
	var rep struct {
		Refused int `json:"requests_refused"`
	}
	if err := json.Unmarshal([]byte(replayOut.String()), &rep); err != nil {
		t.Fatalf("replay report: %v\n%s", err, replayOut)
	}
	if rep.Refused != 0 {
		t.Errorf("the load balancer refused %d requests for good", rep.Refused)
	}
	time.Sleep(5 * time.Second) // the last traces' decision delay and export
	if err := lb.Stop(30 * time.Second); err != nil {
		t.Error(err)
	}
	time.Sleep(5 * time.Second)
	for _, gw := range gateways {
		if err := gw.Stop(30 * time.Second); err != nil {
			t.Error(err)
		}
	}

	// Which gateways received each trace, and when its first span arrived.
	type seen struct {
		gateways map[int]bool
		spans    int
		first    time.Time
	}
	traces := map[string]*seen{}
	for slot := range gateways {
		readRecording(t, filepath.Join(dir, fmt.Sprintf("received-%d.jsonl", slot)), func(e recording.Entry) {
			for _, rs := range e.Traces.ResourceSpans().All() {
				for _, ss := range rs.ScopeSpans().All() {
					for _, sp := range ss.Spans().All() {
						tid := sp.TraceID()
						id := hex.EncodeToString(tid[:])
						s := traces[id]
						if s == nil {
							s = &seen{gateways: map[int]bool{}, first: e.Arrival}
							traces[id] = s
						}
						s.gateways[slot] = true
						s.spans++
						if e.Arrival.Before(s.first) {
							s.first = e.Arrival
						}
					}
				}
			}
		})
	}
	var steady, steadySplit, changing, changingSplit int
	perGateway := map[int]int{}
	for _, s := range traces {
		for slot := range s.gateways {
			perGateway[slot]++
		}
		nearChange := absDuration(s.first.Sub(joined)) < 10*time.Second || absDuration(s.first.Sub(left)) < 10*time.Second
		switch {
		case s.first.Before(steadyEnd):
			steady++
			if len(s.gateways) > 1 {
				steadySplit++
			}
		case nearChange:
			changing++
			if len(s.gateways) > 1 {
				changingSplit++
			}
		}
	}
	t.Logf("fleet: %d traces received (by gateway: %v); with three gateways %d traces, %d split between gateways", len(traces), perGateway, steady, steadySplit)
	if perGateway[4] == 0 {
		t.Error("the gateway that joined received no trace")
	}
	t.Logf("fleet: within 10 s of a gateway joining or leaving, %d of %d traces split (%.2f%%)",
		changingSplit, changing, 100*float64(changingSplit)/float64(max(changing, 1)))
	if steady < 500 || steadySplit != 0 {
		t.Errorf("steady state: %d traces, %d of them split between gateways; want hundreds and none split", steady, steadySplit)
	}
	if changing == 0 || float64(changingSplit) > 0.05*float64(changing) {
		t.Errorf("membership changes split %d of %d traces; want at most 5%%", changingSplit, changing)
	}

	t.Logf("fleet: kept %.1f spans/s with three gateways (fleet budget %d)", steadyRate, fleetBudget)
	if steadyRate < 0.95*fleetBudget || steadyRate > 1.05*fleetBudget {
		t.Errorf("fleet output %.1f spans/s is not within 5%% of the fleet budget %d", steadyRate, fleetBudget)
	}

	// Kept traces of the steady state are complete in Jaeger.
	var found struct {
		Data []struct {
			TraceID string            `json:"traceID"`
			Spans   []json.RawMessage `json:"spans"`
		} `json:"data"`
	}
	q := url.Values{"service": {"frontend"}, "limit": {"100000"},
		"start": {strconv.FormatInt(started.UnixMicro(), 10)}, "end": {strconv.FormatInt(steadyEnd.Add(-5*time.Second).UnixMicro(), 10)}}
	if err := harness.GetJSON(be.JaegerQueryURL, "/api/traces", q, tenant.JaegerHeaders(), &found); err != nil {
		t.Fatal(err)
	}
	incomplete := 0
	for _, tr := range found.Data {
		id := strings.Repeat("0", max(0, 32-len(tr.TraceID))) + tr.TraceID // Jaeger drops leading zeros
		s := traces[id]
		switch {
		case s == nil:
			t.Errorf("trace %s in Jaeger was never received", id)
		case len(tr.Spans) != s.spans:
			incomplete++
		}
	}
	t.Logf("fleet: %d kept traces of the steady state in Jaeger, %d incomplete", len(found.Data), incomplete)
	if len(found.Data) == 0 || incomplete != 0 {
		t.Errorf("%d of %d kept traces are incomplete in Jaeger", incomplete, len(found.Data))
	}
}

// fleetKeptSpans sums the spans the gateways' samplers have kept, from their self-telemetry.
func fleetKeptSpans(t *testing.T, gateways map[int]*harness.Collector) int {
	t.Helper()
	total := 0
	for _, gw := range gateways {
		resp, err := http.Get("http://" + gw.SelfMetrics + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "otelcol_processor_slo_sampling_spans_decided") || !strings.Contains(line, `decision="kept"`) {
				continue
			}
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				t.Fatalf("self-telemetry line %q: %v", line, err)
			}
			total += int(v)
		}
		resp.Body.Close()
	}
	return total
}

// readRecording calls fn with every entry of a record exporter's file.
func readRecording(t *testing.T, path string, fn func(recording.Entry)) {
	t.Helper()
	r, err := recording.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		line, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		e, err := recording.Decode(line)
		if err != nil {
			t.Fatal(err)
		}
		fn(e)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

func sleepUntil(when time.Time) { time.Sleep(time.Until(when)) }

func absDuration(d time.Duration) time.Duration { return max(d, -d) }
