package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHelpPrintsUsageAndExitsZero(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "usage: tailctl <command>"},
		{[]string{"--help"}, "usage: tailctl <command>"},
		{[]string{"-h"}, "usage: tailctl <command>"},
		{[]string{"redact", "--help"}, "usage: tailctl redact"},
		{[]string{"replay", "-h"}, "usage: tailctl replay"},
		{[]string{"tune", "--help"}, "usage: tailctl tune"},
		{[]string{"watch", "-help"}, "usage: tailctl watch"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 0, dispatch(tt.args, strings.NewReader(""), &stdout, &stderr))
			assert.Contains(t, stdout.String(), tt.want)
			assert.Empty(t, stderr.String())
		})
	}
}
