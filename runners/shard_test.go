package runners

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// TestShardJobs: a job of one shard asks only that shard's items, and its
// run records the shard with the whole run's items and fingerprint; the
// shards together ask every item once.
func TestShardJobs(t *testing.T) {
	suite := &fakeSuite{name: "s", n: 25}
	model := parity.Model{ID: "lab/m", Provider: "lab", Name: "m"}
	whole := newStore()
	res, err := newRunner(correctClient(), whole).Run(context.Background(), []Job{{Model: model, Suite: suite, Limit: 20, Seed: 3}})
	require.NoError(t, err)
	wholeRun := res[0].Run

	var asked []string
	for i := 1; i <= 3; i++ {
		store := newStore()
		res, err := newRunner(correctClient(), store).Run(context.Background(), []Job{{Model: model, Suite: suite, Limit: 20, Seed: 3, ShardIndex: i, ShardCount: 3}})
		require.NoError(t, err)
		r := res[0].Run
		require.NotNil(t, r.Shard)
		assert.Equal(t, parity.Shard{Index: i, Count: 3, Items: 20, Whole: wholeRun.Fingerprint}, *r.Shard)
		assert.NotEqual(t, wholeRun.Fingerprint, r.Fingerprint)
		assert.Equal(t, StatusComplete, res[0].Status)
		for _, s := range store.samples[r.ID] {
			asked = append(asked, s.ItemID)
		}
		assert.Equal(t, r.Items, len(store.samples[r.ID]))
	}
	var want []string
	for _, s := range whole.samples[wholeRun.ID] {
		want = append(want, s.ItemID)
	}
	sort.Strings(asked)
	sort.Strings(want)
	assert.Equal(t, want, asked, "the shards ask the whole run's items, each once")

	_, err = newRunner(correctClient(), newStore()).Run(context.Background(), []Job{{Model: model, Suite: suite, ShardIndex: 4, ShardCount: 3}})
	require.Error(t, err)
	assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))
	_, err = newRunner(correctClient(), newStore()).Run(context.Background(), []Job{{Model: model, Suite: suite, Limit: 2, ShardIndex: 3, ShardCount: 3}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no items")
}
