package providers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

// limited points vllm at srv with the given limits and a fake clock that
// only moves when the client sleeps.
func limited(t *testing.T, srv *providertest.Server, set func(*providers.Provider), opt providers.Options) (*providers.Client, *clock) {
	t.Helper()
	cat := builtin(t)
	p, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	set(p)
	clk := newClock()
	clk.step = 0
	opt.Now, opt.Sleep, opt.Rand = clk.Now, clk.Sleep, func() float64 { return 0.5 }
	return providers.New(cat, opt), clk
}

func TestTokenBuckets(t *testing.T) {
	tests := []struct {
		name   string
		rpm    int
		tpm    int
		usage  parity.Usage
		sleeps []time.Duration
	}{
		// Two requests fit in a full bucket; the third waits for one token
		// at 2 a minute: 30s.
		{name: "rpm", rpm: 2, sleeps: []time.Duration{30 * time.Second}},
		// Each answer uses 100 tokens of a 200-a-minute budget: the third
		// request finds the bucket empty and waits for the 4 tokens its
		// prompt is estimated at (4/200 of a minute).
		{name: "tpm", tpm: 200, usage: parity.Usage{PromptTokens: 10, CompletionTokens: 90}, sleeps: []time.Duration{1200 * time.Millisecond}},
		{name: "none", sleeps: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
				u := tt.usage
				return providertest.Reply{Content: "ok", Usage: &u}
			}})
			c, clk := limited(t, srv, func(p *providers.Provider) { p.RPM, p.TPM = tt.rpm, tt.tpm }, providers.Options{})
			for i := 0; i < 3; i++ {
				_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
				require.NoError(t, err)
			}
			assert.Equal(t, tt.sleeps, clk.Sleeps())
			assert.Equal(t, 3, srv.Count())
		})
	}
}

func TestTokenBucketWaitRespectsContext(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	cat := builtin(t)
	p, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	p.RPM = 1
	c := providers.New(cat, providers.Options{})
	_, err = c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Complete(ctx, ask("vllm/m", parity.Params{}))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the 60s wait for the next token ends with the context")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 1, srv.Count())
}

func TestAIMDConcurrency(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	c, _ := limited(t, srv, func(p *providers.Provider) { p.Concurrency = 8 }, providers.Options{MaxAttempts: 1, RecoverAfter: 2})
	assert.Equal(t, 8, c.ConcurrencyLimit("vllm/m"))
	for _, want := range []int{4, 2, 1, 1} {
		srv.AddFaults(providertest.RateLimited(""))
		_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
		require.Equal(t, parity.ErrRateLimit, parity.CodeOf(err))
		assert.Equal(t, want, c.ConcurrencyLimit("vllm/m"), "each 429 halves the cap, never below 1")
	}
	for _, want := range []int{1, 2, 2, 3} {
		_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
		require.NoError(t, err)
		assert.Equal(t, want, c.ConcurrencyLimit("vllm/m"), "every 2 successes add one back")
	}
	for i := 0; i < 20; i++ {
		_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
		require.NoError(t, err)
	}
	assert.Equal(t, 8, c.ConcurrencyLimit("vllm/m"), "never above the configured concurrency")
}

func TestAIMDCapsInFlight(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Latency: 20 * time.Millisecond, Faults: []providertest.Fault{
		providertest.RateLimited(""), providertest.RateLimited(""),
	}})
	cat := builtin(t)
	p, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	p.Concurrency = 4
	c := providers.New(cat, providers.Options{MaxAttempts: 1, RecoverAfter: 100})
	for i := 0; i < 2; i++ {
		_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
		require.Error(t, err)
	}
	require.Equal(t, 1, c.ConcurrencyLimit("vllm/m"))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.MaxInFlight(), "after two 429s only one request is in flight at a time")
}

func TestModelConcurrencyCap(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Latency: 20 * time.Millisecond})
	cat := builtin(t)
	require.NoError(t, cat.Merge([]byte("providers:\n  vllm:\n    concurrency: 8\n    models:\n      slow: {concurrency: 2}\n"), "test"))
	_, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{})
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Complete(context.Background(), ask("vllm/slow", parity.Params{}))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, srv.MaxInFlight())
}

func TestReplicaFailover(t *testing.T) {
	bad := providertest.New(t, providertest.Options{FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
		f := providertest.ServerError(500)
		return &f
	}})
	good := providertest.New(t, providertest.Options{})
	cat := builtin(t)
	require.NoError(t, cat.Merge([]byte("providers:\n  cluster:\n    origin: local\n    thinking: {style: chat_template_kwargs}\n    base_urls: ["+
		bad.BaseURL()+", "+good.BaseURL()+"]\n"), "test"))
	clk := newClock()
	clk.step = 0
	c := providers.New(cat, providers.Options{Now: clk.Now, Sleep: clk.Sleep, ReplicaFailures: 2, ReplicaCooldown: time.Minute})

	pl, err := c.Plan(ask("cluster/Qwen/QwQ-32B", parity.Params{}))
	require.NoError(t, err)
	assert.Equal(t, []string{bad.BaseURL(), good.BaseURL()}, pl.BaseURLs)

	for i := 0; i < 6; i++ {
		comp, err := c.Complete(context.Background(), ask("cluster/Qwen/QwQ-32B", parity.Params{}))
		require.NoError(t, err, "a failing replica never fails the request while another is healthy")
		assert.Equal(t, "The answer is \\boxed{42}.", comp.Content)
	}
	assert.Equal(t, 2, bad.Count(), "taken out after 2 failures in a row")
	assert.Equal(t, 6, good.Count(), "the healthy replica took all the traffic")
	assert.Empty(t, clk.Sleeps(), "failover to a healthy replica does not back off")

	clk.mu.Lock()
	clk.t = clk.t.Add(61 * time.Second)
	clk.mu.Unlock()
	for i := 0; i < 3; i++ {
		_, err := c.Complete(context.Background(), ask("cluster/Qwen/QwQ-32B", parity.Params{}))
		require.NoError(t, err)
	}
	assert.Equal(t, 3, bad.Count(), "after the cool-down it is tried once more, and taken out again")
	assert.Equal(t, 9, good.Count())
}

// TestCancelledWaitIsNoSuccess: a request cancelled while it waits for a
// rate-limit token never ran, so it must not count towards raising a
// lowered concurrency cap.
func TestCancelledWaitIsNoSuccess(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Faults: []providertest.Fault{providertest.RateLimited("1")}})
	cat := builtin(t)
	p, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	p.Concurrency, p.RPM = 4, 1
	ctx, cancel := context.WithCancel(context.Background())
	// The only wait is the RPM bucket's: cancel the request as it starts.
	wait := func(ctx context.Context, d time.Duration) error {
		assert.Greater(t, d, 50*time.Second, "waits about a minute for the RPM bucket")
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	c := providers.New(cat, providers.Options{RecoverAfter: 1, MaxAttempts: 1, Sleep: wait})
	_, err = c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
	require.Error(t, err)
	require.Equal(t, 2, c.ConcurrencyLimit("vllm/m"))
	_, err = c.Complete(ctx, ask("vllm/m", parity.Params{}))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, c.ConcurrencyLimit("vllm/m"))
	assert.Equal(t, 1, srv.Count())
}
