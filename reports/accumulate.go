package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/parity-bench/parity"
)

// Accumulator folds one run's samples into its leaderboard row one sample
// at a time, so a caller can stream samples from a store without holding
// them: what it keeps is one latency per scored sample, for the
// percentiles, until the run is settled, and per item only the tallies the
// paired comparisons need, in a scratch file past spillTallies. Samples
// must come in key order, item id then sample index, which is the order
// the store reads them in; Build sorts for callers that hold samples in
// another order.
type Accumulator struct {
	run  parity.Run
	row  Row
	prev *parity.SampleKey

	cur     itemTally // the item being read
	curOpen bool
	votes   []vote // the open item's answers, for its majority vote

	// Closed items are folded into these as they close. Only the tallies
	// the paired comparisons need are kept per item, and a large run's go
	// to a scratch file (tallyList).
	items, k, kmax int // items closed; most samples of one; fewest scored of a scored one
	correct, maj   int
	judgeSum       float64
	passSum        []float64 // passSum[k-1] sums pass@k over the scored items with k or more scored
	tallies        *tallyList
	settled        bool
	err            error // the scratch file failed

	scorers map[[2]string]bool
	// latencies holds one latency per scored sample, for the percentiles,
	// in microseconds: a million samples keep 4 MB rather than 8, and no
	// request lasts the 71 minutes that overflow it.
	latencies []uint32
	prompt    float64
	complete  float64
	reasoning float64
	overlap   float64 // probes: sum of TokenOverlap over scored samples
	circular  map[string]map[int]*rotationVerdict
	bases     []string // circular base items in first-seen order
}

// itemTally is one item's samples folded: per-item figures are computed
// before averaging, so every item weighs the same when K > 1.
type itemTally struct {
	id      string
	pair    string // the item's Pair, for language gaps
	total   int32
	scored  int32
	correct int32
	judgeOK int32 // correct under the judge where it graded, else the rule
}

type vote struct {
	answer  string
	index   int
	correct bool
}

// rotationVerdict is one sample index of one circular base item: bad when
// some rotation was not correct, failed when some rotation hit an API error.
type rotationVerdict struct{ bad, failed bool }

// NewAccumulator starts the row of run.
func NewAccumulator(run parity.Run) *Accumulator {
	// The latencies are sized from the run's plan, so that a large run's
	// are allocated once and not grown by doubling (up to twice the room).
	// The plan is only a hint: a run may hold fewer, and more is no harm.
	items := min(max(run.Items, 0), 1<<20)
	return &Accumulator{run: run, row: newRow(run), scorers: map[[2]string]bool{}, kmax: math.MaxInt, tallies: &tallyList{},
		latencies: make([]uint32, 0, min(items*max(run.Samples, 1), 1<<22))}
}

// newRow is a run's row before any sample is folded in.
func newRow(run parity.Run) Row {
	mock := run.Model.Origin == "mock" || run.Model.Provider == "mock"
	r := Row{
		RunID:         run.ID,
		Model:         run.Model.ID,
		ModelReported: run.ModelReported,
		// The mock reports "mock-<model>": it is labelled mock already,
		// and nothing stands in for anything.
		Substituted:   !mock && parity.ModelSubstituted(run.Model.Name, run.ModelReported),
		Provider:      run.Model.Provider,
		Origin:        run.Model.Origin,
		Mock:          mock,
		Suite:         run.Suite.Name,
		Subject:       run.Subject,
		SuiteVersion:  run.Suite.Version,
		Language:      RunLanguage(run),
		NonCommercial: run.Suite.NonCommercial,
		Status:        string(run.Status),
		Target:        run.Target(),
		Outcomes:      make(map[parity.Outcome]int, len(parity.Outcomes)),
		PassAtK:       map[int]float64{},
		Thinking:      thinking(run.Params),
		Setting:       run.Params.Setting(),
		Kind:          run.Suite.Kind,
		Overlap:       math.NaN(),
		MajAtK:        math.NaN(),
		JudgeAccuracy: math.NaN(),

		CircularAccuracy: math.NaN(),
	}
	for _, o := range parity.Outcomes {
		r.Outcomes[o] = 0
	}
	if run.Price != nil {
		r.Currency = run.Price.Currency
		r.PriceAsOf = run.Price.AsOf
	}
	return r
}

// Add folds one sample in. It fails on a sample of another run, one with
// an unknown outcome, and one out of key order or repeated, because a row
// built from such data would be silently wrong.
func (a *Accumulator) Add(s *parity.Sample) error {
	if s.RunID != a.run.ID {
		return fmt.Errorf("sample %s#%d belongs to run %d", s.ItemID, s.Index, s.RunID)
	}
	if a.settled {
		return fmt.Errorf("sample %s#%d comes after run %d was settled", s.ItemID, s.Index, a.run.ID)
	}
	key := s.Key()
	if a.prev != nil {
		switch {
		case *a.prev == key:
			return fmt.Errorf("sample %s#%d appears twice", s.ItemID, s.Index)
		case !keyLess(*a.prev, key):
			return fmt.Errorf("sample %s#%d is out of key order: give samples ordered by item id, then index", s.ItemID, s.Index)
		}
	}
	r := &a.row
	out := s.Score.Outcome
	if _, known := r.Outcomes[out]; !known {
		return fmt.Errorf("sample %s#%d has unknown outcome %q", s.ItemID, s.Index, out)
	}
	a.prev = &key
	if !a.curOpen || a.cur.id != s.ItemID {
		a.closeItem()
		a.cur, a.curOpen, a.votes = itemTally{id: s.ItemID, pair: s.Pair}, true, a.votes[:0]
	}
	r.Samples++
	r.Outcomes[out]++
	r.Cost += s.Cost
	if s.Score.Scorer != "" {
		a.scorers[[2]string{s.Score.Scorer, s.Score.ScorerVersion}] = true
	}
	a.addCircular(s)
	it := &a.cur
	it.total++
	if !out.Scored() {
		return nil
	}
	r.Scored++
	correct := out == parity.OutcomeCorrect
	it.scored++
	if correct {
		it.correct++
	}
	judged := correct
	if j := s.Judge; j != nil && j.Outcome != "" && j.Outcome.Scored() {
		r.JudgeChecked++
		judged = j.Outcome == parity.OutcomeCorrect
		if judged != correct {
			r.JudgeOverturned++
		}
	}
	if judged {
		it.judgeOK++
	}
	if ans := normaliseAnswer(s.Score.Extracted); ans != "" {
		a.votes = append(a.votes, vote{ans, s.Index, correct})
	}
	if a.row.Probe() {
		a.overlap += TokenOverlap(s.Score.Extracted, s.Gold)
	}
	a.latencies = append(a.latencies, uint32(min(max(s.Completion.Latency/time.Microsecond, 0), math.MaxUint32)))
	a.prompt += float64(s.Completion.Usage.PromptTokens)
	a.complete += float64(s.Completion.Usage.CompletionTokens)
	a.reasoning += float64(s.Completion.Usage.ReasoningTokens)
	return nil
}

// closeItem settles the open item's majority vote and folds it into the
// run's figures, in key order, so sums come out as they would over a list.
func (a *Accumulator) closeItem() {
	if !a.curOpen {
		return
	}
	it := a.cur
	a.curOpen = false
	a.items++
	a.k = max(a.k, int(it.total))
	if it.scored == 0 {
		return
	}
	n, c := int(it.scored), int(it.correct)
	if err := a.tallies.add(tally{it.id, it.pair, it.scored, it.correct}); err != nil && a.err == nil {
		a.err = err
	}
	a.correct += c
	a.judgeSum += float64(it.judgeOK) / float64(it.scored)
	a.kmax = min(a.kmax, n)
	if majority(a.votes) {
		a.maj++
	}
	for k := 1; k <= n; k++ {
		if len(a.passSum) < k {
			a.passSum = append(a.passSum, 0)
		}
		a.passSum[k-1] += PassAtK(n, c, k)
	}
}

// settle closes the run's last item and turns what only the percentiles
// need into them, freeing the latencies: a run's folding is over, and what
// it still holds is its tallies. FoldRuns settles each run as its samples
// end; finish settles one that was not.
func (a *Accumulator) settle() error {
	if a.settled {
		return a.err
	}
	a.settled = true
	a.closeItem()
	if err := a.tallies.done(); err != nil && a.err == nil {
		a.err = err
	}
	if a.row.Scored > 0 {
		// Sorted in place: a copy would double the largest thing a run
		// keeps (one latency per scored sample).
		slices.Sort(a.latencies)
		a.row.LatencyP50 = time.Duration(NearestRank(a.latencies, 50)) * time.Microsecond
		a.row.LatencyP95 = time.Duration(NearestRank(a.latencies, 95)) * time.Microsecond
	}
	a.latencies = nil
	return a.err
}

// addCircular records s under its CircularEval base item: an original
// item is correct for sample index i only when sample i of every rotation
// is correct.
func (a *Accumulator) addCircular(s *parity.Sample) {
	base := s.RotationOf
	if base == "" {
		return
	}
	if a.circular == nil {
		a.circular = map[string]map[int]*rotationVerdict{}
	}
	idx := a.circular[base]
	if idx == nil {
		idx = map[int]*rotationVerdict{}
		a.circular[base] = idx
		a.bases = append(a.bases, base)
	}
	v := idx[s.Index]
	if v == nil {
		v = &rotationVerdict{}
		idx[s.Index] = v
	}
	switch s.Score.Outcome {
	case parity.OutcomeCorrect:
	case parity.OutcomeError:
		v.failed = true
	default:
		v.bad = true
	}
}

// circularAccuracy averages the circular verdicts over base items and
// sample indices. Indices where some rotation failed with an API error are
// left out, since there is no answer to judge.
func (a *Accumulator) circularAccuracy() (int, float64) {
	if len(a.bases) == 0 {
		return 0, math.NaN()
	}
	var sum float64
	judged := 0
	for _, base := range a.bases {
		ok, n := 0, 0
		for _, v := range a.circular[base] {
			if v.failed {
				continue
			}
			n++
			if !v.bad {
				ok++
			}
		}
		if n > 0 {
			sum += float64(ok) / float64(n)
			judged++
		}
	}
	if judged == 0 {
		return len(a.bases), math.NaN()
	}
	return len(a.bases), sum / float64(judged)
}

// finish computes the row's figures from what was folded in, and gives
// the per-item tallies the paired comparisons need.
func (a *Accumulator) finish(opt Options) (Row, *tallyList, error) {
	if err := a.settle(); err != nil {
		return Row{}, nil, err
	}
	r := a.row
	r.Outcomes = maps.Clone(a.row.Outcomes)
	r.PassAtK = map[int]float64{}
	r.Items = a.items
	r.K = a.k
	r.CircularItems, r.CircularAccuracy = a.circularAccuracy()
	for sc := range a.scorers {
		r.Scorers = append(r.Scorers, sc[0]+"@"+sc[1])
	}
	slices.Sort(r.Scorers)

	r.Accuracy, r.CILow, r.CIHigh = math.NaN(), math.NaN(), math.NaN()
	if scored := a.tallies.n; scored > 0 {
		// The per-item shares, for the mean and the bootstrap: one run's
		// at a time, read back if they were spilled.
		tallies, err := a.tallies.get()
		if err != nil {
			return Row{}, nil, err
		}
		means := make([]float64, len(tallies))
		for i, t := range tallies {
			means[i] = float64(t.correct) / float64(t.scored)
		}
		r.Accuracy = mean(means)
		if r.K <= 1 || len(means) < 2 {
			// One sample per item, or a single item to resample: the
			// scored samples are the only spread there is.
			r.CILow, r.CIHigh = Wilson(a.correct, r.Scored, Z95)
		} else {
			seed := opt.Seed ^ (r.RunID * 0x5851F42D4C957F2D)
			r.CILow, r.CIHigh = ClusterBootstrap(means, opt.Bootstrap, seed, 0.95)
		}
		if r.JudgeChecked > 0 {
			r.JudgeAccuracy = a.judgeSum / float64(scored)
		}
		r.KMax = a.kmax
		for k := 1; k <= a.kmax; k++ {
			r.PassAtK[k] = a.passSum[k-1] / float64(scored)
		}
		if r.K > 1 {
			r.MajAtK = float64(a.maj) / float64(scored)
		}
	}

	if r.Scored > 0 {
		n := float64(r.Scored)
		r.MeanPromptTokens, r.MeanCompletionTokens, r.MeanReasoningTokens = a.prompt/n, a.complete/n, a.reasoning/n
		if r.Probe() {
			r.Overlap = a.overlap / n
		}
	}

	r.Cost = roundCost(r.Cost)
	if opt.Currency != "" && r.Currency != "" {
		if rate, ok := lookupRate(opt, r.Currency); ok {
			r.CostConverted = roundCost(r.Cost * rate)
			r.ConvertedCurrency = opt.Currency
		}
	}
	return r, a.tallies, nil
}

func keyLess(a, b parity.SampleKey) bool {
	return a.ItemID < b.ItemID || (a.ItemID == b.ItemID && a.Index < b.Index)
}

// RunLanguage is the language a run asked its questions in: the suite's,
// or for a multilingual suite ("mul") limited to one language, that
// language (mgsm:zh asks in zh).
func RunLanguage(run parity.Run) string {
	if run.Suite.Language == "mul" && run.Subject != "" {
		return run.Subject
	}
	return run.Suite.Language
}
