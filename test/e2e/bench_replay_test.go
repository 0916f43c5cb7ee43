//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tailwise/tailwise/test/harness"
)

// BenchmarkGatewayReplay replays a recording as fast as the gateway takes it, with
// configs/gateway.yaml, with the same pipeline using contrib's processors instead of Tailwise's
// (test/bench/contrib-overlay.yaml), and with the gateway batching in the batch processor instead
// of its exporters (test/bench/batch-processor-overlay.yaml), and without the write-ahead logs
// (test/bench/no-wal-overlay.yaml), against the same real backends, and reports the collector's
// CPU seconds per million spans, its peak RSS, the achieved throughput and the p99 export
// latency tailctl measured.
//
//	make bench-replay   (REPLAY_RECORDING=file to replay another recording, REPLAY_LOOPS=n times,
//	                     REPLAY_WORKERS=n concurrent requests (16);
//	                     -bench 'BenchmarkGatewayReplay/tailwise$' for one variant)
func BenchmarkGatewayReplay(b *testing.B) {
	rec := os.Getenv("REPLAY_RECORDING")
	if rec == "" {
		rec = filepath.Join(harness.RepoRoot(), "..", "shared", "data", "nezha-onlineboutique-2022-08-22", "traces.otlp.jsonl.gz")
	}
	loops := os.Getenv("REPLAY_LOOPS") // runs long against the samplers' decision waits
	if loops == "" {
		loops = "5"
	}
	// Enough concurrent requests to keep the gateway busy on 2 cores, so that CPU per span
	// compares the work done; with fewer, a wait (the write-ahead log's group commit) caps
	// the throughput instead, and the p99 export latency shows what the wait adds.
	workers := os.Getenv("REPLAY_WORKERS")
	if workers == "" {
		workers = "16"
	}
	be := harness.StartBackends(b)
	results := map[string][4]float64{}
	for _, v := range []struct {
		name     string
		overlays []string
	}{
		{"tailwise", nil},
		{"contrib", []string{filepath.Join(harness.RepoRoot(), "test", "bench", "contrib-overlay.yaml")}},
		{"batch-processor", []string{filepath.Join(harness.RepoRoot(), "test", "bench", "batch-processor-overlay.yaml")}},
		{"no-wal", []string{filepath.Join(harness.RepoRoot(), "test", "bench", "no-wal-overlay.yaml")}},
	} {
		b.Run(v.name, func(b *testing.B) {
			for range b.N {
				tenant := harness.NewTenant("team-a")
				env := harness.GatewayEnv(b, be, tenant)
				// One tenant sends as fast as the gateway takes it: quotas out of the way.
				env["TAILWISE_TENANT_SPANS_PER_SECOND"] = "0"
				env["TAILWISE_TENANT_BYTES_PER_SECOND"] = "0"
				col := harness.StartGatewayWithEnv(b, env, v.overlays)
				out, err := exec.Command(filepath.Join(harness.RepoRoot(), "bin", "tailctl"), "replay", rec,
					"--endpoint", col.OTLPGRPC, "--header", "authorization=Bearer "+tenant.Token,
					"--speed", "0", "--loop", loops, "--rewrite-ids", "--shift-time", "--workers", workers, "--json").Output()
				if err != nil {
					b.Fatalf("tailctl replay: %v\n%s", err, out)
				}
				var rep struct {
					Items    map[string]int     `json:"items_sent"`
					Accepted int                `json:"requests_accepted"`
					Requests int                `json:"requests"`
					Duration float64            `json:"duration_seconds"`
					Latency  map[string]float64 `json:"export_latency_ms"`
				}
				if err := json.Unmarshal(out, &rep); err != nil {
					b.Fatal(err)
				}
				if rep.Accepted != rep.Requests {
					b.Fatalf("%d of %d requests accepted", rep.Accepted, rep.Requests)
				}
				cpu, rss, err := col.Usage()
				if err != nil {
					b.Fatal(err)
				}
				spans := float64(rep.Items["traces"])
				r := [4]float64{cpu.Seconds() / (spans / 1e6), float64(rss) / (1 << 20), spans / rep.Duration, rep.Latency["p99"]}
				results[v.name] = r
				b.ReportMetric(r[0], "cpu-s/Mspans")
				b.ReportMetric(r[1], "peakRSS-MiB")
				b.ReportMetric(r[2], "spans/s")
				b.ReportMetric(r[3], "p99-ms")
			}
		})
	}
	ours := results["tailwise"]
	for _, other := range []string{"contrib", "batch-processor", "no-wal"} {
		if theirs := results[other]; theirs[0] > 0 && ours[0] > 0 {
			fmt.Printf("tailwise/%s: CPU per span %.2fx, peak RSS %.2fx, throughput %.2fx, p99 export latency %+.1f ms\n",
				other, ours[0]/theirs[0], ours[1]/theirs[1], ours[2]/theirs[2], ours[3]-theirs[3])
		}
	}
}
