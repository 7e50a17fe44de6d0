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
// Rotations of one item made for CircularEval (Item.RotationOf) count as
// one item: limit picks original items and keeps all their rotations, so a
// circular run and a plain run with the same limit and seed ask the same
// questions. Items that are translations of one another share Item.Pair
// and are ranked by it, so mgsm:en and mgsm:zh with the same limit and
// seed ask the same problems, while the whole of mgsm with --limit 20
// still asks 20 items.
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
		base := it.original()
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
		keep[out[g.first].original()] = true
	}
	sel := make([]Item, 0, limit)
	for _, it := range out {
		if keep[it.original()] {
			sel = append(sel, it)
		}
	}
	return sel
}

// SelectionScheme names how Select draws; it is part of the fingerprint of
// runs with a limit, so a run begun under another scheme is never resumed
// with other items.
const SelectionScheme = "sha256-1"

// original is the ID of the item it was rotated from, or its own.
func (it Item) original() string {
	if it.RotationOf != "" {
		return it.RotationOf
	}
	return it.ID
}

// selectionRank is an item's place in the draw of seed: the pair key when
// the item has one, else the ID of the original item, hashed with sha256.
// A fast hash such as FNV orders ids that differ only at the end almost by
// those characters, which drew runs of neighbouring items instead of a
// sample.
func selectionRank(seed int64, it Item) uint64 {
	key := it.original()
	if it.Pair != "" {
		key = "align:" + it.Pair
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(seed, 10) + "\x00" + key))
	return binary.BigEndian.Uint64(sum[:8])
}
