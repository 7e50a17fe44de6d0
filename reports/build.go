// Package reports turns stored runs into a leaderboard: one row per run with
// accuracy, confidence intervals, pass@k, majority vote, outcome counts,
// tokens, latency and cost, a summary per model origin, paired comparisons
// of the runs of each benchmark on the items they share (with tie-band ranks
// and a CN-versus-West parity check), effort and budget curves with a cost
// frontier, contamination probes beside their reference and cutoff drops,
// and the notes a reader needs to interpret the numbers. Renderers write it
// as text, Markdown, CSV or JSON; the HTML page and snapshot sites are the
// child package reports/site. Canary compares a drift canary's check with
// its baseline.
package reports

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// Input is one run with its samples, loaded without raw bodies or messages:
// the leaderboard needs only outcomes, extracted answers, usage, latency and
// cost.
type Input struct {
	Run     parity.Run
	Samples []parity.Sample
}

// Options tune how a leaderboard is built. The zero value is usable.
type Options struct {
	// Now stamps the leaderboard; injected so reports are reproducible in
	// tests. Nil means time.Now.
	Now func() time.Time
	// Currency, when set, asks for every row's cost to be converted into it
	// as well, using Rates.
	Currency string
	// Rates converts costs. A key "CNY->USD" is the number of USD one CNY
	// buys; a bare key "CNY" is the rate from CNY to Currency. The inverse
	// pair ("USD->CNY") is used when the direct one is missing.
	Rates map[string]float64
	// RatesDate is the date the rates were read, shown beside converted
	// costs because exchange rates drift.
	RatesDate string
	// Bootstrap is the number of cluster-bootstrap resamples for runs with
	// several samples per item; zero means DefaultBootstrap.
	Bootstrap int
	// Seed seeds the bootstrap so the same runs always give the same
	// intervals.
	Seed int64
	// Permutations is the number of random sign assignments of the paired
	// permutation test when two runs differ on more than ExactSignFlipMax
	// items; zero means DefaultPermutations.
	Permutations int
	// Cutoffs are the benchmark pairs whose accuracy drop is reported (see
	// Leaderboard.Cutoffs); nil means DefaultCutoffs.
	Cutoffs []Cutoff
	// Canonical names the open-weight model a catalog model id serves
	// (deepseek-ai/DeepSeek-R1 for together/deepseek-ai/DeepSeek-R1) and
	// whether the id is on the maker's own API, so runs of one model on
	// several hosts can be paired; nil leaves HostGaps empty.
	Canonical func(modelID string) (canonical string, makerAPI bool)
}

// Leaderboard is the report model every renderer writes.
type Leaderboard struct {
	GeneratedAt time.Time
	// Rows are ordered by suite, then accuracy (best first), then model.
	Rows []Row
	// Groups summarise rows by suite and model origin.
	Groups []Group
	// Comparisons are the paired comparisons of every two rows of a
	// benchmark that scored at least one item in common, in row order.
	Comparisons []Comparison
	// ParityChecks pit the best CN row of each benchmark against its best
	// West row, the comparison parity exists to make.
	ParityChecks []Comparison
	// HostGaps pair each host of an open model with the maker's own API
	// (or the best host) on shared items: "same model, different hosts".
	HostGaps []Comparison
	// LanguageGaps compare each model on aligned items asked in English and
	// in another language (mgsm:en against mgsm:zh, say).
	LanguageGaps []Comparison
	// Curves follow each model on each benchmark across the settings it
	// was run at (parity run --sweep): accuracy, reasoning tokens,
	// truncation and cost per setting.
	Curves []Curve
	// Frontiers plot accuracy against cost for every model and setting of
	// a benchmark, with the Pareto-optimal runs marked.
	Frontiers []Frontier
	// Probes are the contamination probe rows of each probe benchmark with
	// the mock's reference row, and Cutoffs each model's accuracy drop
	// from a benchmark before its training cutoff to one after.
	Probes  []ProbeResult
	Cutoffs []CutoffDrop
	// Notes are caveats a reader must see next to the numbers.
	Notes []string
}

// Row is one run: one model answering one suite with fixed parameters.
// Float fields that cannot be computed (no scored sample, K == 1 for MajAtK,
// no judge verdict for JudgeAccuracy) are NaN.
type Row struct {
	RunID         int64
	Model         string // catalog id, "provider/model"
	ModelReported string // what the API said it ran, when known
	// Substituted marks a row whose API reported another model than the one
	// asked for (beyond a dated suffix): the scores are that model's.
	Substituted bool
	// Canonical is the open-weight model the row's model id serves, when
	// known (Options.Canonical); MakerAPI says the provider is the
	// model's maker rather than a host.
	Canonical string
	MakerAPI  bool
	Provider  string
	Origin    string
	// Mock marks rows answered by the offline mock provider, so nobody
	// mistakes a pipeline demo for a model's score.
	Mock         bool
	Suite        string
	SuiteVersion string
	// Subject is the subset the run was limited to (mgsm:zh, mmlu:anatomy),
	// empty for the whole suite.
	Subject       string
	Language      string
	NonCommercial bool
	Status        string

	// Rank is 1 plus the number of rows of the same benchmark whose
	// accuracy is significantly higher on the items both scored (paired
	// test, p < 0.05). Rows of equal rank are statistically tied, which the
	// accuracy order alone would hide; 0 means unranked (nothing scored).
	Rank int

	// Items counts distinct items with at least one sample, Samples all
	// samples, Target the samples a complete run has, K the largest number
	// of samples drawn for one item.
	Items, Samples, Target, K int
	// Scored counts samples whose outcome is not "error".
	Scored int

	// Accuracy is pass@1: the mean over items of each item's share of
	// correct scored samples. CILow and CIHigh bound its 95% interval: the
	// Wilson interval when K == 1 (or a single item was scored), else a
	// cluster bootstrap over items (see ClusterBootstrap), because samples
	// of one item are not independent.
	Accuracy, CILow, CIHigh float64
	Outcomes                map[parity.Outcome]int

	// PassAtK holds the unbiased pass@k for k = 1..KMax, KMax being the
	// fewest scored samples any item has.
	PassAtK map[int]float64
	KMax    int
	// MajAtK is the share of items whose most frequent extracted answer is
	// correct (NaN when K == 1).
	MajAtK float64

	// CircularItems counts the original items of a CircularEval run (items
	// asked once per rotation of their options), and CircularAccuracy is
	// the share of them answered correctly in every rotation, averaged over
	// sample indices; NaN for runs without rotations. Accuracy of the same
	// row is the plain per-rotation score, so the gap between the two
	// measures position bias.
	CircularItems    int
	CircularAccuracy float64

	// Means are over scored samples, because a failed request reports no
	// usage and would drag the mean towards zero.
	MeanPromptTokens, MeanCompletionTokens, MeanReasoningTokens float64
	// LatencyP50 and LatencyP95 are nearest-rank percentiles over scored
	// samples.
	LatencyP50, LatencyP95 time.Duration

	// Cost is the total in Currency, the currency of the run's price card.
	Cost      float64
	Currency  string
	PriceAsOf string
	// CostConverted is Cost in ConvertedCurrency; ConvertedCurrency is
	// empty when no conversion was asked for or no rate was known.
	CostConverted     float64
	ConvertedCurrency string

	// Scorers lists the distinct "name@version" graders of the samples.
	Scorers []string
	// Thinking summarises the reasoning switches the run asked for.
	Thinking string
	// Setting names the settings an effort or budget sweep varies
	// (parity.Params.Setting), which tell the points of a curve apart.
	Setting string
	// Kind is the suite's answer kind; "probe-guess" and "probe-complete"
	// mark contamination probes, whose accuracy is the share of benchmark
	// text reproduced exactly and whose Overlap is the mean token overlap
	// (LCS F1) of what the model wrote with that text. Overlap is NaN for
	// other rows.
	Kind    string
	Overlap float64

	// JudgeChecked counts scored samples an LLM judge also graded, and
	// JudgeOverturned those where it disagreed with the rule scorer on
	// correctness. JudgeAccuracy is Accuracy with the judge's verdict taken
	// where there is one.
	JudgeChecked, JudgeOverturned int
	JudgeAccuracy                 float64
}

// Group is the mean accuracy of the models of one origin on one suite. Each
// model weighs the same, whatever number of runs it has.
type Group struct {
	Suite        string
	Origin       string
	Models       int
	MeanAccuracy float64
}

// Build computes the leaderboard of the given runs. It fails on samples that
// belong to another run, carry an unknown outcome or repeat a key, because a
// table built from such data would be silently wrong.
func Build(in []Input, opt Options) (*Leaderboard, error) {
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	accs := make([]*Accumulator, 0, len(in))
	for _, x := range in {
		// Fold samples in key order, whatever order the caller gave them
		// in, so floating-point sums and the bootstrap come out identical
		// on every build, and duplicates sit next to each other.
		sorted := make([]*parity.Sample, len(x.Samples))
		for i := range x.Samples {
			sorted[i] = &x.Samples[i]
		}
		slices.SortFunc(sorted, func(a, b *parity.Sample) int {
			return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Index, b.Index))
		})
		acc := NewAccumulator(x.Run)
		for _, s := range sorted {
			if err := acc.Add(s); err != nil {
				return nil, fmt.Errorf("run %d: %w", x.Run.ID, err)
			}
		}
		accs = append(accs, acc)
	}
	return build(accs, opt, now)
}

// BuildFrom computes the leaderboard of runs whose samples were already
// folded into accumulators, one per run: the streaming form of Build, for
// callers that read samples from a store one at a time.
func BuildFrom(accs []*Accumulator, opt Options) (*Leaderboard, error) {
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	return build(accs, opt, now)
}

func build(accs []*Accumulator, opt Options, now func() time.Time) (*Leaderboard, error) {
	lb := &Leaderboard{GeneratedAt: now().UTC()}
	built := make([]scoredRow, 0, len(accs))
	// Spilled tallies are read back for the comparisons, a few runs at a
	// time, and their scratch files removed at the end.
	cache := &tallyCache{max: 2}
	defer func() {
		for _, acc := range accs {
			acc.tallies.release()
		}
	}()
	for _, acc := range accs {
		row, tallies, err := acc.finish(opt)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", acc.run.ID, err)
		}
		tallies.cache = cache
		if opt.Canonical != nil {
			row.Canonical, row.MakerAPI = opt.Canonical(row.Model)
		}
		built = append(built, scoredRow{row, tallies})
	}
	slices.SortStableFunc(built, func(a, b scoredRow) int { return compareRows(a.row, b.row) })
	for _, b := range built {
		lb.Rows = append(lb.Rows, b.row)
	}
	lb.Comparisons = comparisons(built, opt)
	rank(lb.Rows, lb.Comparisons)
	lb.ParityChecks = parityChecks(lb.Rows, lb.Comparisons)
	lb.LanguageGaps = languageGaps(built, opt)
	lb.HostGaps = hostGaps(built, opt)
	lb.Groups = groups(lb.Rows)
	lb.Curves = curves(lb.Rows)
	lb.Frontiers = frontiers(lb.Rows)
	lb.Probes = probes(lb.Rows, lb.Comparisons)
	lb.Cutoffs = cutoffs(lb.Rows, opt)
	lb.Notes = notes(lb.Rows, opt)
	lb.Notes = append(lb.Notes, comparisonNotes(lb.Rows, lb.Comparisons)...)
	if cache.err != nil {
		return nil, cache.err
	}
	return lb, nil
}

// checkOptions refuses negative counts and fills in the defaults.
func checkOptions(opt *Options) error {
	if opt.Bootstrap < 0 {
		return fmt.Errorf("build leaderboard: bootstrap resamples %d: must not be negative", opt.Bootstrap)
	}
	if opt.Bootstrap == 0 {
		opt.Bootstrap = DefaultBootstrap
	}
	if opt.Permutations < 0 {
		return fmt.Errorf("build leaderboard: permutations %d: must not be negative", opt.Permutations)
	}
	if opt.Permutations == 0 {
		opt.Permutations = DefaultPermutations
	}
	return nil
}

// compareRows orders by suite, then accuracy with NaN last, then model.
func compareRows(a, b Row) int {
	if c := cmp.Or(cmp.Compare(a.Suite, b.Suite), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.SuiteVersion, b.SuiteVersion)); c != 0 {
		return c
	}
	an, bn := math.IsNaN(a.Accuracy), math.IsNaN(b.Accuracy)
	switch {
	case an && !bn:
		return 1
	case bn && !an:
		return -1
	case !an && a.Accuracy != b.Accuracy:
		return cmp.Compare(b.Accuracy, a.Accuracy)
	}
	return cmp.Or(cmp.Compare(a.Model, b.Model), cmp.Compare(a.RunID, b.RunID))
}

// majority reports whether the most frequent extracted answer among votes is
// correct. Ties go to the answer first given (lowest sample index), then to
// the smaller string, so the verdict never depends on storage order. The
// winning answer counts as correct when most of its samples were graded
// correct; they normally all agree, and differ only when the samples were
// scored by different scorer versions.
func majority(votes []vote) bool {
	if len(votes) == 0 {
		return false
	}
	type tally struct {
		count, correct, first int
	}
	t := map[string]*tally{}
	for _, v := range votes {
		e := t[v.answer]
		if e == nil {
			e = &tally{first: v.index}
			t[v.answer] = e
		}
		e.count++
		e.first = min(e.first, v.index)
		if v.correct {
			e.correct++
		}
	}
	var top *tally
	for _, a := range sortedKeys(t) {
		e := t[a]
		if top == nil || e.count > top.count || (e.count == top.count && e.first < top.first) {
			top = e
		}
	}
	return 2*top.correct > top.count
}

// normaliseAnswer folds the differences in spelling that do not change an
// answer (case, surrounding and repeated spaces, a final full stop), so that
// "B" and "b." vote together. Deeper equivalence (1/2 vs 0.5) is the
// scorer's business; its verdict is what decides correctness.
func normaliseAnswer(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ".。")
	return strings.ToLower(strings.TrimSpace(s))
}

// thinking describes the reasoning parameters a run asked for, so rows of the
// same model with thinking on and off can be told apart.
func thinking(p parity.Params) string {
	var parts []string
	if p.Thinking != "" {
		parts = append(parts, p.Thinking)
	}
	if p.Effort != "" {
		parts = append(parts, "effort "+p.Effort)
	}
	if p.ThinkingBudget > 0 {
		parts = append(parts, fmt.Sprintf("budget %d", p.ThinkingBudget))
	}
	return strings.Join(parts, ", ")
}

// lookupRate finds how many units of opt.Currency one unit of from buys.
func lookupRate(opt Options, from string) (float64, bool) {
	if strings.EqualFold(from, opt.Currency) {
		return 1, true
	}
	if r, ok := opt.Rates[from+"->"+opt.Currency]; ok && r > 0 {
		return r, true
	}
	if r, ok := opt.Rates[from]; ok && r > 0 {
		return r, true
	}
	if r, ok := opt.Rates[opt.Currency+"->"+from]; ok && r > 0 {
		return 1 / r, true
	}
	return 0, false
}

// Benchmark names what a row measured, for grouping: the suite, its
// subject, and whether CircularEval was on. Plain and circular runs, or
// mgsm:en and mgsm:zh, are different benchmarks.
func (r Row) Benchmark() string {
	name := r.Suite
	if r.Subject != "" {
		name += ":" + r.Subject
	}
	if r.CircularItems > 0 {
		name += " (circular)"
	}
	return name
}

func groups(rows []Row) []Group {
	type key struct{ suite, origin string }
	// Average each model's runs first so a model run twice (thinking on and
	// off) does not count double in its origin's mean.
	perModel := map[key]map[string][]float64{}
	for _, r := range rows {
		if math.IsNaN(r.Accuracy) {
			continue
		}
		origin := r.Origin
		if origin == "" {
			origin = "unknown"
		}
		k := key{r.Benchmark(), origin}
		if perModel[k] == nil {
			perModel[k] = map[string][]float64{}
		}
		perModel[k][r.Model] = append(perModel[k][r.Model], r.Accuracy)
	}
	var out []Group
	for k, models := range perModel {
		var ms []float64
		for _, accs := range models {
			ms = append(ms, mean(accs))
		}
		slices.Sort(ms) // summation order fixed, so the mean is reproducible
		out = append(out, Group{Suite: k.suite, Origin: k.origin, Models: len(models), MeanAccuracy: mean(ms)})
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(a.Suite, b.Suite), cmp.Compare(a.Origin, b.Origin))
	})
	return out
}

func notes(rows []Row, opt Options) []string {
	var out []string
	var mock bool
	errs := 0
	for _, r := range rows {
		mock = mock || r.Mock
		errs += r.Outcomes[parity.OutcomeError]
	}
	if mock {
		out = append(out, "rows marked mock come from the built-in offline mock provider, not a real model")
	}
	if errs > 0 {
		out = append(out, fmt.Sprintf("accuracy excludes %d sample(s) whose outcome is error: the API failed after retries, so there is no answer to grade; they are counted in the error column", errs))
	}
	for _, r := range rows {
		short := r.Target > 0 && r.Samples < r.Target
		if !short && (r.Status == "" || r.Status == string(parity.RunComplete)) {
			continue
		}
		status := "incomplete"
		switch parity.RunStatus(r.Status) {
		case parity.RunRunning:
			status = "still running"
		case parity.RunPartial:
			status = "partial"
		}
		have := fmt.Sprintf("%d samples", r.Samples)
		if r.Target > 0 {
			have = fmt.Sprintf("%d of %d samples", r.Samples, r.Target)
		}
		out = append(out, fmt.Sprintf("run %d (%s on %s) is %s: %s", r.RunID, r.Model, r.Suite, status, have))
	}
	for _, r := range rows {
		if r.Scored > 0 && r.KMax < r.K {
			out = append(out, fmt.Sprintf("run %d (%s on %s): pass@k stops at k=%d because some item has only %d scored sample(s)", r.RunID, r.Model, r.Suite, r.KMax, r.KMax))
		}
	}

	versions := map[string]map[string]bool{}
	for _, r := range rows {
		for _, s := range r.Scorers {
			name, ver, _ := strings.Cut(s, "@")
			if versions[name] == nil {
				versions[name] = map[string]bool{}
			}
			versions[name][ver] = true
		}
	}
	for _, name := range sortedKeys(versions) {
		if vs := sortedKeys(versions[name]); len(vs) > 1 {
			out = append(out, fmt.Sprintf("scorer %s appears at versions %s: rows graded by different versions may not be comparable; re-score to compare them", name, strings.Join(vs, ", ")))
		}
	}

	nc := map[string]bool{}
	for _, r := range rows {
		if r.NonCommercial && !nc[r.Suite] {
			nc[r.Suite] = true
			out = append(out, fmt.Sprintf("suite %s is licensed for non-commercial use only", r.Suite))
		}
	}

	if opt.Currency != "" {
		converted, missing := map[string]bool{}, map[string]bool{}
		for _, r := range rows {
			switch {
			case r.Currency == "" || strings.EqualFold(r.Currency, opt.Currency):
			case r.ConvertedCurrency != "":
				converted[r.Currency] = true
			default:
				missing[r.Currency] = true
			}
		}
		date := opt.RatesDate
		if date == "" {
			date = "an unstated date"
		}
		for _, c := range sortedKeys(converted) {
			rate, _ := lookupRate(opt, c)
			out = append(out, fmt.Sprintf("costs in %s converted to %s at %g, the rate of %s", c, opt.Currency, rate, date))
		}
		for _, c := range sortedKeys(missing) {
			out = append(out, fmt.Sprintf("no %s->%s rate given: costs in %s are not converted", c, opt.Currency, c))
		}
	}
	return out
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// roundCost drops the float noise a sum of many small per-sample costs
// picks up (0.32000000000000023), keeping nine decimals: far below any
// currency's smallest unit, so no real amount changes.
func roundCost(x float64) float64 {
	return math.Round(x*1e9) / 1e9
}
