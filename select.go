package parity

import (
	"crypto/sha256"
	"encoding/binary"
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
// questions. Items that are translations of one another share
// Meta[AlignKey] and are ranked by that key, so mgsm:en and mgsm:zh with
// the same limit and seed ask the same problems, while the whole of mgsm
// with --limit 20 still asks 20 items.
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
	// A group is an original item with its rotations; translations of one
	// problem are separate groups of equal rank, so limit counts items
	// whatever the language mix, and each language alone gets the same
	// problems.
	type group struct {
		first int
		rank  uint64
	}
	var groups []*group
	byBase := map[string]*group{}
	for i, it := range out {
		base, _ := CircularBase(it.ID)
		if byBase[base] == nil {
			g := &group{i, selectionRank(seed, it)}
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
		base, _ := CircularBase(out[g.first].ID)
		keep[base] = true
	}
	sel := make([]Item, 0, limit)
	for _, it := range out {
		if base, _ := CircularBase(it.ID); keep[base] {
			sel = append(sel, it)
		}
	}
	return sel
}

// SelectionScheme names how Select draws; it is part of the fingerprint of
// runs with a limit, so a run begun under another scheme is never resumed
// with other items.
const SelectionScheme = "sha256-1"

// AlignKey is the Item.Meta key that items asked in several languages share
// (MGSM's problem number), so that selections and language comparisons
// line them up.
const AlignKey = "pair"

// selectionRank is an item's place in the draw of seed: the alignment key
// when the item has one, else the item's id with any rotation suffix
// removed, hashed with sha256. A fast hash such as FNV orders ids that
// differ only at the end almost by those characters, which drew runs of
// neighbouring items instead of a sample.
func selectionRank(seed int64, it Item) uint64 {
	key, _ := CircularBase(it.ID)
	if k := it.Meta[AlignKey]; k != "" {
		key = "align:" + k
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(seed, 10) + "\x00" + key))
	return binary.BigEndian.Uint64(sum[:8])
}
