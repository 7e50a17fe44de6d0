package site

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/reports"
)

func frontier(points ...reports.Point) reports.Frontier {
	return reports.Frontier{Benchmark: "gsm8k@1", Currency: "USD", Points: points}
}

func pt(run int64, model, setting string, acc, cost float64, optimal bool) reports.Point {
	return reports.Point{RunID: run, Model: model, Origin: "CN", Setting: setting, Accuracy: acc,
		CILow: acc - 0.05, CIHigh: acc + 0.05, CostPer1K: cost, Optimal: optimal}
}

// TestFrontierChartGeometry: dearer runs sit further right, more accurate
// ones higher; costs spanning a factor of ten or more get a log axis; the
// Pareto line joins only optimal runs, as steps.
func TestFrontierChartGeometry(t *testing.T) {
	f := frontier(
		pt(1, "lab/a", "effort low", 0.6, 0.5, true),
		pt(2, "lab/a", "effort high", 0.8, 2, true),
		pt(3, "lab/b", "", 0.7, 40, false),
	)
	c := drawFrontier(f)
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		return v
	}
	require.Len(t, c.Dots, 3)
	assert.Less(t, num(c.Dots[0].X), num(c.Dots[1].X))
	assert.Less(t, num(c.Dots[1].X), num(c.Dots[2].X))
	assert.Greater(t, num(c.Dots[0].Y), num(c.Dots[1].Y), "SVG y grows downwards: more accurate is higher up")
	assert.Contains(t, c.XLabel, "log scale", "0.5 to 40 spans two orders of magnitude")
	for _, d := range c.Dots {
		x := num(d.X)
		assert.GreaterOrEqual(t, x, float64(c.Left))
		assert.LessOrEqual(t, x, float64(c.Right))
		assert.True(t, d.HasCI)
		assert.GreaterOrEqual(t, num(d.CILo), float64(c.Top))
		assert.LessOrEqual(t, num(d.CIHi), float64(c.Bottom))
	}
	assert.Contains(t, c.Dots[0].Class, "optimal")
	assert.NotContains(t, c.Dots[2].Class, "optimal")
	// Two optimal runs make one step: across at the cheaper one's height,
	// then up.
	assert.Equal(t, c.Dots[0].X+","+c.Dots[0].Y+" "+c.Dots[1].X+","+c.Dots[0].Y+" "+c.Dots[1].X+","+c.Dots[1].Y, c.Pareto)
	require.Len(t, c.Curves, 1, "only lab/a has several settings")

	lin := drawFrontier(frontier(pt(1, "lab/a", "", 0.6, 1, true), pt(2, "lab/b", "", 0.7, 3, true)))
	assert.NotContains(t, lin.XLabel, "log")
	assert.Equal(t, "0", lin.XTicks[0].Label, "a linear axis starts at zero")

	free := drawFrontier(frontier(pt(1, "lab/a", "", 0.6, 0, true), pt(2, "lab/b", "", 0.6, 0, true)))
	for _, d := range free.Dots {
		assert.False(t, math.IsNaN(num(d.X)), "zero costs still have a place")
	}
}

// TestFrontierInPageIsEscaped: model names and settings reach the chart
// escaped, like every other name on the page.
func TestFrontierInPageIsEscaped(t *testing.T) {
	lb := fixtureLeaderboard(t)
	lb.Frontiers = []reports.Frontier{frontier(
		pt(1, `evil/<script>alert(1)</script>`, `effort "high"`, 0.6, 1, true),
		pt(2, "lab/b", "", 0.7, 3, true),
	)}
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "html"))
	page := buf.String()
	assert.Contains(t, page, "<h2>Cost frontier: gsm8k@1</h2>")
	assert.NotContains(t, page, "<script>")
	assert.Contains(t, page, "evil/&lt;script&gt;")
	assert.Regexp(t, regexp.MustCompile(`<circle class="dot cn optimal" cx="[0-9.]+" cy="[0-9.]+" r="5"/>`), page)
}

// TestCurveCharts: one chart per benchmark with curves, reasoning tokens
// across, each model's settings joined, and no Pareto marks.
func TestCurveCharts(t *testing.T) {
	mk := func(run int64, model, setting string, acc, tokens float64) reports.Point {
		p := pt(run, model, setting, acc, 1, true)
		p.MeanReasoningTokens = tokens
		return p
	}
	cs := []reports.Curve{
		{Model: "lab/a", Benchmark: "gsm8k@1", Points: []reports.Point{mk(1, "lab/a", "effort low", 0.6, 500), mk(2, "lab/a", "effort high", 0.8, 3000)}},
		{Model: "lab/b", Benchmark: "gsm8k@1", Points: []reports.Point{mk(3, "lab/b", "budget 1024", 0.5, 900), mk(4, "lab/b", "budget 4096", 0.7, 2500)}},
		{Model: "lab/a", Benchmark: "math500@1", Points: []reports.Point{mk(5, "lab/a", "effort low", 0.4, 800), mk(6, "lab/a", "effort high", 0.6, 5000)}},
	}
	charts := curveCharts(cs)
	require.Len(t, charts, 2)
	c := charts[0]
	assert.Equal(t, "Effort curves: gsm8k@1", c.Heading)
	assert.Len(t, c.Dots, 4)
	assert.Len(t, c.Curves, 2, "one line per model")
	assert.Empty(t, c.Pareto)
	for _, d := range c.Dots {
		assert.NotContains(t, d.Class, "optimal", "curves mark no frontier")
		assert.Contains(t, d.Title, "reasoning tokens")
	}
	x := func(i int) float64 { v, _ := strconv.ParseFloat(c.Dots[i].X, 64); return v }
	assert.Less(t, x(0), x(1), "more reasoning further right")
	assert.Less(t, x(2), x(3))
}

func TestTickText(t *testing.T) {
	for v, want := range map[float64]string{1500: "1500", 1000: "1000", 0.25: "0.25", 3 * 0.1: "0.3", 0: "0", 0.001: "0.001"} {
		assert.Equal(t, want, tickText(v))
	}
}
