package results

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// TestRequestStored: the request body as sent is kept with each sample and
// read back whole; reads that leave out the large texts leave it out too,
// and a read-only file from before schema 5 reads as having none.
func TestRequestStored(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	s := fullSample(r.ID, "a", 0, parity.OutcomeCorrect)
	require.NoError(t, db.AddSamples(ctx, []parity.Sample{s}))

	reads := map[SampleFields]string{AllFields: s.Completion.Request, LightFields: "", PublishedFields: "", ScoreFields: ""}
	for fields, want := range reads {
		got, err := db.Samples(ctx, r.ID, SampleFilter{Fields: fields})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, want, got[0].Completion.Request, "fields %d", fields)
	}
	require.NoError(t, db.Close())

	// The same file as schema 4 wrote it: no request column.
	old, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = old.w.ExecContext(ctx, "ALTER TABLE samples DROP COLUMN request; PRAGMA user_version = 4")
	require.NoError(t, err)
	require.NoError(t, old.Close())
	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer ro.Close()
	got, err := ro.Samples(ctx, r.ID, SampleFilter{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Empty(t, got[0].Completion.Request)
	assert.Equal(t, s.Completion.Raw, got[0].Completion.Raw, "everything else reads as stored")
	// Every narrower read works on the old file too, and gives what it
	// gives on a new one.
	for fields := range reads {
		old, err := ro.Samples(ctx, r.ID, SampleFilter{Fields: fields})
		require.NoError(t, err, "fields %d", fields)
		require.Len(t, old, 1)
		assert.Empty(t, old[0].Completion.Request, "fields %d", fields)
		assert.Equal(t, got[0].Score.Outcome, old[0].Score.Outcome, "fields %d", fields)
	}
}
