package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	var stderr bytes.Buffer
	code := dispatch([]string{"redact", "--config", "testdata/policy.yaml", "testdata/input.jsonl", out}, nil, nil, &stderr)
	require.Equal(t, 0, code, stderr.String())

	got, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], `{"key":"card","value":{"stringValue":"**** **** **** 1111"}}`)
	assert.NotContains(t, lines[0], "password")
	assert.Contains(t, lines[0], `{"key":"qty","value":{"intValue":"3"}}`)
	assert.Contains(t, lines[1], `{"key":"msg","value":{"stringValue":"mail to [REDACTED]"}}`)
	assert.Contains(t, lines[1], `{"key":"n","value":{"doubleValue":1.5}}`)
	assert.Contains(t, lines[2], `{"key":"customer","value":{"stringValue":"[REDACTED]"}}`)
	for _, v := range []string{"4111 1111 1111 1111", "hunter2", "bob@corp.io", "alice@corp.io"} {
		assert.NotContains(t, string(got), v)
		assert.NotContains(t, stderr.String(), v)
	}
	assert.Contains(t, stderr.String(), "3 lines, 0 rejected")
	assert.Regexp(t, `payment_card partial\s+1`, stderr.String())
	assert.Regexp(t, `secret_key drop\s+1`, stderr.String())
}

func TestRedactStdinAndRejects(t *testing.T) {
	in := "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"ssn 123-45-6789\"}}]}]}]}\nnot json with 123-45-6789\n{\"other\":1}\n"
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"redact", "--config", "testdata/policy.yaml", "-"}, strings.NewReader(in), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Equal(t, `{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"logRecords":[{"body":{"stringValue":"ssn [REDACTED]"}}]}]}]}`+"\n", stdout.String())
	assert.Contains(t, stderr.String(), "3 lines, 2 rejected")
	assert.Contains(t, stderr.String(), "first rejected: line 2 (not an OTLP JSON export request")
	assert.NotContains(t, stderr.String(), "123-45-6789")
}

// TestRedactRecordedLogs redacts the recorded Online Boutique logs (gzip
// input): every line is kept and the e-mail address and card number in
// them are gone.
func TestRedactRecordedLogs(t *testing.T) {
	in := filepath.Join("..", "..", "..", "shared", "data", "nezha-onlineboutique-2022-08-22", "logs.otlp.jsonl.gz")
	_, err := os.Stat(in)
	require.NoError(t, err, "the recorded telemetry must be beside the project")
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"redact", "--config", "testdata/policy.yaml", in}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.NotContains(t, stdout.String(), "someone@example.com")
	assert.NotContains(t, stdout.String(), "4432-8015-6152-0454")
	assert.Contains(t, stdout.String(), "TraceID: fe3974115b911675d0640788986f80c9")
	assert.Regexp(t, `email mask\s+\d+`, stderr.String())
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"no command", nil, 2, "usage: tailctl"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"missing config", []string{"redact"}, 2, "--config FILE is required"},
		{"bad flag", []string{"redact", "--nope"}, 2, "flag provided but not defined"},
		{"invalid config", []string{"redact", "--config", "testdata/input.jsonl"}, 1, "testdata/input.jsonl"},
		{"missing input", []string{"redact", "--config", "testdata/policy.yaml", "testdata/none.jsonl"}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, tt.want, dispatch(tt.args, strings.NewReader(""), &bytes.Buffer{}, &stderr))
			assert.Contains(t, stderr.String(), tt.msg)
		})
	}
}
