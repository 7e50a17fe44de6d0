package results

import (
	"context"
	"crypto/sha256"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// dirState is what a read must leave unchanged: the names in a directory
// and the checksum of every file in it.
func dirState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][32]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// publishedDB writes a closed database of one run with three samples into
// a directory of its own and makes both read-only, as a published copy is.
func publishedDB(t *testing.T) (path string, runID int64) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "published")
	require.NoError(t, os.Mkdir(dir, 0o755))
	path = filepath.Join(dir, "results.db")
	db, err := Open(context.Background(), path)
	require.NoError(t, err)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeCorrect)
	require.NoError(t, db.Close())
	require.NoError(t, os.Chmod(path, 0o444))
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	return path, r.ID
}

// Reading a database must not write beside it. Tests here may run as root,
// whom permission bits do not stop, so the test does not rely on them: it
// checks that the read leaves the directory exactly as it was. A plain
// mode=ro open of a WAL database creates a -shm and a -wal file (and fails
// with "attempt to write a readonly database" where it may not), so this
// fails unless the read is done without them.
func TestReadOnlyOpenWritesNothing(t *testing.T) {
	ctx := context.Background()
	path, runID := publishedDB(t)
	dir := filepath.Dir(path)
	before := dirState(t, dir)
	require.Equal(t, []string{"results.db"}, slices.Sorted(maps.Keys(before)))

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	runs, err := ro.Runs(ctx, RunFilter{Latest: true})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	samples, err := ro.Samples(ctx, runID, SampleFilter{})
	require.NoError(t, err)
	assert.Len(t, samples, 3)
	held, err := ro.Held(ctx, "run-x")
	require.NoError(t, err)
	assert.False(t, held)
	assert.Equal(t, before, dirState(t, dir), "no -wal, -shm or lock file appears while reading")
	require.NoError(t, ro.Close())
	assert.Equal(t, before, dirState(t, dir), "nor when the reader closes")
}

// Beside a live writer the -wal file exists and holds commits the main file
// does not have yet: a reader must go through it, not read the file as
// immutable.
func TestReadOnlySeesCommitsStillInTheLog(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeCorrect)
	_, err := os.Stat(path + "-wal")
	require.NoError(t, err, "the writer is open, so its log is there")

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer ro.Close()
	assert.Equal(t, 3, countSamples(t, ro, r.ID))
	require.NoError(t, db.AddSamples(ctx, []parity.Sample{smallSample(r.ID, "late", 0, parity.OutcomeWrong, 10)}))
	assert.Equal(t, 4, countSamples(t, ro, r.ID), "a commit made after the reader opened is seen")
}

func TestReadOnlyRefusesAnEmptyFile(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err := OpenReadOnly(context.Background(), empty)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is empty")
	assert.NotContains(t, err.Error(), "older schema")
}
