package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A run killed with SIGKILL loses only the answers that had not come back
// yet: the writer commits each answer as soon as it is free (group commit),
// never waiting for a batch to fill, so once all 16 of the child's requests
// wait on the server, every answer it received is in the store, and after
// the kill only those 16 are asked again. Every other answer was paid for
// and is not asked again.
//
// The test waits on events (requests held by the server, samples in the
// store, the child's exit), never on timing, so it holds under any load. A
// writer that waited for a batch to fill would never commit the last
// answers and fail awaitCommitted; that no sample waits for a timer either
// is runners' TestSampleCommittedWithoutWaitingForOthers.
func TestKillResendsOnlyRequestsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const (
		items       = 300
		concurrency = 16
		answered    = 119 // the server answers these, then holds every request
	)
	srv := newHeldServer(t, answered)
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k",
		"--limit", "300", "--concurrency", "16"}
	c := startChild(t, ta, args...)

	c.awaitHeld(t, srv, concurrency)
	c.awaitCommitted(t, ta.dbPath(), answered)
	require.NoError(t, c.cmd.Process.Kill(), "SIGKILL: no chance to clean up")
	<-c.exited
	require.Error(t, c.err)
	assert.False(t, c.cmd.ProcessState.Exited(), "the child died of the signal, it did not exit: %v", c.err)
	assert.NotContains(t, c.stderr.String(), "panic")
	first := srv.Count()
	require.Equal(t, answered+concurrency, first, "the child was killed part-way, with every request it could send in flight")

	srv.release()
	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	resent := srv.Count() - items
	t.Logf("killed after %d requests; %d asked again (in flight %d)", first, resent, concurrency)
	assert.Equal(t, concurrency, resent, "only the requests in flight at the kill are asked again: every answer received was kept")
}
