package results

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shard writes a results database with one run per model, each with n
// full samples, and returns its path and runs.
func shard(t *testing.T, name string, n int, models ...string) (string, []*parity.Run) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), name)
	db, err := Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	var runs []*parity.Run
	for _, m := range models {
		r := createRun(t, db, m, "gsm8k")
		var batch []parity.Sample
		for i := range n {
			batch = append(batch, fullSample(r.ID, string(rune('a'+i)), 0, parity.OutcomeCorrect))
		}
		require.NoError(t, db.AddSamples(ctx, batch))
		runs = append(runs, r)
	}
	return path, runs
}

func TestMergeCopiesRunsAndSamples(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	local := createRun(t, db, "openai/o4-mini", "gsm8k")
	addItems(t, db, local.ID, 2, parity.OutcomeWrong)

	pathA, runsA := shard(t, "a.db", 3, "deepseek/deepseek-reasoner", "dashscope/qwen3-max")
	pathB, runsB := shard(t, "b.db", 2, "ark/doubao-seed")

	st, err := db.Merge(ctx, pathA)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Runs: 2, Samples: 6}, st)
	st, err = db.Merge(ctx, pathB)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Runs: 1, Samples: 2}, st)

	runs, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 4)
	for i, src := range append(runsA, runsB...) {
		got := runs[i+1]
		assert.NotEqual(t, src.ID, got.ID, "copied runs get new ids")
		want := *src
		want.ID = got.ID
		assert.Equal(t, want, got)
		samples, err := db.Samples(ctx, got.ID, SampleFilter{})
		require.NoError(t, err)
		require.NotEmpty(t, samples)
		wantSample := fullSample(got.ID, "a", 0, parity.OutcomeCorrect)
		assert.Equal(t, wantSample, samples[0], "samples follow their run with every field")
	}
	assert.Equal(t, 2, countSamples(t, db, local.ID), "local samples untouched")
}

func TestMergeTwiceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	path, _ := shard(t, "a.db", 4, "deepseek/deepseek-reasoner", "dashscope/qwen3-max")
	first, err := db.Merge(ctx, path)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Runs: 2, Samples: 8}, first)
	second, err := db.Merge(ctx, path)
	require.NoError(t, err)
	assert.Equal(t, MergeStats{Skipped: 2}, second)
	runs, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	assert.Len(t, runs, 2)
	for _, r := range runs {
		assert.Equal(t, 4, countSamples(t, db, r.ID))
	}
}

func TestMergeRefusesBadShards(t *testing.T) {
	ctx := context.Background()
	db, own := openTemp(t)
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(text, []byte("hello, this is no database, not even close to one. "+
		"SQLite reads the first hundred bytes as its header, so make this long enough."), 0o644))

	newer := filepath.Join(dir, "newer.db")
	n, err := Open(ctx, newer)
	require.NoError(t, err)
	createRun(t, n, "openai/o4-mini", "gsm8k")
	_, err = n.w.Exec("PRAGMA user_version = 7")
	require.NoError(t, err)
	require.NoError(t, n.Close())

	tests := []struct {
		name, path, want string
		code             parity.ErrorCode
	}{
		{"missing", filepath.Join(dir, "nope.db"), "not found", parity.ErrNotFound},
		{"itself", own, "into itself", parity.ErrUsage},
		{"text file", text, "is not a parity database", parity.ErrConfig},
		{"newer schema", newer, "newer parity (schema 7", parity.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := db.Merge(ctx, tt.path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.code, parity.CodeOf(err))
			assert.Zero(t, st)
		})
	}
	runs, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	assert.Empty(t, runs)
	_, err = os.Stat(filepath.Join(dir, "nope.db"))
	assert.True(t, os.IsNotExist(err), "a missing shard is not created")

	// The writer connection is usable again after each refused merge.
	good, _ := shard(t, "good.db", 1, "openai/o4-mini")
	st, err := db.Merge(ctx, good)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Runs)
}

// A shard merged while its run was partial, then resumed to the end and
// merged again, must bring its new samples and completion along.
func TestMergeAgainCopiesWhatTheShardGained(t *testing.T) {
	ctx := context.Background()
	spath := filepath.Join(t.TempDir(), "shard.db")
	s, err := Open(ctx, spath)
	require.NoError(t, err)
	defer s.Close()
	r := fullRun("deepseek/deepseek-reasoner", "gsm8k")
	r.Status, r.Note, r.FinishedAt = parity.RunPartial, "interrupted", t0.Add(time.Minute)
	require.NoError(t, s.CreateRun(ctx, r))
	require.NoError(t, s.AddSamples(ctx, []parity.Sample{
		smallSample(r.ID, "a", 0, parity.OutcomeCorrect, 10),
		smallSample(r.ID, "b", 0, parity.OutcomeError, 10),
	}))

	db, _ := openTemp(t)
	st, err := db.Merge(ctx, spath)
	require.NoError(t, err)
	require.Equal(t, MergeStats{Runs: 1, Samples: 2}, st)

	// The shard's run is resumed and finished, then merged again.
	require.NoError(t, s.AddSamples(ctx, []parity.Sample{
		smallSample(r.ID, "b", 0, parity.OutcomeWrong, 10),
		smallSample(r.ID, "c", 0, parity.OutcomeCorrect, 10),
	}))
	r.Status, r.Note, r.FinishedAt = parity.RunComplete, "", t0.Add(time.Hour)
	require.NoError(t, s.UpdateRun(ctx, r))
	st, err = db.Merge(ctx, spath)
	require.NoError(t, err)
	require.Equal(t, MergeStats{Samples: 2, Skipped: 1}, st)

	runs, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, parity.RunComplete, runs[0].Status)
	require.Empty(t, runs[0].Note)
	require.True(t, runs[0].FinishedAt.Equal(t0.Add(time.Hour)))
	c, err := db.Progress(ctx, runs[0].ID)
	require.NoError(t, err)
	require.Equal(t, map[parity.Outcome]int{parity.OutcomeCorrect: 2, parity.OutcomeWrong: 1}, c.ByOutcome)

	st, err = db.Merge(ctx, spath)
	require.NoError(t, err)
	require.Equal(t, MergeStats{Skipped: 1}, st, "a third merge copies nothing")
}

// A shard is not trusted to be clean: texts the store scrubs on the way in
// are scrubbed on the way in by merge too, even when the shard's own rows
// hold a key (an older build, or a file edited by hand).
func TestMergeScrubsWhatTheStoreScrubs(t *testing.T) {
	ctx := context.Background()
	const key = "sk-live0123456789abcdef"
	path, _ := shard(t, "dirty.db", 2, "deepseek/deepseek-v4-pro")
	// Written past the store, which would have scrubbed them.
	raw, err := sql.Open("sqlite", dsn(path, writerParams))
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, "UPDATE samples SET error = ?, raw = ?, request = ?, content = ?",
		"401: Authorization: Bearer "+key, `{"echo":"`+key+`"}`, `{"api_key":"`+key+`"}`, "no key here")
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, "UPDATE runs SET note = ?", "stopped: key "+key+" refused")
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	db, dbPath := openTemp(t)
	st, err := db.Merge(ctx, path)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Runs)
	require.NoError(t, db.Close())
	data, err := os.ReadFile(dbPath)
	require.NoError(t, err)
	wal, _ := os.ReadFile(dbPath + "-wal")
	assert.NotContains(t, string(data)+string(wal), key, "no copy of the key anywhere in the file")

	db, err = OpenReadOnly(ctx, dbPath)
	require.NoError(t, err)
	defer db.Close()
	merged, err := db.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, merged, 1)
	assert.Equal(t, "stopped: key [REDACTED] refused", merged[0].Note)
	samples, err := db.Samples(ctx, merged[0].ID, SampleFilter{})
	require.NoError(t, err)
	require.Len(t, samples, 2)
	for _, s := range samples {
		assert.Equal(t, "401: Authorization: Bearer [REDACTED]", s.Completion.Error)
		assert.Equal(t, `{"echo":"[REDACTED]"}`, s.Completion.Raw)
		assert.Equal(t, `{"api_key":"[REDACTED]"}`, s.Completion.Request)
		assert.Equal(t, "no key here", s.Completion.Content)
	}
}
