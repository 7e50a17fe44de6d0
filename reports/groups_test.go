package reports

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// Grouping follows the samples' RotationOf and Pair fields, never the look
// of an id: a user suite may well name items "user@r1" or "en-1".
func TestGroupsComeFromFieldsNotIDs(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	lookalike := samples(1, "c@1", spec{"user@r1", 0, c, "A"}, spec{"user@r2", 0, w, "B"})
	for i := range lookalike {
		lookalike[i].RotationOf = ""
	}
	row := buildOne(t, Input{run(1, "x/y", "CN", "quiz", 2, 1), lookalike})
	assert.Zero(t, row.CircularItems, "ids that merely look like rotations are plain items")
	assert.True(t, math.IsNaN(row.CircularAccuracy))

	// Rotations named freely are still grouped by their field.
	named := samples(2, "c@1", spec{"a", 0, c, "A"}, spec{"b", 0, w, "B"}, spec{"z", 0, c, "C"})
	named[0].RotationOf, named[1].RotationOf, named[2].RotationOf = "q1", "q1", "q2"
	row = buildOne(t, Input{run(2, "x/y", "CN", "quiz", 3, 1), named})
	assert.Equal(t, 2, row.CircularItems)
	assert.InDelta(t, 0.5, row.CircularAccuracy, 1e-12, "q1 fails in one rotation, q2 holds")

	// Translations pair on Pair, whatever their ids: English "p-b" and
	// Chinese "x9" are the same problem.
	mk := func(id int64, subject string, ids []string, pairs []string, o ...parity.Outcome) Input {
		r := run(id, "deepseek/r1", "CN", "multi", len(ids), 1)
		r.Subject = subject
		var specs []spec
		for i := range ids {
			specs = append(specs, spec{ids[i], 0, o[i], "1"})
		}
		ss := samples(id, "n@1", specs...)
		for i := range ss {
			ss[i].Pair = pairs[i]
		}
		return Input{r, ss}
	}
	lb, err := Build([]Input{
		mk(3, "en", []string{"p-a", "p-b", "p-c"}, []string{"1", "2", "3"}, c, c, c),
		mk(4, "zh", []string{"x9", "x1", "x5"}, []string{"2", "3", "4"}, w, c, c),
	}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.LanguageGaps, 1)
	g := lb.LanguageGaps[0]
	assert.Equal(t, 2, g.SharedItems, "problems 2 and 3 are in both runs")
	assert.InDelta(t, 0.5, g.A.Accuracy, 1e-12)
	assert.InDelta(t, 1.0, g.B.Accuracy, 1e-12)

	// Without pair keys there is nothing to line up.
	lb, err = Build([]Input{
		mk(5, "en", []string{"en-1"}, []string{""}, c),
		mk(6, "zh", []string{"zh-1"}, []string{""}, c),
	}, fixedOptions())
	require.NoError(t, err)
	assert.Empty(t, lb.LanguageGaps)
}
