package parity

import (
	"hash/fnv"
	"sort"
	"strconv"
)

// Select returns the items of the given subject (all when subject is empty)
// and, when limit is positive and smaller than what is left, a deterministic
// pseudo-random subset of limit items chosen by seed. The subset is kept in
// the suite's order, and a larger limit with the same seed selects a
// superset, so a run with --limit 200 contains the items of --limit 100.
//
// Rotations of one item made for CircularEval (see CircularBase) count as
// one item: limit picks original items and keeps all their rotations, so a
// circular run and a plain run with the same limit and seed ask the same
// questions. Likewise items that are translations of one another share
// Meta[AlignKey], and the choice is made on that key, so mgsm:en and
// mgsm:zh with the same limit and seed ask the same problems.
func Select(items []Item, subject string, limit int, seed int64) []Item {
	var out []Item
	for _, it := range items {
		if subject == "" || it.Subject == subject {
			out = append(out, it)
		}
	}
	if limit <= 0 {
		return out
	}
	type group struct {
		first int
		rank  uint64
	}
	var groups []*group
	byBase := map[string]*group{}
	for i, it := range out {
		base := selectionKey(it)
		if byBase[base] == nil {
			h := fnv.New64a()
			h.Write([]byte(strconv.FormatInt(seed, 10)))
			h.Write([]byte{0})
			h.Write([]byte(base))
			g := &group{i, h.Sum64()}
			byBase[base] = g
			groups = append(groups, g)
		}
	}
	if limit >= len(groups) {
		return out
	}
	sort.Slice(groups, func(a, b int) bool {
		if groups[a].rank != groups[b].rank {
			return groups[a].rank < groups[b].rank
		}
		return groups[a].first < groups[b].first
	})
	keep := make(map[string]bool, limit)
	for _, g := range groups[:limit] {
		keep[selectionKey(out[g.first])] = true
	}
	sel := make([]Item, 0, limit)
	for _, it := range out {
		if keep[selectionKey(it)] {
			sel = append(sel, it)
		}
	}
	return sel
}

// AlignKey is the Item.Meta key that items asked in several languages share
// (MGSM's problem number), so that selections and language comparisons
// line them up.
const AlignKey = "pair"

// selectionKey is what Select draws by: the alignment key when the item has
// one, else the item's id with any rotation suffix removed.
func selectionKey(it Item) string {
	if k := it.Meta[AlignKey]; k != "" {
		return "align:" + k
	}
	base, _ := CircularBase(it.ID)
	return base
}
