package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
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
		code := run()
		if f := os.Getenv("PARITY_TEST_PEAK_FILE"); f != "" {
			writePeak(f)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// heldServer is a fake API that answers the first `answered` requests and
// holds every later one until release is called, so a test knows exactly
// how far a run got: it can stop the run in the middle without racing it.
type heldServer struct {
	*providertest.Server
	held    chan struct{} // one value per request being held
	release func()
}

func newHeldServer(t *testing.T, answered int64) *heldServer {
	answer := evenKnower(t)
	var n atomic.Int64
	free := make(chan struct{})
	s := &heldServer{held: make(chan struct{}, 1000)}
	var once sync.Once
	s.release = func() { once.Do(func() { close(free) }) }
	s.Server = providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		if n.Add(1) > answered {
			s.held <- struct{}{}
			<-free
		}
		return answer(req)
	}})
	// Cleanups run last-in first-out: held handlers are freed before the
	// server's Close waits for them.
	t.Cleanup(s.release)
	return s
}

// child is parity started as a separate process.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	exited chan struct{} // closed once cmd.Wait returned
	err    error         // what cmd.Wait returned
}

func startChild(t *testing.T, ta *testApp, args ...string) *child {
	c := &child{cmd: exec.Command(os.Args[0], args...), exited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "PARITY_TEST_AS_MAIN=1", "HOME="+ta.dir, "PARITY_DB="+ta.dbPath())
	c.cmd.Stderr = &c.stderr
	require.NoError(t, c.cmd.Start())
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// awaitHeld waits until the server holds n requests, failing at once if the
// child exits first.
func (c *child) awaitHeld(t *testing.T, srv *heldServer, n int) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for range n {
		select {
		case <-srv.held:
		case <-c.exited:
			t.Fatalf("the child exited (%v) before %d requests were held\nstderr:\n%s", c.err, n, c.stderr.String())
		case <-timeout:
			t.Fatalf("the server never held %d requests\nstderr:\n%s", n, c.stderr.String())
		}
	}
}

func TestKilledRunResumesWithNoDuplicateOrGap(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const answered, concurrency = 12, 4
	srv := newHeldServer(t, answered)
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "100", "--concurrency", "4"}
	c := startChild(t, ta, args...)

	// Once the server holds as many requests as the child sends at once,
	// the child has nothing left to do but commit the answers it has.
	c.awaitHeld(t, srv, concurrency)
	c.awaitCommitted(t, ta.dbPath(), answered)
	require.NoError(t, c.cmd.Process.Kill(), "SIGKILL: no chance to clean up")
	<-c.exited
	require.Error(t, c.err)
	assert.Equal(t, -1, c.cmd.ProcessState.ExitCode(), "ended by the signal, not by exiting: %v", c.err)
	assert.Contains(t, c.err.Error(), "killed")
	assert.Contains(t, c.stderr.String(), "new run 1: 100 items")
	assert.NotContains(t, c.stderr.String(), "parity:", "no error before the kill")
	killedAt := srv.Count()
	require.Equal(t, answered+concurrency, killedAt, "the held requests were the child's last")

	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	assert.Equal(t, parity.RunRunning, runs[0].Status, "a killed process could not mark its run")
	require.NotNil(t, runs[0].Live)
	assert.False(t, *runs[0].Live, "but nobody holds it any more")
	assert.Contains(t, ta.mustRun("runs"), "stopped")
	assert.Equal(t, answered, runs[0].Done, "every committed answer survives the kill")

	srv.release()
	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	assert.Equal(t, 100-answered, srv.Count()-killedAt, "only the missing samples are asked again")
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

// awaitCommitted waits until the database holds want samples of run 1.
// Another process's commits send no signal, so this reads the store again
// each few milliseconds; it fails at once if the child exits, and after
// 30 s.
func (c *child) awaitCommitted(t *testing.T, path string, want int) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(30 * time.Second)
	for {
		got := committed(t, path)
		if got == want {
			return
		}
		require.Less(t, got, want, "more samples committed than were answered")
		select {
		case <-tick.C:
		case <-c.exited:
			t.Fatalf("the child exited (%v) with %d of %d samples committed\nstderr:\n%s", c.err, got, want, c.stderr.String())
		case <-timeout:
			t.Fatalf("%d of %d samples committed after 30 s\nstderr:\n%s", got, want, c.stderr.String())
		}
	}
}

// committed counts the samples of run 1 a reader sees in the database.
func committed(t *testing.T, path string) int {
	db, err := results.OpenReadOnly(context.Background(), path)
	require.NoError(t, err)
	defer db.Close()
	c, err := db.Progress(context.Background(), 1)
	require.NoError(t, err)
	return c.Stored
}

func TestSecondProcessOnTheSameRunIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	// The child gets one answer and then waits on the second request until
	// the second process has been turned away.
	srv := newHeldServer(t, 1)
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "40", "--concurrency", "1"}
	c := startChild(t, ta, args...)
	c.awaitHeld(t, srv, 1)

	live := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, live, 1)
	require.NotNil(t, live[0].Live)
	assert.True(t, *live[0].Live, "the child still works on it")

	code := ta.run(context.Background(), args...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, ta.stderr.String(), "being worked on by another parity process")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(ta.stderr.String()), "parity:"), "one error line")

	srv.release()
	<-c.exited
	require.NoError(t, c.err, "the first process finishes undisturbed\nstderr:\n%s", c.stderr.String())
	assert.Contains(t, c.stderr.String(), "complete, 40/40 done")
	assert.Equal(t, 40, srv.Count(), "no question was asked twice")
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	assert.Equal(t, parity.RunComplete, runs[0].Status)
}
