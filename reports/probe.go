package reports

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Probe reports whether the row is a contamination probe (its suite's kind
// starts with "probe-", as the suites package names them).
func (r Row) Probe() bool { return strings.HasPrefix(r.Kind, "probe-") }

// TokenOverlap is how much of want got reproduces in order: the F1 of the
// longest common subsequence of their tokens (ROUGE-L), 1 for an exact
// copy, 0 for nothing in common. Tokens are lowercased words, and single
// characters of Chinese, Japanese and Korean text, which has no spaces.
func TokenOverlap(got, want string) float64 {
	a, b := overlapTokens(got), overlapTokens(want)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	// One row of the LCS table at a time.
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	lcs := float64(prev[len(b)])
	if lcs == 0 {
		return 0
	}
	p, r := lcs/float64(len(a)), lcs/float64(len(b))
	return 2 * p * r / (p + r)
}

func overlapTokens(s string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// ProbeResult is one model's run of one probe benchmark, beside the
// reference: the mock's run of the same probe, a model that cannot have
// seen the data. Fields about the reference are NaN when there is none.
type ProbeResult struct {
	Benchmark string `json:"benchmark"`
	Kind      string `json:"kind"`
	RunID     int64  `json:"run_id"`
	Model     string `json:"model"`
	Reference bool   `json:"reference"`
	Items     int    `json:"items"`
	// Exact is the share of exact reproductions with its 95% interval;
	// Overlap the mean token overlap.
	Exact, CILow, CIHigh, Overlap float64 `json:"-"`
	// AboveRef is Exact minus the reference's on the items both scored,
	// with the paired test's p-value.
	AboveRef, PValue float64 `json:"-"`
}

// MarshalJSON writes a ProbeResult with null for unknown figures.
func (p ProbeResult) MarshalJSON() ([]byte, error) {
	type plain ProbeResult
	return json.Marshal(struct {
		plain
		Exact    *float64 `json:"exact_match"`
		CILow    *float64 `json:"ci_low"`
		CIHigh   *float64 `json:"ci_high"`
		Overlap  *float64 `json:"token_overlap"`
		AboveRef *float64 `json:"above_reference"`
		PValue   *float64 `json:"p_value"`
	}{plain(p), nullable(p.Exact), nullable(p.CILow), nullable(p.CIHigh), nullable(p.Overlap), nullable(p.AboveRef), nullable(p.PValue)})
}

// ProbeReference is the model run beside every probe as its reference:
// the plain offline mock. A mock variant probed on purpose (mock/oracle-90)
// is a model under test, not a second reference.
const ProbeReference = "mock/oracle"

// probes lists the probe rows of each probe benchmark, the reference first.
// The reference of a probe is its ProbeReference run, else its first mock
// run.
func probes(rows []Row, cs []Comparison) []ProbeResult {
	var out []ProbeResult
	refs := map[string]int64{}
	for _, plainMock := range []bool{true, false} {
		for _, r := range rows {
			if _, ok := refs[r.SuiteLabel()]; !ok && r.Probe() && r.Mock && (!plainMock || r.Model == ProbeReference) {
				refs[r.SuiteLabel()] = r.RunID
			}
		}
	}
	for _, r := range rows {
		if !r.Probe() {
			continue
		}
		p := ProbeResult{Benchmark: r.SuiteLabel(), Kind: strings.TrimPrefix(r.Kind, "probe-"), RunID: r.RunID, Model: r.ModelLabel(),
			Reference: refs[r.SuiteLabel()] == r.RunID, Items: r.Items, Exact: r.Accuracy, CILow: r.CILow, CIHigh: r.CIHigh, Overlap: r.Overlap,
			AboveRef: math.NaN(), PValue: math.NaN()}
		if ref, ok := refs[r.SuiteLabel()]; ok && ref != r.RunID {
			if i := slices.IndexFunc(cs, func(c Comparison) bool {
				return c.A.Run == r.RunID && c.B.Run == ref || c.A.Run == ref && c.B.Run == r.RunID
			}); i >= 0 {
				c := cs[i].from(r.RunID)
				p.AboveRef, p.PValue = c.Diff, c.PValue
			}
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b ProbeResult) int {
		if c := strings.Compare(a.Benchmark, b.Benchmark); c != 0 {
			return c
		}
		switch {
		case a.Reference != b.Reference && a.Reference:
			return -1
		case a.Reference != b.Reference:
			return 1
		}
		return 0
	})
	return out
}

// Cutoff is a pair of benchmarks of one kind split by date: a model
// trained after Before was written but before After may have seen the
// first and cannot have seen the second.
type Cutoff struct {
	Before, After string // suite names
	Note          string
}

// DefaultCutoffs are the built-in pairs.
var DefaultCutoffs = []Cutoff{
	{Before: "aime24", After: "aime25", Note: "AIME 2024 (February 2024) against AIME 2025 (February 2025)"},
}

// CutoffDrop is one model's accuracy on the benchmark before a cutoff and
// on the one after, and the drop between them: a drop much larger than
// the other models' suggests the earlier benchmark was in its training
// data (or that the later one is harder for it; see docs/measures.md).
type CutoffDrop struct {
	Before, After       string  `json:"-"`
	Model               string  `json:"model"`
	BeforeRun           int64   `json:"before_run"`
	AfterRun            int64   `json:"after_run"`
	BeforeAcc, AfterAcc float64 `json:"-"`
	// Drop is BeforeAcc − AfterAcc, with the 95% interval of the
	// difference of two independent proportions (Newcombe's method from
	// each run's interval).
	Drop, CILow, CIHigh float64 `json:"-"`
	// OthersDrop is the median drop of the other models on the same pair;
	// Excess is Drop − OthersDrop. NaN when no other model ran both.
	OthersDrop, Excess float64 `json:"-"`
}

// MarshalJSON writes a CutoffDrop with null for unknown figures.
func (d CutoffDrop) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Before     string   `json:"before"`
		After      string   `json:"after"`
		Model      string   `json:"model"`
		BeforeRun  int64    `json:"before_run"`
		AfterRun   int64    `json:"after_run"`
		BeforeAcc  *float64 `json:"before_accuracy"`
		AfterAcc   *float64 `json:"after_accuracy"`
		Drop       *float64 `json:"drop"`
		CILow      *float64 `json:"ci_low"`
		CIHigh     *float64 `json:"ci_high"`
		OthersDrop *float64 `json:"others_median_drop"`
		Excess     *float64 `json:"excess_drop"`
	}{d.Before, d.After, d.Model, d.BeforeRun, d.AfterRun, nullable(d.BeforeAcc), nullable(d.AfterAcc), nullable(d.Drop),
		nullable(d.CILow), nullable(d.CIHigh), nullable(d.OthersDrop), nullable(d.Excess)})
}

// cutoffs pairs each model's rows on the two sides of each cutoff (the
// same setting on both sides; the leaderboard's first row of each).
func cutoffs(rows []Row, opt Options) []CutoffDrop {
	pairs := opt.Cutoffs
	if pairs == nil {
		pairs = DefaultCutoffs
	}
	var out []CutoffDrop
	for _, c := range pairs {
		type key struct{ model, setting string }
		before, after := map[key]Row{}, map[key]Row{}
		var order []key
		for _, r := range rows {
			// The mock has no cutoff to measure.
			if r.Mock || r.Subject != "" || r.CircularItems > 0 || math.IsNaN(r.Accuracy) {
				continue
			}
			k := key{r.ModelLabel(), r.Setting}
			switch r.Suite {
			case c.Before:
				if _, ok := before[k]; !ok {
					before[k] = r
					order = append(order, k)
				}
			case c.After:
				if _, ok := after[k]; !ok {
					after[k] = r
				}
			}
		}
		var drops []CutoffDrop
		for _, k := range order {
			b, okB := before[k]
			a, okA := after[k]
			if !okB || !okA {
				continue
			}
			d := CutoffDrop{Before: c.Before, After: c.After, Model: k.model, BeforeRun: b.RunID, AfterRun: a.RunID,
				BeforeAcc: b.Accuracy, AfterAcc: a.Accuracy, Drop: b.Accuracy - a.Accuracy}
			if k.setting != "" {
				d.Model += " (" + k.setting + ")"
			}
			// Newcombe: combine each side's distance to its own bounds.
			d.CILow = d.Drop - math.Hypot(b.Accuracy-b.CILow, a.CIHigh-a.Accuracy)
			d.CIHigh = d.Drop + math.Hypot(b.CIHigh-b.Accuracy, a.Accuracy-a.CILow)
			drops = append(drops, d)
		}
		for i := range drops {
			var others []float64
			for j, o := range drops {
				if j != i {
					others = append(others, o.Drop)
				}
			}
			drops[i].OthersDrop, drops[i].Excess = math.NaN(), math.NaN()
			if len(others) > 0 {
				drops[i].OthersDrop = median(others)
				drops[i].Excess = drops[i].Drop - drops[i].OthersDrop
			}
		}
		out = append(out, drops...)
	}
	return out
}

// Names and wording of the probe tables.
const (
	TableProbes  = "probes"
	TableCutoffs = "cutoffs"

	probesTitle  = "Contamination probes"
	probesBlurb  = "EXACT % is the share of items whose hidden benchmark text the model wrote exactly (guess: a masked wrong option; complete: the second half of a problem), with its 95% CI; OVERLAP % the mean token overlap (LCS F1) of what it wrote. The reference row is the offline mock, which has seen nothing. Evidence of memorisation, not proof: see docs/measures.md."
	cutoffsTitle = "Before and after a cutoff"
	cutoffsBlurb = "Each model's accuracy on a benchmark written before its likely training cutoff and one written after, and the drop in points with its 95% CI, beside the median drop of the other models. A drop well beyond the others' suggests the earlier benchmark was seen in training; the later one may also simply be harder."
)

var (
	probesHeader  = []string{"PROBE", "MODEL", "ITEMS", "EXACT %", "95% CI", "OVERLAP %", "VS REF", "P"}
	cutoffsHeader = []string{"BEFORE", "AFTER", "MODEL", "BEFORE %", "AFTER %", "DROP", "95% CI", "OTHERS' DROP", "EXCESS"}
)

// probeTables lays out the probes and cutoff drops.
func probeTables(lb *Leaderboard) []Table {
	pt := newTable(TableProbes, probesTitle, probesBlurb, probesHeader)
	for _, p := range lb.Probes {
		model := p.Model
		if p.Reference {
			model += " (reference)"
		}
		p2 := "-"
		if !math.IsNaN(p.PValue) {
			p2 = strings.TrimPrefix(pText(p.PValue), "p=")
		}
		pt.add([]string{p.Benchmark, model, strconv.Itoa(p.Items), pct(p.Exact), interval(p.CILow, p.CIHigh), pct(p.Overlap),
			points(p.AboveRef), p2}, p.RunID)
	}
	pt.Links[slices.Index(probesHeader, "EXACT %")] = LinkRunA
	ct := newTable(TableCutoffs, cutoffsTitle, cutoffsBlurb, cutoffsHeader)
	// Each side's accuracy opens its run.
	ct.Links[slices.Index(cutoffsHeader, "BEFORE %")] = LinkRunA
	ct.Links[slices.Index(cutoffsHeader, "AFTER %")] = LinkRunB
	for _, d := range lb.Cutoffs {
		ct.add([]string{d.Before, d.After, d.Model, pct(d.BeforeAcc), pct(d.AfterAcc), points(d.Drop), interval(d.CILow, d.CIHigh),
			points(d.OthersDrop), points(d.Excess)}, d.BeforeRun, d.AfterRun)
	}
	var out []Table
	for _, t := range []Table{pt, ct} {
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}
