package headsamplingextension

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tailwise/tailwise/extension/headsamplingextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/configtest"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	return cfg, configtest.Load(t, component.NewIDWithName(metadata.Type, name), cfg)
}

func TestConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:5778", cfg.HTTP.Endpoint)
	assert.Equal(t, 8000.0, cfg.InputBudget.SpansPerSecond)
	assert.Equal(t, 0.05, cfg.DefaultProbability)
	assert.Equal(t, 5*time.Minute, cfg.HotHold)
	assert.Equal(t, "fleet", cfg.Fleet.String())

	cfg, err = loadConfig(t, "defaults")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), cfg)

	_, err = loadConfig(t, "invalid")
	require.Error(t, err)
	for _, want := range []string{
		"http::endpoint and grpc::endpoint are both empty",
		"input_budget::spans_per_second: -1 is negative",
		"default_probability: 0 is outside (0, 1]",
		"rate_window (1s) is shorter than adjust_interval (5s)",
		"max_increase: 0 must be positive",
		"deadband: 1 is outside [0, 1)",
		"max_services: 0 is below 1",
		"max_operations: 0 is below 1",
		"telemetry_operation_limit: -1 is negative",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

var webshop = &Strategy{
	Service:            "frontend",
	DefaultProbability: 0.1,
	Operations: []OperationProbability{
		{Operation: "GET /", Probability: 0.0625},
		{Operation: "POST /api/checkout", Probability: 1},
	},
}

func TestJSONIsJaegersSamplingStrategyResponse(t *testing.T) {
	var got map[string]any
	require.NoError(t, json.Unmarshal(encodeJSON(webshop), &got))
	want := map[string]any{
		"strategyType":          "PROBABILISTIC",
		"probabilisticSampling": map[string]any{"samplingRate": 0.1},
		"operationSampling": map[string]any{
			"defaultSamplingProbability":       0.1,
			"defaultLowerBoundTracesPerSecond": 0.0,
			"perOperationStrategies": []any{
				map[string]any{"operation": "GET /", "probabilisticSampling": map[string]any{"samplingRate": 0.0625}},
				map[string]any{"operation": "POST /api/checkout", "probabilisticSampling": map[string]any{"samplingRate": 1.0}},
			},
		},
	}
	assert.Equal(t, want, got)
}

// TestProtoFieldsAreJaegers decodes the response by the field numbers and types of
// jaeger-idl's proto/api_v2/sampling.proto (the e2e client checks it with jaeger-idl's own Go
// types).
func TestProtoFieldsAreJaegers(t *testing.T) {
	fields := func(b []byte) map[protowire.Number][]any {
		out := map[protowire.Number][]any{}
		for len(b) > 0 {
			num, typ, n := protowire.ConsumeTag(b)
			require.Positive(t, n)
			b = b[n:]
			switch typ {
			case protowire.BytesType:
				v, n := protowire.ConsumeBytes(b)
				require.Positive(t, n)
				out[num] = append(out[num], v)
				b = b[n:]
			case protowire.Fixed64Type:
				v, n := protowire.ConsumeFixed64(b)
				require.Positive(t, n)
				out[num] = append(out[num], math.Float64frombits(v))
				b = b[n:]
			default:
				t.Fatalf("unexpected wire type %v of field %d", typ, num)
			}
		}
		return out
	}
	top := fields(encodeProto(webshop))
	assert.NotContains(t, top, protowire.Number(1), "strategyType PROBABILISTIC (0) is the proto3 default")
	assert.Equal(t, []any{0.1}, fields(top[2][0].([]byte))[1])
	ops := fields(top[4][0].([]byte))
	assert.Equal(t, []any{0.1}, ops[1], "defaultSamplingProbability")
	assert.NotContains(t, ops, protowire.Number(2), "defaultLowerBoundTracesPerSecond 0")
	require.Len(t, ops[3], 2)
	first := fields(ops[3][0].([]byte))
	assert.Equal(t, "GET /", string(first[1][0].([]byte)))
	assert.Equal(t, []any{0.0625}, fields(first[2][0].([]byte))[1])

	name, err := decodeServiceName(encodeServiceName("frontend"))
	require.NoError(t, err)
	assert.Equal(t, "frontend", name)
	_, err = decodeServiceName([]byte{0x0a, 0x05, 'a'})
	assert.Error(t, err)
}

// startExtension starts the extension with cfg on loopback ports for the length of the test.
func startExtension(t *testing.T, cfg *Config) (*headSampling, *componenttest.Telemetry) {
	t.Helper()
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	set := extensiontest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tt.NewTelemetrySettings()
	e, err := newExtension(set, cfg)
	require.NoError(t, err)
	require.NoError(t, e.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, e.Shutdown(context.Background())) })
	return e, tt
}

func TestServesHTTPAndGRPC(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP.Endpoint, cfg.GRPC.Endpoint = "127.0.0.1:0", "127.0.0.1:0"
	cfg.InputBudget.SpansPerSecond = 100
	e, _ := startExtension(t, cfg)

	// The sampler reports traffic; the adjustment after the first whole interval with it
	// publishes frontend's strategy.
	e.AttachSampler(25, true)
	roots := make([]Root, 0, 100)
	for range 100 {
		roots = append(roots, Root{Service: "frontend", Operation: "GET /", Probability: 1})
	}
	e.ObserveRoots(time.Now(), roots)
	e.adjust()
	e.ObserveRoots(time.Now(), roots)
	e.ObserveState(State{Strata: []StratumRates{{Service: "frontend", Route: "GET /", TracesPerSecond: 20, SpansPerSecond: 100}}})
	e.adjust()

	get := func(query string) (int, []byte) {
		resp, err := http.Get("http://" + e.httpAddr.String() + "/sampling?" + query)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, body
	}
	code, body := get("service=frontend")
	require.Equal(t, http.StatusOK, code, string(body))
	var r jsonResponse
	require.NoError(t, json.Unmarshal(body, &r))
	require.Len(t, r.OperationSampling.PerOperationStrategies, 1)
	assert.Equal(t, "GET /", r.OperationSampling.PerOperationStrategies[0].Operation)
	assert.Less(t, r.OperationSampling.PerOperationStrategies[0].ProbabilisticSampling.SamplingRate, 1.0)

	code, body = get("service=never-seen")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, string(encodeJSON(&Strategy{DefaultProbability: 0.1})), string(body))
	code, _ = get("")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = get("service=a&service=b")
	assert.Equal(t, http.StatusBadRequest, code)

	conn, err := grpc.NewClient(e.gAddr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})))
	require.NoError(t, err)
	defer conn.Close()
	var out rawMessage
	require.NoError(t, conn.Invoke(context.Background(), "/jaeger.api_v2.SamplingManager/GetSamplingStrategy", rawMessage(encodeServiceName("frontend")), &out))
	assert.Equal(t, e.lookup("frontend").proto, []byte(out))
	err = conn.Invoke(context.Background(), "/jaeger.api_v2.SamplingManager/GetSamplingStrategy", rawMessage(nil), &out)
	assert.Equal(t, codes.InvalidArgument, status.Code(err))

	p, ok := e.ServedProbability("frontend", "GET /")
	assert.True(t, ok, "frontend polled")
	assert.Less(t, p, 1.0)
	_, ok = e.ServedProbability("checkout", "GET /")
	assert.False(t, ok, "never polled")
}

func TestServiceParam(t *testing.T) {
	for _, tc := range []struct {
		query, want string
		ok          bool
	}{
		{"service=frontend", "frontend", true},
		{"service=a%20b&other=1", "a b", true},
		{"", "", false},
		{"service=", "", false},
		{"service=a&service=b", "", false},
		{"service=%ff", "", false},
		{"service=%zz", "", false},
	} {
		got, err := serviceParam(tc.query)
		if tc.ok {
			assert.NoError(t, err, tc.query)
			assert.Equal(t, tc.want, got)
		} else {
			assert.Error(t, err, tc.query)
		}
	}
}

func FuzzServiceParam(f *testing.F) {
	for _, s := range []string{"service=frontend", "service=a&service=b", "service=%ff", "service=" + string(make([]byte, 2000)), ";", "service=a;b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		name, err := serviceParam(query)
		if err != nil {
			return
		}
		if name == "" || len(name) > maxServiceNameBytes {
			t.Fatalf("accepted %q", name)
		}
		// Whatever is accepted round-trips through the gRPC request encoding.
		back, err := decodeServiceName(encodeServiceName(name))
		if err != nil || back != name {
			t.Fatalf("round trip of %q: %q, %v", name, back, err)
		}
	})
}

func FuzzDecodeServiceName(f *testing.F) {
	f.Add(encodeServiceName("frontend"))
	f.Add([]byte{0x0a, 0x05, 'a'})
	f.Add([]byte{0x10, 0x01, 0x0a, 0x01, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeServiceName(b)
	})
}

// encodeServiceName encodes SamplingStrategyParameters as a client does.
func encodeServiceName(name string) []byte {
	var b []byte
	if name != "" {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, name)
	}
	return b
}

func TestOperationSeriesStopAtTheTelemetryLimit(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP.Endpoint, cfg.GRPC.Endpoint = "127.0.0.1:0", ""
	cfg.InputBudget.SpansPerSecond = 100
	cfg.TelemetryOperationLimit = 2
	e, tt := startExtension(t, cfg)

	e.AttachSampler(25, true)
	var roots []Root
	for _, op := range []string{"GET /a", "GET /b", "GET /c"} {
		for range 50 {
			roots = append(roots, Root{Service: "frontend", Operation: op, Probability: 1})
		}
	}
	e.ObserveRoots(time.Now(), roots)
	e.adjust()
	e.ObserveRoots(time.Now(), roots)
	e.adjust()
	require.Len(t, e.lookup("frontend").Operations, 3, "every operation is served")

	got, err := tt.GetMetric("otelcol_head_sampling_operation_probability")
	require.NoError(t, err)
	operations := map[string]bool{}
	for _, dp := range got.Data.(metricdata.Gauge[float64]).DataPoints {
		op, _ := dp.Attributes.Value("operation")
		operations[op.AsString()] = true
	}
	assert.Len(t, operations, 3, "two operations and the service's default (_other): %v", operations)
	assert.True(t, operations[OverflowName])
}
