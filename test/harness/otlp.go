package harness

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// OTLPClient sends OTLP over gRPC to a collector, with an optional bearer token.
type OTLPClient struct {
	conn    *grpc.ClientConn
	headers []string // key, value, ...
	traces  ptraceotlp.GRPCClient
	metrics pmetricotlp.GRPCClient
	logs    plogotlp.GRPCClient
}

// DialOTLP connects to addr (host:port) without TLS; token, if set, goes in every request as
// "authorization: Bearer <token>".
func DialOTLP(addr, token string) (*OTLPClient, error) {
	var headers []string
	if token != "" {
		headers = []string{"authorization", "Bearer " + token}
	}
	return DialOTLPWithHeaders(addr, headers...)
}

// ConnectOTLP dials addr as DialOTLP does for the length of the test, and fails the test if
// it cannot.
func ConnectOTLP(t testing.TB, addr, token string) *OTLPClient {
	t.Helper()
	c, err := DialOTLP(addr, token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// DialOTLPWithHeaders connects to addr (host:port) without TLS and sends the headers (key,
// value, ...) with every request.
func DialOTLPWithHeaders(addr string, headers ...string) (*OTLPClient, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return &OTLPClient{
		conn:    conn,
		headers: headers,
		traces:  ptraceotlp.NewGRPCClient(conn),
		metrics: pmetricotlp.NewGRPCClient(conn),
		logs:    plogotlp.NewGRPCClient(conn),
	}, nil
}

// Close closes the connection.
func (c *OTLPClient) Close() error { return c.conn.Close() }

func (c *OTLPClient) ctx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	return metadata.AppendToOutgoingContext(ctx, c.headers...), cancel
}

// SendTraces exports traces and returns the server's error, if any.
func (c *OTLPClient) SendTraces(td ptrace.Traces) error {
	ctx, cancel := c.ctx()
	defer cancel()
	_, err := c.traces.Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	return err
}

// SendMetrics exports metrics and returns the server's error, if any.
func (c *OTLPClient) SendMetrics(md pmetric.Metrics) error {
	ctx, cancel := c.ctx()
	defer cancel()
	_, err := c.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md))
	return err
}

// SendLogs exports logs and returns the server's error, if any.
func (c *OTLPClient) SendLogs(ld plog.Logs) error {
	ctx, cancel := c.ctx()
	defer cancel()
	_, err := c.logs.Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	return err
}
