package piiredactionprocessor // import "github.com/tailwise/tailwise/processor/piiredactionprocessor"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/metadata"
	"github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"
)

type piiProcessor struct {
	redactor  *redact.Redactor
	telemetry *metadata.TelemetryBuilder
}

func newPIIProcessor(set processor.Settings, cfg *Config) (*piiProcessor, error) {
	r, err := redact.New(*cfg)
	if err != nil {
		return nil, fmt.Errorf("pii_redaction: %w", err)
	}
	for _, w := range cfg.Warnings() {
		set.Logger.Warn("pii_redaction: " + w)
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &piiProcessor{redactor: r, telemetry: tb}, nil
}

func (p *piiProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	p.record(ctx, "traces", p.redactor.Traces(td))
	return td, nil
}

func (p *piiProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	p.record(ctx, "metrics", p.redactor.Metrics(md))
	return md, nil
}

func (p *piiProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	p.record(ctx, "logs", p.redactor.Logs(ld))
	return ld, nil
}

// record adds a batch's counts to the self-telemetry; values are never recorded.
func (p *piiProcessor) record(ctx context.Context, signal string, stats *redact.Stats) {
	stats.Each(func(detector string, o redact.Outcome, n int64) {
		if detector == redact.PaymentCardDetector {
			return // counted by issuer below
		}
		p.telemetry.ProcessorPiiRedactionValues.Add(ctx, n, metric.WithAttributes(
			attribute.String("signal", signal),
			attribute.String("detector", detector),
			attribute.String("outcome", o.String()),
		))
	})
	stats.EachCardIssuer(func(issuer string, o redact.Outcome, n int64) {
		p.telemetry.ProcessorPiiRedactionValues.Add(ctx, n, metric.WithAttributes(
			attribute.String("signal", signal),
			attribute.String("detector", redact.PaymentCardDetector),
			attribute.String("card_issuer", issuer),
			attribute.String("outcome", o.String()),
		))
	})
}

func (p *piiProcessor) shutdown(context.Context) error {
	p.telemetry.Shutdown()
	return nil
}
