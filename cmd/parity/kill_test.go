package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
)

// TestMain lets a test start this binary as the real parity program, so a
// run can be killed with SIGKILL like a crashed or OOM-killed process.
func TestMain(m *testing.M) {
	if os.Getenv("PARITY_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestKilledRunResumesWithNoDuplicateOrGap(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	srv := providertest.New(t, providertest.Options{Latency: 20 * time.Millisecond, Answer: evenKnower(t)})
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "100", "--concurrency", "4"}

	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "PARITY_TEST_AS_MAIN=1", "HOME="+ta.dir, "PARITY_DB="+ta.dbPath())
	require.NoError(t, child.Start())
	// Kill as soon as a first batch is visible in the database, while
	// requests are still in flight.
	deadline := time.Now().Add(20 * time.Second)
	for committed(t, ta.dbPath()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, child.Process.Kill(), "SIGKILL: no chance to clean up")
	_ = child.Wait()
	killedAt := srv.Count()
	require.Less(t, killedAt, 100, "the child was killed part-way")

	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	done := runs[0].Done
	assert.Equal(t, parity.RunRunning, runs[0].Status, "a killed process could not mark its run")
	require.NotNil(t, runs[0].Live)
	assert.False(t, *runs[0].Live, "but nobody holds it any more")
	assert.Contains(t, ta.mustRun("runs"), "stopped")
	assert.Positive(t, done, "committed batches survive the kill")
	assert.LessOrEqual(t, done, killedAt)

	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	assert.Equal(t, 100-done, srv.Count()-killedAt, "only the missing samples are asked again")
	samples := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	require.Len(t, samples, 100)
	seen := map[string]bool{}
	for _, s := range samples {
		require.False(t, seen[s.ItemID], "duplicate %s", s.ItemID)
		seen[s.ItemID] = true
	}
	runs = decode[[]runLine](t, ta.mustRun("runs", "--json"))
	assert.Equal(t, parity.RunComplete, runs[0].Status)
}

// committed counts the samples a reader sees in the database, 0 while the
// file or the run does not exist yet.
func committed(t *testing.T, path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := results.Open(context.Background(), path)
	if err != nil {
		return 0
	}
	defer db.Close()
	c, err := db.Progress(context.Background(), 1)
	if err != nil {
		return 0
	}
	return c.Stored
}

func TestSecondProcessOnTheSameRunIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	srv := providertest.New(t, providertest.Options{Latency: 30 * time.Millisecond, Answer: evenKnower(t)})
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "40", "--concurrency", "1"}
	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "PARITY_TEST_AS_MAIN=1", "HOME="+ta.dir, "PARITY_DB="+ta.dbPath())
	require.NoError(t, child.Start())
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for srv.Count() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}

	live := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, live, 1)
	require.NotNil(t, live[0].Live)
	assert.True(t, *live[0].Live, "the child still works on it")

	code := ta.run(context.Background(), args...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, ta.stderr.String(), "being worked on by another parity process")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(ta.stderr.String()), "parity:"), "one error line")

	require.NoError(t, child.Wait(), "the first process finishes undisturbed")
	assert.Equal(t, 40, srv.Count(), "no question was asked twice")
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	assert.Equal(t, parity.RunComplete, runs[0].Status)
}
