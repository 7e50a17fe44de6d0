package main

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
)

// A run killed with SIGKILL loses only the answers that had not come back
// yet, plus the few waiting for the commit under way: the writer commits
// each answer as soon as it is free (group commit), never waiting for a
// batch to fill. Every other answer was paid for and is not asked again.
func TestKillResendsOnlyRequestsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const (
		items       = 300
		concurrency = 16
		killAt      = 120 // the request on whose arrival the child is killed
		slack       = 8   // answers allowed to be lost waiting for a commit
	)
	var (
		mu     sync.Mutex
		child  *exec.Cmd
		killed = make(chan error, 1)
	)
	srv := providertest.New(t, providertest.Options{
		Latency: 20 * time.Millisecond,
		Answer:  evenKnower(t),
		// FaultFunc sees each request as it arrives, so the kill happens at
		// a known point of the run, not after some time.
		FaultFunc: func(req providertest.ChatRequest) *providertest.Fault {
			if req.N == killAt {
				mu.Lock()
				killed <- child.Process.Kill()
				mu.Unlock()
			}
			return nil
		},
	})
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k",
		"--limit", "300", "--concurrency", "16"}

	var stderr bytes.Buffer
	mu.Lock()
	child = exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "PARITY_TEST_AS_MAIN=1", "HOME="+ta.dir, "PARITY_DB="+ta.dbPath())
	child.Stderr = &stderr
	require.NoError(t, child.Start())
	mu.Unlock()
	waitErr := child.Wait()
	require.NoError(t, <-killed, "SIGKILL: no chance to clean up")
	require.Error(t, waitErr)
	assert.False(t, child.ProcessState.Exited(), "the child died of the signal, it did not exit: %v", waitErr)
	assert.NotContains(t, stderr.String(), "panic")
	first := srv.Count()
	require.Less(t, first, items, "the child was killed part-way")

	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	resent := srv.Count() - items
	t.Logf("killed after %d requests; %d asked again (in flight at most %d)", first, resent, concurrency)
	assert.LessOrEqual(t, resent, concurrency+slack, "answers already received were lost by the kill")
	assert.GreaterOrEqual(t, resent, 0)
}
