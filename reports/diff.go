package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/parity-bench/parity"
)

// ItemResult is one item of one run, folded from its samples: what an
// item-by-item diff of two runs shows.
type ItemResult struct {
	ID string
	// Pair is the item's key across the languages of an aligned suite.
	Pair            string
	Scored, Correct int
	// Total counts the item's samples, errors included.
	Total int
	// Outcome, Extracted and Gold are the first sample's, the one a reader
	// opens first; Index is its sample index.
	Outcome   parity.Outcome
	Extracted string
	Gold      string
	Index     int
}

// Share is the item's share of correct scored samples, NaN when none was
// scored.
func (r ItemResult) Share() float64 {
	if r.Scored == 0 {
		return math.NaN()
	}
	return float64(r.Correct) / float64(r.Scored)
}

// ItemFolder folds a run's samples, given in key order, into ItemResults,
// holding one entry per item rather than the samples.
type ItemFolder struct {
	items []ItemResult
}

// Add folds s in; samples of one item must come together.
func (f *ItemFolder) Add(s *parity.Sample) {
	if n := len(f.items); n == 0 || f.items[n-1].ID != s.ItemID {
		f.items = append(f.items, ItemResult{ID: s.ItemID, Pair: s.Pair, Outcome: s.Score.Outcome,
			Extracted: s.Score.Extracted, Gold: s.Gold, Index: s.Index})
	}
	it := &f.items[len(f.items)-1]
	it.Total++
	if !s.Score.Outcome.Scored() {
		return
	}
	it.Scored++
	if s.Score.Outcome == parity.OutcomeCorrect {
		it.Correct++
	}
}

// Items returns the folded items in the order they came.
func (f *ItemFolder) Items() []ItemResult { return f.items }

// Flip is one item two runs answered differently: its share of correct
// samples differs.
type Flip struct {
	// Key is the item as the two runs share it: the item id, or for runs of
	// one suite in two languages the id without its language prefix.
	Key  string
	A, B ItemResult
}

// DiffResult compares two runs item by item: the paired comparison over the
// items both scored, and every item whose result differs.
type DiffResult struct {
	Comparison
	// Gained counts items B gets right more often than A, Lost the
	// reverse; Net is Gained - Lost.
	Gained, Lost, Net int
	// Flips are the differing items in key order, the ones A had right
	// (lost by B) and B had right (gained) alike.
	Flips []Flip
}

// DiffRun is one side of a diff: the run and its folded items.
type DiffRun struct {
	Run   parity.Run
	Items []ItemResult
}

// Diff compares run b against run a on the items both scored. Runs of one
// suite in two languages (mgsm:en and mgsm:zh) pair their aligned items, as
// language gaps do. Side A of the result is a, so Diff < 0 means b does
// better.
func Diff(a, b DiffRun, opt Options) (DiffResult, error) {
	if err := checkOptions(&opt); err != nil {
		return DiffResult{}, err
	}
	keyA, keyB := diffKeys(a, b)
	x, y := diffRow(a, keyA), diffRow(b, keyB)
	var buf pairBuffers
	c, swapped, ok := compare(x, y, opt, &buf)
	if !ok {
		return DiffResult{}, parity.Errorf(parity.ErrUsage, "runs %d and %d share no scored item: compare runs of one suite (and for languages, of one selection)", a.Run.ID, b.Run.ID)
	}
	if swapped {
		c = c.swapped()
	}
	c.Benchmark = x.row.Benchmark()
	if y.row.Benchmark() != c.Benchmark {
		c.Benchmark += " vs " + y.row.Benchmark()
	}
	la, lb := fmt.Sprintf("run %d", a.Run.ID), fmt.Sprintf("run %d", b.Run.ID)
	res := DiffResult{Comparison: c.labelled(KindPair, la, lb)}

	byKey := make(map[string]ItemResult, len(b.Items))
	for _, it := range b.Items {
		byKey[keyB(it)] = it
	}
	for _, ia := range a.Items {
		k := keyA(ia)
		ib, ok := byKey[k]
		if !ok || ia.Scored == 0 || ib.Scored == 0 || ia.Share() == ib.Share() {
			continue
		}
		if ib.Share() > ia.Share() {
			res.Gained++
		} else {
			res.Lost++
		}
		res.Flips = append(res.Flips, Flip{Key: k, A: ia, B: ib})
	}
	res.Net = res.Gained - res.Lost
	slices.SortFunc(res.Flips, func(p, q Flip) int { return CompareIDs(p.Key, q.Key) })
	return res, nil
}

// PairsByLanguage reports whether two runs pair their items by Pair rather
// than by id: runs of one suite in two languages (mgsm:en and mgsm:zh).
func PairsByLanguage(a, b parity.Run) bool {
	return a.Suite.Name == b.Suite.Name && a.Subject != b.Subject && a.Subject != "" && b.Subject != ""
}

// diffKeys returns how each side's items pair up: by id, or by their Pair
// key for two languages of one aligned suite.
func diffKeys(a, b DiffRun) (func(ItemResult) string, func(ItemResult) string) {
	id := func(it ItemResult) string { return it.ID }
	if !PairsByLanguage(a.Run, b.Run) {
		return id, id
	}
	pair := func(it ItemResult) string { return cmp.Or(it.Pair, it.ID) }
	return pair, pair
}

// diffRow builds the row and tallies compare needs from folded items,
// tallies keyed and sorted by pairing key.
func diffRow(d DiffRun, key func(ItemResult) string) scoredRow {
	row := newRow(d.Run)
	var tallies []tally
	for _, it := range d.Items {
		row.K = max(row.K, it.Total)
		if it.Scored > 0 {
			tallies = append(tallies, tally{id: key(it), scored: int32(it.Scored), correct: int32(it.Correct)})
		}
	}
	slices.SortFunc(tallies, func(p, q tally) int { return cmp.Compare(p.id, q.id) })
	return scoredRow{row, &tallyList{mem: tallies, n: len(tallies)}}
}
