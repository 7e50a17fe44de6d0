package reports

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestTokenOverlap(t *testing.T) {
	assert.Equal(t, 1.0, TokenOverlap("The cat sat.", "the cat sat"))
	assert.Equal(t, 0.0, TokenOverlap("dog", "the cat sat"))
	assert.Equal(t, 0.0, TokenOverlap("", "the cat sat"))
	// LCS "the sat" of 2 tokens: precision 2/2, recall 2/3.
	assert.InDelta(t, 0.8, TokenOverlap("the sat", "the cat sat"), 1e-12)
	// Order matters: the same words backwards share one token in order.
	assert.InDelta(t, 1.0/3, TokenOverlap("sat cat the", "the cat sat"), 1e-12)
	// Chinese is compared character by character.
	assert.InDelta(t, 0.8, TokenOverlap("小明有苹果", "小明有五个苹果"), 0.05)
}

// probeRun is a probe run: exact of n items reproduced exactly, the others
// half right.
func probeRun(id int64, model, origin string, exact, n int) Input {
	r := run(id, model, origin, "mmlu-guess", n, 1)
	r.Suite.Kind = "probe-guess"
	var ss []parity.Sample
	for i := 0; i < n; i++ {
		s := parity.Sample{RunID: id, ItemID: string(rune('a' + i)), Gold: "one two three four",
			Score: parity.Score{Outcome: parity.OutcomeWrong, Extracted: "one two"}}
		if i < exact {
			s.Score = parity.Score{Outcome: parity.OutcomeCorrect, Extracted: "One two three four."}
		}
		ss = append(ss, s)
	}
	return Input{Run: r, Samples: ss}
}

func TestProbesAgainstTheReference(t *testing.T) {
	in := []Input{
		probeRun(1, "lab/seen", "CN", 18, 20),
		probeRun(2, "lab/unseen", "West", 1, 20),
		probeRun(3, "mock/oracle", "mock", 0, 20),
	}
	in[2].Run.Model.Provider = "mock"
	lb, err := Build(in, Options{Bootstrap: 100, Seed: 1})
	require.NoError(t, err)
	require.Len(t, lb.Probes, 3)
	assert.True(t, lb.Probes[0].Reference, "the reference comes first")
	seen := lb.Probes[1]
	if seen.Model != "lab/seen" {
		seen = lb.Probes[2]
	}
	assert.InDelta(t, 0.9, seen.Exact, 1e-12)
	// 18 exact (overlap 1) and 2 half (LCS 2 of 2 and 4: F1 2/3).
	assert.InDelta(t, (18+2*(2.0/3))/20, seen.Overlap, 1e-12)
	assert.InDelta(t, 0.9, seen.AboveRef, 1e-12)
	assert.Less(t, seen.PValue, 0.001)
	assert.Empty(t, lb.ParityChecks, "a probe has no parity check")
	for _, r := range lb.Rows {
		assert.False(t, math.IsNaN(r.Overlap), "probe rows have an overlap")
	}

	var md bytes.Buffer
	require.NoError(t, Render(&md, lb, "md"))
	assert.Contains(t, md.String(), "## Contamination probes")
	assert.Contains(t, md.String(), "mock/oracle [mock] (reference)")
}

func TestCutoffDrops(t *testing.T) {
	mk := func(id int64, model, suite string, correct int) Input {
		r := run(id, model, "CN", suite, 30, 1)
		var ss []parity.Sample
		for i := 0; i < 30; i++ {
			o := parity.OutcomeWrong
			if i < correct {
				o = parity.OutcomeCorrect
			}
			ss = append(ss, parity.Sample{RunID: id, ItemID: string(rune('a' + i)), Score: parity.Score{Outcome: o}})
		}
		return Input{Run: r, Samples: ss}
	}
	in := []Input{
		mk(1, "lab/a", "aime24", 24), mk(2, "lab/a", "aime25", 9),
		mk(3, "lab/b", "aime24", 15), mk(4, "lab/b", "aime25", 13),
		mk(5, "lab/c", "aime24", 12), mk(6, "lab/c", "aime25", 11),
		mk(7, "lab/d", "aime24", 20), // no 2025 run: no drop
	}
	lb, err := Build(in, Options{Bootstrap: 100})
	require.NoError(t, err)
	require.Len(t, lb.Cutoffs, 3)
	byModel := map[string]CutoffDrop{}
	for _, d := range lb.Cutoffs {
		byModel[d.Model] = d
	}
	a := byModel["lab/a"]
	assert.InDelta(t, 0.5, a.Drop, 1e-12)
	assert.Greater(t, a.CILow, 0.2)
	assert.Less(t, a.CIHigh, 0.75)
	assert.InDelta(t, (2.0/30+1.0/30)/2, a.OthersDrop, 1e-12, "median of the others' drops")
	assert.InDelta(t, a.Drop-a.OthersDrop, a.Excess, 1e-12)
	b := byModel["lab/b"]
	assert.Less(t, b.CILow, 0.0, "a small drop's interval covers zero")

	lb, err = Build(in, Options{Bootstrap: 100, Cutoffs: []Cutoff{{Before: "aime25", After: "aime24"}}})
	require.NoError(t, err)
	for _, d := range lb.Cutoffs {
		if d.Model == "lab/a" {
			assert.InDelta(t, -0.5, d.Drop, 1e-12, "pairs are configurable")
		}
	}
}
