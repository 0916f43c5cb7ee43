package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Jaeger is a Jaeger all-in-one started alone, for tests that need no other backend.
type Jaeger struct {
	OTLP     string // host:port of its OTLP/gRPC receiver
	QueryURL string
	LogPath  string
}

// BackendsDir is where test/backends/backends.sh keeps the built backends: $BACKENDS_DIR, or
// <repo>/.cache/backends.
func BackendsDir() string {
	if d := os.Getenv("BACKENDS_DIR"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), ".cache", "backends")
}

// StartJaeger starts the built Jaeger (bin/jaeger of BackendsDir, see `make backends-install`)
// with in-memory storage on the given loopback addresses, waits until it is healthy, and stops
// it when the test ends. Its other listeners (OTLP/HTTP, the collector's and the query's gRPC
// and HTTP ports it does not need) take ephemeral ports.
func StartJaeger(t testing.TB, otlpAddr, queryAddr, adminAddr string) *Jaeger {
	t.Helper()
	bin := filepath.Join(BackendsDir(), "bin", "jaeger")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("jaeger binary %s: %v (run `make backends-install` first)", bin, err)
	}
	for _, addr := range []string{otlpAddr, queryAddr, adminAddr} {
		RequireFree(t, addr)
	}
	logPath := filepath.Join(t.TempDir(), "jaeger.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--memory.max-traces=200000", "--log-level=warn",
		"--collector.otlp.grpc.host-port="+otlpAddr,
		"--collector.otlp.http.host-port=127.0.0.1:0",
		"--collector.grpc-server.host-port=127.0.0.1:0",
		"--collector.http-server.host-port=127.0.0.1:0",
		"--query.http-server.host-port="+queryAddr,
		"--query.grpc-server.host-port=127.0.0.1:0",
		"--admin.http.host-port="+adminAddr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	if err := WaitHTTP("http://"+adminAddr+"/", 60*time.Second, exited); err != nil {
		t.Fatalf("jaeger not healthy: %v\n%s", err, TailFile(logPath, 40))
	}
	return &Jaeger{OTLP: otlpAddr, QueryURL: "http://" + queryAddr, LogPath: logPath}
}
