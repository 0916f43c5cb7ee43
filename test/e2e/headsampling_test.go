//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailwise/tailwise/test/harness"
)

// The scenario of TestHeadSamplingWithJaegerRemoteClient. The client sends the web shop's
// traffic (200 requests/s, 3.88 spans per request: about 776 spans/s) for 120 s; POST /checkout
// breaks its 2 s latency objective from 50 s to 80 s.
const (
	hsRate        = 200.0
	hsDuration    = 120 * time.Second
	hsPoll        = 2 * time.Second
	hsSlowRoute   = "POST /checkout"
	hsSlowFrom    = 50 * time.Second
	hsSlowUntil   = 80 * time.Second
	hsInputBudget = 400.0 // spans/s the gateway wants to receive
	// The tail sampler keeps 90 % of what arrives: the test is about the head stage, and the
	// count check then needs fewer requests.
	hsOutputBudget  = 360.0
	hsDecisionDelay = time.Second
	hsAdjust        = time.Second // the head_sampling extension's and slo_sampling's adjust_interval
)

// hsConfig is the gateway: OTLP in, slo_sampling feeding head_sampling, OTLP to Jaeger.
const hsConfig = `
receivers:
  otlp:
    protocols:
      grpc: {endpoint: "%[1]s"}
extensions:
  health_check: {endpoint: "%[2]s"}
  head_sampling:
    http: {endpoint: "%[3]s"}
    grpc: {endpoint: ""}
    input_budget: {spans_per_second: %[6]g}
    # Before the gateway knows a service, it sends everything: the input then falls to the budget.
    default_probability: 1
    # Every route keeps 5 head-sampled traces a second: GET /cart (4/s) is sent whole.
    min_traces_per_minute: 300
    adjust_interval: %[8]s
    rate_window: 10s
    hot_hold: 15s
processors:
  slo_sampling:
    head_sampling: head_sampling
    decision_delay: %[9]s
    adjust_interval: %[8]s
    min_traces_per_stratum_per_minute: 6
    budget: {spans_per_second: %[7]g}
    objectives:
      - name: checkout
        match: {service: frontend, route: POST /checkout}
        latency: {threshold: 2s, target: 0.99}
exporters:
  otlp_grpc/jaeger:
    endpoint: "%[4]s"
    tls: {insecure: true}
service:
  extensions: [health_check, head_sampling]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus: {host: 127.0.0.1, port: %[5]d}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [slo_sampling]
      exporters: [otlp_grpc/jaeger]
`

// hsReport is the client's JSON report (test/headsampling/client).
type hsReport struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	SlowRoute string    `json:"slow_route"`
	SlowFrom  time.Time `json:"slow_from"`
	SlowUntil time.Time `json:"slow_until"`
	Routes    map[string]struct {
		Requests         int `json:"requests"`
		Sampled          int `json:"sampled"`
		Violating        int `json:"violating"`
		ViolatingSampled int `json:"violating_sampled"`
		SpansPerRequest  int `json:"spans_per_request"`
	} `json:"routes"`
	PerSecond []struct {
		Second    int            `json:"second"`
		Requests  map[string]int `json:"requests"`
		Sampled   map[string]int `json:"sampled"`
		SpansSent int            `json:"spans_sent"`
	} `json:"per_second"`
	Polls []struct {
		At            time.Time          `json:"at"`
		Service       string             `json:"service"`
		Probabilities map[string]float64 `json:"probabilities"`
		Error         string             `json:"error"`
	} `json:"polls"`
	ViolatingSent  []string `json:"violating_trace_ids_sent"`
	SpansSent      int      `json:"spans_sent"`
	SpansGenerated int      `json:"spans_generated"`
}

type hsSample struct {
	at       time.Time
	accepted float64 // the otlp receiver's accepted spans so far
	checkout float64 // the probability the gateway serves the slow route
	// estimated is the input the served probabilities predict (otelcol_head_sampling_input_rate)
	estimated float64
}

// TestHeadSamplingWithJaegerRemoteClient runs a web shop instrumented with the OpenTelemetry Go
// SDK and go.opentelemetry.io/contrib/samplers/jaegerremote (test/headsampling/client) against a
// gateway with the head_sampling extension and a real Jaeger: the input falls to the input
// budget within two polls, a route that breaks its latency objective goes to probability 1
// within one poll plus one adjustment with every violating trace sent kept in Jaeger, and the
// request counts per route estimated from Jaeger's kept traces (adjusted counts from ot=th) are
// within 5 % of the client's truth.
func TestHeadSamplingWithJaegerRemoteClient(t *testing.T) {
	clientBin := filepath.Join(t.TempDir(), "client")
	build := exec.Command("go", "build", "-o", clientBin, ".")
	build.Dir = filepath.Join(harness.RepoRoot(), "test", "headsampling", "client")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the client: %v\n%s", err, out)
	}

	// Ports 80 to 86 of the block.
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(harness.PortBase()+80+i) }
	jaeger := harness.StartJaeger(t, addr(0), addr(1), addr(2))
	otlpAddr, healthAddr, samplingAddr, telemetryPort := addr(3), addr(4), addr(5), harness.PortBase()+86
	cfg := filepath.Join(t.TempDir(), "gateway.yaml")
	content := fmt.Sprintf(hsConfig, otlpAddr, healthAddr, samplingAddr, jaeger.OTLP, telemetryPort,
		hsInputBudget, hsOutputBudget, hsAdjust, hsDecisionDelay)
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	col := harness.StartCollector(t, []string{cfg}, healthAddr, nil, otlpAddr, samplingAddr, "127.0.0.1:"+strconv.Itoa(telemetryPort))
	selfMetrics := "http://127.0.0.1:" + strconv.Itoa(telemetryPort) + "/metrics"
	samplingURL := "http://" + samplingAddr + "/sampling"

	// Watch the gateway: its accepted spans and the probability it serves the slow route.
	var (
		mu      sync.Mutex
		samples []hsSample
	)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			s := hsSample{at: time.Now(), accepted: -1, checkout: -1}
			if v, est, err := acceptedSpans(selfMetrics); err == nil {
				s.accepted, s.estimated = v, est
			}
			if p, err := servedProbability(samplingURL, "frontend", hsSlowRoute); err == nil {
				s.checkout = p
			}
			mu.Lock()
			samples = append(samples, s)
			mu.Unlock()
			select {
			case <-watchCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	reportPath := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), hsDuration+60*time.Second)
	defer cancel()
	client := exec.CommandContext(ctx, clientBin,
		"-endpoint", otlpAddr, "-sampling-url", samplingURL, "-poll", hsPoll.String(),
		"-rate", fmt.Sprint(hsRate), "-duration", hsDuration.String(),
		"-slow-route", hsSlowRoute, "-slow-from", hsSlowFrom.String(), "-slow-until", hsSlowUntil.String(),
		"-objective", "2s", "-out", reportPath,
		"-routes", filepath.Join(harness.RepoRoot(), "test", "recordings", "webshop", "routes.json"))
	if out, err := client.CombinedOutput(); err != nil {
		t.Fatalf("client: %v\n%s\ncollector log:\n%s", err, out, harness.TailFile(col.LogPath, 30))
	} else {
		t.Logf("client: %s", strings.TrimSpace(string(out)))
	}
	// Let the last traces be decided and exported.
	time.Sleep(hsDecisionDelay + 2*time.Second)
	stopWatch()
	<-watched

	raw, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep hsReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Polls {
		if p.Error != "" {
			t.Errorf("a poll of %s failed: %s", p.Service, p.Error)
		}
	}
	mu.Lock()
	obs := append([]hsSample(nil), samples...)
	mu.Unlock()

	// What the frontend's sampler was told, at each change.
	last := ""
	for _, p := range rep.Polls {
		if p.Service != "frontend" {
			continue
		}
		ops := make([]string, 0, len(p.Probabilities))
		for op, prob := range p.Probabilities {
			ops = append(ops, fmt.Sprintf("%s=%.3f", op, prob))
		}
		sort.Strings(ops)
		if line := strings.Join(ops, " "); line != last {
			t.Logf("frontend at %5.1f s: %s", p.At.Sub(rep.Start).Seconds(), line)
			last = line
		}
	}

	t.Run("input falls to the budget within two polls", func(t *testing.T) {
		// The client's frontend polls: the first at its start, then every poll interval.
		var polls []time.Time
		for _, p := range rep.Polls {
			if p.Service == "frontend" {
				polls = append(polls, p.At)
			}
		}
		if len(polls) < 3 {
			t.Fatalf("the frontend polled %d times", len(polls))
		}
		// From the second poll after the start (plus the SDK's 200 ms batch timeout) to the slow
		// route's change.
		from, to := polls[2].Add(500*time.Millisecond), rep.SlowFrom
		rate, ok := spanRate(obs, from, to)
		if !ok {
			t.Fatalf("no self-metrics around %v..%v", from, to)
		}
		before, _ := spanRate(obs, rep.Start.Add(200*time.Millisecond), polls[1])
		var windows []string
		for w := from; w.Add(5 * time.Second).Before(rep.End); w = w.Add(5 * time.Second) {
			r, _ := spanRate(obs, w, w.Add(5*time.Second))
			est := 0.0
			for _, s := range obs {
				if !s.at.Before(w) {
					est = s.estimated
					break
				}
			}
			windows = append(windows, fmt.Sprintf("%.0f (%.0f)", r, est))
		}
		t.Logf("input before the first poll with a strategy %.0f spans/s; from the second poll (%.1f s after the start) to %.0f s: %.1f spans/s for a budget of %.0f (%+.1f %%); by 5 s windows (in brackets the input the gateway predicted at their start): %s",
			before, polls[2].Sub(rep.Start).Seconds(), to.Sub(rep.Start).Seconds(), rate, hsInputBudget, 100*(rate/hsInputBudget-1), strings.Join(windows, " "))
		if math.Abs(rate/hsInputBudget-1) > 0.10 {
			t.Errorf("input %.1f spans/s is not within 10 %% of the budget %.0f", rate, hsInputBudget)
		}
	})

	t.Run("the route breaking its objective goes to 1 within a poll and an adjustment", func(t *testing.T) {
		served := time.Time{}
		for _, s := range obs {
			if s.at.After(rep.SlowFrom) && s.checkout == 1 {
				served = s.at
				break
			}
		}
		applied := time.Time{}
		for _, p := range rep.Polls {
			if p.Service == "frontend" && p.At.After(rep.SlowFrom) && p.Probabilities[hsSlowRoute] == 1 {
				applied = p.At
				break
			}
		}
		if served.IsZero() || applied.IsZero() {
			t.Fatalf("%s never went to 1 (gateway: %v, client: %v)", hsSlowRoute, served, applied)
		}
		// The first violating trace is decided decision_delay after it arrives, the tail sampler
		// reports its violation stratum at its next adjustment, head_sampling serves 1 at its next
		// one, and the SDK applies it at its next poll; 1 s for the SDK's batching and the ticks.
		bound := hsDecisionDelay + hsAdjust + hsAdjust + hsPoll + time.Second
		t.Logf("%s slow from %.1f s: the gateway serves 1 after %.2f s, the SDK has it after %.2f s (bound %v)",
			hsSlowRoute, rep.SlowFrom.Sub(rep.Start).Seconds(), served.Sub(rep.SlowFrom).Seconds(), applied.Sub(rep.SlowFrom).Seconds(), bound)
		if d := applied.Sub(rep.SlowFrom); d > bound {
			t.Errorf("the SDK sampled %s at 1 only %v after it broke its objective (bound %v)", hsSlowRoute, d, bound)
		}
		// Every request of the route sent from the next full second to the end of the slow phase.
		first := int(math.Ceil(applied.Sub(rep.Start).Seconds()))
		last := int(rep.SlowUntil.Sub(rep.Start).Seconds()) - 1
		for _, ps := range rep.PerSecond {
			if ps.Second >= first && ps.Second <= last && ps.Sampled[hsSlowRoute] != ps.Requests[hsSlowRoute] {
				t.Errorf("second %d: %d of %d %s requests sampled by the SDK", ps.Second, ps.Sampled[hsSlowRoute], ps.Requests[hsSlowRoute], hsSlowRoute)
			}
		}
	})

	kept := map[string]map[string]jaegerKept{}
	err = harness.Eventually(30*time.Second, 2*time.Second, func() error {
		total, prev := 0, 0
		for _, m := range kept {
			prev += len(m)
		}
		for route := range rep.Routes {
			m, err := jaegerRootsOf(jaeger.QueryURL, "frontend", route, rep.Start.Add(-time.Minute), rep.End.Add(time.Minute))
			if err != nil {
				return err
			}
			kept[route] = m
			total += len(m)
		}
		if total == 0 || total != prev {
			return fmt.Errorf("Jaeger holds %d traces (%d before)", total, prev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("every violating trace sent is in Jaeger, whole", func(t *testing.T) {
		m := kept[hsSlowRoute]
		missing, partial := 0, 0
		for _, id := range rep.ViolatingSent {
			k, ok := m[id]
			switch {
			case !ok:
				missing++
			case k.spans != rep.Routes[hsSlowRoute].SpansPerRequest:
				partial++
			}
		}
		r := rep.Routes[hsSlowRoute]
		t.Logf("%s: %d violating requests, %d sent by the SDK (the rest before it had probability 1), %d of them in Jaeger, %d in part",
			hsSlowRoute, r.Violating, len(rep.ViolatingSent), len(rep.ViolatingSent)-missing, partial)
		if len(rep.ViolatingSent) == 0 || missing > 0 || partial > 0 {
			t.Errorf("%d violating traces sent, %d missing from Jaeger, %d in part", len(rep.ViolatingSent), missing, partial)
		}
	})

	t.Run("adjusted counts from Jaeger estimate the requests per route", func(t *testing.T) {
		routes := make([]string, 0, len(rep.Routes))
		for r := range rep.Routes {
			routes = append(routes, r)
		}
		sort.Strings(routes)
		for _, r := range routes {
			truth := rep.Routes[r].Requests
			est, variance, stamped := 0.0, 0.0, 0
			for _, k := range kept[r] {
				est += k.count
				variance += k.count * (k.count - 1) // Horvitz-Thompson: sum of (1-p)/p² over kept traces
				if k.count > 1 {
					stamped++
				}
			}
			dev := est/float64(truth) - 1
			t.Logf("%-18s truth %6d  sent by the SDK %6d  kept in Jaeger %6d (%d with th)  estimate %8.1f  %+5.2f %% (σ ≈ %.2f %%)",
				r, truth, rep.Routes[r].Sampled, len(kept[r]), stamped, est, 100*dev, 100*math.Sqrt(variance)/float64(truth))
			if math.Abs(dev) > 0.05 {
				t.Errorf("%s: estimate %.1f is %+.2f %% off the truth %d", r, est, 100*dev, truth)
			}
		}
	})
}

// jaegerKept is a trace Jaeger holds: its spans and its adjusted count.
type jaegerKept struct {
	spans int
	count float64
}

// jaegerRootsOf returns the traces Jaeger holds whose root is the service's operation, by trace
// id, with the adjusted count the root's ot=th gives (1 without th).
func jaegerRootsOf(queryURL, service, operation string, start, end time.Time) (map[string]jaegerKept, error) {
	q := url.Values{"service": {service}, "operation": {operation}, "limit": {"1000000"},
		"start": {strconv.FormatInt(start.UnixMicro(), 10)}, "end": {strconv.FormatInt(end.UnixMicro(), 10)}}
	var res struct {
		Data []struct {
			TraceID string `json:"traceID"`
			Spans   []struct {
				OperationName string            `json:"operationName"`
				References    []json.RawMessage `json:"references"`
				Tags          []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"tags"`
			} `json:"spans"`
		} `json:"data"`
	}
	if err := harness.GetJSON(queryURL, "/api/traces", q, nil, &res); err != nil {
		return nil, err
	}
	out := map[string]jaegerKept{}
	for _, tr := range res.Data {
		k := jaegerKept{spans: len(tr.Spans)}
		for _, sp := range tr.Spans {
			if len(sp.References) > 0 || sp.OperationName != operation {
				continue
			}
			k.count = 1
			for _, tag := range sp.Tags {
				if tag.Key == "w3c.tracestate" {
					s, _ := tag.Value.(string)
					k.count = adjustedCount(s)
				}
			}
		}
		if k.count > 0 {
			out[padHex(tr.TraceID, 32)] = k
		}
	}
	return out, nil
}

// adjustedCount is 1/p for the ot=th threshold of a W3C tracestate (1 without th): th is up to
// 14 hex digits, padded with zeros on the right, and p = 1 - th/2^56.
func adjustedCount(tracestate string) float64 {
	for _, member := range strings.Split(tracestate, ",") {
		value, ok := strings.CutPrefix(strings.TrimSpace(member), "ot=")
		if !ok {
			continue
		}
		for _, field := range strings.Split(value, ";") {
			th, ok := strings.CutPrefix(field, "th:")
			if !ok || th == "" || len(th) > 14 {
				continue
			}
			t, err := strconv.ParseUint(th+strings.Repeat("0", 14-len(th)), 16, 64)
			if err != nil {
				continue
			}
			return 1 / (1 - float64(t)/(1<<56))
		}
	}
	return 1
}

// acceptedSpans is the sum of the collector's otelcol_receiver_accepted_spans for its otlp
// receiver (0 before the first span), and the input head_sampling predicts.
func acceptedSpans(metricsURL string) (accepted, estimated float64, err error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "otelcol_receiver_accepted_spans") && strings.Contains(line, `receiver="otlp"`):
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				return 0, 0, err
			}
			accepted += v
		case strings.HasPrefix(line, "otelcol_head_sampling_input_rate") && strings.Contains(line, `rate="estimated"`):
			estimated, _ = strconv.ParseFloat(f[len(f)-1], 64)
		}
	}
	return accepted, estimated, sc.Err() // none yet: nothing accepted
}

// servedProbability is the probability the sampling endpoint serves the service's operation.
func servedProbability(samplingURL, service, operation string) (float64, error) {
	var s struct {
		OperationSampling struct {
			DefaultSamplingProbability float64 `json:"defaultSamplingProbability"`
			PerOperationStrategies     []struct {
				Operation             string `json:"operation"`
				ProbabilisticSampling struct {
					SamplingRate float64 `json:"samplingRate"`
				} `json:"probabilisticSampling"`
			} `json:"perOperationStrategies"`
		} `json:"operationSampling"`
	}
	if err := harness.GetJSON(samplingURL, "", url.Values{"service": {service}}, nil, &s); err != nil {
		return 0, err
	}
	for _, o := range s.OperationSampling.PerOperationStrategies {
		if o.Operation == operation {
			return o.ProbabilisticSampling.SamplingRate, nil
		}
	}
	return s.OperationSampling.DefaultSamplingProbability, nil
}

// spanRate is the rate of accepted spans between from and to, interpolated between the samples.
func spanRate(obs []hsSample, from, to time.Time) (float64, bool) {
	a, okA := interpolate(obs, from)
	b, okB := interpolate(obs, to)
	if !okA || !okB || !to.After(from) {
		return 0, false
	}
	return (b - a) / to.Sub(from).Seconds(), true
}

func interpolate(obs []hsSample, at time.Time) (float64, bool) {
	var prev *hsSample
	for i := range obs {
		s := &obs[i]
		if s.accepted < 0 {
			continue
		}
		if !s.at.Before(at) {
			if prev == nil {
				return s.accepted, true
			}
			f := at.Sub(prev.at).Seconds() / s.at.Sub(prev.at).Seconds()
			return prev.accepted + f*(s.accepted-prev.accepted), true
		}
		prev = s
	}
	return 0, false
}
