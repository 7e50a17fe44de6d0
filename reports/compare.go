package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Significance is the two-sided level below which a paired difference
// counts as real in verdicts, ranks and parity checks.
const Significance = 0.05

// Kinds of Comparison: every paired comparison is one of these, and all
// share one type and one JSON form.
const (
	// KindPair compares two runs of one benchmark; A is the run with the
	// higher accuracy on the shared items.
	KindPair = "pair"
	// KindParity is the best CN run of a benchmark (A) against its best
	// West run (B).
	KindParity = "parity"
	// KindLanguage is one model on aligned items asked in another language
	// (A) and in English (B).
	KindLanguage = "language"
)

// Methods a Comparison can report, so a reader knows how its p-value was made.
const (
	MethodMcNemar       = "McNemar exact"
	MethodSignFlipExact = "sign-flip exact"
	MethodSignFlipMonte = "sign-flip Monte Carlo"
)

// Side is one run of a paired comparison.
type Side struct {
	// Label names the side in verdicts: "A"/"B" for pairs, "CN"/"West"
	// for parity checks, the language ("zh", "en") for language gaps.
	Label string
	Model string
	Run   int64
	// Accuracy is over the shared items only, so it can differ from the
	// run's row.
	Accuracy float64
}

// Comparison is a paired comparison of two runs on the items both scored.
// Pairing matters because two models' accuracy intervals overlap often even
// when one is better on the same items: the item's difficulty is shared, so
// the per-item differences vary far less than either accuracy does. Float
// fields that cannot be computed are NaN.
//
// Parity checks and language gaps are comparisons too, read from a fixed
// side: Diff and its interval are always A minus B.
type Comparison struct {
	Kind string
	// Benchmark is the suite with its subject and "(circular)" when
	// CircularEval was on, as in Groups; for language gaps the suite alone.
	Benchmark string
	A, B      Side
	// SharedItems counts items with at least one scored sample in both
	// runs; Excluded counts items scored in only one of them, which say
	// nothing about the difference and are left out.
	SharedItems, Excluded int
	// Diff is A.Accuracy - B.Accuracy. CILow and CIHigh bound its 95%
	// paired bootstrap interval, resampling shared items (see
	// PairedBootstrap).
	Diff, CILow, CIHigh float64
	// PValue is two-sided: McNemar's exact test when both runs drew one
	// sample per item, else the sign-flip permutation test on per-item
	// accuracy differences. Method names which.
	PValue float64
	Method string
	// Verdict reads "tied (p=0.41; CN − West = 1.2 points, ...)" or "CN
	// behind West by 6.2 points (95% CI 2.1–10.3, p=0.003)", ready to
	// quote.
	Verdict string
}

// Ahead reports whether A is significantly ahead of B: the test, not the
// interval, decides, as in the verdict.
func (c Comparison) Ahead() bool {
	return c.PValue < Significance && c.Diff > 0
}

// swapped reads c from B's side.
func (c Comparison) swapped() Comparison {
	c.A, c.B = c.B, c.A
	c.Diff, c.CILow, c.CIHigh = -c.Diff, -c.CIHigh, -c.CILow
	return c
}

// from returns c read with run as its A side.
func (c Comparison) from(run int64) Comparison {
	if c.A.Run == run {
		return c
	}
	return c.swapped()
}

// labelled names both sides, sets the kind and words the verdict.
func (c Comparison) labelled(kind, a, b string) Comparison {
	c.Kind, c.A.Label, c.B.Label = kind, a, b
	c.Verdict = verdict(c)
	return c
}

// tally is one item's scored and correct sample counts in one run, kept as
// integers in item-id order so that two runs pair up by a merge, with no
// map in the loop.
type tally struct {
	id              string
	pair            string // the item's Pair, for language gaps
	scored, correct int32
}

// scoredRow carries a row's per-item tallies until the comparisons are made.
type scoredRow struct {
	row     Row
	tallies *tallyList
}

// items gives the row's tallies; a failure to read them back is kept in
// the cache, for build to return, and the row compares as if it had none.
func (r scoredRow) items() []tally {
	ts, err := r.tallies.get()
	if err != nil && r.tallies.cache != nil && r.tallies.cache.err == nil {
		r.tallies.cache.err = err
	}
	return ts
}

// comparisons compares every two rows of the same benchmark that share a
// scored item, in row order within each benchmark.
func comparisons(rows []scoredRow, opt Options) []Comparison {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.row.Benchmark()
	}
	var out []Comparison
	var buf pairBuffers
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if names[i] != names[j] {
				continue
			}
			c, _, ok := compare(rows[i], rows[j], opt, &buf)
			if !ok {
				continue
			}
			c.Benchmark = names[i]
			out = append(out, c.labelled(KindPair, "A", "B"))
		}
	}
	slices.SortStableFunc(out, func(x, y Comparison) int { return cmp.Compare(x.Benchmark, y.Benchmark) })
	return out
}

// pairBuffers are scratch slices reused from one pair to the next.
type pairBuffers struct{ a, b, d []float64 }

// compare pairs x and y on the items both scored. Side A is the one with
// the higher accuracy on them (x on a tie), so that a pair's interval is
// drawn the same way whichever side a caller reads it from; swapped says
// that A is y. (Run ids cannot say: the subject rows of one run share it.)
func compare(x, y scoredRow, opt Options, buf *pairBuffers) (c Comparison, swapped, ok bool) {
	a, b, d := buf.a[:0], buf.b[:0], buf.d[:0]
	defer func() { buf.a, buf.b, buf.d = a, b, d }()
	tx, ty := x.items(), y.items()
	excluded := 0
	for i, j := 0, 0; i < len(tx) || j < len(ty); {
		switch {
		case j == len(ty) || (i < len(tx) && tx[i].id < ty[j].id):
			excluded++
			i++
		case i == len(tx) || ty[j].id < tx[i].id:
			excluded++
			j++
		default:
			a = append(a, float64(tx[i].correct)/float64(tx[i].scored))
			b = append(b, float64(ty[j].correct)/float64(ty[j].scored))
			i++
			j++
		}
	}
	if len(a) == 0 {
		return Comparison{}, false, false
	}
	accX, accY := mean(a), mean(b)
	if accY > accX {
		x, y, a, b, accX, accY = y, x, b, a, accY, accX
		swapped = true
	}
	onlyA, onlyB := 0, 0
	for k := range a {
		diff := a[k] - b[k]
		d = append(d, diff)
		switch {
		case diff > 0:
			onlyA++
		case diff < 0:
			onlyB++
		}
	}
	c = Comparison{
		A:           Side{Model: x.row.Model, Run: x.row.RunID, Accuracy: accX},
		B:           Side{Model: y.row.Model, Run: y.row.RunID, Accuracy: accY},
		SharedItems: len(a), Excluded: excluded, Diff: accX - accY,
	}
	seed := pairSeed(opt.Seed, c.A.Run, c.B.Run)
	c.CILow, c.CIHigh = PairedBootstrap(d, opt.Bootstrap, seed, 0.95)
	switch {
	case x.row.K == 1 && y.row.K == 1:
		c.Method, c.PValue = MethodMcNemar, McNemar(onlyA, onlyB)
	case onlyA+onlyB <= ExactSignFlipMax:
		c.Method, c.PValue = MethodSignFlipExact, SignFlipTest(d, opt.Permutations, seed)
	default:
		c.Method, c.PValue = MethodSignFlipMonte, SignFlipTest(d, opt.Permutations, seed)
	}
	return c, swapped, true
}

// pairSeed derives a pair's seed from both run ids, whichever comes first,
// so a comparison keeps its interval when other runs join the leaderboard
// and whichever side it is read from.
func pairSeed(seed, run1, run2 int64) int64 {
	lo, hi := min(run1, run2), max(run1, run2)
	return seed ^ (lo * 0x5851F42D4C957F2D) ^ (hi * 0x2545F4914F6CDD1D)
}

// rank sets each row's Rank from the comparisons: 1 plus the number of rows
// significantly ahead of it.
// A run split by subject has a row per subject, so rows are told apart by
// benchmark and run.
func rank(rows []Row, cs []Comparison) {
	type key struct {
		benchmark string
		run       int64
	}
	behind := map[key]int{}
	for _, c := range cs {
		if c.Ahead() {
			behind[key{c.Benchmark, c.B.Run}]++
		}
	}
	for i := range rows {
		if math.IsNaN(rows[i].Accuracy) {
			rows[i].Rank = 0
			continue
		}
		rows[i].Rank = 1 + behind[key{rows[i].Benchmark(), rows[i].RunID}]
	}
}

// parityChecks finds, for each benchmark with both origins, the best CN and
// the best West row and reads their comparison CN-first. Mock rows never
// stand in for a real model; where a benchmark has no real CN and West
// pair, the offline demo's mock-cn and mock-west rows make one, labelled
// mock.
func parityChecks(rows []Row, cs []Comparison) []Comparison {
	type best struct{ cn, west, mockCN, mockWest *Row }
	bests := map[string]*best{}
	var order []string
	better := func(cur *Row, r *Row) bool { return cur == nil || r.Accuracy > cur.Accuracy }
	for i := range rows {
		r := &rows[i]
		// A probe's higher score means more memorised, not better: it
		// has no parity check (see probeTables).
		if math.IsNaN(r.Accuracy) || r.Probe() {
			continue
		}
		name := r.Benchmark()
		b := bests[name]
		if b == nil {
			b = &best{}
			bests[name] = b
			order = append(order, name)
		}
		// Rows come best first within a suite version; across versions
		// the first of equal accuracies stays, as in the table.
		switch origin := r.Origin; {
		case r.Mock:
			switch demoOrigin(*r) {
			case "CN":
				if better(b.mockCN, r) {
					b.mockCN = r
				}
			case "West":
				if better(b.mockWest, r) {
					b.mockWest = r
				}
			}
		case strings.EqualFold(origin, "CN") && better(b.cn, r):
			b.cn = r
		case strings.EqualFold(origin, "West") && better(b.west, r):
			b.west = r
		}
	}
	slices.Sort(order)
	var out []Comparison
	for _, name := range order {
		b := bests[name]
		cn, west, labelCN, labelWest := b.cn, b.west, "CN", "West"
		if cn == nil || west == nil {
			cn, west, labelCN, labelWest = b.mockCN, b.mockWest, "CN (mock)", "West (mock)"
		}
		if cn == nil || west == nil {
			continue
		}
		i := slices.IndexFunc(cs, func(c Comparison) bool {
			return c.Benchmark == name && (c.A.Run == cn.RunID && c.B.Run == west.RunID ||
				c.A.Run == west.RunID && c.B.Run == cn.RunID)
		})
		if i < 0 {
			nan := math.NaN()
			out = append(out, Comparison{
				Kind: KindParity, Benchmark: name,
				A:    Side{Label: labelCN, Model: cn.Model, Run: cn.RunID, Accuracy: nan},
				B:    Side{Label: labelWest, Model: west.Model, Run: west.RunID, Accuracy: nan},
				Diff: nan, CILow: nan, CIHigh: nan, PValue: nan,
				Verdict: "not comparable: no item scored by both runs",
			})
			continue
		}
		out = append(out, cs[i].from(cn.RunID).labelled(KindParity, labelCN, labelWest))
	}
	return out
}

// demoOrigin is the side a mock row stands in for in the offline demo: the
// catalog's mock-cn and mock-west providers, "" for any other mock.
func demoOrigin(r Row) string {
	switch r.Provider {
	case "mock-cn":
		return "CN"
	case "mock-west":
		return "West"
	}
	return ""
}

// verdict words an A − B difference for people. A tie states its interval
// too, because "tied" with an interval of ±20 points means the benchmark
// was too small to tell, not that the two are on par.
func verdict(c Comparison) string {
	diff, lo, hi := c.Diff, c.CILow, c.CIHigh
	if c.PValue < Significance && diff != 0 {
		word := "ahead of"
		if diff < 0 {
			word, diff, lo, hi = "behind", -diff, -hi, -lo
		}
		s := fmt.Sprintf("%s %s %s by %s points (", c.A.Label, word, c.B.Label, points(diff))
		if ci := ciText(lo, hi); ci != "" {
			s += ci + ", "
		}
		return s + pText(c.PValue) + ")"
	}
	s := fmt.Sprintf("tied (%s; %s − %s = %s points", pText(c.PValue), c.A.Label, c.B.Label, points(diff))
	if ci := ciText(lo, hi); ci != "" {
		s += ", " + ci
	}
	return s + ")"
}

// ciText writes an interval in points with an en dash between non-negative
// bounds ("2.1–10.3") and "to" otherwise, where a dash would read as minus.
func ciText(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return ""
	}
	sep := "–"
	if lo < 0 {
		sep = " to "
	}
	return "95% CI " + points(lo) + sep + points(hi)
}

// points writes a share as percentage points with one decimal, without a
// negative zero.
func points(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	s := strconv.FormatFloat(x*100, 'f', 1, 64)
	if s == "-0.0" {
		return "0.0"
	}
	return s
}

// pText writes a p-value with the precision a reader needs: two decimals
// where it is far from the threshold, three below 0.01, and a bound below
// 0.001.
func pText(p float64) string {
	switch {
	case math.IsNaN(p):
		return "p=-"
	case p < 0.001:
		return "p<0.001"
	case p < 0.01:
		return "p=" + strconv.FormatFloat(p, 'f', 3, 64)
	}
	return "p=" + strconv.FormatFloat(p, 'f', 2, 64)
}

// comparisonNotes are the caveats of the paired statistics.
func comparisonNotes(rows []Row, cs []Comparison) []string {
	var out []string
	// One pair per benchmark is a single test; the caveat starts at two.
	pairs := map[string]int{}
	for _, c := range cs {
		pairs[c.Benchmark]++
	}
	if slices.ContainsFunc(sortedKeys(pairs), func(b string) bool { return pairs[b] > 1 }) {
		out = append(out, "p-values are not corrected for multiple comparisons: a benchmark with m runs has m(m-1)/2 pairs, so about one truly tied pair in twenty shows as ahead by chance and ranks can split a tie; the parity check is one pair fixed in advance per benchmark and needs no correction")
	}
	excluded := 0
	for _, c := range cs {
		if c.Excluded > 0 {
			excluded++
		}
	}
	if excluded > 0 {
		out = append(out, fmt.Sprintf("%d paired comparison(s) leave out items scored by only one of the two runs (EXCLUDED column): their accuracies and differences are over the shared items only", excluded))
	}
	version := map[int64]string{}
	for _, r := range rows {
		version[r.RunID] = r.SuiteVersion
	}
	spans := map[string]map[string]bool{}
	for _, c := range cs {
		va, vb := version[c.A.Run], version[c.B.Run]
		if va == vb {
			continue
		}
		if spans[c.Benchmark] == nil {
			spans[c.Benchmark] = map[string]bool{}
		}
		spans[c.Benchmark][va], spans[c.Benchmark][vb] = true, true
	}
	for _, name := range sortedKeys(spans) {
		out = append(out, fmt.Sprintf("%s: runs on suite versions %s are compared on the item ids they share; if a version changed a prompt or the scoring, those comparisons are not like for like", name, strings.Join(sortedKeys(spans[name]), ", ")))
	}
	return out
}
