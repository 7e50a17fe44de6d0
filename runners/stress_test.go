package runners

import (
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/require"
)

// TestInterleavedStopsLoseAndRepeatNothing mixes Ctrl-C, store failures,
// fatal errors, the budget, shared provider limits and failed requests at
// seeded random points. Whatever stops first, Run must return, commit
// nothing afterwards, describe every run truthfully and leave no goroutine;
// a resume must then ask exactly what is missing (the fake store rejects
// duplicates) and complete every run.
func TestInterleavedStopsLoseAndRepeatNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	for iter := range 40 {
		rng := rand.New(rand.NewPCG(uint64(iter), 7))
		store := newStore()
		if rng.IntN(6) == 0 {
			store.failAdd = 1 + rng.IntN(5)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var n atomic.Int64
		cancelAt := int64(rng.IntN(200))
		fatalAt := int64(rng.IntN(300))
		client := newClient(func(rctx context.Context, req parity.Request) (parity.Completion, error) {
			k := n.Add(1)
			if k == cancelAt {
				cancel()
			}
			// Load jitter, not synchronisation: answers come back in a
			// different order on every iteration.
			time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
			if rctx.Err() != nil {
				return parity.Completion{}, rctx.Err()
			}
			if providerOf(req.Model) == "bad" && k >= fatalAt {
				return parity.Completion{}, &parity.Error{Code: parity.ErrBalance, Message: "no money"}
			}
			if rand.IntN(10) == 0 {
				return parity.Completion{}, &parity.Error{Code: parity.ErrServer, Message: "503"}
			}
			return parity.Completion{Content: req.Ref.ItemID, Usage: parity.Usage{CompletionTokens: 1}}, nil
		})
		r := newRunner(client, store)
		r.Concurrency = 1 + rng.IntN(8)
		r.BatchSize = 1 + rng.IntN(10)
		client.caps = map[string]int{"a": 1 + rng.IntN(3)}
		r.Progress = io.Discard
		if rng.IntN(2) == 0 {
			r.MaxCost, r.MaxCostCurrency = float64(20+rng.IntN(100)), "USD"
		}
		price := &parity.Price{Output: 1e6, Currency: "USD"}
		jobs := []Job{
			{Model: model("a"), Suite: &fakeSuite{name: "s", n: 30}, Samples: 2, Price: price},
			{Model: parity.Model{ID: "a/other", Provider: "a", Name: "other"}, Suite: &fakeSuite{name: "s", n: 20}, Price: price},
			{Model: model("bad"), Suite: &fakeSuite{name: "t", n: 25}, Price: price},
			{Model: model("c"), Suite: &fakeSuite{name: "t", n: 25}},
		}
		done := make(chan struct{})
		var res []Result
		go func() {
			defer close(done)
			res, _ = r.Run(ctx, jobs)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("iter %d: Run hangs\n%s", iter, buf[:runtime.Stack(buf, true)])
		}
		cancel()
		store.mu.Lock()
		adds := store.adds
		store.mu.Unlock()
		for i, re := range res {
			id := re.Run.ID
			got := store.sampleCount(id)
			outs := store.outcomes(id)
			require.Equal(t, got-outs[parity.OutcomeError], re.Done, "iter %d job %d done", iter, i)
			st := store.run(id)
			if re.Done == re.Target {
				require.Equal(t, parity.RunComplete, st.Status, "iter %d job %d", iter, i)
			} else {
				require.Equal(t, parity.RunPartial, st.Status, "iter %d job %d: %s", iter, i, st.Note)
				require.NotEmpty(t, st.Note)
			}
		}
		// Once every goroutine Run started has ended, nothing can commit
		// any more: the count must be the one Run returned with.
		waitGoroutines(t, base, iter)
		store.mu.Lock()
		require.Equal(t, adds, store.adds, "iter %d: commits after Run returned", iter)
		store.mu.Unlock()
		// Resume everything with a good client: exactly the missing ones are asked.
		store.failAdd = 0
		c2 := correctClient()
		res2, err := newRunner(c2, store).Run(context.Background(), []Job{
			{Model: model("a"), Suite: &fakeSuite{name: "s", n: 30}, Samples: 2, Price: price},
			{Model: parity.Model{ID: "a/other", Provider: "a", Name: "other"}, Suite: &fakeSuite{name: "s", n: 20}, Price: price},
			{Model: model("bad"), Suite: &fakeSuite{name: "t", n: 25}, Price: price},
			{Model: model("c"), Suite: &fakeSuite{name: "t", n: 25}},
		})
		require.NoError(t, err, "iter %d", iter)
		for i, re := range res2 {
			require.Equal(t, re.Target, store.outcomes(re.Run.ID)[parity.OutcomeCorrect]+store.outcomes(re.Run.ID)[parity.OutcomeWrong], "iter %d job %d", iter, i)
			require.Equal(t, res[i].Run.ID, re.Run.ID)
		}
	}
	waitGoroutines(t, base, -1)
}

// waitGoroutines waits until no more goroutines run than before the test:
// those Run started must all end once it returns. Their ending is not an
// event anything can wait on, so it yields until the count is back down,
// and fails with every stack if that takes more than 10 s.
func waitGoroutines(t *testing.T, base, iter int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("iter %d: goroutines %d > %d after Run returned\n%s", iter, runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}
