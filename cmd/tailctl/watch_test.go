package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfMetrics is a scrape of the demo collector's own metrics, cut down, with n kept spans.
func selfMetrics(n int) string {
	return fmt.Sprintf(`# HELP otelcol_processor_slo_sampling_spans_received Spans received.
# TYPE otelcol_processor_slo_sampling_spans_received counter
otelcol_processor_slo_sampling_spans_received %d
otelcol_processor_slo_sampling_output_rate{rate="budget"} 25
otelcol_processor_slo_sampling_output_rate{rate="measured"} 24.69
otelcol_processor_slo_sampling_spans_decided{decision="dropped",objective="errors",reason="sampled_out",tenant="_none"} 415
otelcol_processor_slo_sampling_spans_decided{decision="kept",objective="checkout",reason="slo_violation",tenant="_none"} %d
otelcol_processor_slo_sampling_traces_decided{decision="kept",objective="checkout",reason="slo_violation",tenant="_none",trigger="root_quiet"} 2
otelcol_processor_slo_sampling_traces_decided{decision="kept",objective="errors",reason="sampled",tenant="_none",trigger="root_quiet"} 110
otelcol_processor_trace_decision_log_records_total{action="forwarded",fate="kept"} 405
otelcol_processor_trace_decision_log_records_total{action="marked",fate="dropped"} 314
otelcol_processor_pii_redaction_values{detector="email",outcome="mask",signal="logs"} 23
otelcol_processor_pii_redaction_values{card_issuer="visa",detector="payment_card",outcome="mask",signal="logs"} 1
otelcol_processor_pii_redaction_values{detector="email",outcome="allowed",signal="logs"} 7
`, 2*n, n)
}

func TestFlowsOfSelfMetrics(t *testing.T) {
	samples, err := parsePromText(strings.NewReader(selfMetrics(500)))
	require.NoError(t, err)
	assert.Equal(t, flows{spansIn: 1000, spansKept: 500, budget: 25, violatingKept: 2, logsLinked: 405, redacted: 24}, flowsOf(samples))
}

func TestParseSample(t *testing.T) {
	tests := []struct {
		line    string
		want    sample
		wantErr string
	}{
		{"up 1", sample{name: "up", labels: map[string]string{}, value: 1}, ""},
		{"up 1 1700000000000", sample{name: "up", labels: map[string]string{}, value: 1}, ""},
		{`m{a="x",b="y z"} 2.5`, sample{name: "m", labels: map[string]string{"a": "x", "b": "y z"}, value: 2.5}, ""},
		{`m{a="q\"uote,}"} 3`, sample{name: "m", labels: map[string]string{"a": `q"uote,}`}, value: 3}, ""},
		{`m{} +Inf`, sample{name: "m", labels: map[string]string{}, value: math.Inf(1)}, ""},
		{"m", sample{}, "has no value"},
		{`m{a=x} 1`, sample{}, `want name="value"`},
		{`m{a="x} 1`, sample{}, "unterminated value"},
		{"m one", sample{}, "invalid syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := parseSample(tt.line)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSummaryLine(t *testing.T) {
	prev := flows{spansIn: 1000, spansKept: 500, violatingKept: 2, logsLinked: 400, redacted: 20}
	cur := flows{spansIn: 1240, spansKept: 625, budget: 25, violatingKept: 3, logsLinked: 481, redacted: 24}
	at := time.Date(2026, 1, 2, 13, 40, 5, 0, time.UTC)
	assert.Equal(t, "13:40:05  spans in 48/s, kept 25/s (budget 25/s) | SLO-violating traces kept 1 (3 in all) | logs linked to kept traces 81 | values redacted 4 (24 in all)",
		summary(prev, cur, 5*time.Second, at))
}

func TestDeltaAfterRestart(t *testing.T) {
	assert.Equal(t, 5.0, delta(10, 15))
	assert.Equal(t, 3.0, delta(10, 3), "a counter below its last value started again from 0")
}

func TestWatchPrintsOneLinePerInterval(t *testing.T) {
	var scrapes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := scrapes.Add(1)
		if n == 1 || n == 3 {
			http.Error(w, "not now", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprint(w, selfMetrics(int(n)*100))
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	w := watcher{client: srv.Client(), url: srv.URL, stdout: &stdout, stderr: &stderr}
	require.NoError(t, w.run(context.Background(), 10*time.Millisecond, 2))
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	assert.Len(t, lines, 2)
	assert.Contains(t, lines[0], "SLO-violating traces kept 0 (2 in all)")
	assert.Equal(t, "tailctl watch: waiting for "+srv.URL+"\n"+
		"tailctl watch: "+srv.URL+": 503 Service Unavailable (retrying)\n", stderr.String(), "each failing spell is said once")
}

func TestWatchUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"--interval", "0s"}, {"--count", "-1"}} {
		var stderr bytes.Buffer
		assert.Equal(t, 2, dispatch(append([]string{"watch"}, args...), nil, &bytes.Buffer{}, &stderr), args)
	}
}

func TestProgressOf(t *testing.T) {
	assert.Equal(t, "   25.0%  ETA 30s", progressOf(25, 100, 10*time.Second))
	assert.Equal(t, "  100.0%  ETA 0s", progressOf(120, 100, 10*time.Second), "never past the end")
}
