package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTuneHeadSampling: the strategies the sampler would serve keep the routes breaking their
// objectives whole, cut the others and bring the input near the input budget.
func TestTuneHeadSampling(t *testing.T) {
	stdout, stderr, code := runTuneCLI(t, webshopRecording, "--config", "testdata/tune/webshop.yaml",
		"--head-sampling", "testdata/tune/head-sampling.yaml", "--json")
	require.Equal(t, 0, code, stderr)
	var report tuneReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	c := report.Configs[0]
	require.NotNil(t, c.HeadSampling)
	h := c.HeadSampling
	assert.InDelta(t, 20, h.InputBudget, 1e-9)
	probabilities := map[string]float64{}
	for _, s := range h.Strategies {
		for _, op := range s.Operations {
			probabilities[s.Service+" "+op.Operation] = op.Probability
		}
	}
	t.Logf("input cut %.1f%% (%.0f of %d spans admitted), strategies %v", 100*h.InputCut, h.SpansAdmitted, c.SpansIn, probabilities)
	assert.InDelta(t, 1, probabilities["frontend POST /checkout"], 1e-9, "checkout breaks its objective")
	assert.Less(t, probabilities["frontend GET /product/{id}"], 0.2, "a route without objective is cut")
	// 70 s at 20 spans/s is 1,400 spans, plus what passes before the first strategies.
	assert.InDelta(t, 1400, h.SpansAdmitted, 400)
	assert.InDelta(t, 1-h.SpansAdmitted/float64(c.SpansIn), h.InputCut, 1e-9)

	_, stderr, code = runTuneCLI(t, webshopRecording, "--config", "testdata/tune/webshop.yaml",
		"--head-sampling", "testdata/tune/bad-head-sampling.yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "bad-head-sampling.yaml: input_budget::spans_per_second")
}
