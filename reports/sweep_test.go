package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// sweepRun is one setting of a sweep: n items, the first correct ones
// correct, then truncated ones, the rest wrong; every scored sample costs
// cost and reports reasoning tokens.
func sweepRun(id int64, model string, p parity.Params, currency string, n, correct, truncated int, cost float64, reasoning int) Input {
	r := run(id, model, "West", "gsm8k", n, 1)
	r.Params = p
	if currency != "" {
		r.Price = &parity.Price{Input: 1, Output: 1, Currency: currency}
	}
	var ss []parity.Sample
	for i := 0; i < n; i++ {
		o := parity.OutcomeWrong
		switch {
		case i < correct:
			o = parity.OutcomeCorrect
		case i < correct+truncated:
			o = parity.OutcomeTruncated
		}
		s := parity.Sample{RunID: id, ItemID: "q" + string(rune('a'+i)), Score: parity.Score{Outcome: o},
			Completion: parity.Completion{Usage: parity.Usage{ReasoningTokens: reasoning}}}
		if currency != "" {
			s.Cost = cost
		}
		ss = append(ss, s)
	}
	return Input{Run: r, Samples: ss}
}

func TestCurvesAndFrontier(t *testing.T) {
	in := []Input{
		// A model swept over three efforts, given out of order.
		sweepRun(1, "lab/a", parity.Params{Effort: "high"}, "USD", 10, 9, 0, 0.004, 3000),
		sweepRun(2, "lab/a", parity.Params{Effort: "low"}, "USD", 10, 5, 3, 0.001, 500),
		sweepRun(3, "lab/a", parity.Params{Effort: "medium"}, "USD", 10, 8, 1, 0.002, 1500),
		// A second model, one setting: no curve, but a frontier point
		// dominated by lab/a at medium (dearer and less accurate).
		sweepRun(4, "lab/b", parity.Params{}, "USD", 10, 7, 0, 0.003, 2000),
		// Priced in another currency: its own frontier, alone, so none.
		sweepRun(5, "lab/c", parity.Params{}, "CNY", 10, 6, 0, 0.005, 100),
		// No price card: a curve point with unknown costs, on no frontier.
		sweepRun(6, "lab/d", parity.Params{ThinkingBudget: 1024}, "", 10, 4, 2, 0, 800),
		sweepRun(7, "lab/d", parity.Params{ThinkingBudget: 4096}, "", 10, 6, 0, 0, 2500),
	}
	lb, err := Build(in, Options{Bootstrap: 200, Seed: 1})
	require.NoError(t, err)

	require.Len(t, lb.Curves, 2)
	a := lb.Curves[0]
	assert.Equal(t, "lab/a", a.Model)
	assert.Equal(t, "gsm8k@1", a.Benchmark)
	var settings []string
	for _, p := range a.Points {
		settings = append(settings, p.Setting)
	}
	assert.Equal(t, []string{"effort low", "effort medium", "effort high"}, settings, "in order of reasoning spent")
	low := a.Points[0]
	assert.InDelta(t, 0.5, low.Accuracy, 1e-12)
	assert.InDelta(t, 0.3, low.TruncationRate, 1e-12)
	assert.InDelta(t, 500, low.MeanReasoningTokens, 1e-12)
	assert.InDelta(t, 0.01, low.Cost, 1e-12)
	assert.InDelta(t, 1.0, low.CostPer1K, 1e-12, "0.001 per answer is 1 per 1,000")
	assert.InDelta(t, 0.002, low.CostPerCorrect, 1e-12, "0.01 over 5 correct")
	assert.Equal(t, "USD", low.Currency)

	d := lb.Curves[1]
	assert.Equal(t, "lab/d", d.Model)
	assert.True(t, math.IsNaN(d.Points[0].CostPer1K), "no price, no cost")
	assert.True(t, math.IsNaN(d.Points[0].CostPerCorrect))

	require.Len(t, lb.Frontiers, 1, "the CNY run is alone in its currency and the unpriced runs have no cost")
	f := lb.Frontiers[0]
	assert.Equal(t, "USD", f.Currency)
	type mark struct {
		run     int64
		optimal bool
	}
	var got []mark
	for _, p := range f.Points {
		got = append(got, mark{p.RunID, p.Optimal})
	}
	assert.Equal(t, []mark{{2, true}, {3, true}, {4, false}, {1, true}}, got, "cheapest first; lab/b costs more than lab/a medium for less")

	var text bytes.Buffer
	require.NoError(t, Render(&text, lb, "text"))
	assert.Contains(t, text.String(), curvesTitle)
	assert.Contains(t, text.String(), frontierTitle)
	assert.Regexp(t, `lab/a +effort low +50\.0 .* 500 +30\.0 +1\.0000 USD +0\.002000 USD`, text.String())
	assert.Regexp(t, `lab/d +budget 1024 .* - +- *\n`, text.String())

	var js bytes.Buffer
	require.NoError(t, Render(&js, lb, "json"))
	var rep struct {
		Curves []struct {
			Model  string `json:"model"`
			Points []struct {
				Setting   string   `json:"setting"`
				CostPer1K *float64 `json:"cost_per_1k_items"`
			} `json:"points"`
		} `json:"curves"`
		Frontiers []struct {
			Points []struct {
				RunID   int64 `json:"run_id"`
				Optimal bool  `json:"pareto_optimal"`
			} `json:"points"`
		} `json:"frontiers"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &rep))
	require.Len(t, rep.Curves, 2)
	assert.Nil(t, rep.Curves[1].Points[0].CostPer1K, "unknown cost is null, not NaN")
	require.Len(t, rep.Frontiers, 1)
	assert.False(t, rep.Frontiers[0].Points[2].Optimal)

	// Converting to one currency puts the CNY run on the USD frontier.
	lb, err = Build(in, Options{Bootstrap: 200, Seed: 1, Currency: "USD", Rates: map[string]float64{"CNY": 0.14}})
	require.NoError(t, err)
	require.Len(t, lb.Frontiers, 1)
	assert.Len(t, lb.Frontiers[0].Points, 5)
	assert.True(t, lb.Frontiers[0].Points[0].Optimal, "0.0007 USD per answer is the cheapest")
	assert.Equal(t, int64(5), lb.Frontiers[0].Points[0].RunID)
}

// TestParetoTies: equal cost keeps only the most accurate; equal cost and
// accuracy are both optimal; a dearer point must be strictly more accurate.
func TestParetoTies(t *testing.T) {
	ps := []Point{
		{RunID: 1, CostPer1K: 2, Accuracy: 0.5},
		{RunID: 2, CostPer1K: 1, Accuracy: 0.4},
		{RunID: 3, CostPer1K: 1, Accuracy: 0.6},
		{RunID: 4, CostPer1K: 1, Accuracy: 0.6},
		{RunID: 5, CostPer1K: 3, Accuracy: 0.6},
		{RunID: 6, CostPer1K: 4, Accuracy: 0.7},
	}
	markPareto(ps)
	var optimal []int64
	for _, p := range ps {
		if p.Optimal {
			optimal = append(optimal, p.RunID)
		}
	}
	assert.Equal(t, []int64{3, 4, 6}, optimal)
}

// TestCurveNeedsTwoSettings: a rerun at one setting is not a curve.
func TestCurveNeedsTwoSettings(t *testing.T) {
	in := []Input{
		sweepRun(1, "lab/a", parity.Params{Effort: "high"}, "USD", 4, 2, 0, 0.001, 100),
		sweepRun(2, "lab/a", parity.Params{Effort: "high"}, "USD", 4, 3, 0, 0.001, 100),
	}
	lb, err := Build(in, Options{Bootstrap: 100})
	require.NoError(t, err)
	assert.Empty(t, lb.Curves)
	var md bytes.Buffer
	require.NoError(t, Render(&md, lb, "md"))
	assert.False(t, strings.Contains(md.String(), curvesTitle))
}
