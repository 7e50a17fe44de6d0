package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// CanaryAlpha is the significance level of the canary's tests: a change
// counts as drift only when run-to-run noise would give one as large less
// than once in a hundred checks, so a daily cron job raises about three
// false alarms a year per signal.
const CanaryAlpha = 0.01

// CanaryTokenShift is the smallest change in median completion tokens the
// canary calls drift, however significant: providers move token counts a
// little with serving changes that leave the model alone.
const CanaryTokenShift = 0.2

// CanaryLatencyShift is the smallest change in median latency the canary
// reports as a change: latency moves with the provider's load every hour.
const CanaryLatencyShift = 0.5

// Signal is one thing a canary compares between a model's baseline and a
// check: the model id the API reports, verdicts, answers, answer text,
// token counts, latency.
type Signal struct {
	Name string
	// Baseline and Now describe the signal in each run, for a reader.
	Baseline, Now string
	// Noise describes the run-to-run variation the baseline measured (its
	// two samples of each item), when the test uses it.
	Noise string
	// P is the test's p-value; NaN for a signal compared without a test
	// (the model id: any new one is a change).
	P float64
	// Changed says the signal moved beyond noise; Drift that it counts
	// towards the model having drifted (latency moves with load, so it is
	// reported but does not count).
	Changed, Drift bool
	Detail         string
}

// CanaryChange is one item whose extracted answer or verdict differs from
// the baseline's first sample.
type CanaryChange struct {
	Item       string         `json:"item"`
	Before     string         `json:"before"` // extracted answers
	After      string         `json:"after"`
	BeforeOut  parity.Outcome `json:"before_outcome"`
	AfterOut   parity.Outcome `json:"after_outcome"`
	BeforeText string         `json:"before_text"`
	AfterText  string         `json:"after_text"`
}

// CanaryCheck compares a check run of a canary set against the model's
// baseline run.
type CanaryCheck struct {
	Model           string    `json:"model"`
	Baseline        int64     `json:"baseline_run"`
	Check           int64     `json:"check_run"`
	BaselineStarted time.Time `json:"baseline_started"`
	CheckStarted    time.Time `json:"check_started"`
	// Items counts the items both runs scored.
	Items   int            `json:"items"`
	Signals []Signal       `json:"signals"`
	Changes []CanaryChange `json:"changes"`
	Drifted bool           `json:"drifted"`
	// What names the signals that drifted, for a one-line summary.
	What []string `json:"drifted_signals"`
}

// canaryItem is one item's samples in a canary run.
type canaryItem struct {
	outcome   []parity.Outcome
	extracted []string
	text      []string
	tokens    []int
	latency   []time.Duration
}

func foldCanary(samples []parity.Sample) (map[string]*canaryItem, map[string]int) {
	items := map[string]*canaryItem{}
	models := map[string]int{}
	sorted := slices.Clone(samples)
	slices.SortFunc(sorted, func(a, b parity.Sample) int {
		return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Index, b.Index))
	})
	for _, s := range sorted {
		if !s.Score.Outcome.Scored() {
			continue
		}
		it := items[s.ItemID]
		if it == nil {
			it = &canaryItem{}
			items[s.ItemID] = it
		}
		it.outcome = append(it.outcome, s.Score.Outcome)
		it.extracted = append(it.extracted, normaliseAnswer(s.Score.Extracted))
		it.text = append(it.text, strings.TrimSpace(s.Completion.Content))
		it.tokens = append(it.tokens, s.Completion.Usage.CompletionTokens)
		it.latency = append(it.latency, s.Completion.Latency)
		if m := s.Completion.ModelReported; m != "" {
			models[m]++
		}
	}
	return items, models
}

// Canary compares check, a run of a canary set, with baseline, a run of the
// same set with two samples of each item (temperature 0 and a fixed seed,
// where the provider takes one). The baseline's two samples measure
// run-to-run noise: a model asked the same question twice at temperature 0
// does not always answer the same, and a change no larger than that is not
// drift. Each signal is tested against it:
//
//   - model id: any id the API reports now that it never reported in the
//     baseline is drift, with no test (a provider serving another model
//     under the old name often says so in this field);
//   - verdicts: an exact McNemar test of items right in one run and wrong
//     in the other;
//   - answers and answer text: the share of items whose extracted answer
//     (or whole answer) differs from the baseline's first sample, against a
//     binomial with the share that differed between the baseline's two
//     samples (one change added, so a perfectly repeatable baseline does
//     not make a single change significant);
//   - completion tokens and latency: a sign-flip test of the per-item log
//     ratio to the baseline, with a median shift of at least
//     CanaryTokenShift (CanaryLatencyShift). Latency follows the
//     provider's load, so it is shown and never counts as drift.
//
// seed seeds the sign-flip tests, so a check always reads the same.
func Canary(baseline, check Input, seed int64) (CanaryCheck, error) {
	if baseline.Run.Suite.Name != check.Run.Suite.Name || baseline.Run.Suite.DataSHA256 != check.Run.Suite.DataSHA256 {
		return CanaryCheck{}, fmt.Errorf("run %d is not a check of the canary set of baseline run %d: the item sets differ; record a new baseline",
			check.Run.ID, baseline.Run.ID)
	}
	c := CanaryCheck{Model: check.Run.Model.ID, Baseline: baseline.Run.ID, Check: check.Run.ID,
		BaselineStarted: baseline.Run.StartedAt, CheckStarted: check.Run.StartedAt}
	base, baseModels := foldCanary(baseline.Samples)
	now, nowModels := foldCanary(check.Samples)
	var ids []string
	for id, b := range base {
		if n := now[id]; n != nil && len(b.outcome) > 0 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, CompareIDs)
	c.Items = len(ids)
	if c.Items == 0 {
		return c, fmt.Errorf("runs %d and %d have no scored item in common", baseline.Run.ID, check.Run.ID)
	}

	c.Signals = append(c.Signals, modelSignal(baseModels, nowModels))

	// Verdicts, answers and text, item by item against the baseline's
	// first sample; noise from the baseline's second sample.
	var onlyBase, onlyNow, answers, texts, noiseAnswers, noiseTexts, twice int
	for _, id := range ids {
		b, n := base[id], now[id]
		okB, okN := b.outcome[0] == parity.OutcomeCorrect, n.outcome[0] == parity.OutcomeCorrect
		switch {
		case okB && !okN:
			onlyBase++
		case okN && !okB:
			onlyNow++
		}
		answerChanged := b.extracted[0] != n.extracted[0]
		if answerChanged {
			answers++
		}
		if b.text[0] != n.text[0] {
			texts++
		}
		if answerChanged || okB != okN {
			c.Changes = append(c.Changes, CanaryChange{Item: id, Before: b.extracted[0], After: n.extracted[0],
				BeforeOut: b.outcome[0], AfterOut: n.outcome[0], BeforeText: b.text[0], AfterText: n.text[0]})
		}
		if len(b.outcome) > 1 {
			twice++
			if b.extracted[0] != b.extracted[1] {
				noiseAnswers++
			}
			if b.text[0] != b.text[1] {
				noiseTexts++
			}
		}
	}
	correct := func(in map[string]*canaryItem) int {
		k := 0
		for _, id := range ids {
			if in[id].outcome[0] == parity.OutcomeCorrect {
				k++
			}
		}
		return k
	}
	p := McNemar(onlyBase, onlyNow)
	c.Signals = append(c.Signals, Signal{Name: "verdicts",
		Baseline: fmt.Sprintf("%d/%d correct", correct(base), c.Items), Now: fmt.Sprintf("%d/%d correct", correct(now), c.Items),
		P: p, Changed: p < CanaryAlpha, Drift: p < CanaryAlpha,
		Detail: fmt.Sprintf("%d right before and wrong now, %d the reverse", onlyBase, onlyNow)})
	c.Signals = append(c.Signals, changeSignal("answers", answers, noiseAnswers, twice, c.Items))
	c.Signals = append(c.Signals, changeSignal("answer text", texts, noiseTexts, twice, c.Items))

	tokens := ratioSignal("completion tokens", seed, CanaryTokenShift, ids, base, now, func(it *canaryItem) float64 { return float64(it.tokens[0]) })
	tokens.Drift = tokens.Changed
	c.Signals = append(c.Signals, tokens)
	latency := ratioSignal("latency", seed, CanaryLatencyShift, ids, base, now, func(it *canaryItem) float64 { return float64(it.latency[0]) })
	c.Signals = append(c.Signals, latency)

	for _, s := range c.Signals {
		if s.Drift {
			c.Drifted = true
			c.What = append(c.What, s.Name)
		}
	}
	return c, nil
}

func modelSignal(base, now map[string]int) Signal {
	s := Signal{Name: "model id", Baseline: idList(base), Now: idList(now), P: math.NaN()}
	var fresh []string
	for m := range now {
		if base[m] == 0 {
			fresh = append(fresh, m)
		}
	}
	slices.Sort(fresh)
	if len(fresh) > 0 && len(base) > 0 {
		s.Changed, s.Drift = true, true
		s.Detail = "the API now reports " + strings.Join(fresh, ", ") + ", never seen in the baseline"
	}
	if len(base) == 0 || len(now) == 0 {
		s.Detail = "the API reports no model id in one of the runs, so this cannot be checked"
	}
	return s
}

func idList(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	return strings.Join(sortedKeys(m), ", ")
}

// changeSignal tests whether changed of n items is more than the noise
// rate the baseline showed (noise of twice items changed between its two
// samples) would give.
func changeSignal(name string, changed, noise, twice, n int) Signal {
	rate := (float64(noise) + 1) / (float64(twice) + 2)
	p := binomialTail(n, changed, rate)
	return Signal{Name: name, Baseline: "-", Now: fmt.Sprintf("%d of %d items differ", changed, n),
		Noise: fmt.Sprintf("%d of %d differ between two baseline samples", noise, twice),
		P:     p, Changed: p < CanaryAlpha, Drift: p < CanaryAlpha}
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialTail(n, k int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	sum := 0.0
	for i := k; i <= n; i++ {
		lg, _ := math.Lgamma(float64(n + 1))
		l1, _ := math.Lgamma(float64(i + 1))
		l2, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(lg - l1 - l2 + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return math.Min(1, sum)
}

// ratioSignal tests the per-item log ratio of a positive quantity between
// the check and the baseline's first sample with a sign-flip test; it is
// a change when significant and the median ratio moved by shift or more.
func ratioSignal(name string, seed int64, shift float64, ids []string, base, now map[string]*canaryItem, v func(*canaryItem) float64) Signal {
	var diffs []float64
	var b, n []float64
	for _, id := range ids {
		x, y := v(base[id]), v(now[id])
		b, n = append(b, x), append(n, y)
		if x > 0 && y > 0 {
			diffs = append(diffs, math.Log(y/x))
		}
	}
	s := Signal{Name: name, Baseline: "median " + quantity(name, median(b)), Now: "median " + quantity(name, median(n)), P: math.NaN()}
	if len(diffs) < 2 {
		s.Detail = "too few items with a value in both runs to test"
		return s
	}
	s.P = SignFlipTest(diffs, DefaultPermutations, seed)
	ratio := medianRatio(ids, base, now, v)
	s.Changed = s.P < CanaryAlpha && math.Abs(ratio-1) >= shift
	s.Detail = "median ratio now/baseline " + strconv.FormatFloat(ratio, 'f', 2, 64)
	return s
}

func medianRatio(ids []string, base, now map[string]*canaryItem, v func(*canaryItem) float64) float64 {
	var r []float64
	for _, id := range ids {
		if x, y := v(base[id]), v(now[id]); x > 0 && y > 0 {
			r = append(r, y/x)
		}
	}
	return median(r)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func quantity(name string, x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	if name == "latency" {
		return duration(time.Duration(x))
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// MarshalJSON writes a Signal with a null p-value where there is no test.
func (s Signal) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name     string   `json:"name"`
		Baseline string   `json:"baseline"`
		Now      string   `json:"now"`
		Noise    string   `json:"noise,omitempty"`
		P        *float64 `json:"p_value"`
		Changed  bool     `json:"changed"`
		Drift    bool     `json:"drift"`
		Detail   string   `json:"detail,omitempty"`
	}{s.Name, s.Baseline, s.Now, s.Noise, nullable(s.P), s.Changed, s.Drift, s.Detail})
}
