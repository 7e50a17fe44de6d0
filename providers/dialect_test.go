package providers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

func answer(providertest.ChatRequest) providertest.Reply {
	return providertest.Reply{Reasoning: "6 times 7 is 42.", Content: "The answer is \\boxed{42}."}
}

// TestProviderWireFormats sends one request per provider to a fake server
// speaking its dialect and checks both directions: the body carries the
// provider's own thinking switch and token-limit field and nothing it
// forbids, and the answer's reasoning is found where the provider puts it.
func TestProviderWireFormats(t *testing.T) {
	tests := []struct {
		provider, model, dialect, style string
		params                          parity.Params
		want                            map[string]any
		absent                          []string
		stream                          bool // the client streams even when not asked
		warnings                        int
		noReasoning                     bool
	}{
		{provider: "deepseek", model: "deepseek-flash", dialect: providertest.DialectDeepSeek,
			params: parity.Params{Thinking: "on", Effort: "high", MaxTokens: 256, Temperature: ptr(0.0)},
			want:   map[string]any{"thinking": map[string]any{"type": "enabled"}, "reasoning_effort": "high", "max_tokens": 256.0},
			absent: []string{"temperature", "max_completion_tokens"}, warnings: 1},
		{provider: "dashscope", model: "qwen3-235b-a22b", dialect: providertest.DialectDashScope,
			params: parity.Params{Thinking: "on", ThinkingBudget: 1024, MaxTokens: 2048},
			want:   map[string]any{"enable_thinking": true, "thinking_budget": 1024.0, "max_tokens": 2048.0},
			stream: true, warnings: 1},
		{provider: "dashscope-cn", model: "qwen-plus", dialect: providertest.DialectDashScope,
			params: parity.Params{Thinking: "off"}, want: map[string]any{"enable_thinking": false}},
		{provider: "ark", model: "ep-20250101000000-abcde", params: parity.Params{Thinking: "auto", MaxTokens: 64},
			want: map[string]any{"thinking": map[string]any{"type": "auto"}, "max_completion_tokens": 64.0, "model": "ep-20250101000000-abcde"}, absent: []string{"max_tokens"}},
		{provider: "moonshot", model: "kimi-k2.5", params: parity.Params{Thinking: "off", Temperature: ptr(0.3)},
			want: map[string]any{"thinking": map[string]any{"type": "disabled"}}, absent: []string{"temperature"}, warnings: 1},
		{provider: "zhipu", model: "glm-4.6", params: parity.Params{Thinking: "on"},
			want: map[string]any{"thinking": map[string]any{"type": "enabled"}}},
		{provider: "zai", model: "glm-4.6", params: parity.Params{Thinking: "off"},
			want: map[string]any{"thinking": map[string]any{"type": "disabled"}}},
		{provider: "minimax", model: "MiniMax-M2", dialect: providertest.DialectMiniMax, params: parity.Params{MaxTokens: 100},
			want: map[string]any{"max_completion_tokens": 100.0, "reasoning_split": true}, absent: []string{"max_tokens"}},
		{provider: "openai", model: "o3", params: parity.Params{MaxTokens: 100, Temperature: ptr(0.0), Effort: "low"},
			want:   map[string]any{"max_completion_tokens": 100.0, "reasoning_effort": "low"},
			absent: []string{"max_tokens", "temperature"}, warnings: 1},
		{provider: "anthropic", model: "claude-sonnet-4-5", params: parity.Params{Thinking: "on", ThinkingBudget: 2048, MaxTokens: 4096, Temperature: ptr(0.5)},
			want:   map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 2048.0}, "max_tokens": 4096.0},
			absent: []string{"temperature"}, warnings: 1},
		{provider: "gemini", model: "gemini-2.5-flash", dialect: providertest.DialectGemini,
			params: parity.Params{Thinking: "on", Effort: "high", ThinkingBudget: 512},
			want: map[string]any{"extra_body": map[string]any{"google": map[string]any{"thinking_config": map[string]any{
				"include_thoughts": true, "thinking_budget": 512.0}}}},
			absent: []string{"reasoning_effort"}, warnings: 1},
		{provider: "gemini", model: "gemini-2.5-flash", dialect: providertest.DialectGemini, params: parity.Params{Thinking: "off"},
			want: map[string]any{"reasoning_effort": "none"}, noReasoning: true},
		{provider: "openrouter", model: "deepseek/deepseek-r1", dialect: providertest.DialectOpenRouter, params: parity.Params{Thinking: "on", Effort: "high"},
			want: map[string]any{"reasoning": map[string]any{"enabled": true, "effort": "high"}}},
		{provider: "vllm", model: "Qwen/Qwen3-8B", style: providertest.StyleReasoning, params: parity.Params{Thinking: "off"},
			want: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": false}}},
		{provider: "sglang", model: "Qwen/Qwen3-8B", params: parity.Params{Thinking: "on"},
			want: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": true}}},
		{provider: "llamacpp", model: "qwen3", style: providertest.StyleThinkInline, params: parity.Params{Thinking: "on"},
			want: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": true}}},
		// Mistral answers reasoning as a list of content blocks (a thinking
		// block, then a text block), read through content_blocks.
		{provider: "mistral", model: "mistral-medium-3-5", dialect: providertest.DialectMistral, params: parity.Params{Thinking: "on"},
			want: map[string]any{"reasoning_effort": "high"}},
		{provider: "mistral", model: "mistral-small-2603", dialect: providertest.DialectMistral, params: parity.Params{Thinking: "on", Effort: "low"},
			want: map[string]any{"reasoning_effort": "high"}, warnings: 1},
		{provider: "mistral", model: "mistral-small-2603", dialect: providertest.DialectMistral, params: parity.Params{Thinking: "off"},
			want: map[string]any{"reasoning_effort": "none"}, noReasoning: true},
		{provider: "mistral", model: "magistral-medium-2509", dialect: providertest.DialectMistral,
			absent: []string{"reasoning_effort"}},
		{provider: "ollama", model: "qwen3:8b", style: providertest.StyleReasoning, params: parity.Params{Effort: "medium"},
			want: map[string]any{"reasoning_effort": "medium"}},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := fmt.Sprintf("%s/%s/thinking=%s/stream=%v", tt.provider, tt.model, tt.params.Thinking, stream)
			t.Run(name, func(t *testing.T) {
				c, srv, _ := setup(t, tt.provider, providertest.Options{Dialect: tt.dialect, Style: tt.style, ChunkSize: 7, Answer: answer})
				p := tt.params
				p.Stream = stream
				comp, err := c.Complete(context.Background(), ask(tt.provider+"/"+tt.model, p))
				require.NoError(t, err)
				assert.Equal(t, "The answer is \\boxed{42}.", comp.Content)
				if tt.noReasoning {
					assert.Empty(t, comp.Reasoning)
				} else {
					assert.Equal(t, "6 times 7 is 42.", comp.Reasoning)
				}
				require.Equal(t, 1, srv.Count())
				got := srv.Requests()[0].JSON()
				for k, v := range tt.want {
					assert.Equal(t, v, got[k], k)
				}
				for _, k := range tt.absent {
					assert.NotContains(t, got, k)
				}
				assert.Equal(t, stream || tt.stream, got["stream"], "stream")
				wantWarnings := tt.warnings
				if stream && tt.stream {
					wantWarnings-- // no need to force a stream that was asked for
				}
				assert.Len(t, comp.Warnings, wantWarnings, "%q", comp.Warnings)
			})
		}
	}
}

// TestProviderErrors answers with each provider's documented error, in its
// own shape, and checks the classification and whether it is retried.
func TestProviderErrors(t *testing.T) {
	tests := []struct {
		name, provider, dialect string
		fault                   providertest.Fault
		stream                  bool
		code                    parity.ErrorCode // "" means retried, then answered
		contains                string
	}{
		{"deepseek 402", "deepseek", providertest.DialectDeepSeek, providertest.DeepSeekNoBalance, false, parity.ErrBalance, "top up"},
		{"deepseek 402 stream", "deepseek", providertest.DialectDeepSeek, providertest.DeepSeekNoBalance, true, parity.ErrBalance, "top up"},
		{"deepseek 503", "deepseek", providertest.DialectDeepSeek, providertest.DeepSeekBusy, true, "", ""},
		{"dashscope Throttling.RateQuota", "dashscope", providertest.DialectDashScope, providertest.DashScopeThrottling("Throttling.RateQuota"), true, "", ""},
		{"dashscope Throttling.AllocationQuota", "dashscope-cn", providertest.DialectDashScope, providertest.DashScopeThrottling("Throttling.AllocationQuota"), false, "", ""},
		{"ark sensitive", "ark", "", providertest.ArkSensitive, false, parity.ErrContentFilter, "moderation"},
		{"ark sensitive stream", "ark", "", providertest.ArkSensitive, true, parity.ErrContentFilter, "moderation"},
		{"ark rpm", "ark", "", providertest.ArkRPMExceeded, false, "", ""},
		{"ark overdue", "ark", "", providertest.ArkOverdue, false, parity.ErrBalance, "overdue"},
		{"zhipu 1302", "zhipu", "", providertest.ZhipuConcurrency, false, "", ""},
		{"zai 1302 stream", "zai", "", providertest.ZhipuConcurrency, true, "", ""},
		{"zhipu 1113 is a 429 but not retried", "zhipu", "", providertest.ZhipuArrears, false, parity.ErrBalance, "arrears"},
		{"zhipu 1301", "zhipu", "", providertest.ZhipuUnsafe, false, parity.ErrContentFilter, "refused"},
		{"moonshot 403", "moonshot", "", providertest.MoonshotNoBalance, false, parity.ErrBalance, "(403)"},
		{"minimax 1008", "minimax", providertest.DialectMiniMax, providertest.MiniMaxError(1008, "insufficient balance"), false, parity.ErrBalance, "insufficient balance"},
		{"minimax 1008 stream", "minimax", providertest.DialectMiniMax, providertest.MiniMaxError(1008, "insufficient balance"), true, parity.ErrBalance, "top it up"},
		{"minimax 1027", "minimax", providertest.DialectMiniMax, providertest.MiniMaxError(1027, "output new_sensitive"), false, parity.ErrContentFilter, "moderation"},
		{"minimax 1002", "minimax", providertest.DialectMiniMax, providertest.MiniMaxError(1002, "rate limit"), true, "", ""},
		{"gemini 429 array", "gemini", providertest.DialectGemini, providertest.GeminiError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."), false, "", ""},
		{"gemini region", "gemini", providertest.DialectGemini, providertest.GeminiError(400, "FAILED_PRECONDITION", "User location is not supported for the API use."), false, parity.ErrCredentials, "region"},
		{"openrouter error chunk in 200 stream", "openrouter", providertest.DialectOpenRouter, providertest.OpenRouterStreamError("server_error", "Provider disconnected unexpectedly"), true, "", ""},
		{"openrouter 402", "openrouter", providertest.DialectOpenRouter, providertest.Status(402, `{"error":{"code":402,"message":"Insufficient credits"}}`), false, parity.ErrBalance, "openrouter.ai/settings/credits"},
		// The providers added on 2026-11-30, by their own error pages.
		{"baichuan 429 balance is not retried", "baichuan", "", providertest.BaichuanNoBalance, false, parity.ErrBalance, "platform.baichuan-ai.com"},
		{"baichuan 429 rate limit", "baichuan", "", providertest.BaichuanRateLimited, true, "", ""},
		{"stepfun 402", "stepfun", "", providertest.StepFunNoBalance, false, parity.ErrBalance, "StepFun"},
		{"qianfan rpm", "qianfan", "", providertest.QianfanRPM, false, "", ""},
		{"qianfan prompt too long", "qianfan", "", providertest.QianfanTooLong, false, parity.ErrInvalidRequest, "Prompt tokens too long"},
		{"siliconflow 403 balance", "siliconflow", providertest.DialectSiliconFlow, providertest.SiliconFlowNoBalance, false, parity.ErrBalance, "top up"},
		{"siliconflow 403 real name", "siliconflow", providertest.DialectSiliconFlow, providertest.SiliconFlowRealName, true, parity.ErrCredentials, "real-name"},
		{"siliconflow 503", "siliconflow", providertest.DialectSiliconFlow, providertest.ServerError(503), false, "", ""},
		{"together 402", "together", "", providertest.TogetherSpendLimit, false, parity.ErrBalance, "spending limit"},
		{"together 403 is the context length", "together", "", providertest.TogetherContextLength, false, parity.ErrInvalidRequest, "lower --max-tokens"},
		{"together 503", "together", "", providertest.ServerError(503), true, "", ""},
		{"groq 498 flex capacity", "groq", "", providertest.GroqFlexCapacity, false, "", ""},
		{"fireworks 412 suspended", "fireworks", "", providertest.FireworksSuspended, false, parity.ErrCredentials, "suspended"},
		{"deepinfra 429", "deepinfra", "", providertest.DeepInfraRateLimited, true, "", ""},
		{"xai 400 bad key", "xai", providertest.DialectXAI, providertest.XAIBadKey, false, parity.ErrCredentials, "XAI_API_KEY"},
		{"xai 403 blocked", "xai", providertest.DialectXAI, providertest.XAIBlocked, true, parity.ErrCredentials, "team admin"},
		{"mistral 402", "mistral", providertest.DialectMistral, providertest.MistralError(402, "invalid_request_error", "payment_required", "Payment required"), false, parity.ErrBalance, "console.mistral.ai"},
		{"mistral 403 tier", "mistral", providertest.DialectMistral, providertest.MistralError(403, "invalid_request_error", "forbidden", "Model not available on your plan"), true, parity.ErrCredentials, "subscription tier"},
		{"mistral 401", "mistral", providertest.DialectMistral, providertest.MistralError(401, "authentication_error", "unauthorized", "Unauthorized"), false, parity.ErrCredentials, "MISTRAL_API_KEY"},
		{"mistral 429", "mistral", providertest.DialectMistral, providertest.MistralError(429, "rate_limit_error", "rate_limited", "Requests rate limit exceeded"), true, "", ""},
		{"openrouter 403 moderation", "openrouter", providertest.DialectOpenRouter, providertest.Status(403, `{"error":{"code":403,"message":"Input was flagged","metadata":{"reasons":["violence"]}}}`), false, parity.ErrContentFilter, "flagged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := setup(t, tt.provider, providertest.Options{Dialect: tt.dialect, Answer: answer, Faults: []providertest.Fault{tt.fault}})
			comp, err := c.Complete(context.Background(), ask(tt.provider+"/m", parity.Params{Stream: tt.stream}))
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, 2, comp.Attempts, "retried once")
				assert.Equal(t, "The answer is \\boxed{42}.", comp.Content)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.code, parity.CodeOf(err), err.Error())
			assert.Contains(t, comp.Error, tt.contains)
			assert.Equal(t, 1, srv.Count(), "never retried")
		})
	}
}

// TestDashScopeStreamOnlyThinking shows why the catalog marks DashScope
// stream-only: without it the documented 400 comes back, with a hint.
func TestDashScopeStreamOnlyThinking(t *testing.T) {
	c, srv, _ := setup(t, "dashscope", providertest.Options{Dialect: providertest.DialectDashScope, Answer: answer})
	comp, err := c.Complete(context.Background(), ask("dashscope/qwen3-8b", parity.Params{Thinking: "on"}))
	require.NoError(t, err)
	assert.Contains(t, comp.Warnings, "dashscope: streams thinking only; request streamed")
	assert.True(t, srv.Requests()[0].Stream)

	srv = providertest.New(t, providertest.Options{Dialect: providertest.DialectDashScope, Answer: answer})
	cat := builtin(t)
	p, err := cat.AddEndpoint("dashscope", srv.BaseURL(), "")
	require.NoError(t, err)
	p.StreamRequiredForThinking = false
	c = providers.New(cat, providers.Options{Getenv: func(string) string { return testKey }})
	comp, err = c.Complete(context.Background(), ask("dashscope/qwen3-8b", parity.Params{Thinking: "on"}))
	assert.Equal(t, parity.ErrInvalidRequest, parity.CodeOf(err))
	assert.Contains(t, comp.Error, "stream_required_for_thinking")
	assert.Equal(t, 1, srv.Count())
}

// TestGeminiRefusesEffortWithBudget checks the fake enforces what the
// client avoids: both settings together are a 400 in a JSON array.
func TestGeminiRefusesEffortWithBudget(t *testing.T) {
	c, srv, _ := setup(t, "gemini", providertest.Options{Dialect: providertest.DialectGemini})
	req := ask("gemini/gemini-2.5-flash", parity.Params{Effort: "low"})
	req.Extra = map[string]any{"extra_body": map[string]any{"google": map[string]any{"thinking_config": map[string]any{"thinking_budget": 10}}}}
	comp, err := c.Complete(context.Background(), req)
	assert.Equal(t, parity.ErrInvalidRequest, parity.CodeOf(err))
	assert.Contains(t, comp.Error, "cannot be set together")
	assert.Equal(t, 1, srv.Count())
}

// dialects maps each provider to the fake that enforces its API's rules.
var dialects = map[string]string{
	"deepseek": providertest.DialectDeepSeek, "dashscope": providertest.DialectDashScope,
	"dashscope-cn": providertest.DialectDashScope, "ark": providertest.DialectArk,
	"moonshot": providertest.DialectMoonshot, "minimax": providertest.DialectMiniMax,
	"openai": providertest.DialectOpenAI, "anthropic": providertest.DialectAnthropic,
	"gemini": providertest.DialectGemini, "openrouter": providertest.DialectOpenRouter,
	"siliconflow": providertest.DialectSiliconFlow, "xai": providertest.DialectXAI,
	"mistral": providertest.DialectMistral,
}

// flagshipParams are the settings a user may pass; each must reach every
// flagship in a form its API accepts.
var flagshipParams = []parity.Params{
	{},
	{Thinking: "on"}, {Thinking: "off"}, {Thinking: "auto"},
	{Thinking: "on", Effort: "low"}, {Thinking: "on", Effort: "medium"},
	{Thinking: "on", Effort: "high"}, {Thinking: "on", Effort: "max"},
	{Effort: "max", ThinkingBudget: 2048, MaxTokens: 8192},
	{Temperature: ptr(0.0)}, {Temperature: ptr(0.7)}, {Temperature: ptr(1.5), TopP: ptr(0.95)},
	{Thinking: "on", MaxTokens: 4096}, {Thinking: "on", ThinkingBudget: 2048, MaxTokens: 4096},
	{Thinking: "on", ThinkingBudget: 8192, MaxTokens: 4096},
	{MaxTokens: 100000},
}

// TestFlagshipsAcceptedByTheirAPIs builds each provider's flagship models
// into requests with every common setting and sends them to a fake that
// refuses what the provider's API refuses: a catalog entry that would make
// the real API refuse a run fails here.
func TestFlagshipsAcceptedByTheirAPIs(t *testing.T) {
	cat := builtin(t)
	for _, p := range cat.Providers() {
		var flagships []string
		for name, m := range p.Models {
			if m != nil && m.Flagship {
				flagships = append(flagships, name)
			}
		}
		if (p.Origin == "CN" || p.Origin == "West") && p.Name != "openrouter" { // a router serves other makers' models
			assert.NotEmpty(t, flagships, "%s lists no flagship model", p.Name)
		}
		if len(flagships) == 0 {
			continue
		}
		srv := providertest.New(t, providertest.Options{Dialect: dialects[p.Name], Answer: answer})
		c := endpointClient(t, cat, p.Name, srv)
		for _, model := range flagships {
			for _, params := range flagshipParams {
				t.Run(fmt.Sprintf("%s/%s/%+v", p.Name, model, params), func(t *testing.T) {
					_, err := c.Complete(context.Background(), ask(p.Name+"/"+model, params))
					require.NoError(t, err)
				})
			}
		}
	}
}

// endpointClient points a copy of cat's provider at srv, on the day the
// catalog was verified.
func endpointClient(t *testing.T, cat *providers.Catalog, provider string, srv *providertest.Server) *providers.Client {
	t.Helper()
	_, err := cat.AddEndpoint(provider, srv.BaseURL(), "")
	require.NoError(t, err)
	return providers.New(cat, providers.Options{Getenv: func(string) string { return testKey }, Now: verifiedOn, MaxAttempts: 1})
}

// TestWrongCatalogEntriesAreRefused puts back the entries the 2026-11-30
// review found wrong and checks the fakes refuse the requests they build,
// as the real APIs do.
func TestWrongCatalogEntriesAreRefused(t *testing.T) {
	tests := []struct {
		name, provider, model, patch string
		params                       parity.Params
		says                         string
	}{
		{"minimax greedy sent as 0", "minimax", "MiniMax-M2.7", "minimax: {temperature: {min: 0}}",
			parity.Params{Temperature: ptr(0.0)}, "temperature"},
		{"minimax limit above 2048", "minimax", "MiniMax-M2.7", "minimax: {max_output: 100000}",
			parity.Params{MaxTokens: 8192}, "max_completion_tokens"},
		{"claude enabled on an adaptive model", "anthropic", "claude-sonnet-5-5", "anthropic: {thinking: {enable: {thinking: {type: enabled, budget_tokens: 8192}}}}",
			parity.Params{Thinking: "on", MaxTokens: 16000}, "thinking.type.enabled"},
		{"claude disabled on an always-on model", "anthropic", "claude-opus-5-5", `anthropic: {models: {"claude-opus-5-5*": {thinking: {disable: {thinking: {type: disabled}}}}}}`,
			parity.Params{Thinking: "off"}, "disabled"},
		{"claude budget not below max_tokens", "anthropic", "claude-sonnet-4-5", `anthropic: {models: {"claude-*-4-[0-5]*": {thinking: {budget_below_limit: false}}}}`,
			parity.Params{Thinking: "on", MaxTokens: 4096}, "max_tokens"},
		{"kimi k3 temperature not fixed", "moonshot", "kimi-k3", `moonshot: {models: {"kimi-k3*": {temperature: {min: 0, max: 1}}}}`,
			parity.Params{Temperature: ptr(0.3)}, "only 1"},
		{"kimi k2.7 code under the k2.5+ switch", "moonshot", "kimi-k2.7-code", `moonshot: {models: {"kimi-k2.7*": {thinking: {style: thinking_type}}}}`,
			parity.Params{Thinking: "off"}, "cannot be disabled"},
		{"deepseek-reasoner not retired", "deepseek", "deepseek-reasoner", `deepseek: {models: {deepseek-reasoner: {retired: "2099-01-01"}}}`,
			parity.Params{}, "Model Not Exist"},
		{"gpt-5.1 effort max passed through", "openai", "gpt-5.1", `openai: {models: {"gpt-5.[1-9]*": {thinking: {efforts: {max: max}}}}}`,
			parity.Params{Effort: "max"}, "reasoning_effort"},
		{"gpt-6.1-sol told none exists", "openai", "gpt-6.1-sol", `openai: {models: {gpt-6.1-sol: {thinking: {disable: {reasoning_effort: none}}}}}`,
			parity.Params{Thinking: "off"}, "none"},
		{"gemini pro switched off with none", "gemini", "gemini-3.1-pro-preview", `gemini: {models: {"gemini-*-pro*": {thinking: {disable: {reasoning_effort: none}}}}}`,
			parity.Params{Thinking: "off"}, "disabled"},
		{"ark effort max passed through", "ark", "doubao-seed-2.0-pro", `ark: {thinking: {efforts: {max: max}}}`,
			parity.Params{Effort: "max"}, "reasoning_effort"},
		{"openrouter effort and budget together", "openrouter", "x/y", `openrouter: {thinking: {budget_replaces_effort: false}}`,
			parity.Params{Effort: "low", ThinkingBudget: 1000}, "Only one"},
		{"siliconflow effort low passed through on DeepSeek V4", "siliconflow", "deepseek-ai/DeepSeek-V4-Flash", `siliconflow: {models: {"deepseek-ai/DeepSeek-V4*": {thinking: {efforts: {low: low}}}}}`,
			parity.Params{Effort: "low"}, "high or max"},
		{"grok-4.5 told it can stop thinking", "xai", "grok-4.5", `xai: {models: {grok-4.5: {thinking: {disable: {reasoning_effort: none}}}}}`,
			parity.Params{Thinking: "off"}, "reasoning_effort none"},
		{"mistral effort medium passed through", "mistral", "mistral-medium-3-5", `mistral: {thinking: {efforts: {medium: medium}}}`,
			parity.Params{Thinking: "on", Effort: "medium"}, "not supported"},
		{"grok-4.20 sent an effort", "xai", "grok-4.20-reasoning", `xai: {models: {"grok-4.20*": {thinking: {style: reasoning_effort}}}}`,
			parity.Params{Effort: "high"}, "does not support"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Options{Dialect: dialects[tt.provider], Answer: answer})
			cat := builtin(t)
			c := endpointClient(t, cat, tt.provider, srv)
			_, err := c.Complete(context.Background(), ask(tt.provider+"/"+tt.model, tt.params))
			if ret := strings.Contains(tt.patch, "retired"); ret {
				assert.Equal(t, parity.ErrUsage, parity.CodeOf(err), "the catalog as shipped refuses the retired id itself")
				assert.Zero(t, srv.Count(), "before sending anything")
			} else {
				require.NoError(t, err, "the catalog as shipped is accepted")
			}

			require.NoError(t, cat.Merge([]byte("providers:\n  "+tt.patch+"\n"), "wrong.yaml"))
			comp, err := c.Complete(context.Background(), ask(tt.provider+"/"+tt.model, tt.params))
			require.Error(t, err, "the wrong entry is refused by the fake")
			assert.Contains(t, comp.Error, tt.says)
		})
	}
}
