package results

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenConfiguresConnection(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	require.FileExists(t, path)

	var mode string
	var fk, sync, version, app int
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version))
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app))
	assert.Equal(t, "wal", mode)
	assert.Equal(t, 1, fk)
	assert.Equal(t, 1, sync, "synchronous=NORMAL")
	assert.Equal(t, db.schema, version)
	assert.Equal(t, appID, app)

	// Reader connections must refuse writes, so a stray write can never
	// bypass the single writer.
	_, err := db.r.ExecContext(ctx, "DELETE FROM runs")
	assert.Error(t, err)
}

func TestOpenTwiceKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A '?' and a '#' in the path must not be mistaken for URI syntax.
	path := filepath.Join(dir, "sub dir", "odd?name#1.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	require.NoError(t, db.Close())
	require.FileExists(t, path)

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	got, err := db.Run(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, r, got)
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	textFile := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(textFile, []byte(strings.Repeat("not a database at all\n", 100)), 0o644))

	otherDB := filepath.Join(dir, "other.db")
	raw, err := sql.Open("sqlite", otherDB)
	require.NoError(t, err)
	_, err = raw.Exec("CREATE TABLE t (x)")
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	newer := filepath.Join(dir, "newer.db")
	db, err := Open(ctx, newer)
	require.NoError(t, err)
	_, err = db.w.Exec("PRAGMA user_version = 99")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	tests := []struct {
		name, path, want string
		code             parity.ErrorCode
	}{
		{"text file", textFile, textFile + " is not a parity database: it is not an SQLite file", parity.ErrConfig},
		{"other program's database", otherDB, otherDB + " is not a parity database: it holds tables of another program", parity.ErrConfig},
		{"newer schema", newer, newer + fmt.Sprintf(" was written by a newer parity (schema 99, this parity knows up to %d)", db.schema), parity.ErrConfig},
		{"empty path", "", "no results database given", parity.ErrUsage},
		{"directory", dir, "cannot open results database " + dir + ": check that it names a file", parity.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.path)
			require.Error(t, err)
			assert.Nil(t, db)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.Equal(t, tt.code, parity.CodeOf(err))
		})
	}
}

// TestTwoHandlesWriteConcurrently opens the file twice, as two processes
// would, and writes from both at once: BEGIN IMMEDIATE and the busy timeout
// must queue the writers instead of failing one with SQLITE_BUSY.
func TestTwoHandlesWriteConcurrently(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()
	ra := createRun(t, a, "openai/o4-mini", "gsm8k")
	rb := createRun(t, b, "openai/o4-mini", "math500")
	errs := make(chan error, 2)
	write := func(db *DB, runID int64) {
		for i := range 20 {
			batch := []parity.Sample{
				smallSample(runID, fmt.Sprintf("q%02d", i), 0, parity.OutcomeCorrect, 500),
				smallSample(runID, fmt.Sprintf("q%02d", i), 1, parity.OutcomeWrong, 500),
			}
			if err := db.AddSamples(ctx, batch); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}
	go write(a, ra.ID)
	go write(b, rb.ID)
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	assert.Equal(t, 40, countSamples(t, a, rb.ID), "each handle sees the other's commits")
	assert.Equal(t, 40, countSamples(t, b, ra.ID))
}

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := loadMigrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for i, m := range ms {
		assert.Equal(t, i+1, m.version, m.name)
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeCorrect)
	require.NoError(t, db.Close())

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer ro.Close()
	runs, err := ro.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	c, err := ro.Progress(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, c.Done)

	err = ro.AddSamples(ctx, []parity.Sample{smallSample(r.ID, "x", 0, parity.OutcomeCorrect, 10)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read-only")
	assert.Error(t, ro.UpdateRun(ctx, &runs[0]))
	assert.Error(t, ro.CreateRun(ctx, &parity.Run{}))
	assert.Error(t, ro.UpdateScores(ctx, r.ID, []ScoreUpdate{{Key: parity.SampleKey{ItemID: "item-0"}}}))
	_, err = ro.Merge(ctx, path)
	assert.Error(t, err)

	missing := filepath.Join(t.TempDir(), "nope.db")
	_, err = OpenReadOnly(ctx, missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not exist")
	_, statErr := os.Stat(missing)
	assert.True(t, os.IsNotExist(statErr), "a read-only open never creates the file")

	junk := filepath.Join(t.TempDir(), "junk.db")
	require.NoError(t, os.WriteFile(junk, []byte("not a database at all, just text padding it out"), 0o644))
	_, err = OpenReadOnly(ctx, junk)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a parity database")
}

// TestOpenReadOnlyEmptyFile: a zero-byte file (a typo'd touch, an aborted
// copy) is described as empty, not as a database of an older schema.
func TestOpenReadOnlyEmptyFile(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err := OpenReadOnly(context.Background(), empty)
	require.Error(t, err)
	assert.Equal(t, empty+" is empty: it holds no parity results yet; record runs into it with 'parity run' or give the path of a results database", err.Error())
	assert.NotContains(t, err.Error(), "schema")
	assert.Equal(t, parity.ErrConfig, parity.CodeOf(err))
	fi, statErr := os.Stat(empty)
	require.NoError(t, statErr)
	assert.Zero(t, fi.Size(), "a read-only open never writes")
}
