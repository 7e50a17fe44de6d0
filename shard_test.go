package parity

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShardItemsPartition: the shards of a selection hold every item once,
// in the selection's order, differ in size by one group at most, and keep
// rotations of one item and translations of one problem together.
func TestShardItemsPartition(t *testing.T) {
	var items []Item
	for i := 0; i < 10; i++ {
		id := strconv.Itoa(i)
		items = append(items, Item{ID: id})
		for r := 1; r < 4; r++ {
			items = append(items, Item{ID: id + "@r" + strconv.Itoa(r), RotationOf: id})
		}
	}
	for i := 0; i < 7; i++ {
		for _, lang := range []string{"en", "zh"} {
			items = append(items, Item{ID: lang + "-" + strconv.Itoa(i), Subject: lang, Pair: strconv.Itoa(i)})
		}
	}
	for _, n := range []int{2, 3, 5} {
		seen := map[string]int{}
		var sizes []int
		for k := 1; k <= n; k++ {
			shard := ShardItems(items, k, n)
			assert.Equal(t, shard, ShardItems(items, k, n), "deterministic")
			groups := map[string]bool{}
			last := -1
			for _, it := range shard {
				seen[it.ID]++
				pos := indexOf(items, it.ID)
				assert.Greater(t, pos, last, "selection order kept")
				last = pos
				key := it.original()
				if it.Pair != "" {
					key = "pair " + it.Pair
				}
				groups[key] = true
			}
			sizes = append(sizes, len(groups))
			for _, it := range shard {
				if it.Pair != "" {
					assert.Contains(t, shardIDs(shard), "en-"+it.Pair)
					assert.Contains(t, shardIDs(shard), "zh-"+it.Pair)
				}
				if it.RotationOf != "" {
					assert.Contains(t, shardIDs(shard), it.RotationOf)
				}
			}
		}
		require.Len(t, seen, len(items), "%d shards cover every item", n)
		for id, c := range seen {
			assert.Equal(t, 1, c, "item %s in one shard", id)
		}
		lo, hi := sizes[0], sizes[0]
		for _, s := range sizes {
			lo, hi = min(lo, s), max(hi, s)
		}
		assert.LessOrEqual(t, hi-lo, 1, "balanced: %v", sizes)
	}
	assert.Equal(t, items, ShardItems(items, 1, 1), "one shard is everything")
	assert.Equal(t, "2/4", Shard{Index: 2, Count: 4}.String())
}

// TestShardFingerprint: a shard's run has a fingerprint of its own, and a
// whole run keeps the fingerprint it had before shards existed.
func TestShardFingerprint(t *testing.T) {
	r := Run{Model: Model{ID: "lab/m"}, Suite: SuiteInfo{Name: "gsm8k"}, Samples: 1}
	whole := RunFingerprint(r)
	r.Shard = &Shard{Index: 1, Count: 2, Whole: whole}
	one := RunFingerprint(r)
	r.Shard.Index = 2
	assert.NotEqual(t, whole, one)
	assert.NotEqual(t, one, RunFingerprint(r))
	assert.Equal(t, "38a13396d27273752af31020af7a9446", whole, "the fingerprint parity gave before shards existed")
}

func indexOf(items []Item, id string) int {
	for i, it := range items {
		if it.ID == id {
			return i
		}
	}
	return -1
}

func shardIDs(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}
