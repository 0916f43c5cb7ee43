package main

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot sizes and contents.
const (
	plotWidth        = 7 * vg.Inch
	plotHeight       = 4 * vg.Inch
	maxPlottedStrata = 7 // one color each
	maxPlottedRoutes = 20
)

// ratePlot draws the output rate against the budget, per binSeconds.
func ratePlot(c *configResult) (*plot.Plot, error) {
	p := newPlot(c.Name+": output rate vs budget", "minutes", "spans per second")
	output, budget := minuteXYs(c.series.outputRate), minuteXYs(c.series.budgetRate)
	outLine, err := plotter.NewLine(output)
	if err != nil {
		return nil, err
	}
	outLine.Color = plotutil.Color(0)
	outLine.Width = vg.Points(1.2)
	budgetLine, err := plotter.NewLine(budget)
	if err != nil {
		return nil, err
	}
	budgetLine.Color = color.Black
	budgetLine.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(outLine, budgetLine)
	p.Legend.Add(fmt.Sprintf("output (%d s bins)", binSeconds), outLine)
	p.Legend.Add("budget", budgetLine)
	p.Y.Min = 0
	return p, nil
}

// probabilityPlot draws the keep probability of the busiest strata over time.
func probabilityPlot(c *configResult) (*plot.Plot, error) {
	p := newPlot(c.Name+": keep probability per stratum", "minutes", "probability (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = probabilityTicks{}
	strata := c.series.strataByTraffic[:min(maxPlottedStrata, len(c.series.strataByTraffic))]
	for i, st := range strata {
		var xys plotter.XYs
		for _, s := range c.series.probabilities {
			if prob, ok := s.probabilities[st]; ok {
				xys = append(xys, plotter.XY{X: s.at.Minutes(), Y: math.Max(prob, 1e-4)})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.2)
		p.Add(line)
		n := nameOf(st)
		p.Legend.Add(strings.TrimSpace(fmt.Sprintf("%s %s %s %s", n.Tenant, n.Service, shorten(n.Route, 40), n.Outcome)), line)
	}
	// Probabilities never exceed 1: the decades above hold the legend.
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Max = 100
	return p, nil
}

// probabilityTicks are log-scale ticks up to probability 1.
type probabilityTicks struct{}

func (probabilityTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range (plot.LogTicks{Prec: -1}).Ticks(lo, hi) {
		if t.Value <= 1 {
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// estimatePlot draws estimate / truth with its 95% interval for the busiest
// routes' request counts and every objective's totals.
func estimatePlot(c *configResult) (*plot.Plot, error) {
	p := newPlot(c.Name+": estimate / truth, 95% interval", "estimate / truth", "")
	var labels []string
	var points plotter.XYs
	var bars plotter.XErrors
	add := func(label string, e estimate) {
		if e.Truth <= 0 {
			return
		}
		y := float64(len(labels))
		labels = append(labels, label)
		points = append(points, plotter.XY{X: e.Estimate / e.Truth, Y: y})
		bars = append(bars, struct{ Low, High float64 }{Low: (e.Low - e.Estimate) / e.Truth, High: (e.High - e.Estimate) / e.Truth})
	}
	for _, o := range c.Objectives {
		add("objective "+o.Name+" good", o.Good)
		add("objective "+o.Name+" total", o.Total)
	}
	for _, r := range c.Routes[:min(maxPlottedRoutes, len(c.Routes))] {
		add(r.Service+" "+shorten(r.Route, 40), r.Requests)
	}
	if len(points) == 0 {
		return p, nil
	}
	errBars, err := plotter.NewXErrorBars(struct {
		plotter.XYs
		plotter.XErrors
	}{points, bars})
	if err != nil {
		return nil, err
	}
	dots, err := plotter.NewScatter(points)
	if err != nil {
		return nil, err
	}
	dots.Color = plotutil.Color(0)
	truthLine, err := plotter.NewLine(plotter.XYs{{X: 1, Y: -0.5}, {X: 1, Y: float64(len(labels)) - 0.5}})
	if err != nil {
		return nil, err
	}
	truthLine.Color = color.Gray{Y: 120}
	truthLine.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(plotter.NewGrid(), truthLine, errBars, dots)
	p.NominalY(labels...)
	return p, nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	return p
}

// minuteXYs places per-bin values at their bin's middle, in minutes.
func minuteXYs(values []float64) plotter.XYs {
	xys := make(plotter.XYs, len(values))
	for i, v := range values {
		xys[i] = plotter.XY{X: (float64(i) + 0.5) * binSeconds / 60, Y: v}
	}
	return xys
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
