// Command webshop sends the traffic of a small web shop to an OTLP endpoint in real time, for the
// project's bundled recording: traces of seven services over five routes (with payment errors
// and slow shipping quotes), the services' log lines carrying trace context in several textual
// forms (and, in places, personal data for the redaction examples), and request-duration
// histograms with exemplars.
//
//	go run ./test/recordings/webshop -endpoint 127.0.0.1:4317 -duration 70s -rate 12
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/test/harness"
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

// routesJSON is the web shop's routes, shared with test/headsampling/client.
//
//go:embed routes.json
var routesJSON []byte

var routes = func() []route {
	var rs []route
	if err := json.Unmarshal(routesJSON, &rs); err != nil {
		panic(fmt.Sprintf("routes.json: %v", err))
	}
	return rs
}()

func spanKind(kind string) ptrace.SpanKind {
	if kind == "client" {
		return ptrace.SpanKindClient
	}
	return ptrace.SpanKindServer
}

type generator struct {
	rng    *rand.Rand
	client *harness.OTLPClient
	// request durations of the server spans since the last metrics export, per service and route
	durations map[[2]string][]sample
}

type sample struct {
	ms      float64
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	at      time.Time
}

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint")
	duration := flag.Duration("duration", 70*time.Second, "how long to send")
	rate := flag.Float64("rate", 12, "requests per second")
	seed := flag.Uint64("seed", 20261121, "random seed")
	flag.Parse()

	client, err := harness.DialOTLP(*endpoint, "")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	g := &generator{rng: rand.New(rand.NewPCG(*seed, 1)), client: client, durations: map[[2]string][]sample{}}
	start := time.Now()
	next, lastMetrics := start, start
	n := 0
	for time.Since(start) < *duration {
		time.Sleep(time.Until(next))
		if err := g.request(time.Now()); err != nil {
			log.Fatal(err)
		}
		n++
		next = next.Add(time.Duration(g.rng.ExpFloat64() / *rate * float64(time.Second)))
		if time.Since(lastMetrics) >= 5*time.Second {
			lastMetrics = time.Now()
			if err := client.SendMetrics(g.metrics(start, lastMetrics)); err != nil {
				log.Fatal(err)
			}
		}
	}
	log.Printf("sent %d requests in %v", n, time.Since(start).Round(time.Second))
}

func (g *generator) pickRoute() route {
	x := g.rng.Float64()
	for _, r := range routes {
		if x < r.Weight {
			return r
		}
		x -= r.Weight
	}
	return routes[0]
}

// request sends one request's trace, ending now, and its log lines.
func (g *generator) request(end time.Time) error {
	r := g.pickRoute()
	var tid pcommon.TraceID
	for i := range tid {
		tid[i] = byte(g.rng.UintN(256))
	}
	td := ptrace.NewTraces()
	ld := plog.NewLogs()
	failed := r.Name == "POST /checkout" && g.rng.Float64() < 0.06
	total := g.duration(r.Root.MedianMs)
	g.span(td, ld, r.Name, r.Root, tid, pcommon.SpanID{}, end.Add(-total), total, failed)
	if err := g.client.SendTraces(td); err != nil {
		return err
	}
	return g.client.SendLogs(ld)
}

// duration draws a log-normal latency around the median, with a slow tail.
func (g *generator) duration(medianMs float64) time.Duration {
	ms := medianMs * math.Exp(0.45*g.rng.NormFloat64())
	if g.rng.Float64() < 0.02 {
		ms *= 8
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (g *generator) span(td ptrace.Traces, ld plog.Logs, routeName string, c call, tid pcommon.TraceID,
	parent pcommon.SpanID, start time.Time, dur time.Duration, failed bool,
) {
	var sid pcommon.SpanID
	for i := range sid {
		sid[i] = byte(g.rng.UintN(256))
	}
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", c.Service)
	rs.Resource().Attributes().PutStr("deployment.environment.name", "demo")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	sp.SetParentSpanID(parent)
	sp.SetName(c.Name)
	sp.SetKind(spanKind(c.Kind))
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(dur)))
	if c.Service == "frontend" && parent.IsEmpty() {
		method, path, _ := strings.Cut(routeName, " ")
		sp.Attributes().PutStr("http.request.method", method)
		sp.Attributes().PutStr("http.route", path)
		status := int64(200)
		if failed {
			status = 502
		}
		sp.Attributes().PutInt("http.response.status_code", status)
		g.durations[[2]string{c.Service, routeName}] = append(g.durations[[2]string{c.Service, routeName}],
			sample{float64(dur) / float64(time.Millisecond), tid, sid, start.Add(dur)})
	}
	isFailure := failed && (c.Service == "payment" || (c.Service == "frontend" && parent.IsEmpty()) || c.Service == "checkout")
	if isFailure {
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage("payment declined by issuer")
	}
	g.logs(ld, c, tid, sid, start.Add(dur/2), isFailure)

	// children run one after another inside the parent's time
	offset := dur / 10
	for _, child := range c.Children {
		cd := g.duration(child.MedianMs)
		if offset+cd > dur {
			cd = max(dur-offset, time.Millisecond)
		}
		g.span(td, ld, routeName, child, tid, sid, start.Add(offset), cd, failed)
		offset += cd
	}
}

// logs writes the service's log lines, each service with its own way of carrying trace context.
func (g *generator) logs(ld plog.Logs, c call, tid pcommon.TraceID, sid pcommon.SpanID, at time.Time, failed bool) {
	if c.Kind != "server" {
		return
	}
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", c.Service)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(at.Add(3 * time.Millisecond)))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	if failed {
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
	}
	tHex, sHex := tid.String(), sid.String()
	switch c.Service {
	case "frontend": // trace context in the record's fields, as OTel SDK log bridges do
		lr.SetTraceID(tid)
		lr.SetSpanID(sid)
		lr.Body().SetStr(fmt.Sprintf("request served: %s", c.Name))
	case "checkout": // logfmt text
		msg := "order placed"
		if failed {
			msg = "order failed: payment declined"
		}
		lr.Body().SetStr(fmt.Sprintf("level=%s msg=%q trace_id=%s span_id=%s user=jane.doe%d@example.com",
			lr.SeverityText(), msg, tHex, sHex, g.rng.IntN(500)))
	case "payment": // W3C traceparent in the text, a card number in the failure message
		if failed {
			lr.Body().SetStr(fmt.Sprintf("charge declined for card 4111 1111 1111 1111 traceparent=00-%s-%s-01", tHex, sHex))
		} else {
			lr.Body().SetStr(fmt.Sprintf("charge accepted traceparent=00-%s-%s-01", tHex, sHex))
		}
	case "cart": // structured body with the ids under the usual keys
		body := lr.Body().SetEmptyMap()
		body.PutStr("message", "cart updated")
		body.PutStr("trace_id", tHex)
		body.PutStr("span_id", sHex)
	case "shipping": // Spring Sleuth style prefix
		lr.Body().SetStr(fmt.Sprintf("[shipping,%s,%s,true] quote computed", tHex, sHex))
	default: // ids as attributes
		lr.Body().SetStr(c.Name + " done")
		lr.Attributes().PutStr("trace_id", tHex)
		lr.Attributes().PutStr("span_id", sHex)
	}
}

// metrics renders the request durations seen since the last export as delta histograms with
// one exemplar per bucket that saw a request, then forgets them.
func (g *generator) metrics(start, now time.Time) pmetric.Metrics {
	bounds := []float64{5, 10, 25, 50, 100, 250, 500, 1000, 2500}
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "frontend")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("http.server.request.duration")
	m.SetUnit("ms")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	for key, samples := range g.durations {
		dp := h.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(now))
		dp.Attributes().PutStr("http.route", key[1])
		dp.ExplicitBounds().FromRaw(bounds)
		counts := make([]uint64, len(bounds)+1)
		withExemplar := make([]bool, len(bounds)+1)
		sum := 0.0
		for _, s := range samples {
			b := 0
			for b < len(bounds) && s.ms > bounds[b] {
				b++
			}
			counts[b]++
			sum += s.ms
			if !withExemplar[b] {
				withExemplar[b] = true
				ex := dp.Exemplars().AppendEmpty()
				ex.SetDoubleValue(s.ms)
				ex.SetTimestamp(pcommon.NewTimestampFromTime(s.at))
				ex.SetTraceID(s.traceID)
				ex.SetSpanID(s.spanID)
			}
		}
		dp.BucketCounts().FromRaw(counts)
		dp.SetCount(uint64(len(samples)))
		dp.SetSum(sum)
	}
	g.durations = map[[2]string][]sample{}
	return md
}
