package tracedecisionprocessor

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/extension/tracedecisionextension/tracedecisiontest"
	"github.com/tailwise/tailwise/internal/loadtest"
	"github.com/tailwise/tailwise/internal/wal"
	"github.com/tailwise/tailwise/processor/tracedecisionprocessor/internal/metadata"
)

const (
	heldBatchesPerRun  = 400
	tracesPerHeldBatch = 10
	recordsPerTrace    = 10
	holdSenders        = 16
)

// heldBatch returns batch n of a run: log records of tracesPerHeldBatch traces, each with
// recordsPerTrace records of a typical application log line, and the traces' ids.
func heldLogBatch(seed uint64, n int) (plog.Logs, []pcommon.TraceID) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	rl.Resource().Attributes().PutStr("tenant.id", "team-a")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	ids := make([]pcommon.TraceID, tracesPerHeldBatch)
	now := pcommon.NewTimestampFromTime(time.Unix(1800000000, 0))
	for t := range ids {
		binary.LittleEndian.PutUint64(ids[t][:8], seed)
		binary.LittleEndian.PutUint64(ids[t][8:], uint64(n*tracesPerHeldBatch+t+1))
		for r := range recordsPerTrace {
			lr := lrs.AppendEmpty()
			lr.SetTimestamp(now)
			lr.SetTraceID(ids[t])
			lr.SetSpanID(pcommon.SpanID{byte(r + 1)})
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.Body().SetStr("order placed: 3 items, total 129.90 EUR, shipping quote 4.99 EUR from warehouse eu-west-2")
			lr.Attributes().PutStr("code.function", "PlaceOrder")
		}
	}
	return ld, ids
}

// BenchmarkHoldLogs measures what the write-ahead log costs the logs held for their traces'
// decisions: holdSenders concurrent senders (as a gateway's receivers call the processor) send
// batches of log records of undecided traces, whose decisions arrive right after; the held
// batches are released every releaseInterval, as in the gateway. The log off, written to the
// operating system only, and fsynced with group commit.
func BenchmarkHoldLogs(b *testing.B) {
	for _, mode := range loadtest.WALModes {
		b.Run(mode.Name, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Decisions = component.MustNewID("trace_decisions")
			if mode.WAL {
				cfg.Logs.WAL = wal.DefaultConfig()
				cfg.Logs.WAL.Directory = b.TempDir()
				cfg.Logs.WAL.Fsync = mode.Fsync
			}
			benchmarkHoldLogs(b, cfg)
		})
	}
}

func benchmarkHoldLogs(b *testing.B, cfg *Config) {
	ctx := context.Background()
	b.ReportAllocs()
	var seed uint64
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		seed++
		reg := tracedecisiontest.NewRegistry(nil)
		batches := make([]plog.Logs, heldBatchesPerRun)
		traces := make([][]pcommon.TraceID, heldBatchesPerRun)
		for n := range batches {
			batches[n], traces[n] = heldLogBatch(seed, n)
			for _, id := range traces[n] {
				reg.Set(id, tracedecisionextension.Pending)
			}
		}
		p, err := NewFactory().CreateLogs(ctx, processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Start(ctx, tracedecisiontest.Host{cfg.Decisions: reg}); err != nil {
			b.Fatal(err)
		}
		cpuBefore := loadtest.CPU(b)
		b.StartTimer()
		err = loadtest.Send(holdSenders, len(batches), func(n int) error {
			if err := p.ConsumeLogs(ctx, batches[n]); err != nil {
				return err
			}
			for _, id := range traces[n] {
				reg.Set(id, tracedecisionextension.Kept)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += loadtest.CPU(b) - cpuBefore
		b.StartTimer()
	}
	records := float64(b.N * heldBatchesPerRun * tracesPerHeldBatch * recordsPerTrace)
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/records, "cpu-ns/record")
}

// BenchmarkReplayHeldLogs measures how fast a restart takes back the write-ahead log: the time
// Start spends replaying a log of heldBatchesPerRun held batches, per record and per byte.
func BenchmarkReplayHeldLogs(b *testing.B) {
	ctx := context.Background()
	cfg := createDefaultConfig().(*Config)
	cfg.Decisions = component.MustNewID("trace_decisions")
	cfg.Logs.MaxHeldRecords = heldBatchesPerRun * tracesPerHeldBatch * recordsPerTrace
	cfg.Logs.WAL = wal.DefaultConfig()
	cfg.Logs.WAL.Directory = b.TempDir()
	cfg.Logs.WAL.Fsync = false
	var seed uint64
	var logBytes int64
	for b.Loop() {
		b.StopTimer()
		seed++
		reg := tracedecisiontest.NewRegistry(nil)
		host := tracedecisiontest.Host{cfg.Decisions: reg}
		first, err := NewFactory().CreateLogs(ctx, processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		if err := first.Start(ctx, host); err != nil {
			b.Fatal(err)
		}
		for n := range heldBatchesPerRun {
			ld, ids := heldLogBatch(seed, n)
			for _, id := range ids {
				reg.Set(id, tracedecisionextension.Pending)
			}
			if err := first.ConsumeLogs(ctx, ld); err != nil {
				b.Fatal(err)
			}
		}
		crashed := first.(*logsProcessor)
		crashed.releases.Stop()
		logBytes = crashed.journal.log.Stats().Bytes
		if err := crashed.journal.close(); err != nil { // as a kill leaves it: everything held
			b.Fatal(err)
		}
		restarted, err := NewFactory().CreateLogs(ctx, processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := restarted.Start(ctx, host); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if held := restarted.(*logsProcessor).heldRecords; held != cfg.Logs.MaxHeldRecords {
			b.Fatalf("%d records held after the replay, want %d", held, cfg.Logs.MaxHeldRecords)
		}
		if err := restarted.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	records := float64(b.N * heldBatchesPerRun * tracesPerHeldBatch * recordsPerTrace)
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.N)*float64(logBytes)/b.Elapsed().Seconds()/(1<<20), "MiB/s")
}
