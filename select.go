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
func Select(items []Item, subject string, limit int, seed int64) []Item {
	var out []Item
	for _, it := range items {
		if subject == "" || it.Subject == subject {
			out = append(out, it)
		}
	}
	if limit <= 0 || limit >= len(out) {
		return out
	}
	type ranked struct {
		pos  int
		rank uint64
	}
	r := make([]ranked, len(out))
	for i, it := range out {
		h := fnv.New64a()
		h.Write([]byte(strconv.FormatInt(seed, 10)))
		h.Write([]byte{0})
		h.Write([]byte(it.ID))
		r[i] = ranked{i, h.Sum64()}
	}
	sort.Slice(r, func(a, b int) bool {
		if r[a].rank != r[b].rank {
			return r[a].rank < r[b].rank
		}
		return r[a].pos < r[b].pos
	})
	r = r[:limit]
	sort.Slice(r, func(a, b int) bool { return r[a].pos < r[b].pos })
	sel := make([]Item, limit)
	for i, x := range r {
		sel[i] = out[x.pos]
	}
	return sel
}
