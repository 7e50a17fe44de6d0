package providers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

func ptr[T any](v T) *T { return &v }

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
	c := providers.New(cat, providers.Options{})
	tests := []struct {
		name     string
		model    string
		params   parity.Params
		want     map[string]any // fields that must be in the body
		absent   []string
		stream   bool
		warnings int
	}{
		{name: "deepseek on", model: "deepseek/deepseek-chat", params: parity.Params{Thinking: "on", Effort: "high"},
			want: map[string]any{"thinking": map[string]any{"type": "enabled"}, "reasoning_effort": "high"}},
		{name: "deepseek off", model: "deepseek/deepseek-chat", params: parity.Params{Thinking: "off"},
			want: map[string]any{"thinking": map[string]any{"type": "disabled"}}},
		{name: "deepseek-reasoner cannot switch", model: "deepseek/deepseek-reasoner", params: parity.Params{Thinking: "off", Temperature: ptr(0.0)},
			absent: []string{"thinking", "temperature"}, warnings: 2},
		{name: "openai o3 effort", model: "openai/o3", params: parity.Params{Thinking: "on", Effort: "low", MaxTokens: 500},
			want: map[string]any{"reasoning_effort": "low", "max_completion_tokens": 500}, absent: []string{"max_tokens"}},
		{name: "openai o3 off and max effort", model: "openai/o3", params: parity.Params{Thinking: "off", Effort: "max"},
			absent: []string{"reasoning_effort"}, warnings: 2},
		{name: "openai o4-mini unknown effort", model: "openai/o4-mini", params: parity.Params{Effort: "max"},
			absent: []string{"reasoning_effort"}, warnings: 1},
		{name: "openai gpt-4.1 has no thinking", model: "openai/gpt-4.1", params: parity.Params{Thinking: "on", Temperature: ptr(0.0)},
			want: map[string]any{"temperature": 0.0}, warnings: 1},
		{name: "openrouter budget", model: "openrouter/deepseek/deepseek-r1", params: parity.Params{Thinking: "on", ThinkingBudget: 2000},
			want: map[string]any{"reasoning": map[string]any{"enabled": true, "max_tokens": 2000}}},
		{name: "openrouter effort", model: "openrouter/openai/o3", params: parity.Params{Effort: "medium"},
			want: map[string]any{"reasoning": map[string]any{"effort": "medium"}}},
		{name: "vllm off", model: "vllm/Qwen/Qwen3-8B", params: parity.Params{Thinking: "off", MaxTokens: 64},
			want: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": false}, "max_tokens": 64}},
		{name: "vllm budget unsupported", model: "vllm/Qwen/Qwen3-8B", params: parity.Params{ThinkingBudget: 100}, warnings: 1},
		{name: "dashscope forces stream", model: "dashscope/qwen3-235b-a22b", params: parity.Params{Thinking: "on", ThinkingBudget: 4096},
			want:   map[string]any{"enable_thinking": true, "thinking_budget": 4096, "stream_options": map[string]any{"include_usage": true}},
			stream: true, warnings: 1},
		{name: "dashscope off does not stream", model: "dashscope/qwen3-235b-a22b", params: parity.Params{Thinking: "off"},
			want: map[string]any{"enable_thinking": false}, absent: []string{"stream_options"}},
		{name: "auto unsupported", model: "deepseek/deepseek-chat", params: parity.Params{Thinking: "auto"}, absent: []string{"thinking"}, warnings: 1},
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
		{Model: "deepseek/deepseek-chat", Extra: map[string]any{"model": "x"}},
		{Model: "deepseek/deepseek-chat", Params: parity.Params{Thinking: "maybe"}},
		{Model: "deepseek/deepseek-chat", Params: parity.Params{Effort: "extreme"}},
		{Model: "deepseek/deepseek-chat", Params: parity.Params{MaxTokens: -1}},
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
