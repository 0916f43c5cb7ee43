package tracedecisionprocessor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/internal/periodic"
)

// markAttribute is set to false on logs whose trace the sampler dropped.
const markAttribute = "trace.sampled"

// heldBatch is a batch waiting for the decisions of its records' traces.
type heldBatch struct {
	ld      plog.Logs
	arrived time.Time
	journal journalRef // where the batch is logged, with the wal option
}

// logsProcessor holds each batch until the sampler has decided the traces of its records (or
// the waits run out), then forwards the logs of kept traces, marks or drops those of dropped
// traces, and forwards the rest untouched.
type logsProcessor struct {
	*base
	next               consumer.Logs
	retainSev, keepSev plog.SeverityNumber

	mu          sync.Mutex
	held        []heldBatch
	heldRecords int
	releases    *periodic.Loop
	journal     *heldJournal // nil without logs::wal
}

func (p *logsProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// releaseInterval is how often held batches are checked for release.
const releaseInterval = 250 * time.Millisecond

// startLoop releases the ready batches every releaseInterval; a release in progress at
// Shutdown finishes forwarding.
func (p *logsProcessor) startLoop() {
	p.releases = periodic.Start(releaseInterval, func(ctx context.Context) {
		p.releaseReady(context.WithoutCancel(ctx), false)
	})
}

// Shutdown forwards every held batch as it stands.
func (p *logsProcessor) Shutdown(ctx context.Context) error {
	if p.releases == nil {
		return nil
	}
	p.releases.Stop()
	p.releases = nil
	p.releaseReady(ctx, true)
	if p.journal != nil {
		if err := p.journal.close(); err != nil {
			return err
		}
	}
	return p.shutdown()
}

// recover holds again the batches the log holds, with their arrival times.
func (p *logsProcessor) recover(ctx context.Context, host component.Host) error {
	j, err := openHeldJournal(p.cfg.Logs.WAL.InstanceDirectory(component.KindProcessor, p.id)+"_logs", p.cfg.Logs.WAL)
	if err != nil {
		return fmt.Errorf("logs::wal: %w", err)
	}
	j.log.StopOnSyncFailure(host)
	j.log.LogReplayStart(p.logger)
	held, stats, err := j.replay()
	if err != nil {
		_ = j.close()
		return fmt.Errorf("logs::wal: %w", err)
	}
	p.journal = j
	records := 0
	for _, b := range held {
		records += b.ld.LogRecordCount()
	}
	p.mu.Lock()
	p.held = append(held, p.held...)
	p.heldRecords += records
	p.mu.Unlock()
	p.telemetry.ProcessorTraceDecisionWalReplayedRecords.Add(ctx, int64(records))
	if lost := stats.LostBytes(); lost > 0 {
		p.telemetry.ProcessorTraceDecisionWalDamagedBytes.Add(ctx, lost)
		stats.LogDamage(p.logger)
	}
	if records > 0 {
		p.logger.Info("Replayed the write-ahead log", zap.Int("batches", len(held)), zap.Int("log_records", records))
	}
	return nil
}

func (p *logsProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	p.requestRetention(ctx, ld)
	now := p.now()
	if p.ready(ld, now, now) {
		return p.forward(ctx, ld)
	}
	b := heldBatch{ld: ld, arrived: now}
	if p.journal != nil {
		ref, err := p.journal.hold(ld, now)
		if err != nil {
			return err // retryable: the sender tries again once the log has room
		}
		b.journal = ref
	}
	p.mu.Lock()
	p.held = append(p.held, b)
	p.heldRecords += ld.LogRecordCount()
	var overflow []heldBatch
	for p.heldRecords > p.cfg.Logs.MaxHeldRecords && len(p.held) > 1 {
		overflow = append(overflow, p.held[0])
		p.heldRecords -= p.held[0].ld.LogRecordCount()
		p.held = p.held[1:]
	}
	p.telemetry.ProcessorTraceDecisionHeldRecords.Record(ctx, int64(p.heldRecords))
	p.mu.Unlock()
	p.forwardHeld(ctx, overflow)
	return nil
}

// requestRetention asks the sampler to keep the traces of logs at or above retain_severity.
func (p *logsProcessor) requestRetention(ctx context.Context, ld plog.Logs) {
	if p.retainSev == plog.SeverityNumberUnspecified {
		return
	}
	eachRecord(ld, func(lr plog.LogRecord) {
		if lr.SeverityNumber() >= p.retainSev && !lr.TraceID().IsEmpty() {
			result := "not_buffered"
			if p.registry.Retain(lr.TraceID()) {
				result = "retained"
			}
			p.telemetry.ProcessorTraceDecisionRetentions.Add(ctx, 1, resultAttrs[result])
		}
	})
}

// ready: no record's trace is still worth waiting for.
func (p *logsProcessor) ready(ld plog.Logs, arrived, now time.Time) bool {
	waited := now.Sub(arrived)
	ok := true
	eachRecord(ld, func(lr plog.LogRecord) {
		if !ok || lr.TraceID().IsEmpty() {
			return
		}
		switch p.registry.Fate(lr.TraceID()) {
		case tracedecisionextension.Pending:
			ok = waited >= p.cfg.Logs.MaxWait
		case tracedecisionextension.Unknown:
			ok = waited >= p.cfg.Logs.UnknownWait
		}
	})
	return ok
}

// releaseReady forwards the held batches that are ready, or all of them.
func (p *logsProcessor) releaseReady(ctx context.Context, all bool) {
	now := p.now()
	p.mu.Lock()
	var out []heldBatch
	kept := p.held[:0]
	for _, b := range p.held {
		if all || p.ready(b.ld, b.arrived, now) {
			out = append(out, b)
			p.heldRecords -= b.ld.LogRecordCount()
		} else {
			kept = append(kept, b)
		}
	}
	p.held = kept
	p.telemetry.ProcessorTraceDecisionHeldRecords.Record(ctx, int64(p.heldRecords))
	p.mu.Unlock()
	p.forwardHeld(ctx, out)
}

// forwardHeld forwards batches that were held; a retryable refusal puts a batch back to try
// again. With logs::wal, the batches that left are logged as released.
func (p *logsProcessor) forwardHeld(ctx context.Context, batches []heldBatch) {
	var left []journalRef
	for _, b := range batches {
		// forward filters b.ld in place: a batch put back keeps only what it still holds.
		err := p.forward(ctx, b.ld)
		switch {
		case err == nil:
			left = append(left, b.journal)
		case consumererror.IsPermanent(err):
			p.logger.Error("Logs refused permanently by the next component", zap.Int("records", b.ld.LogRecordCount()), zap.Error(err))
			left = append(left, b.journal)
		default:
			p.mu.Lock()
			p.held = append([]heldBatch{b}, p.held...)
			p.heldRecords += b.ld.LogRecordCount()
			p.mu.Unlock()
		}
	}
	if p.journal != nil {
		if err := p.journal.release(left); err != nil {
			p.logger.Warn("Logging released batches to the write-ahead log failed", zap.Int("batches", len(left)), zap.Error(err))
		}
	}
}

// forward applies the decisions to the records and passes the batch on.
func (p *logsProcessor) forward(ctx context.Context, ld plog.Logs) error {
	var counts [4][3]int64 // fate x action
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				fate, action := p.apply(lr)
				counts[fate][action]++
				return action == actionIndexDropped
			})
		}
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool { return sl.LogRecords().Len() == 0 })
	}
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool { return rl.ScopeLogs().Len() == 0 })
	for f := range counts {
		for a, n := range counts[f] {
			if n > 0 {
				p.telemetry.ProcessorTraceDecisionLogRecords.Add(ctx, n, fateActionAttrs[f][a])
			}
		}
	}
	if ld.LogRecordCount() == 0 {
		return nil
	}
	return p.next.ConsumeLogs(ctx, ld)
}

// apply sets the record's sampled flag and mark from its trace's fate and says whether to drop it.
func (p *logsProcessor) apply(lr plog.LogRecord) (fate, action int) {
	if lr.TraceID().IsEmpty() {
		return fateIndexNoTrace, actionIndexForwarded
	}
	switch p.registry.Fate(lr.TraceID()) {
	case tracedecisionextension.Kept:
		lr.SetFlags(lr.Flags().WithIsSampled(true))
		return fateIndexKept, actionIndexForwarded
	case tracedecisionextension.Dropped:
		if p.cfg.Logs.DroppedTrace == actionDrop && lr.SeverityNumber() < p.keepSev {
			return fateIndexDropped, actionIndexDropped
		}
		lr.SetFlags(lr.Flags().WithIsSampled(false))
		lr.Attributes().PutBool(markAttribute, false)
		return fateIndexDropped, actionIndexMarked
	}
	return fateIndexUndecided, actionIndexForwarded
}

func eachRecord(ld plog.Logs, fn func(plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				fn(lr)
			}
		}
	}
}
