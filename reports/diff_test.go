package reports

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func foldItems(samples []parity.Sample) []ItemResult {
	var f ItemFolder
	for i := range samples {
		f.Add(&samples[i])
	}
	return f.Items()
}

func TestDiffListsFlippedItems(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	a := binaryRun(1, "a/m", "CN", pattern(20, func(i int) bool { return i < 10 }))
	// b loses item 0 and gains items 10..13: net +3.
	b := binaryRun(2, "b/m", "West", pattern(20, func(i int) bool { return (i > 0 && i < 10) || (i >= 10 && i < 14) }))
	b.Samples[0].Score = parity.Score{Outcome: w, Extracted: "7"}
	b.Samples[0].Gold = "x"
	d, err := Diff(DiffRun{a.Run, foldItems(a.Samples)}, DiffRun{b.Run, foldItems(b.Samples)}, fixedOptions())
	require.NoError(t, err)
	assert.Equal(t, 4, d.Gained)
	assert.Equal(t, 1, d.Lost)
	assert.Equal(t, 3, d.Net)
	require.Len(t, d.Flips, 5)
	assert.Equal(t, "q00", d.Flips[0].Key)
	assert.Equal(t, c, d.Flips[0].A.Outcome)
	assert.Equal(t, "7", d.Flips[0].B.Extracted)
	assert.Equal(t, MethodMcNemar, d.Method)
	assert.InDelta(t, McNemar(1, 4), d.PValue, 1e-12)
	assert.InDelta(t, -0.15, d.Diff, 1e-12, "A − B: run 1 minus run 2")
	assert.Equal(t, int64(1), d.A.Run)
	assert.Contains(t, d.Verdict, "run 1 − run 2")
}

func TestDiffPairsLanguagesOnAlignedItems(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	mk := func(id int64, subject string, right func(i int) bool) DiffRun {
		r := run(id, "m/x", "CN", "mgsm", 4, 1)
		r.Subject = subject
		var specs []spec
		for i := range 4 {
			o := w
			if right(i) {
				o = c
			}
			specs = append(specs, spec{fmt.Sprintf("%s-%d", subject, i), 0, o, "1"})
		}
		return DiffRun{r, foldItems(samples(id, "n@1", specs...))}
	}
	d, err := Diff(mk(1, "en", func(int) bool { return true }), mk(2, "zh", func(i int) bool { return i != 2 }), fixedOptions())
	require.NoError(t, err)
	assert.Equal(t, 4, d.SharedItems)
	require.Len(t, d.Flips, 1)
	assert.Equal(t, "2", d.Flips[0].Key)
	assert.Equal(t, "en-2", d.Flips[0].A.ID)
	assert.Equal(t, "zh-2", d.Flips[0].B.ID)

	_, err = Diff(mk(1, "en", func(int) bool { return true }), DiffRun{run(3, "m/x", "CN", "gsm8k", 1, 1), nil}, fixedOptions())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "share no scored item")
}
