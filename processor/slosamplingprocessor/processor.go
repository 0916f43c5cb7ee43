package slosamplingprocessor // import "github.com/tailwise/tailwise/processor/slosamplingprocessor"

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/extension/headsamplingextension"
	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/internal/periodic"
	"github.com/tailwise/tailwise/internal/wal"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/engine"
	"github.com/tailwise/tailwise/processor/slosamplingprocessor/internal/metadata"
)

// tickInterval is how often the engine is advanced on the wall clock.
const tickInterval = 100 * time.Millisecond

// sloSampler runs the engine on the wall clock: spans go in through
// ConsumeTraces, a periodic loop decides due traces and forwards the kept ones.
type sloSampler struct {
	next            consumer.Traces
	logger          *zap.Logger
	telemetry       *metadata.TelemetryBuilder
	observer        *telemetryObserver
	shutdownTimeout time.Duration
	decisionsID     *component.ID
	fleetID         *component.ID
	unsubscribe     func() // from the fleet's membership; nil without the fleet option
	now             func() time.Time
	registry        tracedecisionextension.Registry // nil without the decisions option
	headSamplingID  *component.ID
	head            *headStage // nil without the head_sampling option
	cfg             *Config
	id              component.ID
	journal         *traceJournal // nil without the wal option

	mu     sync.Mutex
	engine *engine.Engine

	ticks *periodic.Loop
}

var _ processor.Traces = (*sloSampler)(nil)

func newSLOSampler(set processor.Settings, cfg *Config, next consumer.Traces) (*sloSampler, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	observer := newTelemetryObserver(tb)
	e, err := engine.New(cfg.Config, observer)
	if err != nil {
		tb.Shutdown()
		return nil, err
	}
	return &sloSampler{
		next:            next,
		logger:          set.Logger,
		telemetry:       tb,
		observer:        observer,
		shutdownTimeout: cfg.ShutdownTimeout,
		decisionsID:     cfg.Decisions,
		fleetID:         cfg.Fleet,
		headSamplingID:  cfg.HeadSampling,
		cfg:             cfg,
		id:              set.ID,
		now:             time.Now,
		engine:          e,
	}, nil
}

func (p *sloSampler) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (p *sloSampler) Start(ctx context.Context, host component.Host) error {
	if p.decisionsID != nil {
		reg, err := tracedecisionextension.Find(host, *p.decisionsID)
		if err != nil {
			return fmt.Errorf("decisions: %w", err)
		}
		reg.AttachSampler(registrySampler{p})
		p.registry = reg
	}
	if p.fleetID != nil {
		membership, err := fleetextension.FromHost(host, *p.fleetID)
		if err != nil {
			return fmt.Errorf("fleet: %w", err)
		}
		// Each of N gateways keeps budget / N: the configured budget is the fleet's.
		p.unsubscribe = membership.Subscribe(func(size int) {
			p.mu.Lock()
			p.engine.SetBudgetScale(1 / float64(max(size, 1)))
			p.mu.Unlock()
		})
	}
	if p.headSamplingID != nil {
		source, err := headsamplingextension.Find(host, *p.headSamplingID)
		if err != nil {
			return fmt.Errorf("head_sampling: %w", err)
		}
		source.AttachSampler(p.cfg.Budget.SpansPerSecond, p.fleetID != nil)
		objectives := p.cfg.Objectives
		p.mu.Lock()
		p.head = newHeadStage(source)
		p.observer.adjusted = func(s *engine.Snapshot) { source.ObserveState(HeadSamplingState(s, objectives)) }
		p.mu.Unlock()
	}
	if p.cfg.WAL.Enabled() {
		if err := p.recover(ctx, host); err != nil {
			return err
		}
	}
	// A tick in progress at Shutdown finishes forwarding its decisions.
	p.ticks = periodic.Start(tickInterval, func(ctx context.Context) { p.advance(context.WithoutCancel(ctx)) })
	return nil
}

// advance decides the traces due now and forwards the kept ones.
func (p *sloSampler) advance(ctx context.Context) {
	p.mu.Lock()
	decisions := p.engine.Advance(p.now())
	p.mu.Unlock()
	p.forward(ctx, decisions, ptrace.Traces{}, nil)
	if p.journal != nil {
		p.telemetry.ProcessorSloSamplingWalBytes.Record(ctx, p.journal.log.Stats().Bytes)
	}
}

// ConsumeTraces buffers td. A batch that cannot fit even after early decisions is refused
// with a retryable error. With the wal option, td is acknowledged once its record is durable;
// the engine refuses a batch the log has no room for before taking any of it, so that the
// sender's retry duplicates nothing.
func (p *sloSampler) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	spans := td.SpanCount()
	p.telemetry.ProcessorSloSamplingSpansReceived.Add(ctx, int64(spans))
	if p.head != nil {
		p.head.intake(p.now(), td)
	}
	p.mu.Lock()
	now := p.now()
	out, err := p.engine.Ingest(now, td)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	var logged wal.Position
	if p.journal != nil {
		logged, err = p.journal.appendBatch(now, out.Journal, out.Started)
	}
	p.mu.Unlock()
	if err != nil {
		// The engine holds the spans but cannot vouch for them: the sender's retry may
		// duplicate them, which is better than acknowledging what a crash would lose.
		p.observer.refused(spans, "wal_error")
		return err
	}
	p.forward(ctx, out.Decisions, out.Late, out.Settled)
	if p.journal == nil {
		return nil
	}
	return p.journal.log.WaitDurable(logged)
}

// recover takes back the undecided traces of the log, with their arrival times.
func (p *sloSampler) recover(ctx context.Context, host component.Host) error {
	j, err := openTraceJournal(p.cfg.WAL.InstanceDirectory(component.KindProcessor, p.id), p.cfg.WAL)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	p.journal = j // decisions made during the replay are settled in it
	j.log.StopOnSyncFailure(host)
	p.engine.ReportSettlement()
	j.log.LogReplayStart(p.logger)
	spans := 0
	stats, err := j.replay(func(b replayedBatch) error {
		spans += b.traces.SpanCount()
		p.mu.Lock()
		out, err := p.engine.Ingest(b.arrived, b.traces)
		p.mu.Unlock()
		if err != nil {
			p.logger.Warn("A batch of the write-ahead log does not fit the buffer", zap.Error(err))
			return nil
		}
		j.holdReplayed(b.segment, out.Started)
		p.forward(ctx, out.Decisions, out.Late, out.Settled)
		return nil
	})
	if err != nil {
		_ = j.close()
		p.journal = nil
		return fmt.Errorf("wal: %w", err)
	}
	p.engine.SetJournal(j.room) // batches from now on; the replayed ones are in the log already
	j.log.Recovered()
	p.telemetry.ProcessorSloSamplingWalReplayedSpans.Add(ctx, int64(spans))
	if lost := stats.LostBytes(); lost > 0 {
		p.telemetry.ProcessorSloSamplingWalDamagedBytes.Add(ctx, lost)
		stats.LogDamage(p.logger)
	}
	if stats.Records > 0 {
		p.logger.Info("Replayed the write-ahead log", zap.Int("records", stats.Records), zap.Int("spans", spans),
			zap.Int("traces_undecided", p.engine.BufferedTraces()))
	}
	return nil
}

// forward publishes the decisions and sends kept traces and late spans downstream in one batch.
// With the wal option it then logs the decided and settled traces as passed on.
func (p *sloSampler) forward(ctx context.Context, decisions []engine.Decision, late ptrace.Traces, settled []pcommon.TraceID) {
	if p.journal != nil {
		defer p.settle(decisions, settled)
	}
	if p.registry != nil {
		for i := range decisions {
			p.registry.Publish(decisions[i].TraceID, decisions[i].Kept)
		}
	}
	out := ptrace.NewTraces()
	if late != (ptrace.Traces{}) {
		late.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	for i := range decisions {
		if decisions[i].Kept {
			decisions[i].Traces.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
		}
	}
	spans := out.SpanCount()
	if spans == 0 {
		return
	}
	if p.head != nil {
		p.head.stamp(out)
	}
	if err := p.next.ConsumeTraces(ctx, out); err != nil {
		p.observer.refused(spans, "downstream_error")
		p.logger.Warn("Forwarding kept traces failed", zap.Int("spans", spans), zap.Error(err))
	}
}

// Shutdown stops the ticks, then decides every buffered trace and
// forwards the kept ones within shutdown_timeout.
func (p *sloSampler) Shutdown(ctx context.Context) error {
	defer p.telemetry.Shutdown()
	if p.unsubscribe != nil {
		p.unsubscribe()
		p.unsubscribe = nil
	}
	p.ticks.Stop()
	ctx, cancel := context.WithTimeout(ctx, p.shutdownTimeout)
	defer cancel()
	p.mu.Lock()
	decisions := p.engine.DecideAll(p.now())
	p.mu.Unlock()
	p.forward(ctx, decisions, ptrace.Traces{}, nil)
	if p.journal != nil {
		if err := p.journal.close(); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// settle logs the traces as passed on; a failure leaves them to be replayed after a restart.
func (p *sloSampler) settle(decisions []engine.Decision, settled []pcommon.TraceID) {
	ids := settled
	for i := range decisions {
		ids = append(ids, decisions[i].TraceID)
	}
	if err := p.journal.settle(ids); err != nil {
		p.logger.Warn("Logging decisions to the write-ahead log failed", zap.Int("traces", len(ids)), zap.Error(err))
	}
}

// registrySampler answers the trace_decisions extension from the engine, under the processor's lock.
type registrySampler struct{ p *sloSampler }

func (s registrySampler) Fate(id pcommon.TraceID) tracedecisionextension.Fate {
	s.p.mu.Lock()
	f := s.p.engine.Fate(id)
	s.p.mu.Unlock()
	switch f {
	case engine.FateBuffered:
		return tracedecisionextension.Pending
	case engine.FateKept:
		return tracedecisionextension.Kept
	case engine.FateDropped:
		return tracedecisionextension.Dropped
	}
	return tracedecisionextension.Unknown
}

func (s registrySampler) Retain(id pcommon.TraceID) bool {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return s.p.engine.Retain(id)
}
