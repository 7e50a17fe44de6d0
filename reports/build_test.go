package reports

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildOne(t *testing.T, in Input) Row {
	t.Helper()
	lb, err := Build([]Input{in}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.Rows, 1)
	return lb.Rows[0]
}

func TestBuildAveragesPerItemWithK4(t *testing.T) {
	c, w, e := parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeError
	r := run(9, "x/y", "West", "aime", 3, 4)
	in := Input{r, samples(9, "math@1",
		spec{"A", 0, c, "5"}, spec{"A", 1, c, "5"}, spec{"A", 2, c, "5"}, spec{"A", 3, c, "5"},
		spec{"B", 0, e, ""}, spec{"B", 1, e, ""}, spec{"B", 2, c, "x"}, spec{"B", 3, w, "y"},
		spec{"C", 0, c, "1"}, spec{"C", 1, w, "2"}, spec{"C", 2, w, "2"}, spec{"C", 3, w, "3"},
	)}
	lb, err := Build([]Input{in}, fixedOptions())
	require.NoError(t, err)
	row := lb.Rows[0]
	assert.Contains(t, lb.Notes, "run 9 (x/y on aime): pass@k stops at k=2 because some item has only 2 scored sample(s)")

	// Item means 1, 1/2 and 1/4: every item weighs a third. Pooling the ten
	// scored samples would give 6/10 instead.
	assert.InDelta(t, (1+0.5+0.25)/3, row.Accuracy, 1e-12)
	assert.Equal(t, 4, row.K)
	assert.Equal(t, 3, row.Items)
	assert.Equal(t, 12, row.Samples)
	assert.Equal(t, 10, row.Scored)
	assert.Equal(t, 2, row.Outcomes[e])
	assert.Equal(t, 6, row.Outcomes[c])

	// B has two scored samples left, so pass@k stops at k=2.
	assert.Equal(t, 2, row.KMax)
	assert.InDelta(t, row.Accuracy, row.PassAtK[1], 1e-12)
	assert.InDelta(t, (1+1+0.5)/3, row.PassAtK[2], 1e-12)
	assert.NotContains(t, row.PassAtK, 3)

	// A votes 5 (correct); B ties x/y and x came first (correct); C votes 2 (wrong).
	assert.InDelta(t, 2.0/3, row.MajAtK, 1e-12)

	assert.LessOrEqual(t, row.CILow, row.Accuracy)
	assert.GreaterOrEqual(t, row.CIHigh, row.Accuracy)
	assert.GreaterOrEqual(t, row.CILow, 0.0)
	assert.LessOrEqual(t, row.CIHigh, 1.0)
}

func TestBuildK1UsesWilson(t *testing.T) {
	lb, err := Build(fixture(), fixedOptions())
	require.NoError(t, err)
	row := findRow(t, lb, 1)
	// q4 failed at the API: two correct out of four scored samples.
	assert.Equal(t, 4, row.Scored)
	assert.InDelta(t, 0.5, row.Accuracy, 1e-12)
	lo, hi := Wilson(2, 4, Z95)
	assert.Equal(t, lo, row.CILow)
	assert.Equal(t, hi, row.CIHigh)
	assert.True(t, math.IsNaN(row.MajAtK), "majority vote of one sample is meaningless")
	assert.Equal(t, map[int]float64{1: 0.5}, row.PassAtK)
}

func TestMajority(t *testing.T) {
	tests := []struct {
		name  string
		votes []vote
		want  bool
	}{
		{"no answers", nil, false},
		{"clear majority wrong", []vote{{"1", 0, true}, {"2", 1, false}, {"2", 2, false}, {"2", 3, false}}, false},
		{"clear majority correct", []vote{{"7", 0, true}, {"7", 1, true}, {"8", 2, false}}, true},
		{"tie goes to the earliest sample", []vote{{"b", 0, false}, {"a", 1, true}}, false},
		{"tie ignores slice order", []vote{{"a", 3, true}, {"b", 1, false}, {"a", 0, true}, {"b", 2, false}}, true},
		{"winner graded mostly correct", []vote{{"x", 0, true}, {"x", 1, true}, {"x", 2, false}}, true},
		{"winner graded half correct", []vote{{"x", 0, true}, {"x", 1, false}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, majority(tt.votes))
		})
	}
}

func TestNormaliseAnswer(t *testing.T) {
	tests := map[string]string{
		" B. ":         "b",
		"b":            "b",
		"\\frac{1}{2}": "\\frac{1}{2}",
		"x  =\t3":      "x = 3",
		"答案。":          "答案",
		"   ":          "",
	}
	for in, want := range tests {
		assert.Equal(t, want, normaliseAnswer(in), "normaliseAnswer(%q)", in)
	}
}

func TestBuildFixture(t *testing.T) {
	lb, err := Build(fixture(), fixedOptions())
	require.NoError(t, err)
	assert.Equal(t, fixedNow, lb.GeneratedAt)

	var order []int64
	for _, r := range lb.Rows {
		order = append(order, r.RunID)
	}
	// aime24, then cmmlu, then gsm8k best first: mock 5/5, o4-mini 4/5, deepseek 2/4.
	assert.Equal(t, []int64{4, 5, 3, 2, 1}, order)

	ds := findRow(t, lb, 1)
	assert.Equal(t, "on", ds.Thinking)
	assert.Equal(t, []string{"number@1"}, ds.Scorers)
	assert.Equal(t, 500*time.Millisecond, ds.LatencyP50, "error sample excluded from latency")
	assert.Equal(t, 800*time.Millisecond, ds.LatencyP95)
	assert.InDelta(t, (200+210+220+240)/4.0, ds.MeanCompletionTokens, 1e-12)
	assert.InDelta(t, 0.001+0.002+0.003+0.005, ds.Cost, 1e-12)
	assert.Equal(t, "CNY", ds.Currency)
	assert.Equal(t, "USD", ds.ConvertedCurrency)
	assert.InDelta(t, ds.Cost*0.14, ds.CostConverted, 1e-12)

	oa := findRow(t, lb, 2)
	assert.Equal(t, "effort high", oa.Thinking)
	assert.Equal(t, 600*time.Millisecond, oa.LatencyP50)
	assert.InDelta(t, oa.Cost, oa.CostConverted, 1e-12, "same currency converts at 1")

	assert.True(t, findRow(t, lb, 3).Mock)
	assert.False(t, oa.Mock)

	qw := findRow(t, lb, 4)
	assert.Equal(t, "on, budget 8192", qw.Thinking)
	assert.Equal(t, 16, qw.Target)
	assert.InDelta(t, 0.5, qw.Accuracy, 1e-12)
	assert.Equal(t, 1, qw.Outcomes[parity.OutcomeRefused])
	assert.Equal(t, 2, qw.JudgeChecked)
	assert.Equal(t, 1, qw.JudgeOverturned)
	assert.InDelta(t, (1+0.75+0)/3, qw.JudgeAccuracy, 1e-12)
	assert.True(t, math.IsNaN(ds.JudgeAccuracy), "no judge, no judge accuracy")

	assert.Equal(t, []Group{
		{Suite: "aime24", Origin: "CN", Models: 1, MeanAccuracy: 0.5},
		{Suite: "cmmlu", Origin: "West", Models: 1, MeanAccuracy: 0.5},
		{Suite: "gsm8k", Origin: "CN", Models: 1, MeanAccuracy: 0.5},
		{Suite: "gsm8k", Origin: "West", Models: 1, MeanAccuracy: 0.8},
		{Suite: "gsm8k", Origin: "mock", Models: 1, MeanAccuracy: 1},
	}, lb.Groups)
}

func TestBuildNotes(t *testing.T) {
	lb, err := Build(fixture(), fixedOptions())
	require.NoError(t, err)
	want := []string{
		"rows marked mock come from the built-in offline mock provider, not a real model",
		"accuracy excludes 1 sample(s) whose outcome is error",
		"run 4 (dashscope/qwen3-max on aime24) is partial: 12 of 16 samples",
		"scorer number appears at versions 1, 2",
		"suite cmmlu is licensed for non-commercial use only",
		"costs in CNY converted to USD at 0.14, the rate of 2025-06-01",
		"p-values are not corrected for multiple comparisons",
		"2 paired comparison(s) leave out items scored by only one of the two runs",
	}
	for _, w := range want {
		assert.True(t, slices.ContainsFunc(lb.Notes, func(n string) bool { return strings.Contains(n, w) }),
			"missing note %q in %q", w, lb.Notes)
	}
	assert.Len(t, lb.Notes, len(want), "no note for complete runs or single scorer versions")
}

func TestBuildIncompleteRunNotes(t *testing.T) {
	c := parity.OutcomeCorrect
	tests := []struct {
		name   string
		status parity.RunStatus
		items  int
		want   string
	}{
		{"running", parity.RunRunning, 3, "run 1 (a/m on s) is still running: 1 of 3 samples"},
		{"partial", parity.RunPartial, 3, "run 1 (a/m on s) is partial: 1 of 3 samples"},
		{"marked complete but short", parity.RunComplete, 2, "run 1 (a/m on s) is incomplete: 1 of 2 samples"},
		{"no target known", parity.RunPartial, 0, "run 1 (a/m on s) is partial: 1 samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(1, "a/m", "CN", "s", tt.items, 1)
			r.Status = tt.status
			lb, err := Build([]Input{{r, samples(1, "n@1", spec{"q", 0, c, "1"})}}, Options{})
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, lb.Notes)
		})
	}
}

func TestBuildNotesAbsentWhenClean(t *testing.T) {
	c := parity.OutcomeCorrect
	in := []Input{
		{run(1, "a/m", "CN", "s", 1, 1), samples(1, "number@2", spec{"q", 0, c, "1"})},
		{run(2, "b/m", "West", "s", 1, 1), samples(2, "number@2", spec{"q", 0, c, "1"})},
	}
	lb, err := Build(in, Options{})
	require.NoError(t, err)
	assert.Empty(t, lb.Notes)
}

func TestBuildMissingRateNote(t *testing.T) {
	opt := fixedOptions()
	opt.Rates = nil
	lb, err := Build(fixture(), opt)
	require.NoError(t, err)
	assert.Contains(t, lb.Notes, "no CNY->USD rate given: costs in CNY are not converted")
	assert.Empty(t, findRow(t, lb, 1).ConvertedCurrency)
}

func TestLookupRate(t *testing.T) {
	tests := []struct {
		name  string
		rates map[string]float64
		want  float64
		ok    bool
	}{
		{"direct pair", map[string]float64{"CNY->USD": 0.14}, 0.14, true},
		{"bare currency", map[string]float64{"CNY": 0.15}, 0.15, true},
		{"inverse pair", map[string]float64{"USD->CNY": 8}, 0.125, true},
		{"unknown", map[string]float64{"EUR->USD": 1.1}, 0, false},
		{"non-positive ignored", map[string]float64{"CNY->USD": 0}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := lookupRate(Options{Currency: "USD", Rates: tt.rates}, "CNY")
			assert.Equal(t, tt.ok, ok)
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

func TestGroupsWeighModelsEqually(t *testing.T) {
	rows := []Row{
		{Model: "a", Suite: "s", Origin: "CN", Accuracy: 0.25},
		{Model: "a", Suite: "s", Origin: "CN", Accuracy: 0.75},
		{Model: "b", Suite: "s", Origin: "CN", Accuracy: 1},
		{Model: "c", Suite: "s", Origin: "", Accuracy: 0.5},
		{Model: "d", Suite: "s", Origin: "West", Accuracy: math.NaN()},
	}
	assert.Equal(t, []Group{
		{Suite: "s", Origin: "CN", Models: 2, MeanAccuracy: 0.75},
		{Suite: "s", Origin: "unknown", Models: 1, MeanAccuracy: 0.5},
	}, groups(rows))
}

func TestBuildIsDeterministic(t *testing.T) {
	a, err := Build(fixture(), fixedOptions())
	require.NoError(t, err)
	in := fixture()
	slices.Reverse(in)
	for i := range in {
		slices.Reverse(in[i].Samples)
	}
	b, err := Build(in, fixedOptions())
	require.NoError(t, err)
	// NaN != NaN, so compare through the JSON rendering.
	var ja, jb strings.Builder
	require.NoError(t, Render(&ja, a, "json"))
	require.NoError(t, Render(&jb, b, "json"))
	assert.Equal(t, ja.String(), jb.String())
}

func TestBuildSingleItemWithK4FallsBackToWilson(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	row := buildOne(t, Input{run(1, "a/m", "CN", "s", 1, 4), samples(1, "n@1",
		spec{"q", 0, c, "1"}, spec{"q", 1, c, "1"}, spec{"q", 2, c, "1"}, spec{"q", 3, w, "2"})})
	lo, hi := Wilson(3, 4, Z95)
	assert.Equal(t, lo, row.CILow)
	assert.Equal(t, hi, row.CIHigh)
	assert.InDelta(t, 1.0, row.MajAtK, 1e-12)
}

func TestBuildAllErrors(t *testing.T) {
	e := parity.OutcomeError
	row := buildOne(t, Input{run(1, "a/m", "CN", "s", 2, 1), samples(1, "n@1", spec{"q1", 0, e, ""}, spec{"q2", 0, e, ""})})
	assert.True(t, math.IsNaN(row.Accuracy))
	assert.True(t, math.IsNaN(row.CILow))
	assert.Equal(t, 0, row.Scored)
	assert.Empty(t, row.PassAtK)
	assert.Zero(t, row.LatencyP50)
}

func TestBuildRejectsBadInput(t *testing.T) {
	c := parity.OutcomeCorrect
	r := run(1, "a/m", "CN", "s", 2, 1)
	tests := []struct {
		name    string
		in      Input
		opt     Options
		wantErr string
	}{
		{"sample of another run", Input{r, samples(2, "n@1", spec{"q", 0, c, "1"})}, Options{}, "belongs to run 2"},
		{"duplicate key", Input{r, samples(1, "n@1", spec{"q", 0, c, "1"}, spec{"q", 0, c, "1"})}, Options{}, "appears twice"},
		{"unknown outcome", Input{r, samples(1, "n@1", spec{"q", 0, "maybe", "1"})}, Options{}, `unknown outcome "maybe"`},
		{"empty outcome", Input{r, samples(1, "n@1", spec{"q", 0, "", "1"})}, Options{}, `unknown outcome ""`},
		{"negative bootstrap", Input{r, nil}, Options{Bootstrap: -1}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build([]Input{tt.in}, tt.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func findRow(t *testing.T, lb *Leaderboard, id int64) Row {
	t.Helper()
	for _, r := range lb.Rows {
		if r.RunID == id {
			return r
		}
	}
	require.Failf(t, "row not found", "run %d", id)
	return Row{}
}

func TestBuildCircularAccuracy(t *testing.T) {
	c, w, e := parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeError
	r := run(11, "x/y", "CN", "mmlu", 3, 1)
	r.Suite.Version = "1+circular"
	row := buildOne(t, Input{r, samples(11, "choice@1",
		// q1 right in all four rotations; q2 wrong in one; q3 has an API
		// error in one rotation and right elsewhere, so it cannot be judged.
		spec{"q1@r0", 0, c, "A"}, spec{"q1@r1", 0, c, "B"}, spec{"q1@r2", 0, c, "C"}, spec{"q1@r3", 0, c, "D"},
		spec{"q2@r0", 0, c, "A"}, spec{"q2@r1", 0, w, "A"}, spec{"q2@r2", 0, c, "C"}, spec{"q2@r3", 0, c, "D"},
		spec{"q3@r0", 0, c, "A"}, spec{"q3@r1", 0, e, ""}, spec{"q3@r2", 0, c, "C"}, spec{"q3@r3", 0, c, "D"},
	)})
	assert.Equal(t, 3, row.CircularItems)
	assert.InDelta(t, 0.5, row.CircularAccuracy, 1e-12, "q1 counts, q2 fails, q3 is left out")
	assert.InDelta(t, 10.0/11, row.Accuracy, 1e-12, "plain accuracy is per rotation")

	plain := buildOne(t, Input{run(12, "x/y", "CN", "mmlu", 1, 1), samples(12, "choice@1", spec{"q1", 0, c, "A"})})
	assert.Zero(t, plain.CircularItems)
	assert.True(t, math.IsNaN(plain.CircularAccuracy))

	lb, err := Build([]Input{{r, samples(11, "choice@1", spec{"q1@r0", 0, c, "A"}, spec{"q1@r1", 0, w, "A"})}}, fixedOptions())
	require.NoError(t, err)
	var text strings.Builder
	require.NoError(t, Render(&text, lb, "text"))
	assert.Contains(t, text.String(), "CIRCULAR %")
	var js strings.Builder
	require.NoError(t, Render(&js, lb, "json"))
	assert.Contains(t, js.String(), `"circular_accuracy": 0`)
}

func TestGroupsKeepSubjectsAndCircularApart(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	en := run(21, "deepseek/r1", "CN", "mgsm", 2, 1)
	en.Subject = "en"
	zh := run(22, "deepseek/r1", "CN", "mgsm", 2, 1)
	zh.Subject = "zh"
	west := run(23, "openai/o4", "West", "mgsm", 2, 1)
	west.Subject = "zh"
	circ := run(24, "openai/o4", "West", "arc", 1, 1)
	circ.Suite.Version = "1+circular"
	plain := run(25, "openai/o4", "West", "arc", 1, 1)
	lb, err := Build([]Input{
		{en, samples(21, "n@1", spec{"en-1", 0, c, "1"}, spec{"en-2", 0, c, "2"})},
		{zh, samples(22, "n@1", spec{"zh-1", 0, c, "1"}, spec{"zh-2", 0, w, "3"})},
		{west, samples(23, "n@1", spec{"zh-1", 0, w, "0"}, spec{"zh-2", 0, w, "3"})},
		{circ, samples(24, "c@1", spec{"q@r0", 0, c, "A"}, spec{"q@r1", 0, w, "A"})},
		{plain, samples(25, "c@1", spec{"q", 0, c, "A"})},
	}, fixedOptions())
	require.NoError(t, err)
	got := map[string]float64{}
	for _, g := range lb.Groups {
		got[g.Suite+"/"+g.Origin] = g.MeanAccuracy
	}
	assert.Equal(t, map[string]float64{
		"mgsm:en/CN": 1, "mgsm:zh/CN": 0.5, "mgsm:zh/West": 0,
		"arc/West": 1, "arc (circular)/West": 0.5,
	}, got)
	var text strings.Builder
	require.NoError(t, Render(&text, lb, "text"))
	assert.Contains(t, text.String(), "mgsm:zh@1")
	assert.Contains(t, text.String(), "mgsm:en@1")
}

func TestCostSumsCarryNoFloatNoise(t *testing.T) {
	r := run(31, "x/y", "CN", "gsm8k", 10, 1)
	r.Price = &parity.Price{Output: 1, Currency: "CNY", AsOf: "2026-01-01"}
	var specs []spec
	for i := 0; i < 10; i++ {
		specs = append(specs, spec{fmt.Sprintf("q%d", i), 0, parity.OutcomeCorrect, "1"})
	}
	in := Input{r, samples(31, "n@1", specs...)}
	for i := range in.Samples {
		in.Samples[i].Cost = 0.1 // ten times 0.1 sums to 0.9999999999999999 in floating point
	}
	opt := fixedOptions()
	opt.Currency, opt.Rates = "USD", map[string]float64{"CNY": 0.14}
	lb, err := Build([]Input{in}, opt)
	require.NoError(t, err)
	assert.Equal(t, 1.0, lb.Rows[0].Cost)
	assert.Equal(t, 0.14, lb.Rows[0].CostConverted)
	assert.Equal(t, "<1ms", duration(300*time.Microsecond))
	assert.Equal(t, "-", duration(0))
}

func TestAccumulatorStreamsLikeBuild(t *testing.T) {
	in := fixture()
	want, err := Build(in, fixedOptions())
	require.NoError(t, err)
	var accs []*Accumulator
	for _, x := range in {
		acc := NewAccumulator(x.Run)
		sorted := slices.Clone(x.Samples)
		slices.SortFunc(sorted, func(a, b parity.Sample) int {
			return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Index, b.Index))
		})
		for i := range sorted {
			require.NoError(t, acc.Add(&sorted[i]))
		}
		accs = append(accs, acc)
	}
	got, err := BuildFrom(accs, fixedOptions())
	require.NoError(t, err)
	// NaN fields defeat a deep comparison; the JSON carries every figure.
	var a, b strings.Builder
	require.NoError(t, Render(&a, want, "json"))
	require.NoError(t, Render(&b, got, "json"))
	assert.Equal(t, a.String(), b.String())
}

func TestAccumulatorNeedsKeyOrder(t *testing.T) {
	c := parity.OutcomeCorrect
	acc := NewAccumulator(run(1, "a/m", "CN", "s", 2, 1))
	s := samples(1, "n@1", spec{"q2", 0, c, "1"}, spec{"q1", 0, c, "1"}, spec{"q2", 0, c, "1"})
	require.NoError(t, acc.Add(&s[0]))
	err := acc.Add(&s[1])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "out of key order")
	err = acc.Add(&s[2])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "appears twice")
}

// Latencies are kept to the microsecond, four bytes each: finer parts are
// dropped, and a latency past what four bytes of microseconds hold (71
// minutes) counts as that much.
func TestLatencyPercentilesKeptToTheMicrosecond(t *testing.T) {
	run := parity.Run{ID: 1, Items: 3, Samples: 1, Model: parity.Model{ID: "p/m"}, Suite: parity.SuiteInfo{Name: "s"}}
	acc := NewAccumulator(run)
	for i, lat := range []time.Duration{1500*time.Nanosecond + 250*time.Millisecond, 3 * time.Hour, -time.Second} {
		s := parity.Sample{RunID: 1, ItemID: fmt.Sprintf("q%d", i), Score: parity.Score{Outcome: parity.OutcomeCorrect},
			Completion: parity.Completion{Latency: lat}}
		require.NoError(t, acc.Add(&s))
	}
	row, _, err := acc.finish(fixedOptions())
	require.NoError(t, err)
	assert.Equal(t, 250*time.Millisecond+time.Microsecond, row.LatencyP50)
	assert.Equal(t, time.Duration(math.MaxUint32)*time.Microsecond, row.LatencyP95)
}

// Past spillTallies a run's per-item tallies go to a scratch file, read back
// a few runs at a time for the comparisons: every figure must come out the
// same, and no scratch file may outlive the build.
func TestSpilledTalliesGiveTheSameLeaderboard(t *testing.T) {
	// Twelve runs: four models on aligned English and Chinese problems
	// and on a suite of their own, K = 3, so that bootstrap intervals,
	// pass@k, maj@k, paired comparisons and language gaps all come from
	// the tallies.
	rng := rand.New(rand.NewPCG(3, 4))
	var in []Input
	id := int64(0)
	for m := range 4 {
		model := fmt.Sprintf("p/model-%d", m)
		for _, suite := range []struct{ name, subject string }{{"mgsm", "en"}, {"mgsm", "zh"}, {"gsm8k", ""}} {
			id++
			r := run(id, model, []string{"CN", "West"}[m%2], suite.name, 300, 3)
			r.Subject = suite.subject
			var ss []parity.Sample
			for i := range 300 {
				for k := range 3 {
					o := parity.OutcomeWrong
					if rng.Float64() < 0.4+0.1*float64(m) {
						o = parity.OutcomeCorrect
					}
					s := samples(id, "n@1", spec{fmt.Sprintf("%s-%03d", cmp.Or(suite.subject, "q"), i+1), k, o, strconv.Itoa(rng.IntN(4))})[0]
					if suite.subject != "" {
						s.Pair = strconv.Itoa(i + 1)
					}
					s.Completion.Latency = time.Duration(rng.IntN(5000)) * time.Millisecond
					ss = append(ss, s)
				}
			}
			in = append(in, Input{r, ss})
		}
	}
	build := func() string {
		var accs []*Accumulator
		for _, x := range in {
			acc := NewAccumulator(x.Run)
			for i := range x.Samples {
				require.NoError(t, acc.Add(&x.Samples[i]))
			}
			require.NoError(t, acc.settle())
			accs = append(accs, acc)
		}
		spilled := 0
		for _, acc := range accs {
			if acc.tallies.path != "" {
				spilled++
			}
		}
		lb, err := BuildFrom(accs, fixedOptions())
		require.NoError(t, err)
		require.NotEmpty(t, lb.LanguageGaps)
		require.NotEmpty(t, lb.Comparisons)
		var js strings.Builder
		require.NoError(t, Render(&js, lb, "json"))
		t.Logf("%d of %d runs spilled", spilled, len(accs))
		if spillTallies == 0 {
			assert.Equal(t, len(accs), spilled)
		} else {
			assert.Zero(t, spilled)
		}
		return js.String()
	}
	want := build()
	scratch := t.TempDir()
	t.Setenv("TMPDIR", scratch)
	defer func(n int) { spillTallies = n }(spillTallies)
	spillTallies = 0
	assert.Equal(t, want, build())
	left, err := os.ReadDir(scratch)
	require.NoError(t, err)
	assert.Empty(t, left, "scratch files are removed when the leaderboard is built")
}
