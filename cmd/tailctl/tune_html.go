package main

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
)

// plotKind is one row of the report: the same plot for every config.
type plotKind struct {
	title string
	file  string
	draw  func(*configResult) (*plot.Plot, error)
}

var plotKinds = []plotKind{
	{title: "Output rate vs budget", file: "rate", draw: ratePlot},
	{title: "Keep probability per stratum (busiest strata)", file: "probability", draw: probabilityPlot},
	{title: "Estimate vs truth with 95% intervals", file: "estimates", draw: estimatePlot},
}

type htmlRow struct {
	Title  string
	Images []string
}

type htmlPage struct {
	Report tuneReport
	Rows   []htmlRow
}

// writeHTMLReport writes dir/index.html and one PNG per plot and config.
func writeHTMLReport(dir string, r tuneReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	page := htmlPage{Report: r}
	for _, kind := range plotKinds {
		row := htmlRow{Title: kind.title}
		for i := range r.Configs {
			p, err := kind.draw(&r.Configs[i])
			if err != nil {
				return fmt.Errorf("%s plot of %s: %w", kind.file, r.Configs[i].Name, err)
			}
			name := fmt.Sprintf("%s-%d.png", kind.file, i+1)
			if err := p.Save(plotWidth, plotHeight, filepath.Join(dir, name)); err != nil {
				return err
			}
			row.Images = append(row.Images, name)
		}
		page.Rows = append(page.Rows, row)
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	if err := reportTemplate.Execute(f, page); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(n, of int) string {
		if of == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
	},
	"over":     overBudget,
	"pct100":   func(f float64) float64 { return 100 * f },
	"coverage": func(c configResult) string { return coverage(&c) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tailctl tune</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}
.plots{display:flex;gap:1em;flex-wrap:nowrap;overflow-x:auto}
.plots img{width:672px;max-width:none}
</style></head><body>
<h1>Sampling policy tuning</h1>
<table>
<tr><th></th>{{range .Report.Configs}}<th>{{.Name}}</th>{{end}}</tr>
<tr><td>traces in</td>{{range .Report.Configs}}<td>{{.TracesIn}}</td>{{end}}</tr>
<tr><td>traces kept</td>{{range .Report.Configs}}<td>{{.TracesKept}} ({{pct .TracesKept .TracesIn}})</td>{{end}}</tr>
<tr><td>spans in</td>{{range .Report.Configs}}<td>{{.SpansIn}}</td>{{end}}</tr>
<tr><td>spans kept</td>{{range .Report.Configs}}<td>{{.SpansKept}} ({{pct .SpansKept .SpansIn}})</td>{{end}}</tr>
<tr><td>SLO-violating traces kept</td>{{range .Report.Configs}}<td>{{.SLOViolatingKept}} of {{.SLOViolatingIn}}</td>{{end}}</tr>
<tr><td>the most any sampler keeps at the budget</td>{{range .Report.Configs}}<td>{{.SLOViolatingBound}}</td>{{end}}</tr>
<tr><td>kept traces incomplete</td>{{range .Report.Configs}}<td>{{.IncompleteKeptTraces}}</td>{{end}}</tr>
<tr><td>strata represented</td>{{range .Report.Configs}}<td>{{.Strata.Represented}} of {{.Strata.Seen}}</td>{{end}}</tr>
<tr><td>full minutes over budget (+5%)</td>{{range .Report.Configs}}<td>{{over .Windows}}</td>{{end}}</tr>
<tr><td>95% intervals covering the truth</td>{{range .Report.Configs}}<td>{{coverage .}}</td>{{end}}</tr>
</table>
{{range .Report.Configs}}{{$c := .}}{{with .HeadSampling}}<h2>{{$c.Name}}: head-sampling strategies</h2>
<p>input budget {{printf "%.1f" .InputBudget}} spans/s; {{printf "%.0f" .SpansAdmitted}} spans admitted, {{printf "%.1f%%" (pct100 .InputCut)}} of the recording cut at the source</p>
<table>
<tr><th>service</th><th>operation</th><th>probability</th></tr>
{{range .Strategies}}{{$s := .}}{{range .Operations}}<tr><td>{{$s.Service}}</td><td>{{.Operation}}</td><td>{{printf "%.4f" .Probability}}</td></tr>{{end}}<tr><td>{{.Service}}</td><td>(other operations)</td><td>{{printf "%.4f" .DefaultProbability}}</td></tr>
{{end}}</table>
{{end}}{{end}}
{{range .Report.Configs}}<h2>{{.Name}}: SLO-violating spans per minute</h2>
<table>
<tr><th>minute from</th><th>spans in</th><th>spans kept</th><th>budget</th><th>violating spans in</th><th>violating traces that fit</th></tr>
{{range .Windows}}{{if .SpansIn}}<tr><td>{{printf "%.0f s" .StartSeconds}}</td><td>{{printf "%.0f" .SpansIn}}</td><td>{{printf "%.0f" .SpansKept}}</td><td>{{printf "%.0f" .Budget}}</td><td>{{printf "%.0f" .ViolatingSpansIn}}</td><td>{{.ViolatingBound}}</td></tr>{{end}}
{{end}}</table>
{{end}}
{{range .Rows}}<h2>{{.Title}}</h2>
<div class="plots">{{range .Images}}<img src="{{.}}" alt="{{.}}">{{end}}</div>
{{end}}
</body></html>
`))
