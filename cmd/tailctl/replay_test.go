package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/internal/recording"
)

// otlpServer is an in-process OTLP/gRPC server on loopback that keeps what it accepts and can
// refuse the first requests with a status code.
type otlpServer struct {
	ptraceotlp.UnimplementedGRPCServer
	addr     string
	refuse   codes.Code
	refusals atomic.Int32 // requests still to refuse
	mu       sync.Mutex
	traces   []ptrace.Traces
	logs     []plog.Logs
	metrics  int
	authSeen []string
}

type logServer struct {
	plogotlp.UnimplementedGRPCServer
	s *otlpServer
}

type metricServer struct {
	pmetricotlp.UnimplementedGRPCServer
	s *otlpServer
}

func startOTLPServer(t *testing.T) *otlpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &otlpServer{addr: l.Addr().String()}
	g := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(g, srv)
	plogotlp.RegisterGRPCServer(g, &logServer{s: srv})
	pmetricotlp.RegisterGRPCServer(g, &metricServer{s: srv})
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)
	return srv
}

func (s *otlpServer) admit(ctx context.Context) error {
	s.mu.Lock()
	md, _ := metadata.FromIncomingContext(ctx)
	s.authSeen = append(s.authSeen, strings.Join(md.Get("authorization"), ","))
	s.mu.Unlock()
	if s.refusals.Add(-1) >= 0 {
		return status.Error(s.refuse, "refused by test server")
	}
	return nil
}

func (s *otlpServer) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	if err := s.admit(ctx); err != nil {
		return ptraceotlp.NewExportResponse(), err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	s.traces = append(s.traces, td)
	return ptraceotlp.NewExportResponse(), nil
}

func (l *logServer) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	if err := l.s.admit(ctx); err != nil {
		return plogotlp.NewExportResponse(), err
	}
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	l.s.logs = append(l.s.logs, ld)
	return plogotlp.NewExportResponse(), nil
}

func (m *metricServer) Export(ctx context.Context, _ pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	if err := m.s.admit(ctx); err != nil {
		return pmetricotlp.NewExportResponse(), err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	m.s.metrics++
	return pmetricotlp.NewExportResponse(), nil
}

const bundledRecording = "../../test/recordings/webshop.jsonl.zst"

// recordedTraces reads the traces requests of a recording, in order.
func recordedTraces(t *testing.T, path string) (traces []ptrace.Traces, requests int) {
	t.Helper()
	if _, err := recording.ReadFile(path, false, func(e recording.Entry) error {
		requests++
		if e.Signal == recording.Traces {
			traces = append(traces, e.Traces)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return traces, requests
}

func runReplayJSON(t *testing.T, args ...string) (*replayReport, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runReplay(append(args, "--json"), nil, &stdout, &stderr)
	rep := &replayReport{}
	if jerr := json.Unmarshal(stdout.Bytes(), rep); jerr != nil {
		t.Fatalf("report is not JSON (%v): %s\nstderr: %s", jerr, stdout.String(), stderr.String())
	}
	return rep, err
}

func TestReplaySendsTheRecordingUnchanged(t *testing.T) {
	srv := startOTLPServer(t)
	want, requests := recordedTraces(t, bundledRecording)
	rep, err := runReplayJSON(t, bundledRecording, "--endpoint", srv.addr, "--speed", "0", "--workers", "1",
		"--header", "authorization=Bearer s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != requests || rep.Accepted != requests || rep.Refused != 0 || rep.Loops != 1 {
		t.Fatalf("report %+v, want %d requests all accepted", rep, requests)
	}
	if len(srv.traces) != len(want) {
		t.Fatalf("server got %d traces requests, want %d", len(srv.traces), len(want))
	}
	m := &ptrace.JSONMarshaler{}
	for i := range want {
		a, _ := m.MarshalTraces(want[i])
		b, _ := m.MarshalTraces(srv.traces[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("traces request %d changed on the way:\nwant %s\n got %s", i, a, b)
		}
	}
	if srv.authSeen[0] != "Bearer s3cret" {
		t.Errorf("authorization metadata %q not sent", srv.authSeen[0])
	}
}

func TestReplayRetriesRetryableRefusalsAndReportsPermanentOnes(t *testing.T) {
	for _, c := range []struct {
		code         codes.Code
		wantRefused  int
		wantRetries  int
		wantExitFail bool
	}{
		{codes.Unavailable, 0, 3, false},
		{codes.InvalidArgument, 3, 0, true},
	} {
		t.Run(c.code.String(), func(t *testing.T) {
			srv := startOTLPServer(t)
			srv.refuse = c.code
			srv.refusals.Store(3)
			rep, err := runReplayJSON(t, bundledRecording, "--endpoint", srv.addr, "--speed", "0", "--workers", "1")
			if (err != nil) != c.wantExitFail {
				t.Fatalf("err %v, want failure %v", err, c.wantExitFail)
			}
			if rep.Refused != c.wantRefused || rep.Retries != c.wantRetries {
				t.Fatalf("refused %d retries %d (%v), want %d and %d", rep.Refused, rep.Retries, rep.RefusedByStatus, c.wantRefused, c.wantRetries)
			}
			if c.wantRefused > 0 && rep.RefusedByStatus[c.code.String()] != c.wantRefused {
				t.Errorf("refused by status %v", rep.RefusedByStatus)
			}
		})
	}
}

func TestReplayLoopsWithFreshIDsAndFlagsAnywhere(t *testing.T) {
	srv := startOTLPServer(t)
	_, requests := recordedTraces(t, bundledRecording)
	rep, err := runReplayJSON(t, "--endpoint", srv.addr, bundledRecording, "--speed", "0", "--loop", "2", "--rewrite-ids", "--shift-time", "--workers", "1")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 2*requests || rep.Loops != 2 {
		t.Fatalf("report %+v, want 2 loops of %d requests", rep, requests)
	}
	ids := map[string]bool{}
	for _, td := range srv.traces {
		ids[td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()] = true
	}
	if len(ids) != len(srv.traces) {
		t.Errorf("%d traces requests carry only %d distinct trace ids", len(srv.traces), len(ids))
	}
	// The second loop's first request is shifted to when the loop started, a moment ago.
	end := srv.traces[len(srv.traces)/2].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).EndTimestamp().AsTime()
	if d := time.Since(end); d < 0 || d > 30*time.Second {
		t.Errorf("shifted span of the second loop ends at %v, %v before now", end, d)
	}
}

func TestReplayPacingAtTenTimesSpeed(t *testing.T) {
	srv := startOTLPServer(t)
	rep, err := runReplayJSON(t, bundledRecording, "--endpoint", srv.addr, "--speed", "10")
	if err != nil {
		t.Fatal(err)
	}
	if rep.PacingError >= 0.02 {
		t.Fatalf("pacing error %.2f%% at 10x over %.1fs, want under 2%%", 100*rep.PacingError, rep.DurationSeconds)
	}
	t.Logf("10x: %.1fs, pacing error %.3f%%, mean lateness %.2f ms", rep.DurationSeconds, 100*rep.PacingError, rep.MeanLatenessMillis)
}

func TestReplayUsageAndBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	w, err := recording.NewWriter(bad, recording.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no files", []string{"--endpoint", "127.0.0.1:1"}, "name at least one recording file"},
		{"no endpoint", []string{bundledRecording}, "--endpoint HOST:PORT is required"},
		{"missing file", []string{filepath.Join(dir, "none.jsonl"), "--endpoint", "127.0.0.1:1"}, "no such file"},
		{"bad protocol", []string{bundledRecording, "--endpoint", "127.0.0.1:1", "--protocol", "udp"}, "use grpc or http"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := dispatch(append([]string{"replay"}, c.args...), nil, &out, &errOut)
			if code != 2 || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut.String(), c.want)
			}
		})
	}
}
