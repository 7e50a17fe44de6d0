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

// Shard is one part of a run split over several machines (parity run
// --shard INDEX/COUNT): ShardItems picks its items, and parity merge joins
// the shards' runs into the run done in one place.
type Shard struct {
	// Index is 1 … Count.
	Index int `json:"index"`
	Count int `json:"count"`
	// Items is the number of items of the whole run, and Whole its
	// fingerprint, so that a merge knows which run the shard is part of
	// and when it is complete.
	Items int    `json:"items"`
	Whole string `json:"whole"`
}

// String writes the shard as --shard takes it, "2/4".
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// ShardItems returns the items of shard index (1 … count) of items: the
// groups Select keeps together (an item with its rotations, translations
// of one problem) are dealt out in turn in the order they first appear, so
// every item is in exactly one shard, shards differ in size by one group at
// most, and the split depends only on the items, never on the machine.
func ShardItems(items []Item, index, count int) []Item {
	if count <= 1 {
		return items
	}
	group := map[string]int{}
	var out []Item
	for _, it := range items {
		key := "item:" + it.original()
		if it.Pair != "" {
			key = "pair:" + it.Pair
		}
		g, ok := group[key]
		if !ok {
			g = len(group)
			group[key] = g
		}
		if g%count == index-1 {
			out = append(out, it)
		}
	}
	return out
}
