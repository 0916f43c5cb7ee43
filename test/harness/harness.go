// Package harness starts the real backends (Jaeger, Prometheus, Loki) and the built Tailwise
// collector as loopback processes for end-to-end tests and benchmarks, and stops them when the
// test ends. Every wait is bounded.
package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// DefaultPortBase is the first port of the loopback block the backends and the collector use.
// PORT_BASE in the environment moves the whole block.
const DefaultPortBase = 47100

// Port offsets inside the block; test/backends/backends.sh uses the same ones for the backends.
const (
	offLokiHTTP        = 0
	offJaegerOTLPGRPC  = 10
	offJaegerQuery     = 12
	offPrometheus      = 20
	offCollectorGRPC   = 30 // the collector of slot 0: OTLP gRPC, OTLP HTTP, scrape, health, self-metrics
	offExtraCollectors = 40 // slots 1 to 8, portsPerCollector each
	portsPerCollector  = 5
)

// RepoRoot returns the root of the Tailwise source tree.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// PortBase returns the block's first port.
func PortBase() int {
	if s := os.Getenv("PORT_BASE"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return DefaultPortBase
}

// Backends are the running Jaeger, Prometheus and Loki of one test.
type Backends struct {
	JaegerOTLP               string // host:port of Jaeger's OTLP/gRPC receiver
	JaegerQueryURL           string
	PrometheusURL            string
	PrometheusOTLPURL        string // base URL of Prometheus' OTLP receiver (metrics at /v1/metrics)
	PrometheusRemoteWriteURL string
	LokiURL                  string
	LokiOTLPURL              string
	script                   string
	env                      []string
	runDir                   string
}

// LogTail returns the last n lines of a backend's log (jaeger, prometheus or loki).
func (b *Backends) LogTail(name string, n int) string {
	return TailFile(filepath.Join(b.runDir, name+".log"), n)
}

// StartBackends starts the three backends through test/backends/backends.sh and stops them when
// the test ends.
func StartBackends(t testing.TB) *Backends {
	t.Helper()
	runDir := t.TempDir()
	script := filepath.Join(RepoRoot(), "test", "backends", "backends.sh")
	env := append(os.Environ(), "BACKENDS_RUN="+runDir, "PORT_BASE="+strconv.Itoa(PortBase()))
	up := exec.Command("bash", script, "up")
	up.Env = env
	out, err := up.CombinedOutput()
	if err != nil {
		t.Fatalf("backends.sh up: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		down := exec.Command("bash", script, "down")
		down.Env = env
		if out, err := down.CombinedOutput(); err != nil {
			t.Errorf("backends.sh down: %v\n%s", err, out)
		}
	})
	b := PortBase()
	return &Backends{
		script:                   script,
		env:                      env,
		runDir:                   runDir,
		JaegerOTLP:               loopback(b + offJaegerOTLPGRPC),
		JaegerQueryURL:           "http://" + loopback(b+offJaegerQuery),
		PrometheusURL:            "http://" + loopback(b+offPrometheus),
		PrometheusOTLPURL:        "http://" + loopback(b+offPrometheus) + "/api/v1/otlp",
		PrometheusRemoteWriteURL: "http://" + loopback(b+offPrometheus) + "/api/v1/write",
		LokiURL:                  "http://" + loopback(b+offLokiHTTP),
		LokiOTLPURL:              "http://" + loopback(b+offLokiHTTP) + "/otlp",
	}
}

// Stop stops one backend (jaeger, prometheus or loki), for outage tests.
func (b *Backends) Stop(t testing.TB, name string) {
	t.Helper()
	b.run(t, "stop", name)
}

// Start starts a stopped backend again on its ports and data and waits until it is ready.
func (b *Backends) Start(t testing.TB, name string) {
	t.Helper()
	b.run(t, "start", name)
}

func (b *Backends) run(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{b.script}, args...)...)
	cmd.Env = b.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("backends.sh %v: %v\n%s", args, err, out)
	}
}

// Collector is a running bin/tailwise process.
type Collector struct {
	OTLPGRPC           string // host:port
	OTLPHTTP           string // host:port
	PrometheusExporter string // host:port of the collector's scrape endpoint
	SelfMetrics        string // host:port of the collector's own metrics
	LogPath            string
	cmd                *exec.Cmd
	exited             chan struct{}
}

// GatewayEnv returns the environment that points configs/gateway.yaml at the given backends and at
// the block's collector ports, with plaintext to the loopback backends; the tenants are the
// gateway's credentials.
func GatewayEnv(t testing.TB, be *Backends, tenants ...Tenant) map[string]string {
	t.Helper()
	return GatewayEnvAt(t, be, 0, tenants...)
}

// GatewayEnvAt is GatewayEnv for the collector in the given slot of the port block: slot 0 has
// the ports the backends' Prometheus scrapes; slots 1 to 8 let more collectors run beside it.
func GatewayEnvAt(t testing.TB, be *Backends, slot int, tenants ...Tenant) map[string]string {
	t.Helper()
	dir := t.TempDir()
	credentials, quotas := writeCredentials(t, dir, tenants)
	b := PortBase() + offCollectorGRPC
	if slot > 0 {
		b = PortBase() + offExtraCollectors + (slot-1)*portsPerCollector
	}
	return map[string]string{
		"TAILWISE_TENANT_CREDENTIALS_FILE": credentials,
		"TAILWISE_TENANT_QUOTAS_FILE":      quotas,
		"TAILWISE_FLEET":                   "{static: {members: 1}}",
		"TAILWISE_OTLP_GRPC_ENDPOINT":      loopback(b),
		"TAILWISE_OTLP_HTTP_ENDPOINT":      loopback(b + 1),
		"TAILWISE_PROMETHEUS_ENDPOINT":     loopback(b + 2),
		"TAILWISE_HEALTH_ENDPOINT":         loopback(b + 3),
		"TAILWISE_TELEMETRY_HOST":          "127.0.0.1",
		"TAILWISE_TELEMETRY_PORT":          strconv.Itoa(b + 4),
		"TAILWISE_STORAGE_DIR":             filepath.Join(dir, "storage"),
		"JAEGER_OTLP_ENDPOINT":             be.JaegerOTLP,
		"PROMETHEUS_OTLP_URL":              be.PrometheusOTLPURL,
		"PROMETHEUS_REMOTE_WRITE_URL":      be.PrometheusRemoteWriteURL, // configs/gateway-remote-write.yaml
		"LOKI_OTLP_URL":                    be.LokiOTLPURL,
		"BACKEND_TLS_INSECURE":             "true",
	}
}

// StartCollector runs the built collector (bin/tailwise, or $TAILWISE_BIN) with the configs
// (merged in order, as --config flags) and extra environment, waits until its health endpoint
// answers, and stops it when the test ends. healthAddr is the host:port the config's health_check
// extension listens on; ports are the other addresses it binds, checked free first.
func StartCollector(t testing.TB, configs []string, healthAddr string, env map[string]string, ports ...string) *Collector {
	t.Helper()
	c := LaunchCollector(t, configs, healthAddr, env, ports...)
	if err := WaitHTTP("http://"+healthAddr+"/", 60*time.Second, c.exited); err != nil {
		t.Fatalf("collector not healthy: %v\n%s", err, TailFile(c.LogPath, 40))
	}
	return c
}

// LaunchCollector is StartCollector without the wait for health: the test may act on the
// collector while it starts.
func LaunchCollector(t testing.TB, configs []string, healthAddr string, env map[string]string, ports ...string) *Collector {
	t.Helper()
	bin := os.Getenv("TAILWISE_BIN")
	if bin == "" {
		bin = filepath.Join(RepoRoot(), "bin", "tailwise")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("collector binary %s: %v (run `make build` first)", bin, err)
	}
	for _, addr := range append([]string{healthAddr}, ports...) {
		RequireFree(t, addr)
	}
	logPath := filepath.Join(t.TempDir(), "tailwise.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = RepoRoot()
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Collector{LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(c.exited) }()
	t.Cleanup(func() {
		if err := c.Stop(30 * time.Second); err != nil {
			t.Errorf("stopping collector: %v", err)
		}
	})
	c.OTLPGRPC = env["TAILWISE_OTLP_GRPC_ENDPOINT"]
	c.OTLPHTTP = env["TAILWISE_OTLP_HTTP_ENDPOINT"]
	c.PrometheusExporter = env["TAILWISE_PROMETHEUS_ENDPOINT"]
	if p := env["TAILWISE_TELEMETRY_PORT"]; p != "" {
		c.SelfMetrics = "127.0.0.1:" + p
	}
	return c
}

// StartGateway starts the collector with configs/gateway.yaml against the backends.
func StartGateway(t testing.TB, be *Backends, tenants ...Tenant) *Collector {
	t.Helper()
	return StartGatewayWith(t, be, nil, tenants...)
}

// StartGatewayWith starts the collector with configs/gateway.yaml merged with overlay configs.
func StartGatewayWith(t testing.TB, be *Backends, overlays []string, tenants ...Tenant) *Collector {
	t.Helper()
	return StartGatewayWithEnv(t, GatewayEnv(t, be, tenants...), overlays)
}

// StartGatewayWithEnv starts the collector with configs/gateway.yaml merged with overlay configs,
// in an environment from GatewayEnv that the caller may have changed.
func StartGatewayWithEnv(t testing.TB, env map[string]string, overlays []string) *Collector {
	t.Helper()
	return startGateway(t, StartCollector, env, overlays)
}

// LaunchGatewayWithEnv is StartGatewayWithEnv without the wait for health.
func LaunchGatewayWithEnv(t testing.TB, env map[string]string, overlays []string) *Collector {
	t.Helper()
	return startGateway(t, LaunchCollector, env, overlays)
}

func startGateway(t testing.TB, start func(testing.TB, []string, string, map[string]string, ...string) *Collector,
	env map[string]string, overlays []string,
) *Collector {
	t.Helper()
	configs := append([]string{filepath.Join(RepoRoot(), "configs", "gateway.yaml")}, overlays...)
	return start(t, configs, env["TAILWISE_HEALTH_ENDPOINT"], env,
		env["TAILWISE_OTLP_GRPC_ENDPOINT"], env["TAILWISE_OTLP_HTTP_ENDPOINT"], env["TAILWISE_PROMETHEUS_ENDPOINT"],
		"127.0.0.1:"+env["TAILWISE_TELEMETRY_PORT"])
}

// Usage is the collector's CPU time so far and its peak resident memory, from /proc.
func (c *Collector) Usage() (cpu time.Duration, peakRSS int64, err error) {
	pid := c.cmd.Process.Pid
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	cpu = time.Duration(utime+stime) * time.Second / ticksPerSecond
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			peakRSS = kb << 10
		}
	}
	return cpu, peakRSS, nil
}

// Stop sends SIGTERM and waits for the collector to exit, killing it after the timeout.
func (c *Collector) Stop(timeout time.Duration) error {
	if c.hasExited() {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return nil
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return fmt.Errorf("collector did not stop within %s after SIGTERM; killed", timeout)
	}
}

// Reload sends SIGHUP: the collector reads its configuration files again and restarts its
// pipelines with the new configuration.
func (c *Collector) Reload() error { return c.cmd.Process.Signal(syscall.SIGHUP) }

// RequireFree fails the test when something already listens on addr.
func RequireFree(t testing.TB, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("%s is in use (%v): stop what holds it or set PORT_BASE to another free block", addr, err)
	}
	_ = l.Close()
}

// WaitHTTP polls url until it answers 2xx, the timeout passes, or stop is closed.
func WaitHTTP(url string, timeout time.Duration, stop <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s", url, timeout)
		case <-stop:
			return errors.New("process exited")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Eventually retries check every interval until it returns nil or the timeout passes, and
// returns the last error.
func Eventually(timeout, interval time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}

// TailFile returns the last n lines of a file, for failure messages.
func TailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

func loopback(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
