// Package site writes leaderboards for browsers: the self-contained HTML
// report page with SVG charts, and snapshot sites (the leaderboard with one
// page and one samples file per run, a manifest and checksums) that anyone
// can open offline and audit. It builds on the reports package's
// leaderboard model and table layouts, as suites/answer sits under suites.
package site

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parity-bench/parity/reports"
)

// The page is built from a view model of ready-made strings and numbers, so
// the template has no logic beyond loops, and html/template escapes every
// name and note that reaches it, model ids included.
type htmlPage struct {
	Generated string
	Header    []htmlCell
	Rows      []htmlRow
	Charts    []htmlChart
	Groups    []htmlRow
	Parity    htmlTable
	Language  htmlTable
	Hosts     htmlTable
	Compared  htmlTable
	// Frontiers and Extra hold the sweep sections: effort curve and cost
	// frontier charts, and the tables Tables lays out after the ones above.
	Frontiers []frontierChart
	Extra     []htmlTable
	Notes     []string
}

// htmlTable is a titled table with an explanation; an empty Rows hides it.
type htmlTable struct {
	Title, Blurb string
	Header       []htmlCell
	Rows         []htmlRow
}

// htmlRow is a table row; ID is its anchor, when it has one.
type htmlRow struct {
	ID    string
	Cells []htmlCell
}

// linker makes the links from numbers to their evidence: the run pages and
// comparison pages of a snapshot or a server, or the run table's rows
// (#run-<id>) within a single page. A nil function links nothing of that
// kind.
type linker struct {
	run  func(id int64) string
	pair func(a, b int64) string
}

// pageLinks link within a standalone report page: every run and comparison
// goes to the run's row.
var pageLinks = linker{run: func(id int64) string { return "#run-" + strconv.FormatInt(id, 10) }}

// href is where a cell of a row about runs links, or "".
func (lk linker) href(l reports.Link, runs []int64) string {
	switch {
	case l == reports.LinkRunA && len(runs) > 0 && lk.run != nil:
		return lk.run(runs[0])
	case l == reports.LinkRunB && len(runs) > 1 && lk.run != nil:
		return lk.run(runs[1])
	case l == reports.LinkPair && len(runs) > 1 && lk.pair != nil:
		return lk.pair(runs[0], runs[1])
	}
	return ""
}

func newHTMLTable(t reports.Table, lk linker) htmlTable {
	h := htmlTable{Title: t.Title, Blurb: t.Blurb}
	for i, c := range t.Header {
		h.Header = append(h.Header, htmlCell{Text: c, Right: t.Right[i]})
	}
	for r, cells := range t.Rows {
		row := htmlRow{Cells: make([]htmlCell, len(cells))}
		if t.Name == reports.TableRuns { // every run row is an anchor, #run-<id>
			row.ID = "run-" + strconv.FormatInt(t.Runs[r][0], 10)
		}
		for i, c := range cells {
			row.Cells[i] = htmlCell{Text: c, Right: t.Right[i], Href: lk.href(t.Links[i], t.Runs[r])}
		}
		h.Rows = append(h.Rows, row)
	}
	return h
}

type htmlCell struct {
	Text  string
	Right bool
	Href  string
}

type htmlChart struct {
	Suite         string
	Width, Height int
	PlotTop       int
	PlotBottom    int
	Ticks         []htmlTick
	Bars          []htmlBar
	// Circular says some bar carries a CircularEval accuracy.
	Circular bool
}

type htmlTick struct {
	X     string
	Label string
}

type htmlBar struct {
	Href     string
	Label    string
	Title    string
	Class    string
	LabelX   int
	Y, TextY int
	X, W     string
	HasCI    bool
	// Circ is the width of the CircularEval accuracy bar, "" for runs
	// without rotations; CircY is its top.
	Circ       string
	CircY      int
	CIY        int
	CILo, CIHi string
	CapTop     int
	CapBottom  int
	Value      string
	ValueX     string
}

// Chart geometry, in SVG user units.
const (
	chartLabelW = 300
	chartPlotW  = 420
	chartRightW = 70
	chartTop    = 28
	chartStep   = 26
	chartBarH   = 16
)

// Formats lists the formats Render writes: the reports package's and
// "html", one self-contained page.
var Formats = append(slices.Clone(reports.Formats), "html")

// Render writes lb in format: "html" here, any other of Formats by
// reports.Render.
func Render(w io.Writer, lb *reports.Leaderboard, format string) error {
	switch {
	case format == "html" && lb == nil:
		return fmt.Errorf("render html: no leaderboard")
	case format == "html":
		if err := renderHTML(w, lb, pageLinks); err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		return nil
	case slices.Contains(reports.Formats, format) || format == "markdown":
		return reports.Render(w, lb, format)
	}
	return fmt.Errorf("unknown report format %q: use one of %s", format, strings.Join(Formats, ", "))
}

func renderHTML(w io.Writer, lb *reports.Leaderboard, lk linker) error {
	runs := reports.RunTable(lb)
	page := htmlPage{Generated: lb.Generated(), Notes: lb.Notes}
	h := newHTMLTable(runs, lk)
	page.Header, page.Rows = h.Header, h.Rows
	for _, t := range reports.Tables(lb) {
		h := newHTMLTable(t, lk)
		switch t.Name {
		case reports.TableParity:
			page.Parity = h
		case reports.TableLanguage:
			page.Language = h
		case reports.TableHosts:
			page.Hosts = h
		case reports.TableOrigin:
			page.Groups = h.Rows
		case reports.TablePairs:
			page.Compared = h
		default:
			page.Extra = append(page.Extra, h)
		}
	}
	page.Charts = charts(lb.Rows, lk)
	page.Frontiers = append(curveCharts(lb.Curves), frontierCharts(lb.Frontiers)...)
	return pageTemplate.Execute(w, page)
}

// charts draws one bar chart per benchmark (suite, subject, version), since
// accuracies on different suites, or on mgsm:en and mgsm:zh, are not on a
// common scale.
func charts(rows []reports.Row, lk linker) []htmlChart {
	var out []htmlChart
	same := func(a, b reports.Row) bool { return a.Benchmark() == b.Benchmark() && a.SuiteVersion == b.SuiteVersion }
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && same(rows[j], rows[i]) {
			j++
		}
		out = append(out, chart(rows[i:j], lk))
		i = j
	}
	return out
}

func chart(rows []reports.Row, lk linker) htmlChart {
	c := htmlChart{
		Suite:   rows[0].SuiteLabel(),
		Width:   chartLabelW + chartPlotW + chartRightW,
		Height:  chartTop + len(rows)*chartStep + 8,
		PlotTop: chartTop - 6,
	}
	c.PlotBottom = c.Height - 4
	for t := 0; t <= 100; t += 25 {
		c.Ticks = append(c.Ticks, htmlTick{X: xAt(float64(t) / 100), Label: strconv.Itoa(t) + "%"})
	}
	for i, r := range rows {
		y := chartTop + i*chartStep
		b := htmlBar{
			Href:   lk.href(reports.LinkRunA, []int64{r.RunID}),
			Label:  shorten(r.ModelLabel(), 44),
			Title:  r.ModelLabel() + ": " + reports.Pct(r.Accuracy) + "% " + reports.Interval(r.CILow, r.CIHigh),
			Class:  barClass(r),
			LabelX: chartLabelW - 8,
			Y:      y,
			TextY:  y + chartBarH - 4,
			X:      xAt(0),
			W:      "0",
			Value:  reports.Pct(r.Accuracy),
			ValueX: xAt(1),
		}
		if !math.IsNaN(r.Accuracy) {
			b.W = coord(r.Accuracy * chartPlotW)
			b.Value += "%"
		}
		if r.CircularItems > 0 && !math.IsNaN(r.CircularAccuracy) {
			b.Circ, b.CircY = coord(r.CircularAccuracy*chartPlotW), y+chartBarH-4
			b.Title += "; right in every rotation (CircularEval): " + reports.Pct(r.CircularAccuracy) + "%"
			c.Circular = true
		}
		if !math.IsNaN(r.CILow) && !math.IsNaN(r.CIHigh) {
			b.HasCI = true
			b.CIY = y + chartBarH/2
			b.CILo, b.CIHi = xAt(r.CILow), xAt(r.CIHigh)
			b.CapTop, b.CapBottom = y+2, y+chartBarH-2
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// barClass colours bars by origin from a fixed set of class names, so no
// catalog text ever becomes a CSS identifier.
func barClass(r reports.Row) string { return "bar " + originClass(r.Origin, r.Mock) }

// shorten keeps a bar label inside the label column; the full name stays in
// the bar's tooltip and in the table.
func shorten(s string, max int) string {
	runes := []rune(s)
	if len(runes) <= max {
		return s
	}
	return string(runes[:max-1]) + "…"
}

func xAt(frac float64) string { return coord(chartLabelW + frac*chartPlotW) }

func coord(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parity leaderboard</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.meta { color: #666; margin: 0 0 1.5rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: left; white-space: nowrap; }
th { background: #f5f5f7; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) { background: #fafafa; }
svg { display: block; margin: .5rem 0 1rem; max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1d1d1f; }
svg .grid { stroke: #e3e3e3; }
svg .ci { stroke: #1d1d1f; stroke-width: 1.5; }
svg .circ { fill: #1d1d1f; opacity: .55; }
.bar.cn { fill: #d9534f; } .bar.west { fill: #337ab7; } .bar.other { fill: #8a8a8a; } .bar.mock { fill: #c8c8c8; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 1rem; vertical-align: -1px; }
.dot.cn { fill: #d9534f; } .dot.west { fill: #337ab7; } .dot.other { fill: #8a8a8a; } .dot.mock { fill: #c8c8c8; }
svg .dot.optimal { stroke: #1d1d1f; stroke-width: 2; } svg .curve { fill: none; stroke: #b0b0b0; stroke-width: 1; }
svg .pareto { fill: none; stroke: #1d1d1f; stroke-width: 1.5; stroke-dasharray: 4 3; } svg text.small { font-size: 11px; }
.legend .cn { background: #d9534f; } .legend .west { background: #337ab7; } .legend .other { background: #8a8a8a; } .legend .mock { background: #c8c8c8; }
ul.notes li { margin: .25rem 0; }
tr:target { background: #fff3bf; }
a { color: inherit; text-decoration-color: #9ab; }
</style>
</head>
<body>
<h1>parity leaderboard</h1>
<p class="meta">Generated {{.Generated}}. Accuracy is pass@1 over scored samples; whiskers are 95% confidence intervals.</p>
<p class="legend"><span class="cn"></span>CN<span class="west"></span>West<span class="other"></span>other<span class="mock"></span>mock</p>
{{- with .Parity}}{{if .Rows}}
{{template "table" .}}
{{- end}}{{end}}
{{range .Charts}}<h2>{{.Suite}}</h2>
<svg width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="accuracy on {{.Suite}}">
{{- $c := .}}
{{- range .Ticks}}
<line class="grid" x1="{{.X}}" y1="{{$c.PlotTop}}" x2="{{.X}}" y2="{{$c.PlotBottom}}"/><text x="{{.X}}" y="14" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .Bars}}
{{if .Href}}<a href="{{.Href}}">{{end}}<g><title>{{.Title}}</title>
<text x="{{.LabelX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="16"/>
{{- if .Circ}}
<rect class="circ" x="{{.X}}" y="{{.CircY}}" width="{{.Circ}}" height="4"/>
{{- end}}
{{- if .HasCI}}
<line class="ci" x1="{{.CILo}}" y1="{{.CIY}}" x2="{{.CIHi}}" y2="{{.CIY}}"/><line class="ci" x1="{{.CILo}}" y1="{{.CapTop}}" x2="{{.CILo}}" y2="{{.CapBottom}}"/><line class="ci" x1="{{.CIHi}}" y1="{{.CapTop}}" x2="{{.CIHi}}" y2="{{.CapBottom}}"/>
{{- end}}
<text x="{{.ValueX}}" y="{{.TextY}}" dx="8">{{.Value}}</text></g>{{if .Href}}</a>{{end}}
{{- end}}
</svg>
{{- if .Circular}}
<p class="meta">The thin dark bar inside a bar is the share of items right in every rotation of their options (CircularEval).</p>
{{- end}}
{{end}}<h2>Runs</h2>
{{template "grid" .}}
{{- with .Language}}{{if .Rows}}
{{template "table" .}}
{{- end}}{{end}}
{{- with .Hosts}}{{if .Rows}}
{{template "table" .}}
{{- end}}{{end}}
{{- if .Groups}}
<h2>By origin</h2>
<table>
<thead><tr><th>SUITE</th><th>ORIGIN</th><th class="num">MODELS</th><th class="num">MEAN ACC %</th></tr></thead>
<tbody>
{{- range .Groups}}
{{template "row" .}}
{{- end}}
</tbody>
</table>
{{- end}}
{{- with .Compared}}{{if .Rows}}
{{template "table" .}}
{{- end}}{{end}}
{{- range .Frontiers}}
<h2>{{.Heading}}</h2>
<p class="meta">{{.Blurb}}</p>
<svg width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Aria}}">
{{- $f := .}}
{{- range .XTicks}}
<line class="grid" x1="{{.X}}" y1="{{$f.Top}}" x2="{{.X}}" y2="{{$f.Bottom}}"/><text x="{{.X}}" y="{{$f.Bottom}}" dy="16" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .YTicks}}
<line class="grid" x1="{{$f.Left}}" y1="{{.Y}}" x2="{{$f.Right}}" y2="{{.Y}}"/><text x="{{$f.Left}}" y="{{.Y}}" dx="-6" dy="4" text-anchor="end">{{.Label}}</text>
{{- end}}
<text x="{{$f.Left}}" y="{{$f.Height}}" dy="-8">{{.XLabel}}</text>
{{- range .Curves}}
<polyline class="curve" points="{{.}}"/>
{{- end}}
{{- if .Pareto}}
<polyline class="pareto" points="{{.Pareto}}"/>
{{- end}}
{{- range .Dots}}
<g><title>{{.Title}}</title>
{{- if .HasCI}}
<line class="ci" x1="{{.X}}" y1="{{.CILo}}" x2="{{.X}}" y2="{{.CIHi}}"/>
{{- end}}
<circle class="{{.Class}}" cx="{{.X}}" cy="{{.Y}}" r="5"/><text class="small" x="{{.LabelX}}" y="{{.LabelY}}" text-anchor="{{.Anchor}}">{{.Label}}</text></g>
{{- end}}
</svg>
{{- end}}
{{- range .Extra}}
{{template "table" .}}
{{- end}}
{{- if .Notes}}
<h2>Notes</h2>
<ul class="notes">
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
</body>
</html>
{{define "row"}}<tr{{if .ID}} id="{{.ID}}"{{end}}>{{range .Cells}}<td{{if .Right}} class="num"{{end}}>{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>{{end}}{{define "table"}}<h2>{{.Title}}</h2>
<p class="meta">{{.Blurb}}</p>
{{template "grid" .}}
{{- end}}{{define "grid"}}<div class="scroll"><table>
<thead><tr>{{range .Header}}<th{{if .Right}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
{{template "row" .}}
{{- end}}
</tbody>
</table></div>{{end}}`))
