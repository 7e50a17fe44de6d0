package results

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// groupsOf reads a run's samples and returns item id → [RotationOf, Pair]
// for the samples that have either.
func groupsOf(t *testing.T, db *DB, runID int64) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	err := db.EachSample(context.Background(), runID, SampleFilter{Light: true}, func(s parity.Sample) error {
		if s.RotationOf != "" || s.Pair != "" {
			out[s.ItemID] = [2]string{s.RotationOf, s.Pair}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestItemGroupsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "mgsm")
	batch := []parity.Sample{
		smallSample(r.ID, "a@r0", 0, parity.OutcomeCorrect, 10),
		smallSample(r.ID, "a@r0", 1, parity.OutcomeCorrect, 10),
		smallSample(r.ID, "zh-7", 0, parity.OutcomeWrong, 10),
		smallSample(r.ID, "user@r1", 0, parity.OutcomeWrong, 10), // looks like a rotation, is not
	}
	batch[0].RotationOf, batch[1].RotationOf = "a", "a"
	batch[2].Pair = "7"
	require.NoError(t, db.AddSamples(ctx, batch))
	want := map[string][2]string{"a@r0": {"a", ""}, "zh-7": {"", "7"}}
	assert.Equal(t, want, groupsOf(t, db, r.ID))

	// A shard's groups travel with its samples.
	dst, _ := openTemp(t)
	_, err := dst.Merge(ctx, path)
	require.NoError(t, err)
	runs, err := dst.Runs(ctx, RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, want, groupsOf(t, dst, runs[0].ID))
}

// TestSchema1FilesKeepTheirGroups writes a file as parity did before
// schema 2, when groups were read from item ids, and checks that it reads
// the same way read-only (never upgraded) and after the upgrade that a
// writing open makes.
func TestSchema1FilesKeepTheirGroups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := loadMigrations()
	require.NoError(t, err)
	raw, err := sql.Open("sqlite", dsn(path, writerParams))
	require.NoError(t, err)
	_, err = raw.Exec(ms[0].sql)
	require.NoError(t, err)
	_, err = raw.Exec(fmt.Sprintf("PRAGMA user_version = 1; PRAGMA application_id = %d", appID))
	require.NoError(t, err)
	ids := map[string]int64{}
	for _, subject := range []string{"zh", ""} {
		r := fullRun("deepseek/deepseek-reasoner", "mgsm")
		r.Subject = subject
		args, err := runArgs(r)
		require.NoError(t, err)
		// Schema 1 had the columns before shard (schema 3).
		n := slices.Index(runColumns, "shard")
		res, err := raw.Exec("INSERT INTO runs ("+strings.Join(runColumns[:n], ", ")+") VALUES ("+placeholders(n)+")", args[:n]...)
		require.NoError(t, err)
		ids[subject], err = res.LastInsertId()
		require.NoError(t, err)
		for _, item := range []string{"zh-17", "q9@r3", "q9@r12", "a@rb@r1", "@r1", "x@r", "user@rocket", "zh-", "en-3"} {
			s := smallSample(ids[subject], item, 0, parity.OutcomeCorrect, 10)
			vals, err := sampleArgs(&s)
			require.NoError(t, err)
			// Schema 1 had the columns before request (schema 5).
			m := slices.Index(sampleColumns, "request")
			_, err = raw.Exec("INSERT INTO samples (run_id, "+strings.Join(sampleColumns[:m], ", ")+") VALUES ("+placeholders(m+1)+")",
				append([]any{s.RunID}, vals[:m]...)...)
			require.NoError(t, err)
		}
	}
	require.NoError(t, raw.Close())
	want := map[string]map[string][2]string{
		"zh": {"zh-17": {"", "17"}, "q9@r3": {"q9", ""}, "q9@r12": {"q9", ""}, "a@rb@r1": {"a@rb", ""}},
		"":   {"q9@r3": {"q9", ""}, "q9@r12": {"q9", ""}, "a@rb@r1": {"a@rb", ""}},
	}

	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err, "an older file stays readable without an upgrade")
	for subject, id := range ids {
		assert.Equal(t, want[subject], groupsOf(t, ro, id), "read-only, subject %q", subject)
	}
	require.NoError(t, ro.Close())

	db, err := Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, db.schema, db.fileSchema)
	for subject, id := range ids {
		assert.Equal(t, want[subject], groupsOf(t, db, id), "upgraded, subject %q", subject)
	}
}
