package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binaryRun is a K=1 run of suite "s" answering items q00..q(n-1), correct
// where right says so.
func binaryRun(id int64, model, origin string, right []bool) Input {
	var specs []spec
	for i, ok := range right {
		out := parity.OutcomeWrong
		if ok {
			out = parity.OutcomeCorrect
		}
		specs = append(specs, spec{fmt.Sprintf("q%02d", i), 0, out, "x"})
	}
	return Input{run(id, model, origin, "s", len(right), 1), samples(id, "n@1", specs...)}
}

// pattern is n answers, correct where f says so.
func pattern(n int, f func(i int) bool) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func findComparison(t *testing.T, lb *Leaderboard, a, b int64) Comparison {
	t.Helper()
	for _, c := range lb.Comparisons {
		if c.A.Run == a && c.B.Run == b {
			return c
		}
	}
	require.Failf(t, "comparison not found", "runs %d and %d in %+v", a, b, lb.Comparisons)
	return Comparison{}
}

func TestComparisonsRankTieBands(t *testing.T) {
	// A right everywhere; B right on the first 30 of 60; C like B but
	// swapping one item each way: A ≫ B, B ≈ C.
	in := []Input{
		binaryRun(1, "a/top", "CN", pattern(60, func(int) bool { return true })),
		binaryRun(2, "b/mid", "West", pattern(60, func(i int) bool { return i < 30 })),
		binaryRun(3, "c/mid", "West", pattern(60, func(i int) bool { return i < 29 || i == 30 })),
	}
	lb, err := Build(in, fixedOptions())
	require.NoError(t, err)

	ranks := map[string]int{}
	for _, r := range lb.Rows {
		ranks[r.Model] = r.Rank
	}
	assert.Equal(t, map[string]int{"a/top": 1, "b/mid": 2, "c/mid": 2}, ranks)
	require.Len(t, lb.Comparisons, 3)

	ab := findComparison(t, lb, 1, 2)
	assert.Equal(t, "s", ab.Benchmark)
	assert.Equal(t, "a/top", ab.A.Model)
	assert.Equal(t, "b/mid", ab.B.Model)
	assert.Equal(t, 60, ab.SharedItems)
	assert.Zero(t, ab.Excluded)
	assert.InDelta(t, 1, ab.A.Accuracy, 1e-12)
	assert.InDelta(t, 0.5, ab.B.Accuracy, 1e-12)
	assert.InDelta(t, 0.5, ab.Diff, 1e-12)
	assert.Equal(t, MethodMcNemar, ab.Method)
	assert.InDelta(t, 1.862645149230957e-09, ab.PValue, 1e-20, "30 to 0 discordant: 2/2^30")
	assert.True(t, ab.Ahead())
	assert.True(t, strings.HasPrefix(ab.Verdict, "A ahead of B by 50.0 points"), ab.Verdict)
	assert.Less(t, ab.CILow, ab.Diff)
	assert.Greater(t, ab.CIHigh, ab.Diff)
	assert.Greater(t, ab.CILow, 0.0, "a lead on 30 of 60 items and no loss is clear of zero")

	bc := findComparison(t, lb, 2, 3) // equal accuracy: the higher-placed row is A
	assert.InDelta(t, 0, bc.Diff, 1e-12)
	assert.InDelta(t, 1, bc.PValue, 1e-12, "one discordant item each way")
	assert.False(t, bc.Ahead())
	assert.True(t, strings.HasPrefix(bc.Verdict, "tied ("), bc.Verdict)

	// The parity check reads the CN-first comparison with CN ahead.
	require.Len(t, lb.ParityChecks, 1)
	p := lb.ParityChecks[0]
	assert.Equal(t, "a/top", p.A.Model)
	assert.Equal(t, "b/mid", p.B.Model, "equal accuracy: the first West row in table order")
	assert.InDelta(t, 0.5, p.Diff, 1e-12)
	assert.Equal(t, ab.CILow, p.CILow)
	assert.True(t, strings.HasPrefix(p.Verdict, "CN ahead of West by 50.0 points (95% CI "), p.Verdict)
	assert.True(t, strings.HasSuffix(p.Verdict, ", p<0.001)"), p.Verdict)
}

func TestComparisonWithSeveralSamplesUsesSignFlip(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	var xs, ys []spec
	// X gets 3 of 4 right on every item, Y 1 of 4: twenty items.
	for i := range 20 {
		id := fmt.Sprintf("i%02d", i)
		for k := range 4 {
			xs = append(xs, spec{id, k, []parity.Outcome{c, c, c, w}[k], "1"})
			ys = append(ys, spec{id, k, []parity.Outcome{c, w, w, w}[k], "2"})
		}
	}
	in := []Input{
		{run(1, "x/m", "CN", "s", 20, 4), samples(1, "n@1", ys...)},
		{run(2, "y/m", "West", "s", 20, 4), samples(2, "n@1", xs...)},
	}
	lb, err := Build(in, fixedOptions())
	require.NoError(t, err)
	cmp := findComparison(t, lb, 2, 1)
	assert.Equal(t, "y/m", cmp.A.Model, "A is the run ahead on the shared items")
	assert.InDelta(t, 0.5, cmp.Diff, 1e-12)
	assert.Equal(t, MethodSignFlipMonte, cmp.Method, "20 differing items is above the exact limit")
	assert.Equal(t, 1.0/(1+DefaultPermutations), cmp.PValue, "no random sign vector reaches 20 of 20")
	assert.InDelta(t, 0.5, cmp.CILow, 1e-12, "every item differs by exactly 0.5")
	assert.InDelta(t, 0.5, cmp.CIHigh, 1e-12)

	p := lb.ParityChecks[0]
	assert.InDelta(t, -0.5, p.Diff, 1e-12, "CN minus West")
	assert.Equal(t, "CN behind West by 50.0 points (95% CI 50.0–50.0, p<0.001)", p.Verdict)
}

func TestComparisonsExcludeUnsharedItemsAndNoteVersions(t *testing.T) {
	c, w, e := parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeError
	v1 := run(1, "a/m", "CN", "s", 4, 1)
	v2 := run(2, "b/m", "West", "s", 4, 1)
	v2.Suite.Version = "2"
	other := run(3, "c/m", "West", "t", 1, 1)
	lb, err := Build([]Input{
		// q3 failed for a; q4 exists only in b; q0 only in a.
		{v1, samples(1, "n@1", spec{"q0", 0, c, "1"}, spec{"q1", 0, c, "1"}, spec{"q2", 0, w, "1"}, spec{"q3", 0, e, ""})},
		{v2, samples(2, "n@1", spec{"q1", 0, w, "1"}, spec{"q2", 0, w, "1"}, spec{"q3", 0, c, "1"}, spec{"q4", 0, c, "1"})},
		{other, samples(3, "n@1", spec{"q1", 0, c, "1"})},
	}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.Comparisons, 1, "runs of different benchmarks are never paired")
	cmp := lb.Comparisons[0]
	assert.Equal(t, 2, cmp.SharedItems)
	assert.Equal(t, 3, cmp.Excluded, "q0, q3 and q4 are scored in one run only")
	assert.InDelta(t, 0.5, cmp.A.Accuracy, 1e-12)
	assert.InDelta(t, 0, cmp.B.Accuracy, 1e-12)
	assert.Contains(t, lb.Notes, "1 paired comparison(s) leave out items scored by only one of the two runs (EXCLUDED column): their accuracies and differences are over the shared items only")
	assert.Contains(t, lb.Notes, "s: runs on suite versions 1, 2 are compared on the item ids they share; if a version changed a prompt or the scoring, those comparisons are not like for like")
	assert.False(t, slices.ContainsFunc(lb.Notes, func(n string) bool { return strings.HasPrefix(n, "p-values are not corrected") }),
		"one pair per benchmark is not a multiple comparison")

	// Disjoint items: nothing to pair, so no comparison, both rank 1, and
	// the parity check says why it has no numbers.
	lb, err = Build([]Input{
		{run(1, "a/m", "CN", "s", 1, 1), samples(1, "n@1", spec{"q0", 0, c, "1"})},
		{run(2, "b/m", "West", "s", 1, 1), samples(2, "n@1", spec{"q1", 0, w, "1"})},
	}, fixedOptions())
	require.NoError(t, err)
	assert.Empty(t, lb.Comparisons)
	assert.Equal(t, 1, lb.Rows[0].Rank)
	assert.Equal(t, 1, lb.Rows[1].Rank)
	require.Len(t, lb.ParityChecks, 1)
	assert.Equal(t, "not comparable: no item scored by both runs", lb.ParityChecks[0].Verdict)
	assert.True(t, math.IsNaN(lb.ParityChecks[0].PValue))
}

func TestParityChecksPickBestNonMockPerOrigin(t *testing.T) {
	all := pattern(10, func(int) bool { return true })
	half := pattern(10, func(i int) bool { return i%2 == 0 })
	some := pattern(10, func(i int) bool { return i < 3 })
	mock := binaryRun(9, "mock/m", "CN", all)
	mock.Run.Model.Provider = "mock"
	in := []Input{
		mock,
		binaryRun(1, "cn/weak", "CN", some),
		binaryRun(2, "cn/strong", "CN", half),
		binaryRun(3, "west/only", "West", some),
	}
	lone := binaryRun(4, "cn/alone", "CN", half)
	lone.Run.Suite.Name = "u"
	for i := range lone.Samples {
		lone.Samples[i].RunID = 4
	}
	in = append(in, lone)
	lb, err := Build(in, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.ParityChecks, 1, "benchmark u has no West run")
	p := lb.ParityChecks[0]
	assert.Equal(t, "s", p.Benchmark)
	assert.Equal(t, "cn/strong", p.A.Model, "the mock row is not a CN model")
	assert.Equal(t, "west/only", p.B.Model)
	assert.Equal(t, int64(2), p.A.Run)
	assert.Equal(t, 10, p.SharedItems)
	assert.InDelta(t, 0.5, p.A.Accuracy, 1e-12)
	assert.InDelta(t, 0.3, p.B.Accuracy, 1e-12)
	// Discordant items: CN right on 4, 6, 8; West right on 1 → McNemar(3, 1).
	assert.InDelta(t, 0.625, p.PValue, 1e-12)
	assert.True(t, strings.HasPrefix(p.Verdict, "tied (p=0.62; CN − West = 20.0 points, 95% CI "), p.Verdict)
}

func TestVerdict(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name            string
		diff, lo, hi, p float64
		want            string
	}{
		{"West ahead", -0.062, -0.103, -0.021, 0.003, "CN behind West by 6.2 points (95% CI 2.1–10.3, p=0.003)"},
		{"CN ahead", 0.1, 0.05, 0.15, 0.0001, "CN ahead of West by 10.0 points (95% CI 5.0–15.0, p<0.001)"},
		{"ahead by the test, interval touching zero", 0.05, -0.004, 0.1, 0.04, "CN ahead of West by 5.0 points (95% CI -0.4 to 10.0, p=0.04)"},
		{"tied", 0.012, -0.03, 0.054, 0.41, "tied (p=0.41; CN − West = 1.2 points, 95% CI -3.0 to 5.4)"},
		{"tied at zero", -0.0001, -0.02, 0.02, 1, "tied (p=1.00; CN − West = 0.0 points, 95% CI -2.0 to 2.0)"},
		{"tied without interval", 1, nan, nan, 1, "tied (p=1.00; CN − West = 100.0 points)"},
		{"p at the threshold is a tie", 0.1, 0.01, 0.2, 0.05, "tied (p=0.05; CN − West = 10.0 points, 95% CI 1.0–20.0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, verdict(Comparison{A: Side{Label: "CN"}, B: Side{Label: "West"}, Diff: tt.diff, CILow: tt.lo, CIHigh: tt.hi, PValue: tt.p}))
		})
	}
}

func TestComparisonsRenderEverywhere(t *testing.T) {
	evilCN := binaryRun(1, "cn/<b>bold</b>", "CN", pattern(30, func(int) bool { return true }))
	evilWest := binaryRun(2, `west/<script>alert("x")</script>|`, "West", pattern(30, func(i int) bool { return i < 5 }))
	lb, err := Build([]Input{evilCN, evilWest}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.ParityChecks, 1)

	var md bytes.Buffer
	require.NoError(t, Render(&md, lb, "md"))
	assert.NotContains(t, md.String(), "<script")
	assert.Contains(t, md.String(), "## Parity check")
	assert.Contains(t, md.String(), `west/&lt;script&gt;alert("x")&lt;/script&gt;\|`)

	var text bytes.Buffer
	require.NoError(t, Render(&text, lb, "text"))
	assert.Contains(t, text.String(), "\nParity check\n")
	assert.Contains(t, text.String(), "RANK")

	var js bytes.Buffer
	require.NoError(t, Render(&js, lb, "json"))
	var got struct {
		Rows []struct {
			Model string `json:"model"`
			Rank  int    `json:"rank"`
		} `json:"rows"`
		Comparisons []map[string]any `json:"comparisons"`
		Parity      []struct {
			Benchmark string `json:"benchmark"`
			Kind      string `json:"kind"`
			B         struct {
				Label string `json:"label"`
				Model string `json:"model"`
			} `json:"b"`
			Diff    *float64 `json:"diff"`
			CILow   *float64 `json:"ci_low"`
			CIHigh  *float64 `json:"ci_high"`
			PValue  *float64 `json:"p_value"`
			Verdict string   `json:"verdict"`
		} `json:"parity_checks"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &got))
	assert.Equal(t, 1, got.Rows[0].Rank)
	assert.Equal(t, 2, got.Rows[1].Rank)
	require.Len(t, got.Comparisons, 1)
	assert.Equal(t, "McNemar exact", got.Comparisons[0]["method"])
	require.Len(t, got.Parity, 1)
	assert.Equal(t, evilWest.Run.Model.ID, got.Parity[0].B.Model)
	assert.Equal(t, "West", got.Parity[0].B.Label)
	assert.Equal(t, KindParity, got.Parity[0].Kind)
	require.NotNil(t, got.Parity[0].Diff)
	assert.InDelta(t, 25.0/30, *got.Parity[0].Diff, 1e-12)
	assert.InDelta(t, McNemar(25, 0), *got.Parity[0].PValue, 1e-15)
	assert.Equal(t, lb.ParityChecks[0].Verdict, got.Parity[0].Verdict)
}

func TestBuildRejectsNegativePermutations(t *testing.T) {
	_, err := Build(nil, Options{Permutations: -1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must not be negative")
}

func TestLanguageGaps(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	mk := func(id int64, model, subject string, outcomes ...parity.Outcome) Input {
		r := run(id, model, "CN", "mgsm", len(outcomes), 1)
		r.Subject = subject
		var specs []spec
		for i, o := range outcomes {
			specs = append(specs, spec{fmt.Sprintf("%s-%03d", subject, i+1), 0, o, "1"})
		}
		return Input{r, samples(id, "n@1", specs...)}
	}
	// Twenty aligned problems: in English the model gets all right, in
	// Chinese it misses ten of them: ten discordant items, all one way.
	en := make([]parity.Outcome, 20)
	zh := make([]parity.Outcome, 20)
	de := make([]parity.Outcome, 20)
	for i := range en {
		en[i], zh[i], de[i] = c, c, c
		if i%2 == 0 {
			zh[i] = w
		}
	}
	de[3] = w
	lb, err := Build([]Input{
		mk(1, "deepseek/r1", "en", en...),
		mk(2, "deepseek/r1", "zh", zh...),
		mk(3, "deepseek/r1", "de", de...),
		mk(4, "openai/o4", "zh", zh...), // no English run: no gap
	}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.LanguageGaps, 2)
	de1, zh1 := lb.LanguageGaps[0], lb.LanguageGaps[1]
	assert.Equal(t, "de", de1.A.Label)
	assert.Equal(t, "zh", zh1.A.Label)
	assert.Equal(t, 20, zh1.SharedItems)
	assert.InDelta(t, 1.0, zh1.B.Accuracy, 1e-12)
	assert.InDelta(t, 0.5, zh1.A.Accuracy, 1e-12)
	assert.InDelta(t, -0.5, zh1.Diff, 1e-12, "other minus English")
	assert.LessOrEqual(t, zh1.CIHigh, 0.0)
	assert.InDelta(t, 2.0/1024, zh1.PValue, 1e-12, "McNemar with 10 discordant items all one way")
	assert.True(t, strings.HasPrefix(zh1.Verdict, "zh behind en by 50.0 points (95% CI "), zh1.Verdict)
	assert.True(t, strings.HasSuffix(zh1.Verdict, ", p=0.002)"), zh1.Verdict)
	// The bootstrap spread of 10 discordant items in 20 is about a
	// binomial's: roughly 25 to 75 points either side of 50.
	assert.InDelta(t, -0.72, zh1.CILow, 0.06)
	assert.InDelta(t, -0.28, zh1.CIHigh, 0.06)
	assert.Contains(t, de1.Verdict, "tied (p=1.00; de − en = -5.0 points")

	for _, format := range []string{"text", "md", "json"} {
		var out strings.Builder
		require.NoError(t, Render(&out, lb, format))
		if format == "json" {
			assert.Contains(t, out.String(), `"language_gaps"`)
			continue
		}
		assert.Contains(t, out.String(), "Language gap", format)
		assert.Contains(t, out.String(), "zh behind en by 50.0 points", format)
	}
}

func TestLanguageGapsNeedAlignedIDs(t *testing.T) {
	c := parity.OutcomeCorrect
	// MMLU subjects are different questions, not translations: their ids
	// do not carry the subject as a prefix, so nothing is paired.
	a := run(1, "m/x", "West", "mmlu", 1, 1)
	a.Subject = "en"
	b := run(2, "m/x", "West", "mmlu", 1, 1)
	b.Subject = "anatomy"
	lb, err := Build([]Input{{a, samples(1, "c@1", spec{"q1", 0, c, "A"})}, {b, samples(2, "c@1", spec{"q1", 0, c, "A"})}}, fixedOptions())
	require.NoError(t, err)
	assert.Empty(t, lb.LanguageGaps)
}

func TestLanguageGapsPairRunsOfOneSetting(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	mk := func(id int64, subject, thinking string, o parity.Outcome) Input {
		r := run(id, "deepseek/v3", "CN", "mgsm", 20, 1)
		r.Subject, r.Params.Thinking = subject, thinking
		var specs []spec
		for i := range 20 {
			specs = append(specs, spec{fmt.Sprintf("%s-%03d", subject, i+1), 0, o, "1"})
		}
		return Input{r, samples(id, "n@1", specs...)}
	}
	// With thinking the model gets everything right in both languages,
	// without it nothing: no language gap at all, only a thinking gap.
	lb, err := Build([]Input{
		mk(1, "en", "enabled", c), mk(2, "zh", "enabled", c),
		mk(3, "en", "disabled", w), mk(4, "zh", "disabled", w),
	}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.LanguageGaps, 2, "English with thinking is never set against Chinese without")
	for _, g := range lb.LanguageGaps {
		assert.Zero(t, g.Diff, "runs %d and %d", g.B.Run, g.A.Run)
	}
}

func TestParityCheckFallsBackToTheMockDemo(t *testing.T) {
	all := pattern(10, func(int) bool { return true })
	some := pattern(10, func(i int) bool { return i < 4 })
	mockRun := func(id int64, provider string, right []bool) Input {
		in := binaryRun(id, provider+"/oracle-70", "mock", right)
		in.Run.Model.Provider = provider
		return in
	}
	lb, err := Build([]Input{mockRun(1, "mock-cn", some), mockRun(2, "mock-west", all), mockRun(3, "mock", all)}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.ParityChecks, 1)
	p := lb.ParityChecks[0]
	assert.Equal(t, "CN (mock)", p.A.Label)
	assert.Equal(t, int64(1), p.A.Run)
	assert.Equal(t, "West (mock)", p.B.Label)
	assert.True(t, strings.HasPrefix(p.Verdict, "CN (mock) behind West (mock) by 60.0 points"), p.Verdict)

	// Real CN and West runs take the check back.
	lb, err = Build([]Input{mockRun(1, "mock-cn", some), mockRun(2, "mock-west", all),
		binaryRun(4, "cn/real", "CN", some), binaryRun(5, "west/real", "West", some)}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.ParityChecks, 1)
	assert.Equal(t, "CN", lb.ParityChecks[0].A.Label)
	assert.Equal(t, int64(4), lb.ParityChecks[0].A.Run)
}
