package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tailwise/tailwise/internal/recording"
)

// otlpSender exports one recorded request to an OTLP endpoint.
type otlpSender interface {
	// send returns the outcome as a status name ("OK", a gRPC code, or "HTTP 429"...), whether
	// a refusal may be retried, and a transport error when nothing was answered.
	send(ctx context.Context, e recording.Entry) (outcome string, retryable bool, err error)
	close() error
}

type senderOptions struct {
	endpoint string
	protocol string // grpc or http
	tls      bool
	headers  map[string]string
	timeout  time.Duration
}

func newSender(o senderOptions) (otlpSender, error) {
	switch o.protocol {
	case "grpc":
		return newGRPCSender(o)
	case "http":
		return newHTTPSender(o), nil
	}
	return nil, usageError{fmt.Errorf("--protocol %q: use grpc or http", o.protocol)}
}

type grpcSender struct {
	conn    *grpc.ClientConn
	md      metadata.MD
	timeout time.Duration
	traces  ptraceotlp.GRPCClient
	metrics pmetricotlp.GRPCClient
	logs    plogotlp.GRPCClient
}

func newGRPCSender(o senderOptions) (*grpcSender, error) {
	creds := insecure.NewCredentials()
	if o.tls {
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(o.endpoint, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, err
	}
	return &grpcSender{
		conn: conn, md: metadata.New(o.headers), timeout: o.timeout,
		traces: ptraceotlp.NewGRPCClient(conn), metrics: pmetricotlp.NewGRPCClient(conn), logs: plogotlp.NewGRPCClient(conn),
	}, nil
}

func (s *grpcSender) send(ctx context.Context, e recording.Entry) (string, bool, error) {
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(ctx, s.md), s.timeout)
	defer cancel()
	var err error
	switch e.Signal {
	case recording.Traces:
		_, err = s.traces.Export(ctx, ptraceotlp.NewExportRequestFromTraces(e.Traces))
	case recording.Metrics:
		_, err = s.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(e.Metrics))
	case recording.Logs:
		_, err = s.logs.Export(ctx, plogotlp.NewExportRequestFromLogs(e.Logs))
	}
	code := status.Code(err)
	switch code {
	case codes.OK:
		return "OK", false, nil
	// The OTLP specification's retryable codes.
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable,
		codes.DataLoss, codes.ResourceExhausted:
		return code.String(), true, nil
	}
	return code.String(), false, nil
}

func (s *grpcSender) close() error { return s.conn.Close() }

type httpSender struct {
	base    string
	headers map[string]string
	client  *http.Client
}

func newHTTPSender(o senderOptions) *httpSender {
	scheme := "http://"
	if o.tls {
		scheme = "https://"
	}
	base := o.endpoint
	if !strings.Contains(base, "://") {
		base = scheme + base
	}
	return &httpSender{base: strings.TrimRight(base, "/"), headers: o.headers, client: &http.Client{Timeout: o.timeout}}
}

func (s *httpSender) send(ctx context.Context, e recording.Entry) (string, bool, error) {
	var body []byte
	var path string
	var err error
	switch e.Signal {
	case recording.Traces:
		path = "/v1/traces"
		body, err = ptraceotlp.NewExportRequestFromTraces(e.Traces).MarshalProto()
	case recording.Metrics:
		path = "/v1/metrics"
		body, err = pmetricotlp.NewExportRequestFromMetrics(e.Metrics).MarshalProto()
	case recording.Logs:
		path = "/v1/logs"
		body, err = plogotlp.NewExportRequestFromLogs(e.Logs).MarshalProto()
	}
	if err != nil {
		return "", false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", false, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return "OK", false, nil
	}
	// The OTLP specification's retryable statuses.
	retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusBadGateway ||
		resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout
	return "HTTP " + strconv.Itoa(resp.StatusCode), retryable, nil
}

func (s *httpSender) close() error {
	s.client.CloseIdleConnections()
	return nil
}
