package site

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

func readItems(t *testing.T, src itemSource) []itemRec {
	t.Helper()
	var out []itemRec
	c := src()
	defer c.close()
	for {
		r, err := c.next()
		require.NoError(t, err)
		if r == nil {
			return out
		}
		out = append(out, *r)
	}
}

// A run's item file folds the samples it is given, grouped by item, and
// reads back the same however often it is read.
func TestItemFileFoldsAndReadsBack(t *testing.T) {
	hostile := "<b>\x00\xff 中文 \"q\""
	recs := []spoolRec{
		{item: "q2", pair: "2", index: 0, outcome: parity.OutcomeWrong, extracted: "7", gold: "8"},
		{item: "q2", pair: "2", index: 1, outcome: parity.OutcomeCorrect, extracted: "8", gold: "8"},
		{item: "q2", pair: "2", index: 2, outcome: parity.OutcomeError},
		{item: hostile, pair: "", index: 3, outcome: parity.OutcomeCorrect, extracted: hostile, gold: hostile},
		{item: "q10", pair: "10", index: 0, outcome: parity.OutcomeRefused},
	}
	w, err := newItemWriter(t.TempDir())
	require.NoError(t, err)
	for i := range recs {
		require.NoError(t, w.add(&recs[i], 100+i))
	}
	f, err := w.finish()
	require.NoError(t, err)
	defer f.remove()
	want := []itemRec{
		{ItemResult: reports.ItemResult{ID: "q2", Pair: "2", Outcome: parity.OutcomeWrong, Extracted: "7", Gold: "8", Index: 0, Total: 3, Scored: 2, Correct: 1}, first: 100},
		{ItemResult: reports.ItemResult{ID: hostile, Outcome: parity.OutcomeCorrect, Extracted: hostile, Gold: hostile, Index: 3, Total: 1, Scored: 1, Correct: 1}, first: 103},
		{ItemResult: reports.ItemResult{ID: "q10", Pair: "10", Outcome: parity.OutcomeRefused, Total: 1, Scored: 1}, first: 104},
	}
	assert.Equal(t, 3, f.n)
	assert.Equal(t, want, readItems(t, f.items))
	assert.Equal(t, want, readItems(t, f.items), "a second read gives the same")

	empty, err := newItemWriter(t.TempDir())
	require.NoError(t, err)
	ef, err := empty.finish()
	require.NoError(t, err)
	defer ef.remove()
	assert.Empty(t, readItems(t, ef.items))
}

// randomItems makes a run's items over some of n ids, in counting order of
// their ids, with K samples each. Pairs, when asked for, follow an order of
// their own, unrelated to the ids', and may repeat.
func randomItems(rng *rand.Rand, n, k int, pairs bool) []itemRec {
	var out []itemRec
	for i := 1; i <= n; i++ {
		if rng.IntN(5) == 0 {
			continue // an item this run did not ask
		}
		scored := rng.IntN(k + 1)
		it := reports.ItemResult{ID: "item-" + strconv.Itoa(i), Total: k, Scored: scored, Correct: rng.IntN(scored + 1),
			Outcome: parity.OutcomeWrong, Extracted: strconv.Itoa(rng.IntN(9)), Gold: strconv.Itoa(i)}
		if pairs {
			it.Pair = strconv.Itoa((i * 7919) % (n/2 + 3)) // a shuffle of the numbers, with clashes
		}
		out = append(out, itemRec{ItemResult: it, first: int64(i)})
	}
	return out
}

// The streaming join lists exactly the flips reports.Diff finds, in the
// same order, whether the sources are in key order (joined as read) or not
// (sorted in memory first), and fn never sees a flip twice.
func TestFlipJoinMatchesDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	en := parity.Run{ID: 1, Suite: parity.SuiteInfo{Name: "mgsm"}, Subject: "en"}
	streamed, held := 0, 0
	for trial := range 60 {
		byPair := trial%2 == 1
		n, k := 1+rng.IntN(200), 1+rng.IntN(4)
		xs, ys := randomItems(rng, n, k, byPair), randomItems(rng, n, k, byPair)
		a, b := en, en
		b.ID = 2
		if byPair {
			b.Subject = "zh"
		}
		require.Equal(t, byPair, reports.PairsByLanguage(a, b))

		j, err := newFlipJoin(sliceItems(xs), sliceItems(ys), byPair)
		require.NoError(t, err)
		if j.ys == nil {
			streamed++
		} else {
			held++
		}
		var got []string
		require.NoError(t, j.each(func(key string, x, y *itemRec) error {
			got = append(got, fmt.Sprintf("%s %s/%s %d/%d-%d/%d", key, x.ID, y.ID, x.Correct, x.Scored, y.Correct, y.Scored))
			return nil
		}))

		plain := func(items []itemRec) []reports.ItemResult {
			out := make([]reports.ItemResult, len(items))
			for i, it := range items {
				out[i] = it.ItemResult
			}
			return out
		}
		d, err := reports.Diff(reports.DiffRun{Run: a, Items: plain(xs)}, reports.DiffRun{Run: b, Items: plain(ys)}, reports.Options{Bootstrap: 1, Permutations: 1})
		if err != nil {
			assert.Empty(t, got, "trial %d", trial)
			continue
		}
		var want []string
		for _, f := range d.Flips {
			want = append(want, fmt.Sprintf("%s %s/%s %d/%d-%d/%d", f.Key, f.A.ID, f.B.ID, f.A.Correct, f.A.Scored, f.B.Correct, f.B.Scored))
		}
		// Diff sorts its flips by key alone, so flips of a key that
		// repeats may come in any order among themselves.
		keys := func(list []string) []string {
			var out []string
			for _, l := range list {
				out = append(out, strings.Fields(l)[0])
			}
			return out
		}
		assert.Equal(t, keys(want), keys(got), "trial %d (by pair %v)", trial, byPair)
		assert.ElementsMatch(t, want, got, "trial %d (by pair %v)", trial, byPair)
		assert.Equal(t, flipCounts{gained: d.Gained, lost: d.Lost, flips: len(d.Flips)}, j.counts, "trial %d", trial)
	}
	assert.Equal(t, 30, streamed, "runs paired by id are joined as read")
	assert.Equal(t, 30, held, "pairs that do not sort like ids are held in memory")
}

// Sources in key order are joined as they are read; one out of order is
// found before any flip is reported, so a page never gets half a join.
func TestFlipJoinFindsDisorderFirst(t *testing.T) {
	item := func(id string, correct int) itemRec {
		return itemRec{ItemResult: reports.ItemResult{ID: id, Total: 1, Scored: 1, Correct: correct}}
	}
	xs := []itemRec{item("a1", 1), item("a2", 0), item("a10", 1)}
	ys := []itemRec{item("a1", 0), item("a2", 1), item("a10", 0)}
	ordered, err := newFlipJoin(sliceItems(xs), sliceItems(ys), false)
	require.NoError(t, err)
	assert.Equal(t, flipCounts{gained: 1, lost: 2, flips: 3}, ordered.counts)
	_, isSlice := ordered.a().(*sliceCursor)
	assert.True(t, isSlice)
	assert.Equal(t, &xs[0], mustNext(t, ordered.a()), "ordered sources are read as given")

	// Text order, as the store gives ids: a10 before a2.
	text := slices.Clone(xs)
	text[1], text[2] = text[2], text[1]
	j, err := newFlipJoin(sliceItems(text), sliceItems(ys), false)
	require.NoError(t, err)
	assert.Equal(t, ordered.counts, j.counts)
	var keys []string
	require.NoError(t, j.each(func(key string, x, y *itemRec) error { keys = append(keys, key); return nil }))
	assert.Equal(t, []string{"a1", "a2", "a10"}, keys)
}

func mustNext(t *testing.T, c itemCursor) *itemRec {
	t.Helper()
	r, err := c.next()
	require.NoError(t, err)
	return r
}
