package detect

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// dataDir holds the recorded telemetry, beside the project.
var dataDir = filepath.Join("..", "..", "..", "..", "..", "shared", "data")

type score struct{ tp, fp, fn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// checksummed are the detectors whose floors are recall >= 0.99 and
// precision >= 0.98; the others must reach 0.95 on both.
var checksummed = []string{"payment_card", "iban", "cn_resident_id"}

func TestDetectionQuality(t *testing.T) {
	sc, err := NewScanner(DefaultOptions())
	require.NoError(t, err)
	scores := map[string]*score{}
	for _, n := range BuiltinNames() {
		scores[n] = &score{}
	}
	corpus := buildCorpus(400)
	var buf []Match
	for _, s := range corpus {
		buf = sc.Scan(s.text, buf)
		want := slices.Clone(s.labels)
		for _, m := range buf {
			got := label{s.text[m.Start:m.End], sc.Name(m.Detector)}
			if i := slices.Index(want, got); i >= 0 {
				scores[got.detector].tp++
				want = slices.Delete(want, i, i+1)
				continue
			}
			scores[got.detector].fp++
			t.Logf("false positive %s %q in %q", got.detector, got.text, s.text)
		}
		for _, l := range want {
			scores[l.detector].fn++
			t.Logf("missed %s %q in %q", l.detector, l.text, s.text)
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "%d samples\n| detector | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|\n", len(corpus))
	for _, n := range BuiltinNames() {
		s := scores[n]
		if n == "ip_address" {
			continue // off by default
		}
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %.4f | %.4f |\n", n, s.tp, s.fp, s.fn, s.precision(), s.recall())
		precisionFloor, recallFloor := 0.95, 0.95
		if slices.Contains(checksummed, n) {
			precisionFloor, recallFloor = 0.98, 0.99
		}
		assert.GreaterOrEqual(t, s.precision(), precisionFloor, n)
		assert.GreaterOrEqual(t, s.recall(), recallFloor, n)
		assert.Positive(t, s.tp, "%s has positives in the corpus", n)
	}
	t.Log("\n" + table.String())
}

// recordedPII lists the personal data in the recorded log lines, found by
// reading them: the Online Boutique demo logs its order e-mail address and
// the card number and CVV of each charge request. Nothing else in HotROD's
// console log or the Online Boutique bodies is personal data.
var recordedPII = []label{
	{"someone@example.com", "email"},
	{"4432-8015-6152-0454", "payment_card"},
	{"672", "secret_parameter"}, // "credit_card_cvv":672
}

// TestRecordedLogLines scans the real log lines and checks that they change
// only where they hold personal data, and wherever they do.
func TestRecordedLogLines(t *testing.T) {
	sc, err := NewScanner(DefaultOptions())
	require.NoError(t, err)
	lines := readLines(t, filepath.Join(dataDir, "hotrod", "hotrod-v1.76.0-120req.stdout.log.gz"))
	lines = append(lines, logBodies(t, filepath.Join(dataDir, "nezha-onlineboutique-2022-08-22", "logs.otlp.jsonl.gz"))...)
	require.Greater(t, len(lines), 13000)
	changed, found, missed := 0, 0, 0
	var buf []Match
	for _, line := range lines {
		buf = sc.Scan(line, buf)
		if len(buf) > 0 {
			changed++
		}
		for _, m := range buf {
			got := label{line[m.Start:m.End], sc.Name(m.Detector)}
			assert.Contains(t, recordedPII, got, "only personal data changes, in %q", line)
		}
		for _, pii := range recordedPII {
			if !strings.Contains(line, pii.text) || pii.detector == "secret_parameter" && !strings.Contains(line, "cvv") {
				continue
			}
			found++
			if !slices.ContainsFunc(buf, func(m Match) bool { return line[m.Start:m.End] == pii.text }) {
				missed++
				t.Errorf("%s %q not redacted in %q", pii.detector, pii.text, line)
			}
		}
	}
	assert.Positive(t, found)
	t.Logf("%d recorded lines scanned, %d changed; %d personal values, %d missed", len(lines), changed, found, missed)
}

func openGzip(t *testing.T, path string) *bufio.Scanner {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "the recorded telemetry must be beside the project")
	t.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	s := bufio.NewScanner(zr)
	s.Buffer(make([]byte, 1<<20), 64<<20)
	return s
}

func readLines(t *testing.T, path string) []string {
	s := openGzip(t, path)
	var lines []string
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	require.NoError(t, s.Err())
	return lines
}

// logBodies returns the string bodies and string attributes of an OTLP JSON lines file.
func logBodies(t *testing.T, path string) []string {
	s := openGzip(t, path)
	var out []string
	var u plog.JSONUnmarshaler
	for s.Scan() {
		ld, err := u.UnmarshalLogs(s.Bytes())
		require.NoError(t, err)
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr.Body().AsString())
					lr.Attributes().Range(func(_ string, v pcommon.Value) bool {
						out = append(out, v.AsString())
						return true
					})
				}
			}
		}
	}
	require.NoError(t, s.Err())
	return out
}
