package providers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

// gatedReplica is a replica whose answers wait until the test opens the
// gate, and that counts the requests it holds at once.
type gatedReplica struct {
	*providertest.Server
	inflight, peak atomic.Int64
}

func newGatedReplica(t *testing.T, entered chan<- string, gate <-chan struct{}, name string) *gatedReplica {
	r := &gatedReplica{}
	r.Server = providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		n := r.inflight.Add(1)
		for {
			p := r.peak.Load()
			if n <= p || r.peak.CompareAndSwap(p, n) {
				break
			}
		}
		entered <- name
		<-gate
		r.inflight.Add(-1)
		return providertest.Reply{Content: "The answer is \\boxed{42}."}
	}})
	return r
}

// gatedPool is a catalog whose provider "cluster" has two gated replicas.
func gatedPool(t *testing.T, entered chan<- string, gate <-chan struct{}) (a, b *gatedReplica, cat *providers.Catalog) {
	a = newGatedReplica(t, entered, gate, "a")
	b = newGatedReplica(t, entered, gate, "b")
	cat = builtin(t)
	require.NoError(t, cat.Merge([]byte("providers:\n  cluster:\n    origin: local\n    base_urls: ["+a.BaseURL()+", "+b.BaseURL()+"]\n"), "test"))
	return a, b, cat
}

// TestReplicaConcurrencyCap: with a cap per replica, a pool of two
// replicas takes two requests each at once and the rest wait for a free
// replica; the runner is told the pool's total, four.
func TestReplicaConcurrencyCap(t *testing.T) {
	entered, gate := make(chan string, 16), make(chan struct{})
	a, b, cat := gatedPool(t, entered, gate)
	c := providers.New(cat, providers.Options{ReplicaConcurrency: 2})
	assert.Equal(t, 4, c.ProviderConcurrency("cluster/m"))

	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Go(func() {
			_, err := c.Complete(context.Background(), ask("cluster/m", parity.Params{}))
			errs <- err
		})
	}
	// Four requests reach the replicas, two each; the other six wait.
	got := map[string]int{}
	for i := 0; i < 4; i++ {
		got[<-entered]++
	}
	assert.Equal(t, map[string]int{"a": 2, "b": 2}, got, "least in flight spreads them evenly")
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, n, a.Count()+b.Count())
	assert.LessOrEqual(t, a.peak.Load(), int64(2))
	assert.LessOrEqual(t, b.peak.Load(), int64(2))
}

// TestReplicaWaitEndsWithContext: a request waiting for a full pool gives
// up when its context ends, and frees nothing it did not hold.
func TestReplicaWaitEndsWithContext(t *testing.T) {
	entered, gate := make(chan string, 4), make(chan struct{})
	a, b, cat := gatedPool(t, entered, gate)
	c := providers.New(cat, providers.Options{ReplicaConcurrency: 1, MaxAttempts: 1})
	done := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			_, err := c.Complete(context.Background(), ask("cluster/m", parity.Params{}))
			done <- err
		}()
	}
	<-entered
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan error, 1)
	go func() {
		_, err := c.Complete(ctx, ask("cluster/m", parity.Params{}))
		waiting <- err
	}()
	cancel()
	err := <-waiting
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	close(gate)
	require.NoError(t, <-done)
	require.NoError(t, <-done)
	assert.Equal(t, 2, a.Count()+b.Count(), "the cancelled request was never sent")
}

// TestPoolFailoverWhenAReplicaDies: a replica that stops answering is
// taken out of the pool and its share goes to the others, with no request
// failing.
func TestPoolFailoverWhenAReplicaDies(t *testing.T) {
	live := providertest.New(t, providertest.Options{})
	dead := providertest.New(t, providertest.Options{})
	deadURL := dead.BaseURL()
	dead.Close() // connections refused from now on
	cat := builtin(t)
	require.NoError(t, cat.Merge([]byte(fmt.Sprintf("providers:\n  cluster:\n    origin: local\n    base_urls: [%s, %s]\n", deadURL, live.BaseURL())), "test"))
	clk := newClock()
	clk.step = 0
	c := providers.New(cat, providers.Options{Now: clk.Now, Sleep: clk.Sleep, ReplicaConcurrency: 4})
	for i := 0; i < 8; i++ {
		comp, err := c.Complete(context.Background(), ask("cluster/m", parity.Params{}))
		require.NoError(t, err)
		assert.True(t, strings.Contains(comp.Content, "42"))
	}
	assert.Equal(t, 8, live.Count())
	assert.Empty(t, clk.Sleeps(), "failover to a live replica does not back off")
}

// TestReplicaCapsPerURL: replicas of different sizes get caps of their own;
// the runner is told their sum, or no total when one replica has no cap.
func TestReplicaCapsPerURL(t *testing.T) {
	entered, gate := make(chan string, 16), make(chan struct{})
	a, b, cat := gatedPool(t, entered, gate)
	c := providers.New(cat, providers.Options{ReplicaCaps: map[string]int{a.BaseURL(): 3, b.BaseURL(): 1}})
	assert.Equal(t, 4, c.ProviderConcurrency("cluster/m"))
	open := providers.New(cat, providers.Options{ReplicaCaps: map[string]int{a.BaseURL(): 3}})
	assert.Zero(t, open.ProviderConcurrency("cluster/m"), "replica b has no cap, so the pool has no total")

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			_, err := c.Complete(context.Background(), ask("cluster/m", parity.Params{}))
			assert.NoError(t, err)
		})
	}
	got := map[string]int{}
	for i := 0; i < 4; i++ {
		got[<-entered]++
	}
	assert.Equal(t, map[string]int{"a": 3, "b": 1}, got)
	close(gate)
	wg.Wait()
	assert.LessOrEqual(t, a.peak.Load(), int64(3))
	assert.LessOrEqual(t, b.peak.Load(), int64(1))
}
