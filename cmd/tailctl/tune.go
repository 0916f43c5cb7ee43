package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tailwise/tailwise/extension/headsamplingextension"
	"github.com/tailwise/tailwise/internal/recording"
)

const tuneUsage = `usage: tailctl tune --recording FILE... --config SAMPLER.yaml [--config OTHER.yaml ...] [flags]

Runs the slo_sampling decision engine over recorded traces under virtual time, once per sampler
config (the processor's YAML block), and reports what each config keeps, how close it stays to
its budget, and how well the kept traces estimate request counts, error ratios and objectives.

flags:
`

// stringsFlag collects a repeatable flag's values.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}

type tuneFlags struct {
	recordings, configs stringsFlag
	asJSON              bool
	reportDir           string
	headSampling        string
	maxGap              time.Duration
}

func runTune(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var f tuneFlags
	fs := flag.NewFlagSet("tune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { _, _ = io.WriteString(stderr, tuneUsage); fs.PrintDefaults() }
	fs.Var(&f.recordings, "recording", "recording file or glob, OTLP JSON lines, .gz/.zst too (repeatable; files after the flags count too)")
	fs.Var(&f.configs, "config", "slo_sampling YAML block to evaluate (repeatable)")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as one JSON object")
	fs.StringVar(&f.reportDir, "report", "", "write index.html and PNG plots to this directory")
	fs.StringVar(&f.headSampling, "head-sampling", "", "head_sampling extension YAML block: also report the strategies each config's engine would have served and the input they keep")
	fs.DurationVar(&f.maxGap, "max-gap", 0, "shorten idle gaps between lines to this long, e.g. 1s for bursty recordings; 0 keeps them")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return usageError{err}
	}
	f.recordings = append(f.recordings, positional...)
	switch {
	case len(f.recordings) == 0:
		return usageError{errors.New("--recording FILE is required")}
	case len(f.configs) == 0:
		return usageError{errors.New("--config SAMPLER.yaml is required: the slo_sampling options to evaluate")}
	case f.maxGap < 0:
		return usageError{errors.New("--max-gap must not be negative")}
	}
	files, err := recording.Expand(f.recordings...)
	if err != nil {
		return usageError{err}
	}
	configs, err := loadSamplerConfigs(f.configs)
	if err != nil {
		return err
	}
	var head *headsamplingextension.Config
	if f.headSampling != "" {
		if head, err = loadHeadSamplingConfig(f.headSampling); err != nil {
			return err
		}
	}
	sim, err := newSimulation(configs, f.maxGap, head)
	if err != nil {
		return err
	}
	progress := startTuneProgress(stderr, &sim.spansRead)
	err = sim.run(files)
	progress.stop()
	if err != nil {
		return err
	}
	report := tuneReport{Configs: sim.results()}
	if f.reportDir != "" {
		if err := writeHTMLReport(f.reportDir, report); err != nil {
			return fmt.Errorf("--report %s: %w", f.reportDir, err)
		}
	}
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	writeTuneText(stdout, report)
	return nil
}
