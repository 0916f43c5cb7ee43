package main

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkTuneOnlineBoutique runs `tailctl tune` with two configs over the
// Online Boutique recording (852,420 spans), idle gaps shortened to 1 s.
func BenchmarkTuneOnlineBoutique(b *testing.B) {
	args := []string{"tune", nezhaRecording, "--max-gap", "1s", "--json",
		"--config", "testdata/tune/boutique.yaml", "--config", "testdata/tune/boutique-lean.yaml"}
	b.ReportAllocs()
	for b.Loop() {
		var stderr strings.Builder
		if code := dispatch(args, strings.NewReader(""), io.Discard, &stderr); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	b.ReportMetric(852420*float64(b.N)/b.Elapsed().Seconds(), "spans/s")
}
