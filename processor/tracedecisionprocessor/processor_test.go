package tracedecisionprocessor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tailwise/tailwise/extension/tracedecisionextension"
	"github.com/tailwise/tailwise/extension/tracedecisionextension/tracedecisiontest"
	"github.com/tailwise/tailwise/internal/configtest"
	"github.com/tailwise/tailwise/processor/tracedecisionprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	for _, c := range []struct {
		name    string
		want    func(*Config) bool
		wantErr []string
	}{
		{name: "", want: func(c *Config) bool {
			return c.Logs.RetainSeverity == "ERROR" && c.Logs.DroppedTrace == "mark" && c.Logs.MaxWait == 40*time.Second &&
				c.Metrics.UndecidedExemplars == "drop"
		}},
		{name: "strict", want: func(c *Config) bool {
			return c.Logs.RetainSeverity == "WARN" && c.Logs.DroppedTrace == "drop" && c.Logs.KeepSeverity == "ERROR" &&
				c.Logs.MaxWait == time.Minute && c.Logs.UnknownWait == 2*time.Second && c.Logs.MaxHeldRecords == 5000 &&
				c.Metrics.UndecidedExemplars == "keep"
		}},
		{name: "bad", wantErr: []string{"decisions: name the trace_decisions", `logs::retain_severity: unknown severity "LOUD"`,
			`logs::dropped_trace: "hide"`, "logs::unknown_wait (5s) between 0 and it", "logs::max_held_records: 0", `metrics::undecided_exemplars: "maybe"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			err := configtest.Load(t, component.NewIDWithName(metadata.Type, c.name), cfg)
			if len(c.wantErr) > 0 {
				configtest.ErrorSays(t, err, c.wantErr...)
			}
			if c.want != nil && (err != nil || !c.want(cfg)) {
				t.Errorf("config %+v, error %v", cfg, err)
			}
		})
	}
}

func testFates() map[pcommon.TraceID]tracedecisionextension.Fate {
	return map[pcommon.TraceID]tracedecisionextension.Fate{
		keptTrace: tracedecisionextension.Kept, droppedTrace: tracedecisionextension.Dropped, pendingTrace: tracedecisionextension.Pending,
	}
}

var (
	keptTrace    = pcommon.TraceID{1}
	droppedTrace = pcommon.TraceID{2}
	pendingTrace = pcommon.TraceID{3}
	unknownTrace = pcommon.TraceID{4}
)

func newLogsProcessor(t *testing.T, mutate func(*Config)) (*logsProcessor, *tracedecisiontest.Registry, *consumertest.LogsSink, *time.Time) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Decisions = component.MustNewID("trace_decisions")
	if mutate != nil {
		mutate(cfg)
	}
	sink := &consumertest.LogsSink{}
	proc, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	p := proc.(*logsProcessor)
	clock := time.Unix(1800000000, 0)
	p.now = func() time.Time { return clock }
	reg := tracedecisiontest.NewRegistry(testFates())
	if err := p.Start(context.Background(), tracedecisiontest.Host{cfg.Decisions: reg}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p, reg, sink, &clock
}

// logs builds one batch with a record per (trace, severity, body).
func logs(records ...struct {
	trace pcommon.TraceID
	sev   plog.SeverityNumber
	body  string
},
) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, r := range records {
		lr := lrs.AppendEmpty()
		lr.SetTraceID(r.trace)
		lr.SetSeverityNumber(r.sev)
		lr.Body().SetStr(r.body)
	}
	return ld
}

type rec = struct {
	trace pcommon.TraceID
	sev   plog.SeverityNumber
	body  string
}

// bodies lists "body:sampled:mark" of every record the sink got.
func bodies(sink *consumertest.LogsSink) string {
	var out []string
	for _, ld := range sink.AllLogs() {
		eachRecord(ld, func(lr plog.LogRecord) {
			mark := "-"
			if v, ok := lr.Attributes().Get(markAttribute); ok {
				mark = v.AsString()
			}
			out = append(out, lr.Body().Str()+":"+map[bool]string{true: "s", false: "u"}[lr.Flags().IsSampled()]+":"+mark)
		})
	}
	return strings.Join(out, " ")
}

func TestLogsFollowTheirTracesFate(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"mark", nil, "kept:s:- dropped-info:u:false dropped-warn:u:false plain:u:-"},
		{"drop below WARN", func(c *Config) { c.Logs.DroppedTrace = actionDrop }, "kept:s:- dropped-warn:u:false plain:u:-"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _, sink, _ := newLogsProcessor(t, c.mutate)
			err := p.ConsumeLogs(context.Background(), logs(
				rec{keptTrace, plog.SeverityNumberInfo, "kept"},
				rec{droppedTrace, plog.SeverityNumberInfo, "dropped-info"},
				rec{droppedTrace, plog.SeverityNumberWarn, "dropped-warn"},
				rec{pcommon.TraceID{}, plog.SeverityNumberInfo, "plain"},
			))
			if err != nil {
				t.Fatal(err)
			}
			if got := bodies(sink); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestLogsWaitForUndecidedTraces(t *testing.T) {
	p, reg, sink, clock := newLogsProcessor(t, nil)
	ctx := context.Background()
	if err := p.ConsumeLogs(ctx, logs(rec{pendingTrace, plog.SeverityNumberInfo, "pending"})); err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeLogs(ctx, logs(rec{unknownTrace, plog.SeverityNumberInfo, "unknown"})); err != nil {
		t.Fatal(err)
	}
	p.releaseReady(ctx, false)
	if sink.LogRecordCount() != 0 {
		t.Fatalf("undecided logs forwarded at once: %s", bodies(sink))
	}
	*clock = clock.Add(p.cfg.Logs.UnknownWait)
	p.releaseReady(ctx, false)
	if got := bodies(sink); got != "unknown:u:-" {
		t.Fatalf("after unknown_wait got %q, want only the unknown trace's log, untouched", got)
	}
	reg.Set(pendingTrace, tracedecisionextension.Dropped)
	p.releaseReady(ctx, false)
	if got := bodies(sink); got != "unknown:u:- pending:u:false" {
		t.Fatalf("after the decision got %q, want the pending log marked", got)
	}
}

func TestHeldLogsLeaveOnOverflowShutdownAndRetryableErrors(t *testing.T) {
	p, _, sink, _ := newLogsProcessor(t, func(c *Config) { c.Logs.MaxHeldRecords = 2 })
	ctx := context.Background()
	for _, b := range []string{"a", "b", "c"} {
		if err := p.ConsumeLogs(ctx, logs(rec{pendingTrace, plog.SeverityNumberInfo, b})); err != nil {
			t.Fatal(err)
		}
	}
	if got := bodies(sink); got != "a:u:-" {
		t.Fatalf("over max_held_records got %q, want the oldest batch forwarded undecided", got)
	}

	failing := &flakyLogs{failures: 1}
	p.next = failing
	p.releaseReady(ctx, true)
	if p.heldRecords != 1 || failing.sink.LogRecordCount() != 1 {
		t.Fatalf("a retryable refusal lost or duplicated data: %d held, %d delivered", p.heldRecords, failing.sink.LogRecordCount())
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if failing.sink.LogRecordCount() != 2 {
		t.Fatalf("shutdown delivered %d of 2 held records", failing.sink.LogRecordCount())
	}
}

type flakyLogs struct {
	consumertest.LogsSink
	failures int
	sink     consumertest.LogsSink
}

func (f *flakyLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("queue full")
	}
	return f.sink.ConsumeLogs(ctx, ld)
}

func TestErrorLogsRetainTheirTrace(t *testing.T) {
	p, reg, _, _ := newLogsProcessor(t, nil)
	err := p.ConsumeLogs(context.Background(), logs(
		rec{pendingTrace, plog.SeverityNumberError, "boom"},
		rec{keptTrace, plog.SeverityNumberWarn, "slow"},
		rec{droppedTrace, plog.SeverityNumberFatal, "late"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if r := reg.Retained(); len(r) != 2 || r[0] != pendingTrace || r[1] != droppedTrace {
		t.Errorf("retention asked for %v, want the ERROR and FATAL logs' traces", r)
	}
}

func TestExemplarsOnlyOfKeptTraces(t *testing.T) {
	for _, c := range []struct {
		undecided string
		want      string
	}{{actionDrop, "kept none"}, {actionKeep, "kept none pending"}} {
		t.Run(c.undecided, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Decisions = component.MustNewID("trace_decisions")
			cfg.Metrics.UndecidedExemplars = c.undecided
			sink := &consumertest.MetricsSink{}
			proc, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
			if err != nil {
				t.Fatal(err)
			}
			if err := proc.Start(context.Background(), tracedecisiontest.Host{cfg.Decisions: tracedecisiontest.NewRegistry(testFates())}); err != nil {
				t.Fatal(err)
			}
			md := pmetric.NewMetrics()
			dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty()
			for name, id := range map[string]pcommon.TraceID{"kept": keptTrace, "dropped": droppedTrace, "pending": pendingTrace, "none": {}} {
				ex := dp.Exemplars().AppendEmpty()
				ex.SetTraceID(id)
				ex.FilteredAttributes().PutStr("name", name)
			}
			if err := proc.ConsumeMetrics(context.Background(), md); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, ex := range sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0).Exemplars().All() {
				v, _ := ex.FilteredAttributes().Get("name")
				names = append(names, v.Str())
			}
			slices.Sort(names)
			if got := strings.Join(names, " "); got != c.want {
				t.Errorf("exemplars left %q, want %q", got, c.want)
			}
			_ = proc.Shutdown(context.Background())
		})
	}
}
