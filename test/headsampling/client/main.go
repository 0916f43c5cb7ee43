// Command client is a web shop instrumented with the OpenTelemetry Go SDK whose sampler is
// go.opentelemetry.io/contrib/samplers/jaegerremote, polling a gateway's head_sampling extension
// (HTTP /sampling) for per-operation probabilities, and exporting OTLP/gRPC to the gateway. It
// generates the traffic of test/recordings/webshop (the same seven services, five routes, span
// trees, latencies and payment errors), can make one route break its latency objective for a
// time, and prints at the end, as JSON, the truth it generated: requests per route and per
// second, how many of them its sampler sampled, and the ids of the SLO-violating traces it sent.
//
//	go run . -endpoint 127.0.0.1:4317 -sampling-url http://127.0.0.1:5778/sampling \
//	    -rate 200 -duration 100s -slow-route 'POST /checkout' -slow-from 45s -slow-until 75s
//
// It lives in a module of its own so that the SDK's versions never change the collector's.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/samplers/jaegerremote"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// call is one span of a route's tree: its service, name, kind (server or client), median
// latency and children.
type call struct {
	Service  string  `json:"service"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	MedianMs float64 `json:"median_ms"`
	Children []call  `json:"children"`
}

type route struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Root   call    `json:"root"`
}

// routes are test/recordings/webshop's, read from its routes.json (-routes).
var routes []route

func readRoutes(path string) ([]route, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rs []route
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rs, nil
}

func spanKind(kind string) trace.SpanKind {
	if kind == "client" {
		return trace.SpanKindClient
	}
	return trace.SpanKindServer
}

func services() []string {
	seen := map[string]bool{}
	var out []string
	var walk func(c call)
	walk = func(c call) {
		if !seen[c.Service] {
			seen[c.Service] = true
			out = append(out, c.Service)
		}
		for _, ch := range c.Children {
			walk(ch)
		}
	}
	for _, r := range routes {
		walk(r.Root)
	}
	return out
}

// Report is what the client prints at the end.
type Report struct {
	Start          time.Time             `json:"start"`
	End            time.Time             `json:"end"`
	RequestsPerSec float64               `json:"requests_per_second_asked"`
	PollInterval   string                `json:"poll_interval"`
	SlowRoute      string                `json:"slow_route,omitempty"`
	SlowFrom       *time.Time            `json:"slow_from,omitempty"`
	SlowUntil      *time.Time            `json:"slow_until,omitempty"`
	ObjectiveMs    float64               `json:"objective_ms"`
	Routes         map[string]*RouteLine `json:"routes"`
	PerSecond      []Second              `json:"per_second"`
	Polls          []Poll                `json:"polls"`
	ViolatingSent  []string              `json:"violating_trace_ids_sent"`
	SpansSent      int                   `json:"spans_sent"`
	SpansGenerated int                   `json:"spans_generated"`
	ExportErrors   int                   `json:"export_errors"`
	ExportFirstErr string                `json:"export_first_error,omitempty"`
}

// RouteLine is one route's totals.
type RouteLine struct {
	Requests         int `json:"requests"`
	Sampled          int `json:"sampled"`
	Violating        int `json:"violating"`
	ViolatingSampled int `json:"violating_sampled"`
	SpansPerRequest  int `json:"spans_per_request"`
}

// Second is one second of traffic, counted from Start.
type Second struct {
	Second     int            `json:"second"`
	Requests   map[string]int `json:"requests"`
	Sampled    map[string]int `json:"sampled"`
	SpansSent  int            `json:"spans_sent"`
	Violations int            `json:"violations"`
}

// Poll is one answer the SDK's sampler got from the sampling endpoint.
type Poll struct {
	At            time.Time          `json:"at"`
	Service       string             `json:"service"`
	Default       float64            `json:"default_probability"`
	Probabilities map[string]float64 `json:"probabilities,omitempty"`
	Error         string             `json:"error,omitempty"`
}

// fetcher is the sampler's HTTP fetch (the request jaegerremote's own fetcher makes, GET
// URL?service=NAME), recording every answer for the report.
type fetcher struct {
	url    string
	client http.Client
	mu     sync.Mutex
	polls  []Poll
}

func (f *fetcher) Fetch(service string) ([]byte, error) {
	uri := f.url + "?" + url.Values{"service": {service}}.Encode()
	body, err := func() ([]byte, error) {
		resp, err := f.client.Get(uri)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 400 {
			return nil, fmt.Errorf("status code: %d, body: %s", resp.StatusCode, body)
		}
		return body, nil
	}()
	p := Poll{At: time.Now(), Service: service}
	if err != nil {
		p.Error = err.Error()
	} else {
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
			ProbabilisticSampling struct {
				SamplingRate float64 `json:"samplingRate"`
			} `json:"probabilisticSampling"`
		}
		if json.Unmarshal(body, &s) == nil {
			p.Default = s.OperationSampling.DefaultSamplingProbability
			if p.Default == 0 {
				p.Default = s.ProbabilisticSampling.SamplingRate
			}
			for _, o := range s.OperationSampling.PerOperationStrategies {
				if p.Probabilities == nil {
					p.Probabilities = map[string]float64{}
				}
				p.Probabilities[o.Operation] = o.ProbabilisticSampling.SamplingRate
			}
		}
	}
	f.mu.Lock()
	f.polls = append(f.polls, p)
	f.mu.Unlock()
	return body, err
}

// countingExporter counts what the SDK exported.
type countingExporter struct {
	sdktrace.SpanExporter
	mu       sync.Mutex
	spans    int
	errors   int
	firstErr string
}

func (e *countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.errors++
		if e.firstErr == "" {
			e.firstErr = err.Error()
		}
	} else {
		e.spans += len(spans)
	}
	return err
}

type shop struct {
	rng       *rand.Rand
	tracers   map[string]trace.Tracer
	slowRoute string
	slowMs    float64
	objective float64
}

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint of the gateway")
	samplingURL := flag.String("sampling-url", "http://127.0.0.1:5778/sampling", "the head_sampling extension's HTTP endpoint")
	poll := flag.Duration("poll", 2*time.Second, "sampling refresh interval of the SDK (1-5 s)")
	rate := flag.Float64("rate", 200, "requests per second (Poisson arrivals)")
	duration := flag.Duration("duration", 100*time.Second, "how long to send")
	seed := flag.Uint64("seed", 20261207, "random seed of the traffic (trace ids come from the SDK)")
	slowRoute := flag.String("slow-route", "", "route made to break its latency objective, e.g. 'POST /checkout'")
	slowFrom := flag.Duration("slow-from", 0, "from this time after the start the slow route is slow")
	slowUntil := flag.Duration("slow-until", 0, "until this time after the start (0: to the end)")
	slowMs := flag.Float64("slow-ms", 2500, "median latency of the slow route while it is slow (at least objective + 10 %)")
	objective := flag.Duration("objective", 2*time.Second, "the slow route's latency objective: normal latencies stay below it, slow ones above")
	out := flag.String("out", "-", "where to write the JSON report (- for stdout)")
	routesFile := flag.String("routes", "../../recordings/webshop/routes.json", "the web shop's routes")
	flag.Parse()
	if *poll < time.Second || *poll > 5*time.Second {
		log.Fatalf("-poll %v: use 1s to 5s", *poll)
	}
	var err error
	if routes, err = readRoutes(*routesFile); err != nil {
		log.Fatalf("-routes: %v", err)
	}

	ctx := context.Background()
	f := &fetcher{url: *samplingURL, client: http.Client{Timeout: 5 * time.Second}}
	var providers []*sdktrace.TracerProvider
	var samplers []*jaegerremote.Sampler
	var exporters []*countingExporter
	sh := &shop{rng: rand.New(rand.NewPCG(*seed, 7)), tracers: map[string]trace.Tracer{},
		slowRoute: *slowRoute, slowMs: *slowMs, objective: float64(*objective) / float64(time.Millisecond)}
	for _, svc := range services() {
		exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(*endpoint), otlptracegrpc.WithInsecure())
		if err != nil {
			log.Fatal(err)
		}
		ce := &countingExporter{SpanExporter: exp}
		exporters = append(exporters, ce)
		// Every service polls for its own strategy, as each process of a real shop would; only
		// the frontend starts traces, the others follow their parent's decision.
		s := jaegerremote.New(svc,
			jaegerremote.WithSamplingServerURL(*samplingURL),
			jaegerremote.WithSamplingStrategyFetcher(f),
			jaegerremote.WithSamplingRefreshInterval(*poll))
		samplers = append(samplers, s)
		tp := sdktrace.NewTracerProvider(
			sdktrace.WithSampler(sdktrace.ParentBased(s)),
			sdktrace.WithResource(resource.NewSchemaless(
				attribute.String("service.name", svc),
				attribute.String("deployment.environment.name", "e2e"))),
			sdktrace.WithBatcher(ce, sdktrace.WithBatchTimeout(200*time.Millisecond),
				sdktrace.WithMaxQueueSize(1<<16), sdktrace.WithMaxExportBatchSize(2048)))
		providers = append(providers, tp)
		sh.tracers[svc] = tp.Tracer("github.com/tailwise/tailwise/test/headsampling/client")
	}
	// The first poll starts with the sampler; traffic waits for its answer so that no request is
	// sampled by the SDK's initial sampler (0.001).
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		n := len(f.polls)
		f.mu.Unlock()
		if n >= len(samplers) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	rep := &Report{RequestsPerSec: *rate, PollInterval: poll.String(), SlowRoute: *slowRoute,
		ObjectiveMs: sh.objective, Routes: map[string]*RouteLine{}}
	for _, r := range routes {
		rep.Routes[r.Name] = &RouteLine{SpansPerRequest: countSpans(r.Root)}
	}
	start := time.Now()
	rep.Start = start
	if *slowRoute != "" {
		from := start.Add(*slowFrom)
		rep.SlowFrom = &from
		if *slowUntil > 0 {
			until := start.Add(*slowUntil)
			rep.SlowUntil = &until
		}
	}
	next := start
	for {
		now := time.Now()
		if now.Sub(start) >= *duration {
			break
		}
		if d := next.Sub(now); d > 0 {
			time.Sleep(d)
			now = time.Now()
		}
		slow := *slowRoute != "" && now.Sub(start) >= *slowFrom && (*slowUntil == 0 || now.Sub(start) < *slowUntil)
		r := sh.pickRoute()
		sampled, violating, tid := sh.request(ctx, r, now, slow && r.Name == *slowRoute)
		sec := int(now.Sub(start) / time.Second)
		for len(rep.PerSecond) <= sec {
			rep.PerSecond = append(rep.PerSecond, Second{Second: len(rep.PerSecond), Requests: map[string]int{}, Sampled: map[string]int{}})
		}
		ps := &rep.PerSecond[sec]
		line := rep.Routes[r.Name]
		line.Requests++
		ps.Requests[r.Name]++
		rep.SpansGenerated += line.SpansPerRequest
		if sampled {
			line.Sampled++
			ps.Sampled[r.Name]++
			ps.SpansSent += line.SpansPerRequest
		}
		if violating {
			line.Violating++
			ps.Violations++
			if sampled {
				line.ViolatingSampled++
				rep.ViolatingSent = append(rep.ViolatingSent, tid)
			}
		}
		next = next.Add(time.Duration(sh.rng.ExpFloat64() / *rate * float64(time.Second)))
	}
	rep.End = time.Now()
	for _, s := range samplers {
		s.Close()
	}
	for _, tp := range providers {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := tp.Shutdown(sctx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		cancel()
	}
	for _, e := range exporters {
		rep.SpansSent += e.spans
		rep.ExportErrors += e.errors
		if rep.ExportFirstErr == "" {
			rep.ExportFirstErr = e.firstErr
		}
	}
	f.mu.Lock()
	rep.Polls = f.polls
	f.mu.Unlock()
	sort.Strings(rep.ViolatingSent)

	w := io.Writer(os.Stdout)
	if *out != "-" {
		file, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer file.Close()
		w = file
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(rep); err != nil {
		log.Fatal(err)
	}
	total, sampled := 0, 0
	for _, l := range rep.Routes {
		total += l.Requests
		sampled += l.Sampled
	}
	log.Printf("sent %d of %d requests (%d spans of %d) in %v; %d export errors",
		sampled, total, rep.SpansSent, rep.SpansGenerated, rep.End.Sub(rep.Start).Round(time.Second), rep.ExportErrors)
	if rep.ExportErrors > 0 {
		os.Exit(1)
	}
}

func countSpans(c call) int {
	n := 1
	for _, ch := range c.Children {
		n += countSpans(ch)
	}
	return n
}

func (s *shop) pickRoute() route {
	x := s.rng.Float64()
	for _, r := range routes {
		if x < r.Weight {
			return r
		}
		x -= r.Weight
	}
	return routes[0]
}

// duration draws a log-normal latency around the median with webshop's slow tail (2 % eight
// times slower), capped at ten times the median so that normal traffic never breaks an
// objective set above that.
func (s *shop) duration(medianMs float64) time.Duration {
	ms := medianMs * math.Exp(0.45*s.rng.NormFloat64())
	if s.rng.Float64() < 0.02 {
		ms *= 8
	}
	ms = math.Min(ms, 10*medianMs)
	return time.Duration(ms * float64(time.Millisecond))
}

// request records one request ending at end: the root span of the frontend and its tree, with
// explicit timestamps. It returns whether the SDK sampled it, whether it breaks the latency
// objective, and its trace id.
func (s *shop) request(ctx context.Context, r route, end time.Time, slow bool) (sampled, violating bool, traceID string) {
	failed := r.Name == "POST /checkout" && s.rng.Float64() < 0.06
	total := s.duration(r.Root.MedianMs)
	if slow {
		// At least 10 % over the objective, whatever the draw.
		total = time.Duration(math.Max(s.slowMs*math.Exp(0.2*s.rng.NormFloat64()), 1.1*s.objective) * float64(time.Millisecond))
	}
	if r.Name == s.slowRoute && float64(total)/float64(time.Millisecond) > s.objective {
		violating = true
	}
	sc := s.span(ctx, r.Name, r.Root, true, end.Add(-total), total, failed)
	return sc.IsSampled(), violating, sc.TraceID().String()
}

func (s *shop) span(ctx context.Context, routeName string, c call, root bool, start time.Time, dur time.Duration, failed bool) trace.SpanContext {
	opts := []trace.SpanStartOption{trace.WithSpanKind(spanKind(c.Kind)), trace.WithTimestamp(start)}
	if root {
		method, path, _ := strings.Cut(routeName, " ")
		opts = append(opts, trace.WithNewRoot(), trace.WithAttributes(
			attribute.String("http.request.method", method),
			attribute.String("http.route", path)))
	}
	ctx, sp := s.tracers[c.Service].Start(ctx, c.Name, opts...)
	defer sp.End(trace.WithTimestamp(start.Add(dur)))
	if root {
		status := 200
		if failed {
			status = 502
		}
		sp.SetAttributes(attribute.Int("http.response.status_code", status))
	}
	if failed && (c.Service == "payment" || root || c.Service == "checkout") {
		sp.SetStatus(codes.Error, "payment declined by issuer")
	}
	// children run one after another inside the parent's time
	offset := dur / 10
	for _, child := range c.Children {
		cd := s.duration(child.MedianMs)
		if offset+cd > dur {
			cd = max(dur-offset, time.Millisecond)
		}
		s.span(ctx, routeName, child, false, start.Add(offset), cd, failed)
		offset += cd
	}
	return sp.SpanContext()
}
