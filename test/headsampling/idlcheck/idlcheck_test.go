// Package idlcheck decodes the head_sampling extension's encodings with jaeger-idl's Go types
// and the parser of go.opentelemetry.io/contrib/samplers/jaegerremote (gogo jsonpb), in a module
// of its own so that their dependencies do not move the collector's.
package idlcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gogo/protobuf/jsonpb"
	"github.com/gogo/protobuf/proto"
	api_v2 "github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
)

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "extension", "headsamplingextension", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func want() *api_v2.SamplingStrategyResponse {
	return &api_v2.SamplingStrategyResponse{
		StrategyType:          api_v2.SamplingStrategyType_PROBABILISTIC,
		ProbabilisticSampling: &api_v2.ProbabilisticSamplingStrategy{SamplingRate: 0.1},
		OperationSampling: &api_v2.PerOperationSamplingStrategies{
			DefaultSamplingProbability: 0.1,
			PerOperationStrategies: []*api_v2.OperationSamplingStrategy{
				{Operation: "GET /", ProbabilisticSampling: &api_v2.ProbabilisticSamplingStrategy{SamplingRate: 0.0625}},
				{Operation: "POST /api/checkout", ProbabilisticSampling: &api_v2.ProbabilisticSamplingStrategy{SamplingRate: 1}},
			},
		},
	}
}

func TestJSONDecodesAsJaegerRemoteDoes(t *testing.T) {
	got := new(api_v2.SamplingStrategyResponse)
	if err := jsonpb.Unmarshal(bytes.NewReader(golden(t, "webshop.json")), got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want()) {
		t.Fatalf("got %v, want %v", got, want())
	}
}

func TestProtoDecodesWithJaegerIDL(t *testing.T) {
	got := new(api_v2.SamplingStrategyResponse)
	if err := proto.Unmarshal(golden(t, "webshop.pb"), got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want()) {
		t.Fatalf("got %v, want %v", got, want())
	}
	// And the other way: jaeger-idl's encoding of the same message is byte for byte ours.
	b, err := proto.Marshal(want())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, golden(t, "webshop.pb")) {
		t.Fatalf("jaeger-idl encodes %x, the extension %x", b, golden(t, "webshop.pb"))
	}
}
