package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tailwise/tailwise/internal/recording"
)

// The shared recordings live beside the project; CI always has them.
const (
	hotrodRecording  = "../../../shared/data/hotrod/hotrod-v1.76.0-120req.traces.otlp.jsonl.gz"
	nezhaRecording   = "../../../shared/data/nezha-onlineboutique-2022-08-22/traces.otlp.jsonl.gz"
	webshopRecording = "../../test/recordings/webshop.jsonl.zst"
)

// sloRule is the test's own statement of an objective, independent of the
// engine's matcher: a matched span slower than threshold, or failed when
// errors is set, violates it.
type sloRule struct {
	service, route string
	threshold      time.Duration
	errors         bool
}

// recordingFacts is what the test itself reads from a recording.
type recordingFacts struct {
	violating  int
	requests   map[routeKey][2]float64 // requests, failed requests
	otherLines int                     // lines of other signals
}

// readFacts counts the traces of a recording that break a rule, and the
// requests (server or root spans) and failed requests of each route.
func readFacts(t *testing.T, path string, rules []sloRule) recordingFacts {
	violating := map[pcommon.TraceID]bool{}
	requests := map[routeKey][2]float64{}
	otherLines := 0
	_, err := recording.ReadFile(path, false, func(e recording.Entry) error {
		if e.Signal != recording.Traces {
			otherLines++
			return nil
		}
		for _, rs := range e.Traces.ResourceSpans().All() {
			service, _ := rs.Resource().Attributes().Get("service.name")
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					if span.Kind() == ptrace.SpanKindServer || span.ParentSpanID().IsEmpty() {
						k := routeKey{service: service.Str(), route: span.Name()}
						n := requests[k]
						n[0]++
						if span.Status().Code() == ptrace.StatusCodeError {
							n[1]++
						}
						requests[k] = n
					}
					for _, r := range rules {
						if service.Str() != r.service || span.Name() != r.route {
							continue
						}
						slow := span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime()) > r.threshold
						failed := r.errors && span.Status().Code() == ptrace.StatusCodeError
						if slow || failed {
							violating[span.TraceID()] = true
						}
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err, "the recording must be at %s", path)
	return recordingFacts{violating: len(violating), requests: requests, otherLines: otherLines}
}

func runTuneCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = dispatch(append([]string{"tune"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestTuneJSONInvariants(t *testing.T) {
	tests := []struct {
		name      string
		recording string
		configs   []string
		rules     []sloRule
	}{
		{
			name:      "hotrod",
			recording: hotrodRecording,
			configs:   []string{"testdata/tune/hotrod-dispatch.yaml", "testdata/tune/hotrod-tight.yaml"},
			rules:     []sloRule{{service: "frontend", route: "/dispatch", threshold: 1900 * time.Millisecond, errors: true}},
		},
		{
			name:      "webshop",
			recording: webshopRecording,
			configs:   []string{"testdata/tune/webshop.yaml", "testdata/tune/webshop-lean.yaml"},
			rules: []sloRule{
				{service: "frontend", route: "POST /checkout", threshold: 300 * time.Millisecond, errors: true},
				{service: "frontend", route: "GET /", threshold: 100 * time.Millisecond},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--recording", tt.recording, "--json"}
			for _, c := range tt.configs {
				args = append(args, "--config", c)
			}
			stdout, stderr, code := runTuneCLI(t, args...)
			require.Equal(t, 0, code, stderr)
			var report tuneReport
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&report))
			assert.False(t, dec.More(), "exactly one JSON object")
			require.Len(t, report.Configs, len(tt.configs))

			facts := readFacts(t, tt.recording, tt.rules)
			require.Positive(t, facts.violating, "the rules must select some traces")
			for i, c := range report.Configs {
				assert.Equal(t, configBaseName(tt.configs[i]), c.Name)
				checkTuneInvariants(t, c, facts.violating)
				assert.Equal(t, facts.otherLines, c.OtherSignalLines)
				require.Len(t, c.Routes, len(facts.requests))
				for _, r := range c.Routes {
					n := facts.requests[routeKey{service: r.Service, route: r.Route}]
					assert.InDelta(t, n[0], r.Requests.Truth, 0, "%s %s requests", r.Service, r.Route)
					assert.InDelta(t, n[1]/n[0], r.ErrorRatio.Truth, 1e-12, "%s %s error ratio", r.Service, r.Route)
				}
			}
			assert.Less(t, report.Configs[1].SpansKept, report.Configs[0].SpansKept, "the smaller budget keeps less")
		})
	}
}

// checkTuneInvariants checks what must hold of any config's report.
func checkTuneInvariants(t *testing.T, c configResult, violating int) {
	t.Helper()
	assert.Positive(t, c.TracesIn)
	assert.Equal(t, c.TracesIn, c.TracesDecided, "every trace decided once")
	assert.LessOrEqual(t, c.TracesKept, c.TracesIn)
	assert.LessOrEqual(t, c.SpansKept, c.SpansIn)
	assert.Equal(t, violating, c.SLOViolatingIn, "every SLO-violating trace counted")
	assert.LessOrEqual(t, c.SLOViolatingKept, c.SLOViolatingIn)
	assert.LessOrEqual(t, c.IncompleteKeptTraces, c.TracesKept)

	bad := 0.0
	for _, o := range c.Objectives {
		bad += o.Total.Truth - o.Good.Truth
		checkInterval(t, o.Name+" total", o.Total)
		checkInterval(t, o.Name+" good", o.Good)
	}
	assert.InDelta(t, float64(c.SLOViolatingIn), bad, 0, "each violating trace is a bad event of one objective")
	require.NotEmpty(t, c.Routes)
	for _, r := range c.Routes {
		checkInterval(t, r.Service+" "+r.Route+" requests", r.Requests)
		checkInterval(t, r.Service+" "+r.Route+" error ratio", r.ErrorRatio)
	}

	var spansIn, spansKept, seconds float64
	for i, w := range c.Windows {
		assert.InDelta(t, float64(i*windowSeconds), w.StartSeconds, 0, "windows are consecutive minutes")
		assert.LessOrEqual(t, w.SpansKept, w.SpansIn+w.Budget, "window %d", i)
		spansIn += w.SpansIn
		spansKept += w.SpansKept
		seconds += w.Seconds
	}
	assert.InDelta(t, float64(c.SpansIn), spansIn, 0, "windows cover every span in")
	assert.InDelta(t, float64(c.SpansKept), spansKept, 0, "windows cover every span kept")
	assert.InDelta(t, c.RecordingSeconds, seconds, 1e-6, "windows cover the recording")

	assert.LessOrEqual(t, c.Strata.Represented, c.Strata.Seen)
	assert.Len(t, c.Strata.Unrepresented, c.Strata.Seen-c.Strata.Represented)
}

func checkInterval(t *testing.T, what string, e estimate) {
	t.Helper()
	assert.False(t, math.IsNaN(e.Estimate), what)
	assert.LessOrEqual(t, e.Low, e.Estimate, what)
	assert.LessOrEqual(t, e.Estimate, e.High, what)
}

func TestTuneWritesHTMLReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	stdout, stderr, code := runTuneCLI(t, hotrodRecording, "--config", "testdata/tune/hotrod-dispatch.yaml",
		"--config", "testdata/tune/hotrod-tight.yaml", "--report", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "hotrod-tight", "the terminal table names each config")

	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	for _, kind := range plotKinds {
		for _, name := range []string{kind.file + "-1.png", kind.file + "-2.png"} {
			assert.Contains(t, string(page), `src="`+name+`"`)
			f, err := os.Open(filepath.Join(dir, name))
			require.NoError(t, err)
			img, err := png.Decode(f)
			require.NoError(t, f.Close())
			require.NoError(t, err, name)
			assert.Greater(t, img.Bounds().Dx(), 300, name)
		}
	}
}

func TestTuneUsageAndBadInput(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{name: "no recording", args: []string{"--config", "testdata/tune/webshop.yaml"}, code: 2, inStderr: "--recording FILE is required"},
		{name: "no config", args: []string{"--recording", hotrodRecording}, code: 2, inStderr: "--config SAMPLER.yaml is required"},
		{name: "missing file", args: []string{"--recording", "testdata/tune/none.jsonl", "--config", "testdata/tune/webshop.yaml"}, code: 2, inStderr: "no such file"},
		{name: "unknown flag", args: []string{"--speed", "2"}, code: 2, inStderr: "flag provided but not defined"},
		{name: "negative gap", args: []string{hotrodRecording, "--config", "testdata/tune/webshop.yaml", "--max-gap", "-1s"}, code: 2, inStderr: "--max-gap"},
		{name: "same config twice", args: []string{hotrodRecording, "--config", "testdata/tune/webshop.yaml", "--config", "testdata/tune/webshop.yaml"}, code: 2, inStderr: "given twice"},
		{name: "invalid field", args: []string{hotrodRecording, "--config", "testdata/tune/bad-budget.yaml"}, code: 1, inStderr: "bad-budget.yaml: budget::spans_per_second: must be positive"},
		{name: "unknown key", args: []string{hotrodRecording, "--config", "testdata/tune/unknown-key.yaml"}, code: 1, inStderr: "spans_per_secnd"},
		{name: "missing config file", args: []string{hotrodRecording, "--config", "testdata/tune/none.yaml"}, code: 1, inStderr: "none.yaml"},
		{name: "bad line", args: []string{"testdata/tune/bad-line.jsonl", "--config", "testdata/tune/webshop.yaml"}, code: 1, inStderr: "testdata/tune/bad-line.jsonl:2:"},
		{name: "no traces", args: []string{"testdata/tune/logs-only.jsonl", "--config", "testdata/tune/webshop.yaml"}, code: 1, inStderr: "no spans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runTuneCLI(t, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, tt.inStderr)
			assert.Empty(t, stdout)
		})
	}
}

func TestVirtualClockShortensIdleGaps(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		maxGap   time.Duration
		recorded []time.Duration // since start
		want     []time.Duration // virtual, since start
		squeezed time.Duration
	}{
		{
			name:     "gaps kept",
			recorded: []time.Duration{0, 500 * time.Millisecond, 10 * time.Second},
			want:     []time.Duration{0, 500 * time.Millisecond, 10 * time.Second},
		},
		{
			name:     "gaps shortened to one second",
			maxGap:   time.Second,
			recorded: []time.Duration{0, 500 * time.Millisecond, 10 * time.Second, 10200 * time.Millisecond},
			want:     []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 1700 * time.Millisecond},
			squeezed: 8500 * time.Millisecond,
		},
		{
			name:     "never back in time",
			maxGap:   time.Second,
			recorded: []time.Duration{2 * time.Second, time.Second, 2500 * time.Millisecond},
			want:     []time.Duration{2 * time.Second, 2 * time.Second, 2500 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := virtualClock{maxGap: tt.maxGap}
			for i, r := range tt.recorded {
				c.now = c.at(start.Add(r))
				assert.Equal(t, start.Add(tt.want[i]), c.now, "line %d", i)
			}
			assert.Equal(t, tt.squeezed, c.squeezed)
		})
	}
}
