//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tailwise/tailwise/test/harness"
)

// TestDemoConfigRuns checks what `make run` promises: configs/demo.yaml starts with no external
// service, replays the bundled recording, accepts OTLP on localhost, samples traces, writes the
// data to its files and serves SLO metrics with exemplars of kept traces in OpenMetrics.
func TestDemoConfigRuns(t *testing.T) {
	dir := t.TempDir()
	harness.StartCollector(t, []string{filepath.Join(harness.RepoRoot(), "configs", "demo.yaml")}, "127.0.0.1:13133",
		map[string]string{"TAILWISE_DEMO_DIR": dir},
		"127.0.0.1:4317", "127.0.0.1:4318", "127.0.0.1:8888", "127.0.0.1:8889", "127.0.0.1:55679")

	client := harness.ConnectOTLP(t, "127.0.0.1:4317", "")
	service := "demo-" + randomHex(3)
	start := time.Now()
	td, ids := makeTraces(service, 5, start)
	failAll(td) // SLO-violating: the sampler keeps them all
	if err := client.SendTraces(td); err != nil {
		t.Fatal(err)
	}
	if err := client.SendLogs(makeLog(service, ids[0], "demo log line", start)); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ file, want string }{
		{"traces.jsonl", `{"stringValue":"checkout"}`}, // from the bundled recording
		{"logs.jsonl", `traceparent=00-`},              // likewise
		{"traces.jsonl", ids[len(ids)-1]},
		{"logs.jsonl", "demo log line"},
		{"metrics.jsonl", service},
	} {
		err := harness.Eventually(30*time.Second, 200*time.Millisecond, func() error {
			b, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				return err
			}
			if !strings.Contains(string(b), c.want) {
				return fmt.Errorf("%s does not contain %q yet", c.file, c.want)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}

	t.Run("trace context moves from the log text into the records", func(t *testing.T) {
		err := harness.Eventually(30*time.Second, 500*time.Millisecond, func() error {
			return checkTraceparentLogs(filepath.Join(dir, "logs.jsonl"))
		})
		if err != nil {
			t.Error(err)
		}
	})

	err := harness.Eventually(30*time.Second, 500*time.Millisecond, func() error {
		body, err := scrapeOpenMetrics("http://127.0.0.1:8889/metrics")
		if err != nil {
			return err
		}
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "slo_request_duration_milliseconds_bucket{") &&
				strings.Contains(line, `job="`+service+`"`) && strings.Contains(line, `# {`) && strings.Contains(line, `trace_id="`) {
				for _, id := range ids {
					if strings.Contains(line, id) {
						return nil
					}
				}
				return fmt.Errorf("exemplar of an unknown trace: %s", line)
			}
		}
		return fmt.Errorf("no duration bucket with an exemplar for %s yet", service)
	})
	if err != nil {
		t.Error(err)
	}
}

func scrapeOpenMetrics(url string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// checkTraceparentLogs finds the replayed payment logs, whose trace context is only in their text
// ("traceparent=00-<trace>-<span>-01"), and checks that each record's TraceID and SpanID now
// carry it.
func checkTraceparentLogs(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	checked := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sc.Bytes())
		if err != nil {
			return err
		}
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					_, tp, ok := strings.Cut(lr.Body().AsString(), "traceparent=00-")
					if !ok || len(tp) < 49 {
						continue
					}
					if lr.TraceID().String() != tp[:32] || lr.SpanID().String() != tp[33:49] {
						return fmt.Errorf("record %q has trace %s span %s", lr.Body().AsString(), lr.TraceID(), lr.SpanID())
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		return errors.New("no replayed payment log with a traceparent yet")
	}
	return sc.Err()
}
