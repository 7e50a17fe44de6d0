package providers_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

func ptr[T any](v T) *T { return &v }

// verifiedOn is the day the catalog was last checked against the providers'
// pages; tests that depend on retirement dates run on it.
func verifiedOn() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }

// dashscopeYAML is how a user adds a stream-only thinking provider.
const dashscopeYAML = `
providers:
  dashscope:
    base_url: https://dashscope.aliyuncs.com/compatible-mode/v1
    key_env: DASHSCOPE_API_KEY
    origin: CN
    thinking: {style: enable_thinking}
    stream_required_for_thinking: true
`

func TestPlanThinkingPerProvider(t *testing.T) {
	cat := builtin(t)
	require.NoError(t, cat.Merge([]byte(dashscopeYAML), "test"))
	c := providers.New(cat, providers.Options{Now: verifiedOn})
	tests := []struct {
		name     string
		model    string
		params   parity.Params
		want     map[string]any // fields that must be in the body
		absent   []string
		stream   bool
		warnings int
	}{
		{name: "deepseek on", model: "deepseek/deepseek-flash", params: parity.Params{Thinking: "on", Effort: "high"},
			want: map[string]any{"thinking": map[string]any{"type": "enabled"}, "reasoning_effort": "high"}},
		{name: "deepseek off", model: "deepseek/deepseek-flash", params: parity.Params{Thinking: "off"},
			want: map[string]any{"thinking": map[string]any{"type": "disabled"}}},
		{name: "deepseek runs medium as high and says so", model: "deepseek/deepseek-v4-pro", params: parity.Params{Effort: "medium"},
			want: map[string]any{"reasoning_effort": "high"}, warnings: 1},
		{name: "deepseek legacy name answered by another model", model: "deepseek/deepseek-v4-flash", params: parity.Params{}, warnings: 1},
		{name: "kimi-k3 cannot switch off and fixes temperature", model: "moonshot/kimi-k3", params: parity.Params{Thinking: "off", Temperature: ptr(0.0)},
			want: map[string]any{"temperature": 1.0}, absent: []string{"thinking"}, warnings: 2},
		{name: "kimi-k2.7-code always thinks", model: "moonshot/kimi-k2.7-code", params: parity.Params{Thinking: "off"}, absent: []string{"thinking"}, warnings: 1},
		{name: "kimi-k2.6 switches", model: "moonshot/kimi-k2.6", params: parity.Params{Thinking: "off"},
			want: map[string]any{"thinking": map[string]any{"type": "disabled"}}},
		{name: "openai gpt-6.1-sol effort", model: "openai/gpt-6.1-sol", params: parity.Params{Thinking: "on", Effort: "low", MaxTokens: 500},
			want: map[string]any{"reasoning_effort": "low", "max_completion_tokens": 500}, absent: []string{"max_tokens"}},
		{name: "openai gpt-6.1-sol off and max effort", model: "openai/gpt-6.1-sol", params: parity.Params{Thinking: "off", Effort: "max"},
			absent: []string{"reasoning_effort"}, warnings: 2},
		{name: "openai gpt-5.1 on reasons", model: "openai/gpt-5.1", params: parity.Params{Thinking: "on"},
			want: map[string]any{"reasoning_effort": "medium"}},
		{name: "openai gpt-5.1 off sends none", model: "openai/gpt-5.1", params: parity.Params{Thinking: "off", Temperature: ptr(0.0)},
			want: map[string]any{"reasoning_effort": "none"}, absent: []string{"temperature"}, warnings: 1},
		{name: "openai gpt-5.1 has no max", model: "openai/gpt-5.1", params: parity.Params{Thinking: "on", Effort: "max"},
			want: map[string]any{"reasoning_effort": "medium"}, warnings: 1},
		{name: "openai gpt-5.2 max runs as xhigh", model: "openai/gpt-5.2", params: parity.Params{Effort: "max"},
			want: map[string]any{"reasoning_effort": "xhigh"}, warnings: 1},
		{name: "openai o3 retires soon", model: "openai/o3", params: parity.Params{Effort: "low"},
			want: map[string]any{"reasoning_effort": "low"}, warnings: 1},
		{name: "openai gpt-4.1 has no thinking", model: "openai/gpt-4.1", params: parity.Params{Thinking: "on", Temperature: ptr(0.0)},
			want: map[string]any{"temperature": 0.0}, warnings: 1},
		{name: "minimax greedy is as close to greedy as accepted", model: "minimax/MiniMax-M2.7", params: parity.Params{Temperature: ptr(0.0), MaxTokens: 4096},
			want: map[string]any{"temperature": 0.01, "max_completion_tokens": 2048}, warnings: 2},
		{name: "anthropic budget kept below max tokens", model: "anthropic/claude-sonnet-4-5", params: parity.Params{Thinking: "on", MaxTokens: 4096},
			want: map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 2048}}, warnings: 1},
		{name: "anthropic explicit budget below max tokens", model: "anthropic/claude-haiku-4-5", params: parity.Params{Thinking: "on", ThinkingBudget: 2000, MaxTokens: 4096},
			want: map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 2000}}},
		{name: "anthropic adaptive with effort", model: "anthropic/claude-sonnet-5-5", params: parity.Params{Thinking: "on", Effort: "high", Temperature: ptr(1.5)},
			want: map[string]any{"thinking": map[string]any{"type": "adaptive"}, "output_config": map[string]any{"effort": "high"}}, absent: []string{"temperature"}, warnings: 1},
		{name: "anthropic temperature capped", model: "anthropic/claude-sonnet-5-5", params: parity.Params{Temperature: ptr(1.5)},
			want: map[string]any{"temperature": 1.0}, warnings: 1},
		{name: "anthropic always-on cannot switch off", model: "anthropic/claude-opus-5-5", params: parity.Params{Thinking: "off"}, absent: []string{"thinking"}, warnings: 1},
		{name: "gemini pro cannot switch off", model: "gemini/gemini-3.1-pro-preview", params: parity.Params{Thinking: "off"}, absent: []string{"reasoning_effort"}, warnings: 1},
		{name: "gemini flash off", model: "gemini/gemini-3.8-flash", params: parity.Params{Thinking: "off"}, want: map[string]any{"reasoning_effort": "none"}},
		{name: "gemini 2.5 pro retires tomorrow", model: "gemini/gemini-2.5-pro", params: parity.Params{}, warnings: 1},
		{name: "ark limit counts reasoning, no max effort", model: "ark/doubao-seed-2.0-pro", params: parity.Params{MaxTokens: 100000, Effort: "max"},
			want: map[string]any{"max_completion_tokens": 65536}, absent: []string{"max_tokens", "reasoning_effort"}, warnings: 2},
		{name: "openrouter budget", model: "openrouter/deepseek/deepseek-r1", params: parity.Params{Thinking: "on", ThinkingBudget: 2000},
			want: map[string]any{"reasoning": map[string]any{"enabled": true, "max_tokens": 2000}}},
		{name: "openrouter budget or effort, not both", model: "openrouter/deepseek/deepseek-r1", params: parity.Params{Effort: "low", ThinkingBudget: 2000},
			want: map[string]any{"reasoning": map[string]any{"max_tokens": 2000}}, warnings: 1},
		{name: "openrouter effort", model: "openrouter/openai/o3", params: parity.Params{Effort: "medium"},
			want: map[string]any{"reasoning": map[string]any{"effort": "medium"}}},
		{name: "vllm off", model: "vllm/Qwen/Qwen3-8B", params: parity.Params{Thinking: "off", MaxTokens: 64},
			want: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": false}, "max_tokens": 64}},
		{name: "vllm deepseek template reads thinking", model: "vllm/deepseek-ai/DeepSeek-V3.1", params: parity.Params{Thinking: "on"},
			want: map[string]any{"chat_template_kwargs": map[string]any{"thinking": true}}},
		{name: "sglang deepseek template reads thinking", model: "sglang/deepseek-ai/DeepSeek-V3.2-Exp", params: parity.Params{Thinking: "off"},
			want: map[string]any{"chat_template_kwargs": map[string]any{"thinking": false}}},
		{name: "ollama off", model: "ollama/qwen3:8b", params: parity.Params{Thinking: "off"}, want: map[string]any{"reasoning_effort": "none"}},
		{name: "vllm budget unsupported", model: "vllm/Qwen/Qwen3-8B", params: parity.Params{ThinkingBudget: 100}, warnings: 1},
		{name: "dashscope forces stream", model: "dashscope/qwen3-235b-a22b", params: parity.Params{Thinking: "on", ThinkingBudget: 4096},
			want:   map[string]any{"enable_thinking": true, "thinking_budget": 4096, "stream_options": map[string]any{"include_usage": true}},
			stream: true, warnings: 1},
		{name: "dashscope off does not stream", model: "dashscope/qwen3-235b-a22b", params: parity.Params{Thinking: "off"},
			want: map[string]any{"enable_thinking": false}, absent: []string{"stream_options"}},
		{name: "auto unsupported", model: "deepseek/deepseek-flash", params: parity.Params{Thinking: "auto"}, absent: []string{"thinking"}, warnings: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := c.Plan(parity.Request{Model: tt.model, Messages: []parity.Message{{Role: "user", Content: "q"}}, Params: tt.params})
			require.NoError(t, err)
			for k, v := range tt.want {
				assert.Equal(t, v, pl.Body[k], k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, pl.Body, k)
			}
			assert.Equal(t, tt.stream, pl.Stream)
			assert.Equal(t, tt.stream, pl.Body["stream"])
			assert.Len(t, pl.Warnings, tt.warnings, "%q", pl.Warnings)
		})
	}
}

func TestPlanExtraAndErrors(t *testing.T) {
	c := providers.New(builtin(t), providers.Options{})
	pl, err := c.Plan(parity.Request{Model: "vllm/Qwen/Qwen3-8B", Params: parity.Params{Thinking: "on", Seed: ptr(7), TopP: ptr(0.95)},
		Extra: map[string]any{"chat_template_kwargs": map[string]any{"custom": 1}, "top_k": 20}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"enable_thinking": true, "custom": 1}, pl.Body["chat_template_kwargs"], "extra deep-merges with quirk fields")
	assert.Equal(t, 20, pl.Body["top_k"])
	assert.Equal(t, 7, pl.Body["seed"])
	assert.Equal(t, 0.95, pl.Body["top_p"])
	assert.Equal(t, "Qwen/Qwen3-8B", pl.Body["model"])
	assert.Equal(t, "http://localhost:8000/v1/chat/completions", pl.URL)

	// The catalog's fragments must not be changed by a request's merge.
	pl2, err := c.Plan(parity.Request{Model: "vllm/Qwen/Qwen3-8B", Params: parity.Params{Thinking: "on"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"enable_thinking": true}, pl2.Body["chat_template_kwargs"])

	for _, req := range []parity.Request{
		{Model: "deepseek/deepseek-flash", Extra: map[string]any{"model": "x"}},
		{Model: "deepseek/deepseek-flash", Params: parity.Params{Thinking: "maybe"}},
		{Model: "deepseek/deepseek-flash", Params: parity.Params{Effort: "extreme"}},
		{Model: "deepseek/deepseek-flash", Params: parity.Params{MaxTokens: -1}},
		{Model: "anthropic/claude-sonnet-4-5", Params: parity.Params{Thinking: "on", MaxTokens: 1500}},
		{Model: "deepseek/deepseek-reasoner"},
		{Model: "openai/o4-mini-2025-04-16"},
		{Model: "gpt"},
	} {
		_, err := c.Plan(req)
		assert.Equal(t, parity.ErrUsage, parity.CodeOf(err), "%+v", req)
	}
}

func TestPlanEveryBuiltinProvider(t *testing.T) {
	cat := builtin(t)
	c := providers.New(cat, providers.Options{})
	cn := providers.New(cat, providers.Options{Region: "cn"})
	for _, p := range cat.Providers() {
		for _, th := range []string{"", "on", "off", "auto"} {
			req := parity.Request{Model: p.Name + "/some/model", Params: parity.Params{Thinking: th, Effort: "high", ThinkingBudget: 512, MaxTokens: 10}}
			pl, err := c.Plan(req)
			require.NoError(t, err, p.Name)
			assert.Equal(t, "some/model", pl.Body["model"])
			assert.Contains(t, pl.URL, p.BaseURL)
			if p.BaseURLCN != "" {
				pcn, err := cn.Plan(req)
				require.NoError(t, err)
				assert.Contains(t, pcn.URL, p.BaseURLCN, p.Name)
			}
		}
	}
	pl, err := c.Plan(parity.Request{Model: "gemini/gemini-2.5-flash", Params: parity.Params{ThinkingBudget: 1024}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"google": map[string]any{"thinking_config": map[string]any{"thinking_budget": 1024}}}, pl.Body["extra_body"])
}

// TestPlanSendsStopSequences checks that a request's stop sequences reach
// the body as the API's "stop" field, and that none means no field.
func TestPlanSendsStopSequences(t *testing.T) {
	c := providers.New(builtin(t), providers.Options{})
	pl, err := c.Plan(parity.Request{Model: "vllm/Qwen/Qwen3-8B", Params: parity.Params{Stop: []string{"\n\nQuestion:", "\nQ:"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"\n\nQuestion:", "\nQ:"}, pl.Body["stop"])
	pl, err = c.Plan(parity.Request{Model: "vllm/Qwen/Qwen3-8B"})
	require.NoError(t, err)
	assert.NotContains(t, pl.Body, "stop")
}

// TestPlanWarnsWhenTheLimitSkipsReasoning: a token-limit field that caps
// only the answer lets a run spend more than --max-tokens; the run says so.
func TestPlanWarnsWhenTheLimitSkipsReasoning(t *testing.T) {
	cat := builtin(t)
	require.NoError(t, cat.Merge([]byte("providers:\n  ark:\n    token_limit_field: max_tokens\n    limit_excludes_reasoning: true\n    models:\n      doubao-lite: {limit_excludes_reasoning: false}\n"), "user.yaml"))
	c := providers.New(cat, providers.Options{Now: verifiedOn})
	pl, err := c.Plan(parity.Request{Model: "ark/doubao-seed-2.0-pro", Params: parity.Params{MaxTokens: 1000}})
	require.NoError(t, err)
	assert.Equal(t, 1000, pl.Body["max_tokens"])
	assert.Equal(t, []string{"ark: max_tokens caps only the answer on doubao-seed-2.0-pro, not the reasoning before it; runs here may spend more than 1000 tokens"}, pl.Warnings)
	pl, err = c.Plan(parity.Request{Model: "ark/doubao-lite", Params: parity.Params{MaxTokens: 1000}})
	require.NoError(t, err)
	assert.Empty(t, pl.Warnings, "a model entry overrides the provider's")
}
