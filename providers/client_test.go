package providers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

const testKey = "sk-test-0123456789abcdef"

// clock is a fake time source: every Now advances it by step, every Sleep
// by the duration asked, which is recorded.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	step   time.Duration
	sleeps []time.Duration
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), step: time.Millisecond}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// setup points provider at a fake server and returns a client with a fake
// clock and the test key in its environment.
func setup(t *testing.T, provider string, opt providertest.Options) (*providers.Client, *providertest.Server, *clock) {
	t.Helper()
	srv := providertest.New(t, opt)
	cat := builtin(t)
	_, err := cat.AddEndpoint(provider, srv.BaseURL(), "")
	require.NoError(t, err)
	clk := newClock()
	c := providers.New(cat, providers.Options{
		Getenv: func(k string) string {
			if strings.HasSuffix(k, "_API_KEY") {
				return testKey
			}
			return ""
		},
		Now: clk.Now, Sleep: clk.Sleep, Rand: func() float64 { return 0.5 },
	})
	return c, srv, clk
}

func ask(model string, p parity.Params) parity.Request {
	return parity.Request{Model: model, Messages: []parity.Message{{Role: "user", Content: "What is 6*7?"}}, Params: p}
}

func TestCompleteReasoningStyles(t *testing.T) {
	tests := []struct {
		provider, style string
	}{
		{"deepseek", providertest.StyleReasoningContent},
		{"vllm", providertest.StyleReasoning},
		{"openrouter", providertest.StyleReasoning},
		{"vllm", providertest.StyleThinkInline},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := tt.provider + "/" + tt.style
			if stream {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				c, srv, _ := setup(t, tt.provider, providertest.Options{Style: tt.style, ChunkSize: 5, Answer: func(r providertest.ChatRequest) providertest.Reply {
					return providertest.Reply{Reasoning: "6 times 7 is 42, 推理.", Content: "The answer is \\boxed{42}.", Model: "served-" + r.Model,
						Usage: &parity.Usage{PromptTokens: 11, CompletionTokens: 20, ReasoningTokens: 12, CachedTokens: 3}}
				}})
				comp, err := c.Complete(context.Background(), ask(tt.provider+"/m-1", parity.Params{Stream: stream}))
				require.NoError(t, err)
				assert.Equal(t, "The answer is \\boxed{42}.", comp.Content)
				assert.Equal(t, "6 times 7 is 42, 推理.", comp.Reasoning)
				assert.Equal(t, "stop", comp.FinishReason)
				assert.Equal(t, "served-m-1", comp.ModelReported)
				assert.Equal(t, parity.Usage{PromptTokens: 11, CompletionTokens: 20, ReasoningTokens: 12, CachedTokens: 3}, comp.Usage)
				assert.Equal(t, 1, comp.Attempts)
				assert.Positive(t, comp.Latency)
				assert.NotEmpty(t, comp.Raw)
				if stream {
					assert.Positive(t, comp.TTFT)
					assert.Contains(t, comp.Raw, "data: [DONE]")
					assert.True(t, srv.Requests()[0].IncludeUsage, "stream_options.include_usage is sent")
				} else {
					assert.Zero(t, comp.TTFT)
				}
				assert.Equal(t, "Bearer "+testKey, srv.Requests()[0].Authorization)
			})
		}
	}
}

func TestCompleteDeepSeekCacheHitAndKeepAlive(t *testing.T) {
	c, _, _ := setup(t, "deepseek", providertest.Options{CacheHitFields: true, KeepAlive: true, Answer: func(providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: "ok", Usage: &parity.Usage{PromptTokens: 100, CompletionTokens: 5, CachedTokens: 64}}
	}})
	for _, stream := range []bool{false, true} {
		comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{Stream: stream}))
		require.NoError(t, err)
		assert.Equal(t, 64, comp.Usage.CachedTokens)
		assert.Equal(t, "ok", comp.Content)
		assert.NotContains(t, comp.Raw, "keep-alive", "SSE comments are dropped")
	}
}

func TestCompleteWireBody(t *testing.T) {
	tests := []struct {
		provider string
		want     map[string]any
		absent   []string
	}{
		// DeepSeek thinks by default and ignores temperature then: not sent.
		{"deepseek", map[string]any{"max_tokens": 128.0, "seed": 3.0, "top_k": 5.0}, []string{"max_completion_tokens", "temperature"}},
		{"openai", map[string]any{"temperature": 0.0, "max_completion_tokens": 128.0, "top_k": 5.0}, []string{"max_tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			c, srv, _ := setup(t, tt.provider, providertest.Options{})
			req := ask(tt.provider+"/gpt-4.1", parity.Params{Temperature: ptr(0.0), MaxTokens: 128, Seed: ptr(3)})
			req.Extra = map[string]any{"top_k": 5}
			req.Ref = parity.ItemRef{Suite: "s", ItemID: "item-secret-77"}
			comp, err := c.Complete(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, string(srv.Requests()[0].Body), comp.Request, "the completion keeps the body as sent")
			got := srv.Requests()[0].JSON()
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, got, k)
			}
			assert.Equal(t, "gpt-4.1", got["model"])
			assert.Equal(t, false, got["stream"])
			assert.NotContains(t, string(srv.Requests()[0].Body), "item-secret-77", "the item reference never goes on the wire")

			pl, err := c.Plan(req)
			require.NoError(t, err)
			assert.Equal(t, string(pl.JSON), string(srv.Requests()[0].Body), "Plan shows exactly the bytes sent")
			assert.Len(t, got, len(pl.Body))
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http date", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"capped", "3600", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, clk := setup(t, "deepseek", providertest.Options{Faults: []providertest.Fault{providertest.RateLimited(tt.retryAfter)}})
			clk.step = 0
			comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
			require.NoError(t, err)
			assert.Equal(t, 2, comp.Attempts)
			assert.Equal(t, 2, srv.Count())
			require.Len(t, clk.Sleeps(), 1)
			assert.InDelta(t, tt.want, clk.Sleeps()[0], float64(time.Second))
		})
	}
}

func TestRetryTransientFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault providertest.Fault
	}{
		{"500", providertest.ServerError(500)},
		{"503 deepseek busy", providertest.DeepSeekBusy},
		{"malformed json", providertest.Malformed()},
		{"drop before headers", providertest.DropBeforeHeaders()},
		{"drop after headers", providertest.DropAfterHeaders()},
		{"drop mid body", providertest.DropMidBody()},
		{"error event in stream", providertest.StreamError("")},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			if tt.fault.Kind == providertest.FaultStreamError && !stream {
				continue
			}
			name := tt.name
			if stream {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				c, srv, clk := setup(t, "deepseek", providertest.Options{Faults: []providertest.Fault{tt.fault}})
				comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{Stream: stream}))
				require.NoError(t, err)
				assert.Equal(t, "The answer is \\boxed{42}.", comp.Content)
				assert.Equal(t, 2, comp.Attempts)
				assert.Equal(t, 2, srv.Count())
				require.Len(t, clk.Sleeps(), 1)
				// Decorrelated jitter with Rand 0.5: 1s + 0.5*(3s-1s) = 2s.
				assert.Equal(t, 2*time.Second, clk.Sleeps()[0])
			})
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	c, srv, clk := setup(t, "deepseek", providertest.Options{FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
		f := providertest.ServerError(502)
		return &f
	}})
	comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
	require.Error(t, err)
	assert.Equal(t, parity.ErrServer, parity.CodeOf(err))
	assert.Equal(t, 5, srv.Count())
	assert.Equal(t, 5, comp.Attempts)
	assert.Equal(t, parity.ErrServer, comp.ErrorCode)
	assert.Contains(t, comp.Error, "after 5 attempts")
	assert.Contains(t, comp.Raw, "server_error", "the last error body is kept")
	sleeps := clk.Sleeps()
	require.Len(t, sleeps, 4)
	for i := 1; i < len(sleeps); i++ {
		assert.GreaterOrEqual(t, sleeps[i], sleeps[i-1], "back-off grows")
		assert.LessOrEqual(t, sleeps[i], time.Minute)
	}
}

func TestNonRetryableErrors(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		fault    providertest.Fault
		code     parity.ErrorCode
		contains string
	}{
		{"401", "deepseek", providertest.DeepSeekUnauthorized, parity.ErrCredentials, "deepseek: API key rejected (401): check DEEPSEEK_API_KEY"},
		{"402", "deepseek", providertest.DeepSeekNoBalance, parity.ErrBalance, "top up"},
		{"400 content risk", "deepseek", providertest.DeepSeekContentRisk, parity.ErrContentFilter, "moderation"},
		{"422", "deepseek", providertest.DeepSeekInvalid, parity.ErrInvalidRequest, "max_tokens"},
		{"403", "openai", providertest.OpenAIForbidden, parity.ErrCredentials, "region"},
		{"404", "openai", providertest.OpenAIModelNotFound, parity.ErrNotFound, "not found"},
		{"400", "openai", providertest.OpenAIBadRequest, parity.ErrInvalidRequest, "max_completion_tokens"},
		{"quota 429", "openai", providertest.OpenAIQuota, parity.ErrBalance, "billing"},
		{"flagged prompt", "openai", providertest.OpenAIContentFilter, parity.ErrContentFilter, "flagged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, clk := setup(t, tt.provider, providertest.Options{Faults: []providertest.Fault{tt.fault}})
			comp, err := c.Complete(context.Background(), ask(tt.provider+"/m", parity.Params{}))
			require.Error(t, err)
			var pe *parity.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.code, pe.Code)
			assert.Equal(t, tt.code, comp.ErrorCode)
			assert.Contains(t, comp.Error, tt.contains)
			assert.NotContains(t, comp.Error, "\n")
			assert.Equal(t, 1, srv.Count(), "sent exactly once")
			assert.Equal(t, 1, comp.Attempts)
			assert.Empty(t, clk.Sleeps())
		})
	}
}

func TestStreamErrorEventNonRetryable(t *testing.T) {
	body := providertest.OpenAIError("Output blocked by content filter", "content_filter", "content_filter")
	c, srv, _ := setup(t, "openrouter", providertest.Options{Faults: []providertest.Fault{providertest.StreamError(body)}})
	_, err := c.Complete(context.Background(), ask("openrouter/x/y", parity.Params{Stream: true}))
	assert.Equal(t, parity.ErrContentFilter, parity.CodeOf(err))
	assert.Equal(t, 1, srv.Count())
}

func TestMissingKey(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	cat := builtin(t)
	_, err := cat.AddEndpoint("deepseek", srv.BaseURL(), "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{Getenv: func(string) string { return "" }})
	comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
	assert.Equal(t, parity.ErrCredentials, parity.CodeOf(err))
	assert.Contains(t, err.Error(), "DEEPSEEK_API_KEY")
	assert.Equal(t, parity.ErrCredentials, comp.ErrorCode)
	assert.Zero(t, srv.Count(), "nothing is sent without a key")

	// A local server needs no key and gets no Authorization header.
	_, err = cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	_, err = c.Complete(context.Background(), ask("vllm/Qwen/QwQ-32B", parity.Params{}))
	require.NoError(t, err)
	assert.Empty(t, srv.Requests()[0].Authorization)
	assert.Equal(t, "Qwen/QwQ-32B", srv.Requests()[0].Model)
}

func TestKeyNeverLeaks(t *testing.T) {
	echo := func(r providertest.ChatRequest) *providertest.Fault {
		f := providertest.Status(401, providertest.OpenAIError("Incorrect API key provided: "+strings.TrimPrefix(r.Authorization, "Bearer "), "invalid_request_error", "invalid_api_key"))
		return &f
	}
	c, _, _ := setup(t, "openai", providertest.Options{FaultFunc: echo})
	comp, err := c.Complete(context.Background(), ask("openai/o3", parity.Params{}))
	require.Error(t, err)
	assert.Contains(t, comp.Raw, "Incorrect API key provided")
	for _, s := range []string{comp.Raw, comp.Error, err.Error()} {
		assert.NotContains(t, s, testKey)
	}

	c, _, _ = setup(t, "openai", providertest.Options{Answer: func(r providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: "your key is " + r.Authorization, Reasoning: r.Authorization}
	}})
	comp, err = c.Complete(context.Background(), ask("openai/o3", parity.Params{Stream: true}))
	require.NoError(t, err)
	for _, s := range []string{comp.Raw, comp.Content, comp.Reasoning} {
		assert.NotContains(t, s, testKey)
	}
}

func TestDeadline(t *testing.T) {
	t.Run("slow server", func(t *testing.T) {
		srv := providertest.New(t, providertest.Options{Latency: 5 * time.Second})
		cat := builtin(t)
		_, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
		require.NoError(t, err)
		c := providers.New(cat, providers.Options{Deadline: 50 * time.Millisecond})
		comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
		require.Error(t, err)
		assert.Equal(t, parity.ErrTimeout, parity.CodeOf(err))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, parity.ErrTimeout, comp.ErrorCode)
	})
	t.Run("no retry past the deadline", func(t *testing.T) {
		c, srv, clk := setup(t, "deepseek", providertest.Options{Faults: []providertest.Fault{providertest.RateLimited("30")}})
		cat := builtin(t)
		_, err := cat.AddEndpoint("deepseek", srv.BaseURL(), "")
		require.NoError(t, err)
		c = providers.New(cat, providers.Options{Getenv: func(string) string { return testKey }, Deadline: 10 * time.Second,
			Now: clk.Now, Sleep: clk.Sleep})
		comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
		assert.Equal(t, parity.ErrRateLimit, parity.CodeOf(err))
		assert.Contains(t, comp.Error, "deadline")
		assert.Equal(t, 1, srv.Count())
		assert.Empty(t, clk.Sleeps())
	})
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	// The server cancels the request's context as it receives it, then
	// holds the answer far longer than the test runs.
	srv := providertest.New(t, providertest.Options{Latency: time.Minute, FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
		cancel()
		return nil
	}})
	cat := builtin(t)
	_, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{})
	comp, err := c.Complete(ctx, ask("vllm/m", parity.Params{Stream: true}))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Equal(t, parity.ErrInterrupted, comp.ErrorCode)

	_, err = c.Complete(ctx, ask("vllm/m", parity.Params{}))
	assert.ErrorIs(t, err, context.Canceled, "an already cancelled context sends nothing")
	assert.Equal(t, 1, srv.Count())
}

func TestConcurrentUse(t *testing.T) {
	c, srv, _ := setup(t, "deepseek", providertest.Options{Latency: 20 * time.Millisecond, NoRecord: true})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{Stream: i%2 == 0}))
			assert.NoError(t, err)
			assert.Equal(t, "6*7 = 42.", comp.Reasoning[len(comp.Reasoning)-9:])
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, srv.Count())
	assert.Greater(t, srv.MaxInFlight(), 1)
}

// rawServer points provider at a handler that writes the wire bytes itself,
// for edge cases the fake API does not produce.
func rawServer(t *testing.T, provider string, h http.HandlerFunc) (*providers.Client, *clock, func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	cat := builtin(t)
	_, err := cat.AddEndpoint(provider, srv.URL+"/v1", "")
	require.NoError(t, err)
	clk := newClock()
	c := providers.New(cat, providers.Options{Getenv: func(string) string { return testKey },
		Now: clk.Now, Sleep: clk.Sleep, Rand: func() float64 { return 0.5 }})
	return c, clk, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func writeSSE(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, body)
	}
}

func TestStreamEdgeCases(t *testing.T) {
	tests := map[string]string{
		"crlf, no space after data:, comments, usage-only last chunk": "data:{\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\r\n\r\n: ping\r\n" +
			"data:{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\ndata:{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\r\n\r\ndata:[DONE]\r\n\r\n",
		// go-openai takes any event starting {"error": for an error event.
		"error null first":            "data: {\"error\":null,\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
		"finish_reason but no [DONE]": "data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
		"think tags split over deltas": "data: {\"choices\":[{\"delta\":{\"content\":\"<thi\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"nk>r</th\"}}]}\n\n" +
			"data: {\"choices\":[{\"delta\":{\"content\":\"ink>A\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			c, _, n := rawServer(t, "vllm", writeSSE(body))
			comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{Stream: true}))
			require.NoError(t, err)
			assert.Equal(t, "A", comp.Content)
			assert.Equal(t, "stop", comp.FinishReason)
			assert.Equal(t, 1, n())
		})
	}
	t.Run("no finish_reason and no [DONE] is a cut-off stream", func(t *testing.T) {
		c, _, n := rawServer(t, "vllm", writeSSE("data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\n"))
		_, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{Stream: true}))
		assert.Equal(t, parity.ErrNetwork, parity.CodeOf(err))
		assert.Equal(t, 5, n())
	})
}

// TestKeyNeverLeaksWhenCut: error messages quote the API's text cut to 200
// characters; a key echoed at the cut must not leave a piece behind.
func TestKeyNeverLeaksWhenCut(t *testing.T) {
	c, _, _ := rawServer(t, "deepseek", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"message":"%s bad key %s"}}`, strings.Repeat("x", 180), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
	comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
	require.Error(t, err)
	for _, s := range []string{comp.Raw, comp.Error, err.Error()} {
		for i := 0; i+8 <= len(testKey); i++ {
			require.NotContains(t, s, testKey[i:i+8])
		}
	}
}

func TestBackoffNeverOverflows(t *testing.T) {
	srv := providertest.New(t, providertest.Options{NoRecord: true, FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
		f := providertest.ServerError(503)
		return &f
	}})
	cat := builtin(t)
	_, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
	require.NoError(t, err)
	clk := newClock()
	c := providers.New(cat, providers.Options{MaxAttempts: 80, Deadline: -1, Now: clk.Now, Sleep: clk.Sleep, Rand: func() float64 { return 0.99 }})
	_, err = c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
	require.Error(t, err)
	require.Len(t, clk.Sleeps(), 79)
	for _, s := range clk.Sleeps() {
		require.Positive(t, s)
		require.LessOrEqual(t, s, time.Minute)
	}
}

func TestRetryAfterBeyondDuration(t *testing.T) {
	for _, v := range []string{"99999999999", "1e300", "Inf", "NaN"} {
		t.Run(v, func(t *testing.T) {
			srv := providertest.New(t, providertest.Options{Faults: []providertest.Fault{providertest.RateLimited(v)}})
			cat := builtin(t)
			_, err := cat.AddEndpoint("vllm", srv.BaseURL(), "")
			require.NoError(t, err)
			clk := newClock()
			c := providers.New(cat, providers.Options{Deadline: -1, Now: clk.Now, Sleep: clk.Sleep, Rand: func() float64 { return 0.5 }})
			_, err = c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
			require.NoError(t, err)
			want := time.Minute // capped at MaxRetryWait
			if v == "NaN" {
				want = 2 * time.Second // no usable value: back-off
			}
			assert.Equal(t, []time.Duration{want}, clk.Sleeps())
		})
	}
}

func TestCancelMidStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, _, _ := rawServer(t, "vllm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\n")
		w.(http.Flusher).Flush()
		cancel() // the stream has begun: stop the caller midway
		<-r.Context().Done()
	})
	comp, err := c.Complete(ctx, ask("vllm/m", parity.Params{Stream: true}))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, parity.ErrInterrupted, comp.ErrorCode)
	assert.Equal(t, 1, comp.Attempts)
}

// TestModelNameSentAsIs: go-openai refuses some model names before sending
// (legacy completion models); a self-hosted server may serve any name.
func TestModelNameSentAsIs(t *testing.T) {
	var got []string
	c, _, _ := rawServer(t, "vllm", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		if strings.Contains(string(b), `"stream":true`) {
			writeSSE("data: {\"choices\":[{\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"model":"x","choices":[{"message":{"content":"A"},"finish_reason":"stop"}]}`)
	})
	for _, name := range []string{"Qwen/QwQ-32B", "o3", "gpt-6-sol", "curie", "davinci", `a"b<c>`} {
		for _, stream := range []bool{false, true} {
			got = nil
			_, _ = c.Complete(context.Background(), ask("vllm/"+name, parity.Params{MaxTokens: 5, Temperature: ptr(0.0), Stream: stream}))
			require.Len(t, got, 1, name)
			var body map[string]any
			require.NoError(t, json.Unmarshal([]byte(got[0]), &body))
			assert.Equal(t, name, body["model"])
			assert.EqualValues(t, 5, body["max_tokens"])
			assert.Contains(t, body, "temperature")
		}
	}
}

// Some local servers ignore "stream": true and answer with one JSON
// completion. That is a good answer, not a dropped stream to retry.
func TestStreamAnsweredWithWholeCompletion(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		var body map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		assert.Equal(t, true, body["stream"], "the client asked for a stream")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"qwq-32b",
			"choices":[{"index":0,"message":{"role":"assistant","content":"It is \\boxed{42}.","reasoning_content":"6 times 7"},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":12,"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":4}}}`)
	}))
	defer srv.Close()
	cat := builtin(t)
	_, err := cat.AddEndpoint("vllm", srv.URL+"/v1", "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{})
	comp, err := c.Complete(context.Background(), ask("vllm/qwq", parity.Params{Stream: true}))
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "not retried")
	assert.Equal(t, "It is \\boxed{42}.", comp.Content)
	assert.Equal(t, "6 times 7", comp.Reasoning)
	assert.Equal(t, "stop", comp.FinishReason)
	assert.Equal(t, "qwq-32b", comp.ModelReported)
	assert.Equal(t, parity.Usage{PromptTokens: 12, CompletionTokens: 9, ReasoningTokens: 4}, comp.Usage)
	assert.Equal(t, 1, comp.Attempts)
}

// A whole completion with several choices is read like a non-streamed one:
// the first choice is the answer, never all of them run together.
func TestStreamAnsweredWithSeveralChoices(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"qwq-32b",
			"choices":[{"index":0,"message":{"role":"assistant","content":"\\boxed{42}","refusal":null},"finish_reason":"stop"},
			{"index":1,"message":{"role":"assistant","content":"\\boxed{41}","refusal":null},"finish_reason":"length"}]}`)
	}))
	defer srv.Close()
	cat := builtin(t)
	_, err := cat.AddEndpoint("vllm", srv.URL+"/v1", "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{})
	comp, err := c.Complete(context.Background(), ask("vllm/qwq", parity.Params{Stream: true}))
	require.NoError(t, err)
	assert.Equal(t, "\\boxed{42}", comp.Content)
	assert.Equal(t, "stop", comp.FinishReason)
	assert.Equal(t, parity.Usage{}, comp.Usage, "no usage sent, none made up")
}

// TestKeyNeverLeaksFromSplitStream: a key echoed in a streamed answer may
// come in pieces, each in its own event, where no piece is the key; the
// raw response kept must not let the pieces be joined back into it.
func TestKeyNeverLeaksFromSplitStream(t *testing.T) {
	c, _, _ := setup(t, "openai", providertest.Options{ChunkSize: 5, Answer: func(r providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: "your key is " + r.Authorization + " indeed", Reasoning: "it is " + r.Authorization}
	}})
	comp, err := c.Complete(context.Background(), ask("openai/o3", parity.Params{Stream: true}))
	require.NoError(t, err)
	assert.Contains(t, comp.Content, "your key is Bearer [redacted] indeed")
	var joined strings.Builder
	for _, line := range strings.Split(comp.Raw, "\n") {
		var ev struct {
			Choices []struct {
				Delta map[string]any `json:"delta"`
			} `json:"choices"`
		}
		if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev) != nil {
			continue
		}
		for _, ch := range ev.Choices {
			for _, v := range ch.Delta {
				if s, ok := v.(string); ok {
					joined.WriteString(s)
				}
			}
		}
	}
	assert.NotContains(t, joined.String(), testKey, "the streamed pieces joined again")
	assert.NotContains(t, comp.Raw, testKey)
	assert.Contains(t, comp.Raw, "withheld")

	// An answer that quotes no key keeps its raw stream.
	c, _, _ = setup(t, "openai", providertest.Options{ChunkSize: 5})
	comp, err = c.Complete(context.Background(), ask("openai/o3", parity.Params{Stream: true}))
	require.NoError(t, err)
	assert.Contains(t, comp.Raw, `"delta"`)
}

// TestKeyNeverLeaksWhenTooLarge: an answer over the cap keeps only its
// start, and an echoed key cut in two by that end is not kept in part.
func TestKeyNeverLeaksWhenTooLarge(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
				if stream {
					// Event framing before the text: `data: {"choices":[{"delta":{"content":"`.
					w.Header().Set("Content-Type", "text/event-stream")
					pad := strings.Repeat("x", 4096-len(`data: {"choices":[{"delta":{"content":"`)-10)
					fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%q}}]}\n\n", pad+key+strings.Repeat("y", 12<<10))
					return
				}
				w.Header().Set("Content-Type", "application/json")
				pad := strings.Repeat("x", 4096-len(`{"model":"m","choices":[{"message":{"content":"`)-10)
				fmt.Fprintf(w, `{"model":"m","choices":[{"message":{"content":%q},"finish_reason":"stop"}]}`, pad+key+strings.Repeat("y", 12<<10))
			}))
			defer srv.Close()
			cat := builtin(t)
			_, err := cat.AddEndpoint("deepseek", srv.URL+"/v1", "")
			require.NoError(t, err)
			c := providers.New(cat, providers.Options{Getenv: func(string) string { return testKey }, MaxResponseBytes: 8 << 10})
			comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{Stream: stream}))
			require.Error(t, err)
			require.Contains(t, comp.Error, "larger than 8 KiB")
			if !stream { // a stream's one long event is not read at all
				assert.Contains(t, comp.Raw, "xxxx", "the start is kept")
			}
			assert.NotContains(t, comp.Raw, testKey[:6], "a cut key is not kept in part")
		})
	}
}

// TestKeyNeverLeaksWhenDropped: a connection that drops in the middle of an
// echoed key leaves its first part at the end of the raw body kept.
func TestKeyNeverLeaksWhenDropped(t *testing.T) {
	c, _, _ := rawServer(t, "deepseek", func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		body := `{"model":"m","choices":[{"message":{"content":"your key is ` + key[:len(key)-3]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		io.WriteString(w, body)
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{}))
	require.Error(t, err)
	assert.Equal(t, parity.ErrNetwork, comp.ErrorCode)
	assert.Contains(t, comp.Raw, "your key is")
	assert.NotContains(t, comp.Raw, testKey[:6], "a key cut by the connection is not kept in part")
	assert.NotContains(t, comp.Raw, "\x00", "only the bytes that came are kept, not the announced length")
}

// TestKeyNeverLeaksWhenEscaped: a key with slashes (Baidu Qianfan's
// bce-v3/ALTAK-.../...) echoed by a JSON encoder that writes "/" as "\/" is
// found in the raw body too.
func TestKeyNeverLeaksWhenEscaped(t *testing.T) {
	const key = "bce-v3/ALTAK-0a1b2c3d4e/5f6a7b8c9d0e1f2a"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"invalid key %s","type":"auth","code":"invalid_api_key"}}`, strings.ReplaceAll(sent, "/", `\/`))
	}))
	defer srv.Close()
	cat := builtin(t)
	_, err := cat.AddEndpoint("qianfan", srv.URL+"/v2", "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{Getenv: func(string) string { return key }, MaxAttempts: 1})
	comp, err := c.Complete(context.Background(), ask("qianfan/ernie-5.0", parity.Params{}))
	require.Error(t, err)
	assert.Contains(t, comp.Raw, "invalid key [redacted]")
	for _, s := range []string{comp.Raw, comp.Error, err.Error()} {
		assert.NotContains(t, s, "0a1b2c3d4e")
	}
}

// TestKeyNeverLeaksFromSplitDroppedStream: a stream that quoted the key in
// pieces and then broke off keeps no raw events either.
func TestKeyNeverLeaksFromSplitDroppedStream(t *testing.T) {
	c, _, _ := rawServer(t, "deepseek", func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range []string{"your key is " + key[:7], key[7:], " and more"} {
			fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%q}}]}\n\n", piece)
		}
	})
	comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-flash", parity.Params{Stream: true}))
	require.Error(t, err)
	assert.Equal(t, parity.ErrNetwork, comp.ErrorCode)
	assert.Contains(t, comp.Raw, "withheld")
	assert.NotContains(t, comp.Raw, testKey[7:])
}
