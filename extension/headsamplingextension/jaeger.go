package headsamplingextension

import (
	"encoding/json"
	"errors"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The Jaeger remote sampling protocol (proto/api_v2/sampling.proto of jaeger-idl), encoded here
// directly so that the collector's gRPC and protobuf versions stay those of its release.

// jsonResponse is SamplingStrategyResponse as Jaeger's HTTP endpoint writes it (protobuf JSON,
// enums as names).
type jsonResponse struct {
	StrategyType          string                 `json:"strategyType"`
	ProbabilisticSampling *jsonProbabilistic     `json:"probabilisticSampling,omitempty"`
	OperationSampling     *jsonOperationSampling `json:"operationSampling,omitempty"`
}

type jsonProbabilistic struct {
	SamplingRate float64 `json:"samplingRate"`
}

type jsonOperationSampling struct {
	DefaultSamplingProbability       float64         `json:"defaultSamplingProbability"`
	DefaultLowerBoundTracesPerSecond float64         `json:"defaultLowerBoundTracesPerSecond"`
	PerOperationStrategies           []jsonOperation `json:"perOperationStrategies"`
	DefaultUpperBoundTracesPerSecond float64         `json:"defaultUpperBoundTracesPerSecond,omitempty"`
}

type jsonOperation struct {
	Operation             string            `json:"operation"`
	ProbabilisticSampling jsonProbabilistic `json:"probabilisticSampling"`
}

// encodeJSON returns the HTTP body for s. The top-level probabilistic strategy carries the
// default probability, for SDKs that do not read per-operation strategies.
func encodeJSON(s *Strategy) []byte {
	r := jsonResponse{
		StrategyType:          "PROBABILISTIC",
		ProbabilisticSampling: &jsonProbabilistic{SamplingRate: s.DefaultProbability},
		OperationSampling: &jsonOperationSampling{
			DefaultSamplingProbability:       s.DefaultProbability,
			DefaultLowerBoundTracesPerSecond: s.LowerBound,
			PerOperationStrategies:           make([]jsonOperation, len(s.Operations)),
		},
	}
	for i, op := range s.Operations {
		r.OperationSampling.PerOperationStrategies[i] = jsonOperation{Operation: op.Operation, ProbabilisticSampling: jsonProbabilistic{SamplingRate: op.Probability}}
	}
	b, _ := json.Marshal(r) // cannot fail: plain structs of strings and finite floats
	return append(b, '\n')
}

// encodeProto returns the protobuf encoding of SamplingStrategyResponse for s.
func encodeProto(s *Strategy) []byte {
	probabilistic := func(rate float64) []byte {
		return appendDouble(nil, 1, rate)
	}
	var ops []byte
	ops = appendDouble(ops, 1, s.DefaultProbability)
	ops = appendDouble(ops, 2, s.LowerBound)
	for _, op := range s.Operations {
		var m []byte
		m = protowire.AppendTag(m, 1, protowire.BytesType)
		m = protowire.AppendString(m, op.Operation)
		m = protowire.AppendTag(m, 2, protowire.BytesType)
		m = protowire.AppendBytes(m, probabilistic(op.Probability))
		ops = protowire.AppendTag(ops, 3, protowire.BytesType)
		ops = protowire.AppendBytes(ops, m)
	}
	var b []byte
	// strategyType PROBABILISTIC is 0, the default: not written, as proto3 does.
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, probabilistic(s.DefaultProbability))
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, ops)
	return b
}

// appendDouble appends a proto3 double field, omitted when zero.
func appendDouble(b []byte, num protowire.Number, v float64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

var errMalformedRequest = errors.New("malformed SamplingStrategyParameters")

// decodeServiceName reads serviceName (field 1) from SamplingStrategyParameters; unknown fields
// are skipped, as protobuf parsers do.
func decodeServiceName(b []byte) (string, error) {
	name := ""
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", errMalformedRequest
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return "", errMalformedRequest
			}
			name = string(v)
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return "", errMalformedRequest
		}
		b = b[n:]
	}
	return name, nil
}
