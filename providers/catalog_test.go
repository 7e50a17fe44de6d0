package providers_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

func builtin(t testing.TB) *providers.Catalog {
	t.Helper()
	cat, err := providers.Builtin()
	require.NoError(t, err)
	return cat
}

func TestBuiltinCatalog(t *testing.T) {
	cat := builtin(t)
	tests := []struct {
		name, baseURL, keyEnv, origin string
		needsKey                      bool
	}{
		{"deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY", "CN", true},
		{"openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "West", true},
		{"openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "West", true},
		{"vllm", "http://localhost:8000/v1", "VLLM_API_KEY", "local", false},
		{"ollama", "http://localhost:11434/v1", "", "local", false},
		{"mock", "http://mock.invalid/v1", "", "mock", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := cat.Provider(tt.name)
			require.True(t, ok)
			assert.Equal(t, tt.baseURL, p.BaseURL)
			assert.Equal(t, tt.keyEnv, p.KeyEnv)
			assert.Equal(t, tt.origin, p.Origin)
			assert.Equal(t, tt.needsKey, p.NeedsKey())
		})
	}
	var names []string
	for _, p := range cat.Providers() {
		names = append(names, p.Name)
	}
	assert.IsIncreasing(t, names)
	openai, _ := cat.Provider("openai")
	assert.Equal(t, "max_completion_tokens", openai.TokenLimitField)
	for _, m := range []string{"o4-mini", "o3", "gpt-4.1", "gpt-5"} {
		pr := openai.Price(m)
		require.NotNil(t, pr, m)
		assert.Equal(t, "USD", pr.Currency)
		assert.NotEmpty(t, pr.AsOf)
		assert.NotEmpty(t, pr.Source)
		assert.Positive(t, pr.Output)
	}
	ds, _ := cat.Provider("deepseek")
	for _, m := range []string{"deepseek-flash", "deepseek-v4-pro"} {
		pr := ds.Price(m)
		require.NotNil(t, pr, m)
		assert.Len(t, pr.Windows, 2, "peak windows")
		assert.Equal(t, 2*pr.Output, pr.At(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)).Output, "peak costs twice off-peak")
		assert.Equal(t, pr.Output, pr.At(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)).Output)
	}
	assert.Nil(t, ds.Price("deepseek-chat"), "legacy alias: billing not published, so no price")
	assert.Nil(t, ds.Price("deepseek-unknown"), "unknown prices stay unknown")
	assert.Nil(t, openai.Price("o1-preview"), "a pattern entry never prices a model")
	mock, _ := cat.Provider("mock")
	assert.Zero(t, mock.Price("oracle").Output)
}

func TestResolve(t *testing.T) {
	cat := builtin(t)
	tests := []struct {
		id       string
		want     parity.Model
		code     parity.ErrorCode
		contains []string
	}{
		{id: "deepseek/deepseek-v4-pro", want: parity.Model{ID: "deepseek/deepseek-v4-pro", Provider: "deepseek", Name: "deepseek-v4-pro", Origin: "CN"}},
		{id: "vllm/Qwen/QwQ-32B", want: parity.Model{ID: "vllm/Qwen/QwQ-32B", Provider: "vllm", Name: "Qwen/QwQ-32B", Origin: "local"}},
		{id: "openai/some-future-model", want: parity.Model{ID: "openai/some-future-model", Provider: "openai", Name: "some-future-model", Origin: "West"}},
		{id: "gpt", code: parity.ErrUsage, contains: []string{"use provider/model"}},
		{id: "deepseek/", code: parity.ErrUsage, contains: []string{"use provider/model"}},
		{id: "/x", code: parity.ErrUsage},
		{id: "nope/x", code: parity.ErrUsage, contains: []string{`"nope"`, "deepseek, ", "openai", "catalog file", "--base-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, p, err := cat.Resolve(tt.id)
			if tt.code != "" {
				require.Error(t, err)
				assert.Equal(t, tt.code, parity.CodeOf(err))
				for _, s := range tt.contains {
					assert.Contains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, m)
			assert.Equal(t, tt.want.Provider, p.Name)
		})
	}
}

func TestMergeOverridesKeepOtherFields(t *testing.T) {
	cat := builtin(t)
	err := cat.Merge([]byte(`
providers:
  deepseek:
    base_url: https://proxy.example.com/deepseek
    models:
      deepseek-reasoner:
        price: {input: 4, output: 16, currency: CNY, as_of: "2026-01-01", source: "https://example.com"}
  dashscope:
    base_url: https://dashscope-intl.aliyuncs.com/compatible-mode/v1
    base_url_cn: https://dashscope.aliyuncs.com/compatible-mode/v1
    key_env: DASHSCOPE_API_KEY
    origin: CN
    thinking: {style: enable_thinking}
    stream_required_for_thinking: true
`), "user.yaml")
	require.NoError(t, err)
	ds, _ := cat.Provider("deepseek")
	assert.Equal(t, "https://proxy.example.com/deepseek", ds.BaseURL)
	assert.Equal(t, "DEEPSEEK_API_KEY", ds.KeyEnv, "fields not named keep the builtin value")
	assert.Equal(t, "CN", ds.Origin)
	assert.Equal(t, "deepseek", ds.Thinking.Style)
	assert.NotEmpty(t, ds.Errors)
	pr := ds.Price("deepseek-reasoner")
	require.NotNil(t, pr)
	assert.Equal(t, parity.Price{Input: 4, Output: 16, Currency: "CNY", AsOf: "2026-01-01", Source: "https://example.com"}, *pr,
		"a price card is replaced whole: no stale cached_input")
	assert.Equal(t, "2026-07-24", ds.Models["deepseek-reasoner"].Retired, "other model fields are kept")
	assert.NotNil(t, ds.Price("deepseek-flash"), "other models are kept")

	dash, ok := cat.Provider("dashscope")
	require.True(t, ok)
	assert.Equal(t, "https://dashscope.aliyuncs.com/compatible-mode/v1", dash.URL("cn"))
	assert.Equal(t, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", dash.URL(""))

	fresh := builtin(t)
	p, _ := fresh.Provider("deepseek")
	assert.Equal(t, "https://api.deepseek.com", p.BaseURL, "Builtin returns an independent copy")
}

func TestMergeErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		contains   []string
	}{
		{"syntax", "providers:\n  x: [unclosed\n", []string{"catalog my.yaml:1: "}},
		{"unknown field", "providers:\n  deepseek:\n    base_ur: http://x\n", []string{"catalog my.yaml:3: unknown field base_ur"}},
		{"unknown model field", "providers:\n  deepseek:\n    models:\n      deepseek-chat: {pricee: 1}\n", []string{"my.yaml:4: unknown field pricee"}},
		{"origin", "providers:\n  x:\n    base_url: http://h/v1\n    origin: Mars\n", []string{"my.yaml:2: ", `"x"`, "origin", "CN, West"}},
		{"no url", "providers:\n  x:\n    origin: West\n", []string{"base_url is missing"}},
		{"token field", "providers:\n  deepseek:\n    token_limit_field: max_new_tokens\n", []string{"max_completion_tokens"}},
		{"style", "providers:\n  deepseek:\n    thinking: {style: telepathy}\n", []string{"telepathy", "enable_thinking"}},
		{"price date", "providers:\n  deepseek:\n    models:\n      m: {price: {input: 1, output: 2, currency: USD}}\n", []string{"as_of"}},
		{"mock posing as a real origin", "providers:\n  fake:\n    base_url: http://mock.invalid/v1\n    transport: mock\n    origin: CN\n", []string{"made-up answers", "CN"}},
		{"price window", "providers:\n  deepseek:\n    models:\n      m: {price: {input: 1, output: 2, currency: USD, as_of: \"2026-01-01\", windows: [{name: peak, start: \"9am\", end: \"10:00\", input: 2, output: 4}]}}\n", []string{"peak", "HH:MM"}},
		{"price window day", "providers:\n  deepseek:\n    models:\n      m: {price: {input: 1, output: 2, currency: USD, as_of: \"2026-01-01\", windows: [{name: peak, start: \"09:00\", end: \"10:00\", days: [weekday], input: 2, output: 4}]}}\n", []string{"weekday"}},
		{"currency", "providers:\n  deepseek:\n    models:\n      m: {price: {input: 1, output: 2, currency: EUR, as_of: \"2026-01-01\"}}\n", []string{"EUR"}},
		{"error code", "providers:\n  deepseek:\n    errors: [{match: x, code: oops}]\n", []string{"oops"}},
		{"name", "providers:\n  Bad/Name:\n    base_url: http://h\n    origin: West\n", []string{"lowercase"}},
		{"verified date", "providers:\n  deepseek:\n    verified: last week\n", []string{"verified", "YYYY-MM-DD"}},
		{"impossible verified date", "providers:\n  deepseek:\n    verified: \"2026-02-30\"\n", []string{"verified"}},
		{"retired date", "providers:\n  deepseek:\n    models:\n      m: {retired: soon, replacement: n}\n", []string{"retired", "YYYY-MM-DD"}},
		{"retired without replacement", "providers:\n  deepseek:\n    models:\n      m: {retired: \"2026-01-01\"}\n", []string{"replacement"}},
		{"temperature both", "providers:\n  minimax:\n    temperature: {fixed: 1, min: 0}\n", []string{"temperature", "either fixed or min/max"}},
		{"temperature order", "providers:\n  minimax:\n    temperature: {min: 1, max: 0.5}\n", []string{"min 1 is above max 0.5"}},
		{"model token field", "providers:\n  ark:\n    models:\n      m: {token_limit_field: max_output}\n", []string{"max_output"}},
		{"budget min", "providers:\n  anthropic:\n    thinking: {budget_min: -1}\n", []string{"budget_min"}},
		{"content block target", "providers:\n  mistral:\n    content_blocks: {thinking: answer}\n", []string{"content_blocks", `"thinking"`, "content or reasoning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := builtin(t)
			before := len(cat.Providers())
			err := cat.Merge([]byte(tt.yaml), "my.yaml")
			require.Error(t, err)
			assert.Equal(t, parity.ErrConfig, parity.CodeOf(err))
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			assert.Len(t, cat.Providers(), before)
			p, _ := cat.Provider("deepseek")
			assert.Equal(t, "max_tokens", p.TokenLimitField, "a failed merge changes nothing")
		})
	}
}

func TestAddEndpoint(t *testing.T) {
	cat := builtin(t)
	p, err := cat.AddEndpoint("custom", "https://llm.example.com/v1", "CUSTOM_KEY")
	require.NoError(t, err)
	assert.Equal(t, "custom", p.Origin)
	assert.True(t, p.NeedsKey())
	m, rp, err := cat.Resolve("custom/some-model")
	require.NoError(t, err)
	assert.Equal(t, "some-model", m.Name)
	assert.Equal(t, "https://llm.example.com/v1", rp.BaseURL)

	local, err := cat.AddEndpoint("box", "http://127.0.0.1:9000/v1", "")
	require.NoError(t, err)
	assert.Equal(t, "local", local.Origin)
	assert.False(t, local.NeedsKey())

	ds, err := cat.AddEndpoint("deepseek", "https://proxy.example.com", "")
	require.NoError(t, err)
	assert.Equal(t, "https://proxy.example.com", ds.BaseURL)
	assert.Equal(t, "DEEPSEEK_API_KEY", ds.KeyEnv)
	assert.Equal(t, "CN", ds.Origin)
	assert.NotNil(t, ds.Price("deepseek-flash"))

	_, err = cat.AddEndpoint("bad", "ftp://x", "")
	assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))

	// A refused URL is named without its password or query values.
	for _, u := range []string{"ftp://me:pw-secret@x/v1?key=q-secret", "http://me:pw-secret@x/v1%zz?key=q-secret"} {
		_, err = cat.AddEndpoint("bad", u, "")
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), "pw-secret", u)
		assert.NotContains(t, err.Error(), "q-secret", u)
	}
}

// TestCatalogFindingsOf20261130 pins what the review of 2026-11-30 found in
// the providers' own pages (sources in catalog.yaml): retirement dates and
// replacements, substitutions, prices where published, and what was checked
// and left as it was.
func TestCatalogFindingsOf20261130(t *testing.T) {
	cat := builtin(t)
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return d.Add(12 * time.Hour)
	}
	tests := []struct {
		provider, model, at string
		retired, soon       bool
		replacement, served string
	}{
		{"deepseek", "deepseek-reasoner", "2026-11-30", true, false, "deepseek-flash", ""},
		{"deepseek", "deepseek-chat", "2026-07-24", true, false, "deepseek-flash", ""},
		{"deepseek", "deepseek-chat", "2026-07-23", false, true, "deepseek-flash", ""},
		{"deepseek", "deepseek-v4-flash", "2026-11-30", true, false, "", "deepseek-flash"},
		{"openai", "o4-mini", "2026-11-30", true, false, "gpt-6.1-terra", ""},
		{"openai", "o4-mini-2025-04-16", "2026-11-30", true, false, "gpt-6.1-terra", ""},
		{"openai", "o3", "2026-11-30", false, true, "gpt-6.1-sol", ""},
		{"openai", "gpt-5", "2026-12-11", true, false, "gpt-6.1-sol", ""},
		{"openai", "gpt-5-mini", "2026-11-30", false, true, "gpt-6.1-terra", ""},
		{"moonshot", "kimi-k2-thinking", "2026-11-30", true, false, "kimi-k2.6", ""},
		{"moonshot", "kimi-k2-thinking-turbo", "2026-11-30", true, false, "kimi-k2.6", ""},
		{"gemini", "gemini-2.5-pro", "2026-11-30", false, true, "gemini-3.8-flash", "gemini-3.8-flash"},
		{"gemini", "gemini-2.5-pro", "2026-12-01", true, false, "gemini-3.8-flash", "gemini-3.8-flash"},
		{"gemini", "gemini-2.5-flash", "2026-12-02", true, false, "gemini-3.5-flash-lite", "gemini-3.5-flash-lite"},
	}
	for _, tt := range tests {
		p, _ := cat.Provider(tt.provider)
		r := p.Retirement(tt.model, day(tt.at))
		require.NotNil(t, r, "%s/%s", tt.provider, tt.model)
		assert.Equal(t, tt.retired, r.Retired, "%s/%s at %s", tt.provider, tt.model, tt.at)
		assert.Equal(t, tt.soon, r.Soon(day(tt.at)), "%s/%s soon at %s", tt.provider, tt.model, tt.at)
		assert.Equal(t, tt.replacement, r.Replacement)
		assert.Equal(t, tt.served, r.ServedBy)
	}
	for _, live := range []string{"deepseek/deepseek-flash", "openai/gpt-6.1-sol", "moonshot/kimi-k2.6", "moonshot/kimi-k3", "gemini/gemini-3.8-flash"} {
		_, p, err := cat.Resolve(live)
		require.NoError(t, err)
		assert.Nil(t, p.Retirement(live[len(p.Name)+1:], day("2026-11-30")), live)
	}

	// Gemini answers the retired ids with another model: runs are warned, not refused.
	c := providers.New(cat, providers.Options{Now: func() time.Time { return day("2026-12-02") }})
	pl, err := c.Plan(parity.Request{Model: "gemini/gemini-2.5-pro"})
	require.NoError(t, err)
	assert.Contains(t, pl.Warnings, "gemini: gemini-2.5-pro is answered by gemini-3.8-flash under the old name since 2026-12-01; results are gemini-3.8-flash's, not gemini-2.5-pro's")

	for _, m := range []string{"anthropic/claude-opus-5-5", "anthropic/claude-sonnet-5-5", "gemini/gemini-3.8-flash",
		"moonshot/kimi-k3", "zai/glm-5", "openai/gpt-6.1-sol", "minimax/MiniMax-M2.7", "deepseek/deepseek-v4-pro"} {
		_, p, err := cat.Resolve(m)
		require.NoError(t, err)
		pr := p.Price(m[len(p.Name)+1:])
		require.NotNil(t, pr, m)
		assert.Equal(t, "USD", pr.Currency, m)
		assert.NotEmpty(t, pr.Source, m)
	}

	// llama-server still defaults to 8080; PR 26508 only announces :9931
	// for a future release, so the default stays until that release exists.
	lc, _ := cat.Provider("llamacpp")
	assert.Equal(t, "http://localhost:8080/v1", lc.BaseURL)
	assert.Contains(t, lc.Sources, "https://github.com/ggml-org/llama.cpp/pull/26508")

	for _, p := range cat.Providers() {
		assert.NotEmpty(t, p.Verified, p.Name)
		assert.NotEmpty(t, p.Sources, p.Name)
		assert.False(t, p.Stale(day("2026-11-30")), p.Name)
	}
}

// TestCanonicalNamesAndMakers checks a host's open model is known by its
// maker's canonical name and grouped under its maker's origin, while the
// host stays the provider.
func TestCanonicalNamesAndMakers(t *testing.T) {
	cat := builtin(t)
	tests := []struct {
		id, canonical, origin string
	}{
		{"together/deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1", "CN"},
		{"siliconflow/Pro/deepseek-ai/DeepSeek-V4-Flash", "deepseek-ai/DeepSeek-V4-Flash", "CN"},
		{"fireworks/accounts/fireworks/models/deepseek-r1-0528", "deepseek-ai/DeepSeek-R1-0528", "CN"},
		{"groq/openai/gpt-oss-120b", "openai/gpt-oss-120b", "West"},
		{"deepinfra/Qwen/Qwen3-235B-A22B", "Qwen/Qwen3-235B-A22B", "CN"},
		{"deepinfra/unknown-lab/some-model", "unknown-lab/some-model", "West"}, // unknown maker: the host's origin
		{"deepseek/deepseek-v4-pro", "deepseek-ai/DeepSeek-V4-Pro", "CN"},
		{"openai/gpt-6.1-sol", "", "West"},
		{"vllm/Qwen/QwQ-32B", "", "local"}, // a self-hosted server is not a host of record
	}
	for _, tt := range tests {
		m, p, err := cat.Resolve(tt.id)
		require.NoError(t, err, tt.id)
		assert.Equal(t, tt.canonical, p.Canonical(m.Name), tt.id)
		assert.Equal(t, tt.origin, m.Origin, tt.id)
	}

	require.NoError(t, cat.Merge([]byte("makers:\n  newlab: CN\n"), "user.yaml"))
	m, _, err := cat.Resolve("together/newlab/model-x")
	require.NoError(t, err)
	assert.Equal(t, "CN", m.Origin, "a user file adds makers")
	err = cat.Merge([]byte("makers:\n  elsewhere: Mars\n"), "user.yaml")
	assert.ErrorContains(t, err, `"elsewhere" has origin "Mars": use CN or West`)
}
