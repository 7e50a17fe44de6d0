package site

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parity-bench/parity/reports"
)

// originClass names the colour of a model's origin from a fixed set, so no
// catalog text ever becomes a CSS class.
func originClass(origin string, mock bool) string {
	switch {
	case mock:
		return "mock"
	case strings.EqualFold(origin, "CN"):
		return "cn"
	case strings.EqualFold(origin, "West"):
		return "west"
	}
	return "other"
}

// frontierChart is a scatter plot of accuracy (up) against a run's cost or
// reasoning (across): each run a dot with its interval, the settings of
// one model joined by a thin line, and on a cost frontier the
// Pareto-optimal runs joined by a step line. Heading, Blurb and Aria are
// the chart's words, by kind.
type frontierChart struct {
	Heading, Blurb, Aria string
	Title                string
	Width, Height        int
	Left, Right          int // plot edges
	Top, Bottom          int
	XLabel               string
	XTicks               []htmlTick
	YTicks               []frontierTick
	Curves               []string // polyline points, one per model with several settings
	Pareto               string   // polyline points
	Dots                 []frontierDot
}

type frontierTick struct {
	Y     string
	Label string
}

type frontierDot struct {
	Title          string
	Class          string
	X, Y           string
	HasCI          bool
	CILo, CIHi     string
	Label          string
	LabelX, LabelY string
	Anchor         string
}

// Frontier chart geometry, in SVG user units.
const (
	frontierW      = 760
	frontierH      = 380
	frontierLeft   = 64
	frontierRight  = 24
	frontierTop    = 16
	frontierBottom = 52
)

// frontierCharts draws every frontier of the leaderboard.
func frontierCharts(fs []reports.Frontier) []frontierChart {
	out := make([]frontierChart, 0, len(fs))
	for _, f := range fs {
		out = append(out, drawFrontier(f))
	}
	return out
}

func drawFrontier(f reports.Frontier) frontierChart {
	c := scatter(f.Benchmark, "cost per 1,000 items ("+f.Currency+")", f.Points, func(p reports.Point) float64 { return p.CostPer1K },
		func(v float64) string {
			return strconv.FormatFloat(v, 'g', 4, 64) + " " + f.Currency + " per 1,000 items"
		}, true)
	c.Heading, c.Aria = "Cost frontier: "+f.Benchmark, "cost frontier on "+f.Benchmark
	c.Blurb = "Accuracy against " + c.XLabel + "; whiskers are 95% intervals, grey lines join the settings of one model, the dashed steps join the Pareto-optimal runs (outlined)."
	return c
}

// curveCharts draws one chart per benchmark with effort or budget curves:
// accuracy against mean reasoning tokens, every model's settings joined.
func curveCharts(cs []reports.Curve) []frontierChart {
	var out []frontierChart
	for i := 0; i < len(cs); {
		j := i
		var ps []reports.Point
		for j < len(cs) && cs[j].Benchmark == cs[i].Benchmark {
			for _, p := range cs[j].Points {
				if !math.IsNaN(p.MeanReasoningTokens) && !math.IsNaN(p.Accuracy) {
					ps = append(ps, p)
				}
			}
			j++
		}
		if len(ps) > 1 {
			c := scatter(cs[i].Benchmark, "mean reasoning tokens", ps, func(p reports.Point) float64 { return p.MeanReasoningTokens },
				func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " reasoning tokens on average" }, false)
			c.Heading, c.Aria = "Effort curves: "+cs[i].Benchmark, "effort curves on "+cs[i].Benchmark
			c.Blurb = "Accuracy against " + c.XLabel + " at each setting a model was run with; whiskers are 95% intervals, lines join the settings of one model."
			out = append(out, c)
		}
		i = j
	}
	return out
}

// scatter lays out points with accuracy up and xval across; describe
// words a point's x value for its tooltip, and pareto draws the frontier's
// steps and outlines.
func scatter(title, xlabel string, points []reports.Point, xval func(reports.Point) float64, describe func(float64) string, pareto bool) frontierChart {
	c := frontierChart{
		Title: title, Width: frontierW, Height: frontierH,
		Left: frontierLeft, Right: frontierW - frontierRight, Top: frontierTop, Bottom: frontierH - frontierBottom,
		XLabel: xlabel,
	}
	vals := make([]float64, len(points))
	for i, p := range points {
		vals[i] = xval(p)
	}
	x, xticks := valueAxis(vals, float64(c.Left), float64(c.Right))
	c.XTicks = xticks
	if x.log {
		c.XLabel += ", log scale"
	}
	y, yticks := accuracyAxis(points, float64(c.Bottom), float64(c.Top))
	c.YTicks = yticks

	byModel := map[string][]reports.Point{}
	var models []string
	for _, p := range points {
		if byModel[p.Model] == nil {
			models = append(models, p.Model)
		}
		byModel[p.Model] = append(byModel[p.Model], p)
	}
	for _, m := range models {
		if ps := byModel[m]; len(ps) > 1 {
			c.Curves = append(c.Curves, polyline(ps, xval, x, y, false))
		}
	}
	var optimal []reports.Point
	for _, p := range points {
		if pareto && p.Optimal {
			optimal = append(optimal, p)
		}
	}
	if len(optimal) > 1 {
		c.Pareto = polyline(optimal, xval, x, y, true)
	}
	for _, p := range points {
		px := x.at(xval(p))
		d := frontierDot{
			Class: "dot " + originClass(p.Origin, p.Mock),
			X:     coord(px), Y: coord(y.at(p.Accuracy)),
			Label: shorten(pointLabel(p), 44),
		}
		d.Title = pointLabel(p) + ": " + reports.Pct(p.Accuracy) + "% " + reports.Interval(p.CILow, p.CIHigh) + ", " + describe(xval(p))
		if pareto && p.Optimal {
			d.Class += " optimal"
			d.Title += ", Pareto-optimal"
		}
		if !math.IsNaN(p.CILow) && !math.IsNaN(p.CIHigh) {
			d.HasCI = true
			d.CILo, d.CIHi = coord(y.at(p.CILow)), coord(y.at(p.CIHigh))
		}
		// Labels go right of the dot, or left of it in the right third of
		// the plot, where they would run off the chart.
		d.LabelX, d.LabelY, d.Anchor = coord(px+7), coord(y.at(p.Accuracy)-5), "start"
		if px > float64(c.Left)+2*float64(c.Right-c.Left)/3 {
			d.LabelX, d.Anchor = coord(px-7), "end"
		}
		c.Dots = append(c.Dots, d)
	}
	return c
}

// pointLabel names a point by model and setting.
func pointLabel(p reports.Point) string {
	if p.Setting == "" {
		return p.Model
	}
	return p.Model + " (" + p.Setting + ")"
}

// axis maps values to SVG coordinates.
type axis struct {
	lo, hi   float64 // value range
	from, to float64 // coordinates
	log      bool
}

func (a axis) at(v float64) float64 {
	if a.log {
		v, a.lo, a.hi = math.Log10(v), math.Log10(a.lo), math.Log10(a.hi)
	}
	if a.hi == a.lo {
		return (a.from + a.to) / 2
	}
	return a.from + (v-a.lo)/(a.hi-a.lo)*(a.to-a.from)
}

// valueAxis is logarithmic when every value is positive and they span a
// factor of ten or more, as costs of different models do; else linear
// from zero.
func valueAxis(vals []float64, from, to float64) (axis, []htmlTick) {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	a := axis{from: from, to: to}
	if lo > 0 && hi/lo >= 10 {
		a.log = true
		a.lo = math.Pow(10, math.Floor(math.Log10(lo)))
		a.hi = math.Pow(10, math.Ceil(math.Log10(hi)))
		var ticks []htmlTick
		for v := a.lo; v <= a.hi*1.0001; v *= 10 {
			ticks = append(ticks, htmlTick{X: coord(a.at(v)), Label: tickText(v)})
		}
		return a, ticks
	}
	step := niceStep(hi / 4)
	a.lo, a.hi = 0, step*math.Ceil(hi/step)
	if a.hi == 0 {
		a.hi, step = 1, 0.25
	}
	var ticks []htmlTick
	for i := 0; float64(i)*step <= a.hi*1.0001; i++ {
		v := float64(i) * step
		ticks = append(ticks, htmlTick{X: coord(a.at(v)), Label: tickText(v)})
	}
	return a, ticks
}

// accuracyAxis spans the points' intervals, widened to whole tens of
// percent, so close runs are told apart without cutting a whisker.
func accuracyAxis(ps []reports.Point, from, to float64) (axis, []frontierTick) {
	lo, hi := 1.0, 0.0
	for _, p := range ps {
		for _, v := range []float64{p.Accuracy, p.CILow, p.CIHigh} {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	lo, hi = math.Floor(lo*10)/10, math.Ceil(hi*10)/10
	if hi <= lo {
		lo, hi = max(0, lo-0.1), min(1, hi+0.1)
	}
	a := axis{lo: lo, hi: hi, from: from, to: to}
	var ticks []frontierTick
	for pc := int(math.Round(lo * 100)); pc <= int(math.Round(hi*100)); pc += 10 {
		ticks = append(ticks, frontierTick{Y: coord(a.at(float64(pc) / 100)), Label: strconv.Itoa(pc) + "%"})
	}
	return a, ticks
}

// niceStep rounds a tick step up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// tickText writes a tick value in plain digits ("1500", "0.25"), rounded
// first to drop the float noise of step multiples.
func tickText(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// polyline joins points in order of their x value; step draws the
// frontier as steps, since between two optimal runs the best accuracy for the money is
// the cheaper run's until the dearer one is affordable.
func polyline(ps []reports.Point, xval func(reports.Point) float64, x, y axis, step bool) string {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b reports.Point) int { return cmp.Compare(xval(a), xval(b)) })
	var b strings.Builder
	for i, p := range ps {
		px, py := x.at(xval(p)), y.at(p.Accuracy)
		if step && i > 0 {
			b.WriteString(coord(px) + "," + coord(y.at(ps[i-1].Accuracy)) + " ")
		}
		b.WriteString(coord(px) + "," + coord(py) + " ")
	}
	return strings.TrimSpace(b.String())
}
