package fleetextension

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tailwise/tailwise/extension/fleetextension/internal/metadata"
	"github.com/tailwise/tailwise/extension/fleetextension/internal/metadatatest"
)

// fakeResolver answers lookups with addrs or err. The lookups after the first blockAfter
// (when positive) wait for their context to end. Each lookup is announced on entered, if set.
type fakeResolver struct {
	addrs      []net.IPAddr
	err        error
	blockAfter int
	entered    chan struct{}

	mu    sync.Mutex
	calls int
}

func (r *fakeResolver) LookupIPAddr(ctx context.Context, _ string) ([]net.IPAddr, error) {
	r.mu.Lock()
	r.calls++
	block := r.blockAfter > 0 && r.calls > r.blockAfter
	r.mu.Unlock()
	if r.entered != nil {
		r.entered <- struct{}{}
	}
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return r.addrs, r.err
}

func ipAddrs(ips ...string) []net.IPAddr {
	addrs := make([]net.IPAddr, len(ips))
	for i, ip := range ips {
		addrs[i] = net.IPAddr{IP: net.ParseIP(ip)}
	}
	return addrs
}

// writeMembers replaces the members file at once, as a Kubernetes volume update does, so
// that polling never reads it half written.
func writeMembers(t *testing.T, path, content string) {
	t.Helper()
	next := path + ".next"
	require.NoError(t, os.WriteFile(next, []byte(content), 0o600))
	require.NoError(t, os.Rename(next, path))
}

func TestSourceCount(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"three":     "gw-0:4317\ngw-1:4317 # canary\n\ngw-2:4317\ngw-2:4317\n",
		"malformed": "gw-0:4317\ngw-1\n",
		"comments":  "# the fleet is being drained\n",
	}
	for name, content := range files {
		writeMembers(t, filepath.Join(dir, name), content)
	}
	tests := []struct {
		name       string
		source     source
		want       int
		wantReason string
	}{
		{name: "static", source: staticSource(3), want: 3},
		{name: "static below one counts one", source: staticSource(0), want: 1},
		{name: "dns distinct addresses", source: dnsSource{resolver: &fakeResolver{addrs: ipAddrs("10.0.0.1", "10.0.0.2", "10.0.0.1", "fd00::1")}, hostname: "gw"}, want: 3},
		{name: "dns lookup failed", source: dnsSource{resolver: &fakeResolver{err: &net.DNSError{Err: "no such host", Name: "gw", IsNotFound: true}}, hostname: "gw"}, wantReason: reasonLookupFailed},
		{name: "dns no addresses", source: dnsSource{resolver: &fakeResolver{}, hostname: "gw"}, wantReason: reasonNoAddresses},
		{name: "file distinct members", source: fileSource{path: filepath.Join(dir, "three")}, want: 3},
		{name: "file missing", source: fileSource{path: filepath.Join(dir, "missing")}, wantReason: reasonUnreadableFile},
		{name: "file malformed", source: fileSource{path: filepath.Join(dir, "malformed")}, wantReason: reasonMalformedFile},
		{name: "file without members", source: fileSource{path: filepath.Join(dir, "comments")}, wantReason: reasonEmptyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.source.count(context.Background())
			if tt.wantReason != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantReason, reasonOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}

// scriptedSource answers each count with the next of its results: a size, or a failure
// when the size is 0.
type scriptedSource struct {
	mu      sync.Mutex
	results []int
}

func (s *scriptedSource) count(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.results[0]
	s.results = s.results[1:]
	if n == 0 {
		return 0, failure(reasonLookupFailed, errors.New("server misbehaving"))
	}
	return n, nil
}

type testExtension struct {
	*fleetExtension
	tel  *componenttest.Telemetry
	logs *observer.ObservedLogs
}

func newTestExtension(t *testing.T, src source, interval time.Duration) testExtension {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	core, logs := observer.New(zapcore.InfoLevel)
	return testExtension{newFleetExtension(src, interval, zap.New(core), tb), tel, logs}
}

func TestRefreshKeepsLastSizeOnFailure(t *testing.T) {
	src := &scriptedSource{results: []int{3, 0, 0, 2, 0, 2}}
	ext := newTestExtension(t, src, 0)
	var notified []int
	unsubscribe := ext.Subscribe(func(size int) { notified = append(notified, size) })
	defer unsubscribe()

	var sizes []int
	for range src.results {
		ext.refresh(context.Background())
		sizes = append(sizes, ext.Size())
	}

	assert.Equal(t, []int{3, 3, 3, 2, 2, 2}, sizes)
	assert.Equal(t, []int{1, 3, 2}, notified, "once at once, then on every change")
	assert.Equal(t, 2, ext.logs.FilterMessageSnippet("not refreshed").Len(), "one warning per failure streak")
	assert.Equal(t, 2, ext.logs.FilterMessageSnippet("Fleet size changed").Len())
	assert.Equal(t, 2, ext.logs.FilterMessageSnippet("refreshed again").Len())
	metadatatest.AssertEqualFleetRefreshFailures(t, ext.tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("reason", reasonLookupFailed)), Value: 3},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualFleetMembers(t, ext.tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}

func TestFailureBeforeFirstCountKeepsOne(t *testing.T) {
	ext := newTestExtension(t, dnsSource{resolver: &fakeResolver{err: errors.New("connection refused")}, hostname: "gw"}, time.Hour)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	assert.Equal(t, 1, ext.Size())
	assert.Equal(t, 1, ext.logs.FilterMessageSnippet("not refreshed").Len())
}

func TestSubscribers(t *testing.T) {
	src := &scriptedSource{results: []int{4, 5}}
	ext := newTestExtension(t, src, 0)
	var first, second []int
	unsubscribeFirst := ext.Subscribe(func(size int) { first = append(first, size) })
	ext.refresh(context.Background())
	unsubscribeSecond := ext.Subscribe(func(size int) { second = append(second, size) })
	unsubscribeFirst()
	ext.refresh(context.Background())
	unsubscribeSecond()

	assert.Equal(t, []int{1, 4}, first)
	assert.Equal(t, []int{4, 5}, second)
}

func TestPollingFollowsMembersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "members")
	writeMembers(t, path, "gw-0:4317\n")
	ext := newTestExtension(t, fileSource{path: path}, 10*time.Millisecond)
	sizes := make(chan int, 16)
	defer ext.Subscribe(func(size int) { sizes <- size })()
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	assert.Equal(t, 1, <-sizes, "at once")

	writeMembers(t, path, "gw-0:4317\ngw-1:4317\ngw-2:4317\n")
	assert.Equal(t, 3, <-sizes)
	writeMembers(t, path, "gw-0:4317\ngw-1:4317\n")
	assert.Equal(t, 2, <-sizes)
	writeMembers(t, path, "")
	require.Eventually(t, func() bool {
		return ext.logs.FilterMessageSnippet("not refreshed").Len() == 1
	}, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, ext.Size(), "an empty file keeps the last size")

	require.NoError(t, ext.Shutdown(context.Background()))
	assert.Empty(t, sizes)
}

func TestShutdownEndsLookupInProgress(t *testing.T) {
	resolver := &fakeResolver{addrs: ipAddrs("10.0.0.1", "10.0.0.2"), blockAfter: 1, entered: make(chan struct{}, 2)}
	ext := newTestExtension(t, dnsSource{resolver: resolver, hostname: "gw"}, 500*time.Millisecond)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	<-resolver.entered
	require.Equal(t, 2, ext.Size())

	<-resolver.entered // the second lookup, which blocks
	require.NoError(t, ext.Shutdown(context.Background()))
	assert.Equal(t, 2, ext.Size())
	assert.Zero(t, ext.logs.FilterMessageSnippet("not refreshed").Len(), "a lookup ended by Shutdown is no failure")
}
