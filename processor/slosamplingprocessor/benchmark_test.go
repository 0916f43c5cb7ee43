package slosamplingprocessor

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tailwise/tailwise/internal/loadtest"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
)

// Benchmark input: 1,000-span batches of 100 traces of 10 spans (a server
// root and 9 client children), 10 string attributes per span; one trace in
// a hundred has a 600 ms root, another one an ERROR span.
const (
	tracesPerBatch = 100
	spansPerTrace  = 10
	batchesPerRun  = 100
)

var childNames = [...]string{"SELECT orders", "GET /inventory", "POST /payment", "GET /cart", "SET session", "GET /shipping", "POST /email", "GET /currency", "GET /ads"}

// attrKeys are app.attr_0 .. app.attr_9.
var attrKeys = func() (keys [10]string) {
	for k := range keys {
		keys[k] = fmt.Sprintf("app.attr_%d", k)
	}
	return keys
}()

// benchBatch builds batch number n of a run; seed makes trace ids fresh.
func benchBatch(seed uint64, n int, start time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	td.ResourceSpans().EnsureCapacity(tracesPerBatch)
	for i := range tracesPerBatch {
		traceIndex := n*tracesPerBatch + i
		var id pcommon.TraceID
		binary.BigEndian.PutUint64(id[:8], seed)
		binary.BigEndian.PutUint64(id[8:], mixBench(seed^uint64(traceIndex)))
		rs := td.ResourceSpans().AppendEmpty()
		res := rs.Resource().Attributes()
		res.PutStr("service.name", "checkout")
		res.PutStr("service.version", "1.4.2")
		res.PutStr("host.name", "checkout-7d9f8b6c5d-x2x4q")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		spans.EnsureCapacity(spansPerTrace)
		root := pcommon.SpanID{1, byte(i), byte(n), byte(n >> 8), 0, 0, 0, 1}
		for s := range spansPerTrace {
			span := spans.AppendEmpty()
			span.SetTraceID(id)
			span.SetSpanID(pcommon.SpanID{1, byte(i), byte(n), byte(n >> 8), 0, 0, 0, byte(s + 1)})
			duration := 2 * time.Millisecond
			if s == 0 {
				span.SetName("GET /api/v1/checkout")
				span.SetKind(ptrace.SpanKindServer)
				duration = 20 * time.Millisecond
				if traceIndex%100 == 0 {
					duration = 600 * time.Millisecond
				}
			} else {
				span.SetParentSpanID(root)
				span.SetName(childNames[s-1])
				span.SetKind(ptrace.SpanKindClient)
				if traceIndex%100 == 50 && s == 3 {
					span.Status().SetCode(ptrace.StatusCodeError)
				}
			}
			span.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(s) * time.Millisecond)))
			span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(s)*time.Millisecond + duration)))
			attrs := span.Attributes()
			attrs.EnsureCapacity(len(attrKeys))
			for k, key := range attrKeys {
				attrs.PutStr(key, fmt.Sprintf("value-%d-%08x-some-ordinary-text", k, traceIndex*spansPerTrace+s))
			}
		}
	}
	return td
}

func mixBench(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// contribFactory builds contrib's tail_sampling with the comparison
// policies: status ERROR, latency over 500 ms, probabilistic 10%.
func contribConfig(b *testing.B, decisionWait string, numTraces int) (processor.Factory, component.Config) {
	factory := tailsamplingprocessor.NewFactory()
	cfg := factory.CreateDefaultConfig()
	require.NoError(b, confmap.NewFromStringMap(map[string]any{
		"decision_wait": decisionWait,
		"num_traces":    numTraces,
		"policies": []any{
			map[string]any{"name": "errors", "type": "status_code", "status_code": map[string]any{"status_codes": []any{"ERROR"}}},
			map[string]any{"name": "slow", "type": "latency", "latency": map[string]any{"threshold_ms": 500}},
			map[string]any{"name": "sample", "type": "probabilistic", "probabilistic": map[string]any{"sampling_percentage": 10}},
		},
	}).Unmarshal(cfg))
	return factory, cfg
}

func sloFactoryConfig(decisionDelay time.Duration) (processor.Factory, component.Config) {
	cfg := createDefaultConfig()
	cfg.DecisionDelay = decisionDelay
	cfg.TraceTimeout = 2 * decisionDelay
	cfg.MaxBufferedBytes = 4 << 30
	cfg.Budget.SpansPerSecond = 10000
	cfg.Objectives = []engine.Objective{{
		Name:    "checkout",
		Match:   engine.Match{Service: "checkout", Route: "GET /api/v1/checkout"},
		Latency: &engine.LatencyObjective{Threshold: 500 * time.Millisecond, Target: 0.99},
		Errors:  &engine.ErrorObjective{Target: 0.999},
	}}
	return NewFactory(), cfg
}

// benchmarkIngest feeds batchesPerRun fresh batches to a new processor from senders
// goroutines and shuts it down, all in the timed region; input is built outside it.
// cpu-ns/span is the process's CPU time (user and system, all threads) per span.
func benchmarkIngest(b *testing.B, factory processor.Factory, cfg component.Config, senders int) {
	ctx := context.Background()
	start := time.Now()
	b.ReportAllocs()
	var seed uint64
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		seed++
		batches := make([]ptrace.Traces, batchesPerRun)
		for n := range batches {
			batches[n] = benchBatch(seed, n, start)
		}
		p, err := factory.CreateTraces(ctx, processortest.NewNopSettings(factory.Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		require.NoError(b, p.Start(ctx, componenttest.NewNopHost()))
		cpuBefore := loadtest.CPU(b)
		b.StartTimer()
		require.NoError(b, loadtest.Send(senders, len(batches), func(n int) error { return p.ConsumeTraces(ctx, batches[n]) }))
		require.NoError(b, p.Shutdown(ctx))
		b.StopTimer()
		cpu += loadtest.CPU(b) - cpuBefore
		b.StartTimer()
	}
	spans := float64(b.N * batchesPerRun * tracesPerBatch * spansPerTrace)
	b.ReportMetric(spans/b.Elapsed().Seconds(), "spans/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/spans, "cpu-ns/span")
}

func BenchmarkIngest(b *testing.B) {
	b.Run("processor=slo_sampling", func(b *testing.B) {
		factory, cfg := sloFactoryConfig(time.Second)
		benchmarkIngest(b, factory, cfg, 1)
	})
	b.Run("processor=tail_sampling", func(b *testing.B) {
		factory, cfg := contribConfig(b, "1s", 50000)
		benchmarkIngest(b, factory, cfg, 1)
	})
}

// inFlightTraces is the number of traces buffered when memory is measured.
const inFlightTraces = 100000

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchmarkBufferedBytes reports the live heap per buffered span with
// inFlightTraces traces waiting for a decision. ingested reports how many
// traces the processor has taken in (contrib ingests asynchronously).
func benchmarkBufferedBytes(b *testing.B, factory processor.Factory, cfg component.Config, ingested func(*componenttest.Telemetry) int64) {
	ctx := context.Background()
	start := time.Now()
	var perSpan float64
	var seed uint64
	for b.Loop() {
		seed++
		tel := componenttest.NewTelemetry()
		set := processortest.NewNopSettings(factory.Type())
		set.TelemetrySettings = tel.NewTelemetrySettings()
		p, err := factory.CreateTraces(ctx, set, cfg, consumertest.NewNop())
		require.NoError(b, err)
		require.NoError(b, p.Start(ctx, componenttest.NewNopHost()))
		before := heapAfterGC()
		for n := range inFlightTraces / tracesPerBatch {
			require.NoError(b, p.ConsumeTraces(ctx, benchBatch(seed, n, start)))
		}
		for ingested(tel) < inFlightTraces {
			time.Sleep(10 * time.Millisecond)
		}
		perSpan = float64(heapAfterGC()-before) / (inFlightTraces * spansPerTrace)
		require.NoError(b, p.Shutdown(ctx))
		require.NoError(b, tel.Shutdown(ctx))
	}
	b.ReportMetric(perSpan, "B/span")
	wire := (&ptrace.ProtoMarshaler{}).TracesSize(benchBatch(0, 0, start))
	b.ReportMetric(float64(wire)/(tracesPerBatch*spansPerTrace), "wire-B/span")
}

func BenchmarkBufferedBytes(b *testing.B) {
	b.Run("processor=slo_sampling", func(b *testing.B) {
		factory, cfg := sloFactoryConfig(time.Hour)
		benchmarkBufferedBytes(b, factory, cfg, func(*componenttest.Telemetry) int64 { return inFlightTraces })
	})
	b.Run("processor=tail_sampling", func(b *testing.B) {
		factory, cfg := contribConfig(b, "1h", 2*inFlightTraces)
		benchmarkBufferedBytes(b, factory, cfg, func(tel *componenttest.Telemetry) int64 {
			m, err := tel.GetMetric("otelcol_processor_tail_sampling_new_trace_id_received")
			if err != nil {
				return 0
			}
			var total int64
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				total += dp.Value
			}
			return total
		})
	})
}

// BenchmarkIngestWAL measures what the write-ahead log costs: the same batches sent by 16
// concurrent senders (as a gateway's receivers call the processor) with the log off, written
// to the operating system only, and fsynced with group commit.
func BenchmarkIngestWAL(b *testing.B) {
	for _, mode := range loadtest.WALModes {
		b.Run(mode.Name, func(b *testing.B) {
			factory, cfg := sloFactoryConfig(time.Second)
			sloCfg := cfg.(*Config)
			if mode.WAL {
				sloCfg.WAL.Directory = b.TempDir()
				sloCfg.WAL.Fsync = mode.Fsync
				sloCfg.WAL.MaxBytes = 16 << 30
			}
			benchmarkIngest(b, factory, sloCfg, concurrentSenders)
		})
	}
}

const concurrentSenders = 16

// BenchmarkReplayWAL measures how fast a restart takes back the write-ahead log: the time
// Start spends replaying a log of batchesPerRun batches of undecided traces, per span and per
// byte of log.
func BenchmarkReplayWAL(b *testing.B) {
	ctx := context.Background()
	factory, cfg := sloFactoryConfig(time.Hour) // nothing is decided during the benchmark
	sloCfg := cfg.(*Config)
	sloCfg.WAL.Directory = b.TempDir()
	sloCfg.WAL.Fsync = false
	sloCfg.WAL.MaxBytes = 16 << 30
	start := time.Now()
	var logBytes int64
	var seed uint64
	for b.Loop() {
		b.StopTimer()
		seed++
		first, err := factory.CreateTraces(ctx, processortest.NewNopSettings(factory.Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		require.NoError(b, first.Start(ctx, componenttest.NewNopHost()))
		for n := range batchesPerRun {
			require.NoError(b, first.ConsumeTraces(ctx, benchBatch(seed, n, start)))
		}
		crashed := first.(*sloSampler)
		crashed.ticks.Stop()
		logBytes = crashed.journal.log.Stats().Bytes
		require.NoError(b, crashed.journal.close()) // as a kill leaves it: nothing decided
		restarted, err := factory.CreateTraces(ctx, processortest.NewNopSettings(factory.Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		b.StartTimer()
		require.NoError(b, restarted.Start(ctx, componenttest.NewNopHost()))
		b.StopTimer()
		require.Equal(b, batchesPerRun*tracesPerBatch, restarted.(*sloSampler).engine.BufferedTraces())
		require.NoError(b, restarted.Shutdown(ctx))
		b.StartTimer()
	}
	spans := float64(b.N * batchesPerRun * tracesPerBatch * spansPerTrace)
	b.ReportMetric(spans/b.Elapsed().Seconds(), "spans/s")
	b.ReportMetric(float64(b.N)*float64(logBytes)/b.Elapsed().Seconds()/(1<<20), "MiB/s")
}
