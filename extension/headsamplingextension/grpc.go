package headsamplingextension

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
)

// rawMessage is a protobuf message already encoded.
type rawMessage []byte

// rawCodec passes encoded messages through: the extension encodes the sampling protocol's few
// messages itself (jaeger.go).
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(rawMessage)
	if !ok {
		return nil, fmt.Errorf("unexpected message type %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*rawMessage)
	if !ok {
		return fmt.Errorf("unexpected message type %T", v)
	}
	*m = data.Materialize()
	return nil
}

// samplingManager is the handler type of jaeger.api_v2.SamplingManager.
type samplingManager interface {
	getSamplingStrategy(ctx context.Context, request rawMessage) (rawMessage, error)
}

func (e *headSampling) getSamplingStrategy(_ context.Context, request rawMessage) (rawMessage, error) {
	service, err := decodeServiceName(request)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := checkServiceName(service); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return rawMessage(e.poll(service, transportGRPC).proto), nil
}

var samplingManagerDesc = grpc.ServiceDesc{
	ServiceName: "jaeger.api_v2.SamplingManager",
	HandlerType: (*samplingManager)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "GetSamplingStrategy",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			var in rawMessage
			if err := dec(&in); err != nil {
				return nil, err
			}
			handler := func(ctx context.Context, req any) (any, error) {
				return srv.(samplingManager).getSamplingStrategy(ctx, req.(rawMessage))
			}
			if interceptor == nil {
				return handler(ctx, in)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/jaeger.api_v2.SamplingManager/GetSamplingStrategy"}
			return interceptor(ctx, in, info, handler)
		},
	}},
	Metadata: "sampling.proto",
}
