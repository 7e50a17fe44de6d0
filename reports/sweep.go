package reports

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/parity-bench/parity"
)

// Point is one run seen as a point of a curve or a frontier: what it
// scored and what it cost at its setting. Float fields that cannot be
// computed are NaN: costs without a price card, cost per correct answer
// when nothing was correct.
type Point struct {
	RunID int64
	Model string // ModelLabel, with the mock marker
	// Origin and Mock are the row's, so charts colour points as bars.
	Origin  string
	Mock    bool
	Setting string
	// Accuracy with its 95% interval, as in the run's row.
	Accuracy, CILow, CIHigh float64
	Scored                  int
	// MeanReasoningTokens is over scored samples; TruncationRate is the
	// share of scored samples that hit the token limit before answering.
	MeanReasoningTokens, TruncationRate float64
	// Cost is the run's total in Currency: the converted cost when the
	// leaderboard converts, else the price card's.
	Cost     float64
	Currency string
	// CostPer1K is the cost of 1,000 scored answers at this setting (1,000
	// items asked once); CostPerCorrect is the cost over correct answers.
	CostPer1K, CostPerCorrect float64
	// Optimal marks a frontier point no other point of its frontier beats
	// on both accuracy and cost (Pareto-optimal); false on curves.
	Optimal bool
}

// Curve is one model on one benchmark at two or more settings, in the order
// of increasing mean reasoning tokens: an effort or budget curve.
type Curve struct {
	Model     string  `json:"model"`
	Benchmark string  `json:"benchmark"` // SuiteLabel: suite, subject and version
	Points    []Point `json:"points"`
}

// Frontier is every priced run of one benchmark in one currency, from the
// cheapest to the dearest per 1,000 items, with the Pareto-optimal ones
// marked: those no other run matches or beats in accuracy for less.
type Frontier struct {
	Benchmark string  `json:"benchmark"`
	Currency  string  `json:"currency"`
	Points    []Point `json:"points"`
}

func newPoint(r Row) Point {
	p := Point{RunID: r.RunID, Model: r.ModelLabel(), Origin: r.Origin, Mock: r.Mock, Setting: r.Setting, Accuracy: r.Accuracy, CILow: r.CILow, CIHigh: r.CIHigh,
		Scored: r.Scored, MeanReasoningTokens: math.NaN(), TruncationRate: math.NaN(),
		Cost: math.NaN(), CostPer1K: math.NaN(), CostPerCorrect: math.NaN()}
	if r.Scored > 0 {
		p.MeanReasoningTokens = r.MeanReasoningTokens
		p.TruncationRate = float64(r.Outcomes[parity.OutcomeTruncated]) / float64(r.Scored)
	}
	switch {
	case r.ConvertedCurrency != "":
		p.Cost, p.Currency = r.CostConverted, r.ConvertedCurrency
	case r.Currency != "":
		p.Cost, p.Currency = r.Cost, r.Currency
	}
	if p.Currency != "" && r.Scored > 0 {
		p.CostPer1K = roundCost(p.Cost / float64(r.Scored) * 1000)
		if c := r.Outcomes[parity.OutcomeCorrect]; c > 0 {
			p.CostPerCorrect = roundCost(p.Cost / float64(c))
		}
	}
	return p
}

// curves groups rows by model and benchmark (version included) and keeps
// the groups whose runs differ in setting. Two runs at one setting (a
// rerun) would be one point twice, so the first row of each setting, the
// leaderboard's order, stands for it.
func curves(rows []Row) []Curve {
	type key struct{ model, bench string }
	index := map[key]int{}
	var out []Curve
	for _, r := range rows {
		k := key{r.Model, r.Benchmark() + "@" + r.SuiteVersion}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Curve{Model: r.ModelLabel(), Benchmark: r.SuiteLabel()})
		}
		if !slices.ContainsFunc(out[i].Points, func(p Point) bool { return p.Setting == r.Setting }) {
			out[i].Points = append(out[i].Points, newPoint(r))
		}
	}
	kept := out[:0]
	for _, c := range out {
		if len(c.Points) < 2 {
			continue
		}
		slices.SortStableFunc(c.Points, func(a, b Point) int {
			return cmp.Or(cmpNaNLast(a.MeanReasoningTokens, b.MeanReasoningTokens), cmpNaNLast(a.CostPer1K, b.CostPer1K))
		})
		kept = append(kept, c)
	}
	slices.SortStableFunc(kept, func(a, b Curve) int {
		return cmp.Or(cmp.Compare(a.Benchmark, b.Benchmark), cmp.Compare(a.Model, b.Model))
	})
	return kept
}

// frontiers builds one frontier per benchmark and currency from the rows
// with a cost and a score; amounts in different currencies are not on one
// axis, so they make separate frontiers (convert with --currency to join
// them). A frontier needs two runs to say anything.
func frontiers(rows []Row) []Frontier {
	type key struct{ bench, currency string }
	index := map[key]int{}
	var out []Frontier
	for _, r := range rows {
		p := newPoint(r)
		if math.IsNaN(p.CostPer1K) || math.IsNaN(p.Accuracy) {
			continue
		}
		k := key{r.SuiteLabel() + r.Benchmark(), p.Currency}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Frontier{Benchmark: r.SuiteLabel(), Currency: p.Currency})
		}
		if r.CircularItems > 0 {
			out[i].Benchmark = r.SuiteLabel() + " (circular)"
		}
		out[i].Points = append(out[i].Points, p)
	}
	kept := out[:0]
	for _, f := range out {
		if len(f.Points) < 2 {
			continue
		}
		markPareto(f.Points)
		kept = append(kept, f)
	}
	return kept
}

// markPareto sorts points by cost, best accuracy first at equal cost, and
// marks those no other point dominates: none costs as little or less with
// at least the accuracy and beats it on one of the two. Points equal on
// both are both optimal.
func markPareto(ps []Point) {
	slices.SortStableFunc(ps, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.CostPer1K, b.CostPer1K), cmp.Compare(b.Accuracy, a.Accuracy))
	})
	best, bestCost := math.Inf(-1), math.NaN()
	for i := range ps {
		switch {
		case ps[i].Accuracy > best:
			ps[i].Optimal = true
			best, bestCost = ps[i].Accuracy, ps[i].CostPer1K
		case ps[i].Accuracy == best && ps[i].CostPer1K == bestCost:
			ps[i].Optimal = true
		}
	}
}

// settingCell names a run's setting in a table; a run with none set uses
// the provider's defaults.
func settingCell(s string) string {
	if s == "" {
		return "default"
	}
	return s
}

// cmpNaNLast orders numbers with NaN after every number.
func cmpNaNLast(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// money writes an amount with enough digits for a sub-cent cost per item,
// "-" when unknown.
func money(x float64, currency string) string {
	if math.IsNaN(x) {
		return "-"
	}
	digits := 4
	if x != 0 && math.Abs(x) < 0.01 {
		digits = 6
	}
	return strconv.FormatFloat(x, 'f', digits, 64) + " " + currency
}

// Names and wording of the sweep tables.
const (
	TableCurves   = "curves"
	TableFrontier = "frontier"

	curvesTitle   = "Effort and budget curves"
	curvesBlurb   = "Each model on each benchmark at every setting it was run with, in order of reasoning spent. TRUNC % is the share of scored answers cut off by the token limit before answering; COST/1K is the cost of 1,000 answers at that setting; COST/CORRECT the cost of each correct one."
	frontierTitle = "Cost frontier"
	frontierBlurb = "Accuracy against cost per 1,000 items for every model and setting of a benchmark, cheapest first. PARETO marks the runs no other run matches or beats in accuracy for the same cost or less; the rest cost more for no more accuracy. Costs use the price cards recorded with the runs."
)

var (
	curvesHeader   = []string{"BENCHMARK", "MODEL", "SETTING", "ACC %", "95% CI", "REASON TOK", "TRUNC %", "COST/1K", "COST/CORRECT"}
	frontierHeader = []string{"BENCHMARK", "MODEL", "SETTING", "ACC %", "95% CI", "COST/1K", "COST/CORRECT", "PARETO"}
)

// sweepTables lays out the curves and frontiers.
func sweepTables(lb *Leaderboard) []Table {
	curves := newTable(TableCurves, curvesTitle, curvesBlurb, curvesHeader)
	for _, c := range lb.Curves {
		for _, p := range c.Points {
			reasoning := "-"
			if !math.IsNaN(p.MeanReasoningTokens) {
				reasoning = strconv.FormatFloat(p.MeanReasoningTokens, 'f', 0, 64)
			}
			curves.add([]string{c.Benchmark, c.Model, settingCell(p.Setting), pct(p.Accuracy), interval(p.CILow, p.CIHigh),
				reasoning, pct(p.TruncationRate), money(p.CostPer1K, p.Currency), money(p.CostPerCorrect, p.Currency)}, p.RunID)
		}
	}
	frontier := newTable(TableFrontier, frontierTitle, frontierBlurb, frontierHeader)
	for _, f := range lb.Frontiers {
		for _, p := range f.Points {
			mark := ""
			if p.Optimal {
				mark = "yes"
			}
			frontier.add([]string{f.Benchmark, p.Model, settingCell(p.Setting), pct(p.Accuracy), interval(p.CILow, p.CIHigh),
				money(p.CostPer1K, p.Currency), money(p.CostPerCorrect, p.Currency), mark}, p.RunID)
		}
	}
	var out []Table
	for _, t := range []Table{curves, frontier} {
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// jsonPoint is the JSON form of a Point, null where a figure is unknown.
type jsonPoint struct {
	RunID               int64    `json:"run_id"`
	Model               string   `json:"model"`
	Setting             string   `json:"setting"`
	Accuracy            *float64 `json:"accuracy"`
	CILow               *float64 `json:"ci_low"`
	CIHigh              *float64 `json:"ci_high"`
	Scored              int      `json:"scored"`
	MeanReasoningTokens *float64 `json:"mean_reasoning_tokens"`
	TruncationRate      *float64 `json:"truncation_rate"`
	Cost                *float64 `json:"cost"`
	Currency            string   `json:"currency,omitempty"`
	CostPer1K           *float64 `json:"cost_per_1k_items"`
	CostPerCorrect      *float64 `json:"cost_per_correct"`
	Optimal             bool     `json:"pareto_optimal,omitempty"`
}

// MarshalJSON writes a Point with null for figures that cannot be computed.
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonPoint{p.RunID, p.Model, p.Setting, nullable(p.Accuracy), nullable(p.CILow), nullable(p.CIHigh),
		p.Scored, nullable(p.MeanReasoningTokens), nullable(p.TruncationRate), nullable(p.Cost), p.Currency,
		nullable(p.CostPer1K), nullable(p.CostPerCorrect), p.Optimal})
}
