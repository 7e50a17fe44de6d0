package results

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// shardDB writes the run of one shard of a two-item-per-shard run, with
// the given outcomes for its items, to a database of its own.
func shardDB(t *testing.T, index int, whole *parity.Run, items []string, outcome parity.Outcome) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shard.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	r := *whole
	r.Samples, r.Items = 1, len(items)
	r.Shard = &parity.Shard{Index: index, Count: 2, Items: whole.Items, Whole: whole.Fingerprint}
	r.Fingerprint = parity.RunFingerprint(r)
	require.NoError(t, db.CreateRun(ctx, &r))
	var batch []parity.Sample
	for _, it := range items {
		batch = append(batch, smallSample(r.ID, it, 0, outcome, 10))
	}
	require.NoError(t, db.AddSamples(ctx, batch))
	return path
}

func TestMergeJoinsShards(t *testing.T) {
	ctx := context.Background()
	whole := fullRun("lab/m", "gsm8k")
	whole.Samples, whole.Items = 1, 4
	whole.Fingerprint = parity.RunFingerprint(*whole)
	one := shardDB(t, 1, whole, []string{"a", "c"}, parity.OutcomeCorrect)
	two := shardDB(t, 2, whole, []string{"b", "d"}, parity.OutcomeError) // failed: retried later

	db, _ := openTemp(t)
	st, err := db.Merge(ctx, one)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Runs: 1, Samples: 2, Joined: 1}, st)
	runs, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	r := &runs[0]
	assert.Equal(t, whole.Fingerprint, r.Fingerprint, "the whole run's fingerprint")
	assert.Equal(t, 4, r.Items)
	assert.Nil(t, r.Shard)
	assert.Equal(t, parity.RunPartial, r.Status)
	assert.Contains(t, r.Note, "2 of 4 samples answered")

	_, err = db.Merge(ctx, two)
	require.NoError(t, err)
	r, err = db.Run(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, parity.RunPartial, r.Status, "failed samples are not answers")

	// The second shard answers its items on a rerun and is merged again.
	s2, err := Open(ctx, two)
	require.NoError(t, err)
	shardRuns, err := s2.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.NoError(t, s2.AddSamples(ctx, []parity.Sample{
		smallSample(shardRuns[0].ID, "b", 0, parity.OutcomeWrong, 10), smallSample(shardRuns[0].ID, "d", 0, parity.OutcomeCorrect, 10)}))
	require.NoError(t, s2.Close())
	st, err = db.Merge(ctx, two)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Samples: 2, Joined: 1}, st)
	r, err = db.Run(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, parity.RunComplete, r.Status)
	assert.Empty(t, r.Note)
	assert.False(t, r.FinishedAt.IsZero())
	p, err := db.Progress(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, map[parity.Outcome]int{parity.OutcomeCorrect: 3, parity.OutcomeWrong: 1}, p.ByOutcome)

	st, err = db.Merge(ctx, one)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Joined: 1}, st, "merging a shard again copies nothing")
}
