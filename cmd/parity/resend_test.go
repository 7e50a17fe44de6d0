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
//
// The server stops answering the moment it kills the child, so no answer
// arrives while the signal takes effect: what the child holds is what it
// held at the kill. It then had at most concurrency requests in flight
// (sent, not yet answered and scored), and every one is asked again; of
// the answers already scored, at most slack may be lost with the commit
// under way.
func TestKillResendsOnlyRequestsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const (
		items       = 300
		concurrency = 16
		killAt      = 120 // the request on whose arrival the child is killed
		slack       = 8   // received answers allowed to be lost waiting for a commit
	)
	var (
		mu        sync.Mutex
		child     *exec.Cmd
		frozen    bool
		answered  int
		killed    = make(chan error, 1)
		childDead = make(chan struct{})
	)
	knower := evenKnower(t)
	srv := providertest.New(t, providertest.Options{
		// Latencies of 40 to 99 ms, spread by request number, as a real
		// API's are: with one fixed latency, answers would come in waves
		// of 16 at the same instant, unlike any real run.
		Answer: func(req providertest.ChatRequest) providertest.Reply {
			time.Sleep(time.Duration(40+req.N*7919%60) * time.Millisecond)
			mu.Lock()
			if frozen {
				// Held until the child is dead: this answer never reaches it.
				mu.Unlock()
				<-childDead
				return knower(req)
			}
			answered++
			mu.Unlock()
			return knower(req)
		},
		// FaultFunc sees each request as it arrives, so the kill happens at
		// a known point of the run, not after some time.
		FaultFunc: func(req providertest.ChatRequest) *providertest.Fault {
			if req.N == killAt {
				mu.Lock()
				frozen = true
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
	mu.Lock()
	first, received := srv.Count(), answered
	frozen = false
	mu.Unlock()
	close(childDead)
	require.Less(t, first, items, "the child was killed part-way")

	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	resent := srv.Count() - items
	t.Logf("killed at request %d, %d answers sent by then; %d asked again (at most %d in flight)", first, received, resent, concurrency)
	allowed := concurrency + slack
	if raceDetector {
		// A commit takes so long under the race detector that answers
		// queue behind it as they would behind a slow disk; the old
		// writer, which waited for 64, still re-sent more than this.
		allowed = concurrency + 32
	}
	assert.LessOrEqual(t, resent, allowed, "answers already received were lost by the kill")
	assert.GreaterOrEqual(t, resent, 0)
}
