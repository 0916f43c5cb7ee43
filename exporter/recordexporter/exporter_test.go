package recordexporter

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/exporter/recordexporter/internal/metadata"
	"github.com/tailwise/tailwise/internal/recording"
)

func TestRecordsEverySignalInArrivalOrderToOneFile(t *testing.T) {
	for _, name := range []string{"rec.jsonl", "rec.jsonl.zst"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg := createDefaultConfig()
			cfg.Path = filepath.Join(t.TempDir(), name)
			f := NewFactory()
			set := exportertest.NewNopSettings(metadata.Type)
			te, err := f.CreateTraces(ctx, set, cfg)
			if err != nil {
				t.Fatal(err)
			}
			me, err := f.CreateMetrics(ctx, set, cfg)
			if err != nil {
				t.Fatal(err)
			}
			le, err := f.CreateLogs(ctx, set, cfg)
			if err != nil {
				t.Fatal(err)
			}
			host := componenttest.NewNopHost()
			if err := te.Start(ctx, host); err != nil {
				t.Fatal(err)
			}
			if err := me.Start(ctx, host); err != nil {
				t.Fatal(err)
			}
			if err := le.Start(ctx, host); err != nil {
				t.Fatal(err)
			}

			td := ptrace.NewTraces()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("GET /cart")
			md := pmetric.NewMetrics()
			md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(3)
			ld := plog.NewLogs()
			ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("cart loaded")

			before := time.Now()
			if err := te.ConsumeTraces(ctx, td); err != nil {
				t.Fatal(err)
			}
			if err := le.ConsumeLogs(ctx, ld); err != nil {
				t.Fatal(err)
			}
			if err := me.ConsumeMetrics(ctx, md); err != nil {
				t.Fatal(err)
			}
			after := time.Now()
			// The file stays open until the last pipeline stops.
			if err := te.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if err := me.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if err := le.ConsumeLogs(ctx, ld); err != nil {
				t.Fatalf("logs after the other pipelines stopped: %v", err)
			}
			if err := le.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}

			var got []recording.Entry
			if _, err := recording.ReadFile(cfg.Path, false, func(e recording.Entry) error { got = append(got, e); return nil }); err != nil {
				t.Fatal(err)
			}
			wantSignals := []recording.Signal{recording.Traces, recording.Logs, recording.Metrics, recording.Logs}
			if len(got) != len(wantSignals) {
				t.Fatalf("recorded %d requests, want %d", len(got), len(wantSignals))
			}
			for i, e := range got {
				if e.Signal != wantSignals[i] {
					t.Errorf("request %d is %v, want %v", i, e.Signal, wantSignals[i])
				}
				if i < 3 && (e.Arrival.Before(before) || e.Arrival.After(after)) {
					t.Errorf("request %d arrival %v outside [%v, %v]", i, e.Arrival, before, after)
				}
				if i > 0 && e.Arrival.Before(got[i-1].Arrival) {
					t.Errorf("request %d arrived before request %d", i, i-1)
				}
			}
			if got[0].Traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name() != "GET /cart" ||
				got[1].Logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str() != "cart loaded" {
				t.Error("recorded content differs from what was exported")
			}
		})
	}
}
