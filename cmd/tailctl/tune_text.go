package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// maxTextRoutes bounds the routes listed per config in the terminal table.
const maxTextRoutes = 15

// writeTuneText prints the summary of every config side by side, then each
// config's objectives and busiest routes.
func writeTuneText(w io.Writer, r tuneReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, cell func(c *configResult) string) {
		_, _ = fmt.Fprint(tw, label+"\t")
		for i := range r.Configs {
			_, _ = fmt.Fprint(tw, cell(&r.Configs[i])+"\t")
		}
		_, _ = fmt.Fprintln(tw)
	}
	row("config", func(c *configResult) string { return c.Name })
	row("traces in", func(c *configResult) string { return fmt.Sprint(c.TracesIn) })
	row("traces kept", func(c *configResult) string { return share(c.TracesKept, c.TracesIn) })
	row("spans in", func(c *configResult) string { return fmt.Sprint(c.SpansIn) })
	row("spans kept", func(c *configResult) string { return share(c.SpansKept, c.SpansIn) })
	row("SLO-violating in", func(c *configResult) string { return fmt.Sprint(c.SLOViolatingIn) })
	row("SLO-violating kept", func(c *configResult) string { return share(c.SLOViolatingKept, c.SLOViolatingIn) })
	row("most any sampler keeps", func(c *configResult) string { return fmt.Sprint(c.SLOViolatingBound) })
	row("kept, incomplete", func(c *configResult) string { return fmt.Sprint(c.IncompleteKeptTraces) })
	row("strata represented", func(c *configResult) string { return fmt.Sprintf("%d/%d", c.Strata.Represented, c.Strata.Seen) })
	row("minutes over budget", func(c *configResult) string { return overBudget(c.Windows) })
	row("intervals covering truth", func(c *configResult) string { return coverage(c) })
	if len(r.Configs) > 0 && r.Configs[0].HeadSampling != nil {
		row("head sampling: input budget", func(c *configResult) string { return fmt.Sprintf("%.1f spans/s", c.HeadSampling.InputBudget) })
		row("head sampling: input cut", func(c *configResult) string {
			return fmt.Sprintf("%.0f spans (%.1f%%)", float64(c.SpansIn)-c.HeadSampling.SpansAdmitted, 100*c.HeadSampling.InputCut)
		})
	}
	_ = tw.Flush()
	if len(r.Configs) > 0 {
		c := r.Configs[0]
		_, _ = fmt.Fprintf(w, "\n%.0f s of virtual time (%.0f s of idle gaps shortened)\n", c.RecordingSeconds, c.IdleSecondsSqueezed)
	}

	for _, c := range r.Configs {
		_, _ = fmt.Fprintf(w, "\n%s\n", c.Name)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if len(c.Objectives) > 0 {
			_, _ = fmt.Fprintln(tw, "  objective\tgood/total true\tgood estimated (95%)\ttotal estimated (95%)\t")
			for _, o := range c.Objectives {
				_, _ = fmt.Fprintf(tw, "  %s\t%.0f/%.0f\t%s\t%s\t\n", o.Name, o.Good.Truth, o.Total.Truth, countInterval(o.Good), countInterval(o.Total))
			}
			_ = tw.Flush()
			_, _ = fmt.Fprintln(w)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		}
		if c.HeadSampling != nil {
			writeStrategies(tw, c.HeadSampling)
			_ = tw.Flush()
			_, _ = fmt.Fprintln(w)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		}
		_, _ = fmt.Fprintln(tw, "  service\troute\trequests true\testimated (95%)\tkept traces\terror ratio true\testimated (95%)\t")
		for i, rt := range c.Routes {
			if i == maxTextRoutes {
				_, _ = fmt.Fprintf(tw, "  … %d more routes (see --json)\t\t\t\t\t\t\n", len(c.Routes)-maxTextRoutes)
				break
			}
			_, _ = fmt.Fprintf(tw, "  %s\t%s\t%.0f\t%s\t%s\t%.2f%%\t%.2f%% [%.2f, %.2f]\t\n", rt.Service, rt.Route, rt.Requests.Truth,
				countInterval(rt.Requests), keptTraces(rt), 100*rt.ErrorRatio.Truth, 100*rt.ErrorRatio.Estimate, 100*rt.ErrorRatio.Low, 100*rt.ErrorRatio.High)
		}
		_ = tw.Flush()
	}
}

// writeStrategies lists the head-sampling strategies served at the end of the run.
func writeStrategies(w io.Writer, h *headResult) {
	_, _ = fmt.Fprintln(w, "  head sampling: service\toperation\tprobability\t")
	for _, s := range h.Strategies {
		for _, op := range s.Operations {
			_, _ = fmt.Fprintf(w, "  %s\t%s\t%.4f\t\n", s.Service, op.Operation, op.Probability)
		}
		_, _ = fmt.Fprintf(w, "  %s\t(other operations)\t%.4f\t\n", s.Service, s.DefaultProbability)
	}
}

func share(n, of int) string {
	if of == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(of))
}

// keptTraces is the kept traces behind a route's estimates, flagged when
// they are too few for the interval to mean what it says.
func keptTraces(r routeResult) string {
	if r.FewKept {
		return fmt.Sprintf("%d (few)", r.KeptTraces)
	}
	return fmt.Sprint(r.KeptTraces)
}

func countInterval(e estimate) string {
	return fmt.Sprintf("%.0f [%.0f, %.0f]", e.Estimate, e.Low, e.High)
}

// overBudget counts the full minutes whose output exceeds the budget by more than 5%.
func overBudget(windows []window) string {
	over, full := 0, 0
	for _, w := range windows {
		if w.Seconds < windowSeconds {
			continue
		}
		full++
		if w.SpansKept > 1.05*w.Budget {
			over++
		}
	}
	return fmt.Sprintf("%d/%d", over, full)
}

// coverage counts the estimates whose 95% interval contains the truth.
func coverage(c *configResult) string {
	covered, total := 0, 0
	count := func(e estimate) {
		total++
		if e.covers() || math.Abs(e.Estimate-e.Truth) < 1e-9 {
			covered++
		}
	}
	for _, o := range c.Objectives {
		count(o.Total)
		count(o.Good)
	}
	for _, r := range c.Routes {
		count(r.Requests)
		count(r.ErrorRatio)
	}
	return fmt.Sprintf("%d/%d", covered, total)
}
