package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
)

// The leaderboard folded from score columns as they stream, several runs at
// once, is the leaderboard Build makes from every field of every sample:
// circular rotations, language pairs, several samples per item and a
// judge included.
func TestFoldedLeaderboardMatchesBuild(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle-70", "-m", "mock/random", "-s", "gsm8k", "-s", "mgsm:zh", "-s", "mgsm:en",
		"--limit", "12", "--samples", "3")
	ta.mustRun("run", "-m", "mock/oracle-60", "-s", "arc", "--limit", "8", "--circular")
	ta.mustRun("judge", "1", "--judge", "mock/oracle")
	ctx := context.Background()
	db, err := results.OpenReadOnly(ctx, ta.dbPath())
	require.NoError(t, err)
	defer db.Close()
	runs, err := db.Runs(ctx, results.RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 7)

	opt := reports.Options{Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }, Seed: 3}
	var in []reports.Input
	for _, r := range runs {
		ss, err := db.Samples(ctx, r.ID, results.SampleFilter{})
		require.NoError(t, err)
		in = append(in, reports.Input{Run: r, Samples: ss})
	}
	want, err := reports.Build(in, opt)
	require.NoError(t, err)

	accs, err := foldRuns(ctx, db, runs)
	require.NoError(t, err)
	got, err := reports.BuildFrom(accs, opt)
	require.NoError(t, err)
	// Printed, because NaN (no judge, no circular items) is never equal
	// to itself.
	assert.Equal(t, fmt.Sprintf("%+v", want), fmt.Sprintf("%+v", got))
	assert.Positive(t, got.Rows[0].Samples)
}
