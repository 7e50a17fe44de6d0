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

// Verdicts of a Comparison. A is always the run with the higher accuracy on
// the shared items, so the only question is whether its lead is significant.
const (
	VerdictAhead = "A ahead"
	VerdictTie   = "tie"
)

// Methods a Comparison can report, so a reader knows how its p-value was made.
const (
	MethodMcNemar       = "McNemar exact"
	MethodSignFlipExact = "sign-flip exact"
	MethodSignFlipMonte = "sign-flip Monte Carlo"
)

// Comparison is a paired comparison of two runs of one benchmark on the items
// both scored. Pairing matters because two models' accuracy intervals
// overlap often even when one is better on the same items: the item's
// difficulty is shared, so the per-item differences vary far less than
// either accuracy does. Float fields that cannot be computed are NaN.
type Comparison struct {
	// Benchmark is the suite with its subject and "(circular)" when
	// CircularEval was on, as in Groups.
	Benchmark string
	// A and B are model ids; A has the higher accuracy on the shared items
	// (the higher-placed row on a tie).
	A, B       string
	RunA, RunB int64
	// SharedItems counts items with at least one scored sample in both
	// runs; Excluded counts items scored in only one of them, which say
	// nothing about the difference and are left out.
	SharedItems, Excluded int
	// AccA and AccB are the accuracies on the shared items only, so they
	// can differ from the rows' accuracies; Diff is AccA - AccB.
	AccA, AccB, Diff float64
	// CILow and CIHigh bound the 95% paired bootstrap interval of Diff,
	// resampling shared items (see PairedBootstrap).
	CILow, CIHigh float64
	// PValue is two-sided: McNemar's exact test when both runs drew one
	// sample per item, else the sign-flip permutation test on per-item
	// accuracy differences. Method names which.
	PValue float64
	Method string
	// Verdict is VerdictAhead when PValue < Significance, else VerdictTie.
	// It follows the test; the interval says how large the gap may be.
	Verdict string
}

// ParityCheck is the comparison parity exists for: the best CN run of a
// benchmark against its best West run (by accuracy, mock rows left out).
// Diff and its interval are CN minus West, so a positive Diff means CN is
// ahead.
type ParityCheck struct {
	Benchmark                string
	CN, West                 string
	CNRun, WestRun           int64
	SharedItems              int
	CNAccuracy, WestAccuracy float64
	Diff, CILow, CIHigh      float64
	PValue                   float64
	// Verdict reads "tied (p=0.41; ...)" or "West ahead by 6.2 points (95%
	// CI 2.1–10.3, p=0.003)", ready to quote.
	Verdict string
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
	tallies []tally
}

// comparisons compares every two rows of the same benchmark that share a
// scored item, in row order within each benchmark.
func comparisons(rows []scoredRow, opt Options) []Comparison {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = benchmark(r.row)
	}
	var out []Comparison
	var a, b, d []float64 // reused between pairs
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if names[i] != names[j] {
				continue
			}
			var c Comparison
			var ok bool
			c, a, b, d, ok = compare(rows[i], rows[j], opt, a, b, d)
			if ok {
				c.Benchmark = names[i]
				out = append(out, c)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Comparison) int { return cmp.Compare(x.Benchmark, y.Benchmark) })
	return out
}

// compare pairs x and y, x being the higher-placed row. The slices are
// scratch buffers handed back for the next pair.
func compare(x, y scoredRow, opt Options, a, b, d []float64) (Comparison, []float64, []float64, []float64, bool) {
	a, b, d = a[:0], b[:0], d[:0]
	tx, ty := x.tallies, y.tallies
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
		return Comparison{}, a, b, d, false
	}
	accX, accY := mean(a), mean(b)
	if accY > accX {
		x, y, a, b, accX, accY = y, x, b, a, accY, accX
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
	c := Comparison{
		A: x.row.Model, B: y.row.Model, RunA: x.row.RunID, RunB: y.row.RunID,
		SharedItems: len(a), Excluded: excluded,
		AccA: accX, AccB: accY, Diff: accX - accY,
	}
	seed := pairSeed(opt.Seed, c.RunA, c.RunB)
	c.CILow, c.CIHigh = PairedBootstrap(d, opt.Bootstrap, seed, 0.95)
	switch {
	case x.row.K == 1 && y.row.K == 1:
		c.Method, c.PValue = MethodMcNemar, McNemar(onlyA, onlyB)
	case onlyA+onlyB <= ExactSignFlipMax:
		c.Method, c.PValue = MethodSignFlipExact, SignFlipTest(d, opt.Permutations, seed)
	default:
		c.Method, c.PValue = MethodSignFlipMonte, SignFlipTest(d, opt.Permutations, seed)
	}
	c.Verdict = VerdictTie
	if c.PValue < Significance && c.Diff > 0 {
		c.Verdict = VerdictAhead
	}
	return c, a, b, d, true
}

// pairSeed derives a pair's seed from both run ids, whichever comes first,
// so a comparison keeps its interval when other runs join the leaderboard.
func pairSeed(seed, run1, run2 int64) int64 {
	lo, hi := min(run1, run2), max(run1, run2)
	return seed ^ (lo * 0x5851F42D4C957F2D) ^ (hi * 0x2545F4914F6CDD1D)
}

// rank sets each row's Rank from the comparisons: 1 plus the number of rows
// significantly ahead of it.
func rank(rows []Row, cs []Comparison) {
	behind := map[int64]int{}
	for _, c := range cs {
		if c.Verdict == VerdictAhead {
			behind[c.RunB]++
		}
	}
	for i := range rows {
		if math.IsNaN(rows[i].Accuracy) {
			rows[i].Rank = 0
			continue
		}
		rows[i].Rank = 1 + behind[rows[i].RunID]
	}
}

// parityChecks finds, for each benchmark with both origins, the best CN and
// the best West row and reads their comparison CN-first.
func parityChecks(rows []Row, cs []Comparison) []ParityCheck {
	type best struct{ cn, west *Row }
	bests := map[string]*best{}
	var order []string
	for i := range rows {
		r := &rows[i]
		if r.Mock || math.IsNaN(r.Accuracy) {
			continue
		}
		name := benchmark(*r)
		b := bests[name]
		if b == nil {
			b = &best{}
			bests[name] = b
			order = append(order, name)
		}
		// Rows come best first within a suite version; across versions
		// the first of equal accuracies stays, as in the table.
		switch {
		case strings.EqualFold(r.Origin, "CN") && (b.cn == nil || r.Accuracy > b.cn.Accuracy):
			b.cn = r
		case strings.EqualFold(r.Origin, "West") && (b.west == nil || r.Accuracy > b.west.Accuracy):
			b.west = r
		}
	}
	slices.Sort(order)
	var out []ParityCheck
	for _, name := range order {
		b := bests[name]
		if b.cn == nil || b.west == nil {
			continue
		}
		p := ParityCheck{
			Benchmark: name, CN: b.cn.Model, West: b.west.Model, CNRun: b.cn.RunID, WestRun: b.west.RunID,
			CNAccuracy: math.NaN(), WestAccuracy: math.NaN(), Diff: math.NaN(),
			CILow: math.NaN(), CIHigh: math.NaN(), PValue: math.NaN(),
			Verdict: "not comparable: no item scored by both runs",
		}
		for _, c := range cs {
			if c.Benchmark != name {
				continue
			}
			switch {
			case c.RunA == p.CNRun && c.RunB == p.WestRun:
				p.CNAccuracy, p.WestAccuracy = c.AccA, c.AccB
				p.Diff, p.CILow, p.CIHigh = c.Diff, c.CILow, c.CIHigh
			case c.RunA == p.WestRun && c.RunB == p.CNRun:
				p.CNAccuracy, p.WestAccuracy = c.AccB, c.AccA
				p.Diff, p.CILow, p.CIHigh = -c.Diff, -c.CIHigh, -c.CILow
			default:
				continue
			}
			p.SharedItems, p.PValue = c.SharedItems, c.PValue
			p.Verdict = parityVerdict(p.Diff, p.CILow, p.CIHigh, p.PValue)
			break
		}
		out = append(out, p)
	}
	return out
}

// parityVerdict words a CN - West difference for people. A tie states its
// interval too, because "tied" with an interval of ±20 points means the
// benchmark was too small to tell, not that the models are on par.
func parityVerdict(diff, lo, hi, p float64) string {
	if p < Significance && diff != 0 {
		leader := "CN"
		if diff < 0 {
			leader, diff, lo, hi = "West", -diff, -hi, -lo
		}
		s := fmt.Sprintf("%s ahead by %s points (", leader, points(diff))
		if ci := ciText(lo, hi); ci != "" {
			s += ci + ", "
		}
		return s + pText(p) + ")"
	}
	s := fmt.Sprintf("tied (%s; CN − West = %s points", pText(p), points(diff))
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
		va, vb := version[c.RunA], version[c.RunB]
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
