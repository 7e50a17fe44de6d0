package providers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

const doctorKey = "sk-doctor-0123456789abcdef"

// bodyAware starts a fake server whose answer depends on the request body.
// providertest hands Answer the request without its body, so the body is
// looked up among the recorded requests.
func bodyAware(t *testing.T, opt providertest.Options, answer func(body map[string]any) providertest.Reply) *providertest.Server {
	var srv atomic.Pointer[providertest.Server]
	opt.Answer = func(req providertest.ChatRequest) providertest.Reply {
		for _, r := range srv.Load().Requests() {
			if r.N == req.N {
				return answer(r.JSON())
			}
		}
		t.Errorf("request %d was not recorded", req.N)
		return providertest.Reply{}
	}
	s := providertest.New(t, opt)
	srv.Store(s)
	return s
}

// thinksUnlessOff answers like a hybrid reasoning model: it reasons unless
// the body switches thinking off in any of the catalog's styles.
func thinksUnlessOff(body map[string]any) providertest.Reply {
	if thinkingOff(body) {
		return providertest.Reply{Content: "5"}
	}
	return providertest.Reply{Reasoning: "Two plus three is five. Let me double-check: 2+3=5.", Content: "5"}
}

func thinkingOff(body map[string]any) bool {
	if th, ok := body["thinking"].(map[string]any); ok && th["type"] == "disabled" {
		return true
	}
	if body["enable_thinking"] == false {
		return true
	}
	if kw, ok := body["chat_template_kwargs"].(map[string]any); ok && kw["enable_thinking"] == false {
		return true
	}
	return false
}

// alwaysThinks ignores the thinking switch.
func alwaysThinks(map[string]any) providertest.Reply {
	return providertest.Reply{Reasoning: "Two plus three is five. Let me double-check: 2+3=5.", Content: "5"}
}

// arkModelNotOpen is Ark's answer for a model the account has not activated.
var arkModelNotOpen = providertest.Status(404, `{"error":{"code":"ModelNotOpen","message":"Your account 2100000000 has not activated the model doubao-seed-1-6-250615. Please activate the model service in the Ark Console. Request id: 0217","param":"","type":"NotFound"}}`)

// dropStreamUsage puts a proxy in front of srv that strips
// stream_options from every request, as servers that ignore it behave: the
// stream then ends without a usage chunk.
func dropStreamUsage(t *testing.T, srv *providertest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	director := rp.Director
	rp.Director = func(r *http.Request) {
		director(r)
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			delete(m, "stream_options")
			b, _ = json.Marshal(m)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
	}
	px := httptest.NewServer(rp)
	t.Cleanup(px.Close)
	return px.URL + "/v1"
}

// doctorClient points provider at baseURL and returns a client whose
// environment holds doctorKey for every *_API_KEY and whose retries do not
// wait.
func doctorClient(t *testing.T, provider, baseURL, region string) *providers.Client {
	t.Helper()
	cat, err := providers.Builtin()
	require.NoError(t, err)
	if provider == "dashscope" {
		// Keep the region pair, both pointing at the fake server.
		yml := "providers:\n  dashscope:\n    base_url: " + baseURL + "\n    base_url_cn: " + baseURL + "\n"
		require.NoError(t, cat.Merge([]byte(yml), "test"))
	} else {
		_, err = cat.AddEndpoint(provider, baseURL, "")
		require.NoError(t, err)
	}
	return providers.New(cat, providers.Options{
		Getenv: func(k string) string {
			if strings.HasSuffix(k, "_API_KEY") {
				return doctorKey
			}
			return ""
		},
		Region: region,
		Sleep:  func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
}

func TestDoctor(t *testing.T) {
	const (
		ok   = providers.CheckOK
		warn = providers.CheckWarn
		fail = providers.CheckFail
		skip = providers.CheckSkipped
	)
	allOK := map[string]providers.CheckStatus{"reachable": ok, "key": ok, "account": ok, "model": ok, "token_limit": ok,
		"reasoning": ok, "thinking_switch": ok, "stream_usage": ok, "latency": ok}
	with := func(over map[string]providers.CheckStatus) map[string]providers.CheckStatus {
		out := map[string]providers.CheckStatus{}
		for k, v := range allOK {
			out[k] = v
		}
		for k, v := range over {
			out[k] = v
		}
		return out
	}
	afterFirst := func(failed string, before ...string) map[string]providers.CheckStatus {
		out := map[string]providers.CheckStatus{}
		for k := range allOK {
			out[k] = skip
		}
		for _, k := range before {
			out[k] = ok
		}
		out[failed] = fail
		return out
	}
	tests := []struct {
		name     string
		provider string
		model    string
		region   string
		opt      providertest.Options
		answer   func(body map[string]any) providertest.Reply // nil answers "\\boxed{42}" with reasoning
		noUsage  bool
		want     map[string]providers.CheckStatus
		advice   map[string]string // check -> text its advice contains
		detail   map[string]string // check -> text its detail contains
		field    string            // ReasoningField
		requests int               // probes that reached the server
	}{
		{
			name: "healthy deepseek", provider: "deepseek", model: "deepseek/deepseek-flash",
			answer: thinksUnlessOff,
			want:   allOK, field: "reasoning_content", requests: 4,
			detail: map[string]string{"token_limit": "max_tokens=256 accepted", "reasoning": "reasoning_content",
				"thinking_switch": "none with it off", "model": "reported deepseek-flash", "key": "DEEPSEEK_API_KEY accepted"},
		},
		{
			name: "vllm reasoning field", provider: "vllm", model: "vllm/Qwen/Qwen3-8B",
			opt: providertest.Options{Style: providertest.StyleReasoning}, answer: thinksUnlessOff,
			want: allOK, field: "reasoning", requests: 4,
		},
		{
			name: "inline think tags", provider: "vllm", model: "vllm/Qwen/QwQ-32B",
			opt: providertest.Options{Style: providertest.StyleThinkInline}, answer: thinksUnlessOff,
			want: allOK, field: "think", requests: 4,
			detail: map[string]string{"reasoning": "inline <think> tags"},
		},
		{
			name: "mistral thinking blocks", provider: "mistral", model: "mistral/mistral-medium-3-5",
			opt: providertest.Options{Dialect: providertest.DialectMistral}, answer: thinksUnlessOff,
			want: allOK, field: "content_blocks", requests: 4,
			detail: map[string]string{"reasoning": "thinking blocks of the content list"},
		},
		{
			name: "thinking blocks the catalog does not read", provider: "deepseek", model: "deepseek/deepseek-flash",
			opt: providertest.Options{Style: providertest.StyleContentBlocks}, answer: thinksUnlessOff,
			want:  with(map[string]providers.CheckStatus{"reasoning": warn}),
			field: "content_blocks", requests: 4,
			advice: map[string]string{"reasoning": "add content_blocks to reasoning_fields of deepseek"},
		},
		{
			name: "thinking switch ignored", provider: "deepseek", model: "deepseek/deepseek-flash",
			answer: alwaysThinks,
			want:   with(map[string]providers.CheckStatus{"thinking_switch": warn}), field: "reasoning_content", requests: 4,
			advice: map[string]string{"thinking_switch": "thinking (enable/disable) for deepseek"},
		},
		{
			name: "no switch to turn thinking off", provider: "moonshot", model: "moonshot/kimi-k2.7-code",
			answer: alwaysThinks,
			want:   with(map[string]providers.CheckStatus{"thinking_switch": skip}), field: "reasoning_content", requests: 2,
			detail: map[string]string{"thinking_switch": "no switch to turn thinking off"},
		},
		{
			name: "key rejected", provider: "deepseek", model: "deepseek/deepseek-flash",
			opt:  providertest.Options{Faults: []providertest.Fault{providertest.DeepSeekUnauthorized}},
			want: afterFirst("key", "reachable"), requests: 1,
			advice: map[string]string{"key": "DEEPSEEK_API_KEY"},
			detail: map[string]string{"key": "API key rejected (401)", "stream_usage": "first request failed"},
		},
		{
			name: "dashscope key from the other region", provider: "dashscope", model: "dashscope/qwen-plus",
			opt:  providertest.Options{Faults: []providertest.Fault{providertest.Status(401, `{"error":{"message":"Incorrect API key provided. ","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)}},
			want: afterFirst("key", "reachable"), requests: 1,
			advice: map[string]string{"key": "works only with --region cn"},
		},
		{
			name: "dashscope cn key used internationally", provider: "dashscope", model: "dashscope/qwen-plus", region: "cn",
			opt:  providertest.Options{Faults: []providertest.Fault{providertest.Status(401, `{"error":{"message":"Incorrect API key provided. ","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)}},
			want: afterFirst("key", "reachable"), requests: 1,
			advice: map[string]string{"key": "works only without --region cn"},
		},
		{
			name: "insufficient balance", provider: "deepseek", model: "deepseek/deepseek-flash",
			opt:  providertest.Options{Faults: []providertest.Fault{providertest.DeepSeekNoBalance}},
			want: afterFirst("account", "reachable", "key"), requests: 1,
			advice: map[string]string{"account": "insufficient balance: top up the deepseek account"},
			detail: map[string]string{"account": "top up at https://platform.deepseek.com"},
		},
		{
			name: "ark model not activated", provider: "ark", model: "ark/doubao-seed-1-6-250615",
			opt: providertest.Options{Faults: []providertest.Fault{arkModelNotOpen}},
			want: func() map[string]providers.CheckStatus {
				m := afterFirst("model", "reachable")
				m["key"] = skip
				return m
			}(),
			requests: 1,
			advice:   map[string]string{"model": "activate the model in the Volcengine Ark console"},
			detail:   map[string]string{"model": "has not activated the model"},
		},
		{
			name: "stream without usage", provider: "deepseek", model: "deepseek/deepseek-flash",
			answer: thinksUnlessOff, noUsage: true,
			want: with(map[string]providers.CheckStatus{"stream_usage": warn}), field: "reasoning_content", requests: 4,
			advice: map[string]string{"stream_usage": "run without --stream"},
		},
		{
			name: "token-limit field rejected", provider: "lab", model: "lab/o-next",
			answer: thinksUnlessOff, opt: providertest.Options{Faults: []providertest.Fault{providertest.OpenAIBadRequest}},
			// lab has no thinking switch: thinking on is the plain request again.
			want:  with(map[string]providers.CheckStatus{"token_limit": fail, "thinking_switch": skip}),
			field: "reasoning_content", requests: 3,
			advice: map[string]string{"token_limit": "set token_limit_field: max_completion_tokens for lab"},
		},
		{
			name: "token limit ignored", provider: "deepseek", model: "deepseek/deepseek-flash",
			answer: func(body map[string]any) providertest.Reply {
				r := thinksUnlessOff(body)
				r.Usage = &parity.Usage{PromptTokens: 20, CompletionTokens: 2000}
				if r.Reasoning != "" {
					r.Usage.ReasoningTokens = 10
				}
				return r
			},
			want: with(map[string]providers.CheckStatus{"token_limit": warn}), field: "reasoning_content", requests: 4,
			detail: map[string]string{"token_limit": "1990 tokens came back"},
		},
		{
			name: "other model reported", provider: "deepseek", model: "deepseek/deepseek-flash",
			answer: func(body map[string]any) providertest.Reply {
				r := thinksUnlessOff(body)
				r.Model = "llama-3-8b"
				return r
			},
			want: with(map[string]providers.CheckStatus{"model": warn}), field: "reasoning_content", requests: 4,
			detail: map[string]string{"model": "the API reported llama-3-8b"},
		},
		{
			name: "not a reasoning model", provider: "vllm", model: "vllm/llama",
			answer: func(map[string]any) providertest.Reply { return providertest.Reply{Content: "5"} },
			want:   with(map[string]providers.CheckStatus{"reasoning": warn, "thinking_switch": warn}), requests: 4,
		},
		{
			name: "server failing", provider: "deepseek", model: "deepseek/deepseek-flash",
			opt: providertest.Options{Faults: []providertest.Fault{providertest.DeepSeekBusy, providertest.DeepSeekBusy}},
			want: func() map[string]providers.CheckStatus {
				m := afterFirst("model", "reachable")
				m["key"] = skip
				return m
			}(),
			requests: 2, // one retry, no more
			advice:   map[string]string{"model": "try again later"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *providertest.Server
			if tt.answer != nil {
				srv = bodyAware(t, tt.opt, tt.answer)
			} else {
				srv = providertest.New(t, tt.opt)
			}
			base := srv.BaseURL()
			if tt.noUsage {
				base = dropStreamUsage(t, srv)
			}
			c := doctorClient(t, tt.provider, base, tt.region)
			rep, err := c.Doctor(context.Background(), tt.model, providers.DoctorOptions{Timeout: 10 * time.Second})
			require.NoError(t, err)

			got := map[string]providers.CheckStatus{}
			var names []string
			for _, ch := range rep.Checks {
				got[ch.Name] = ch.Status
				names = append(names, ch.Name)
				assert.NotEmpty(t, ch.Detail, ch.Name)
				if ch.Status == fail || ch.Status == warn {
					assert.NotEmpty(t, ch.Advice, "%s: a %s says what to do", ch.Name, ch.Status)
				}
			}
			assert.Equal(t, []string{"reachable", "key", "account", "model", "token_limit", "reasoning",
				"thinking_switch", "stream_usage", "latency"}, names)
			assert.Equal(t, tt.want, got, "%+v", rep.Checks)
			for name, s := range tt.advice {
				ch, _ := rep.Check(name)
				assert.Contains(t, ch.Advice, s, name)
			}
			for name, s := range tt.detail {
				ch, _ := rep.Check(name)
				assert.Contains(t, ch.Detail, s, name)
			}
			assert.Equal(t, tt.field, rep.ReasoningField)
			assert.Equal(t, tt.requests, srv.Count(), "requests that reached the server")
			var wantFail bool
			for _, s := range tt.want {
				wantFail = wantFail || s == fail
			}
			assert.Equal(t, wantFail, rep.Failed())

			b, err := json.Marshal(rep)
			require.NoError(t, err)
			assert.NotContains(t, string(b), doctorKey)
		})
	}
}

func TestDoctorWireRequests(t *testing.T) {
	srv := bodyAware(t, providertest.Options{}, thinksUnlessOff)
	c := doctorClient(t, "deepseek", srv.BaseURL(), "")
	rep, err := c.Doctor(context.Background(), "deepseek/deepseek-flash", providers.DoctorOptions{MaxTokens: 64})
	require.NoError(t, err)
	require.Equal(t, 4, rep.Requests)
	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs {
		assert.Equal(t, "Bearer "+doctorKey, r.Authorization)
		assert.Equal(t, 64.0, r.JSON()["max_tokens"], "every probe carries the provider's token-limit field")
		assert.Equal(t, "deepseek-flash", r.Model)
	}
	assert.NotContains(t, reqs[0].JSON(), "thinking", "the plain probe uses the model's default")
	assert.Equal(t, map[string]any{"type": "enabled"}, reqs[1].JSON()["thinking"])
	assert.Equal(t, map[string]any{"type": "disabled"}, reqs[2].JSON()["thinking"])
	assert.True(t, reqs[3].Stream)
	assert.True(t, reqs[3].IncludeUsage)
	assert.Equal(t, "deepseek-flash", rep.ModelReported)
	assert.Equal(t, srv.BaseURL()+"/chat/completions", rep.URL)
}

func TestDoctorUnreachable(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	base := srv.BaseURL()
	srv.Close()
	tests := []struct {
		provider, advice string
	}{
		{"vllm", "start the server at " + base},
		{"deepseek", "check the network"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			c := doctorClient(t, tt.provider, base, "")
			rep, err := c.Doctor(context.Background(), tt.provider+"/m", providers.DoctorOptions{})
			require.NoError(t, err)
			ch, _ := rep.Check("reachable")
			assert.Equal(t, providers.CheckFail, ch.Status)
			assert.Contains(t, ch.Advice, tt.advice)
			for _, ch := range rep.Checks[1:] {
				assert.Equal(t, providers.CheckSkipped, ch.Status, ch.Name)
			}
			assert.True(t, rep.Failed())
		})
	}
}

func TestDoctorTimeoutIsPerRequest(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Latency: 5 * time.Second})
	c := doctorClient(t, "deepseek", srv.BaseURL(), "")
	start := time.Now()
	rep, err := c.Doctor(context.Background(), "deepseek/deepseek-flash", providers.DoctorOptions{Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 3*time.Second, "the client's 20-minute deadline does not apply")
	ch, _ := rep.Check("reachable")
	assert.Equal(t, providers.CheckFail, ch.Status)
	assert.Contains(t, ch.Advice, "--timeout")
}

func TestDoctorErrors(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	cat, err := providers.Builtin()
	require.NoError(t, err)
	_, err = cat.AddEndpoint("deepseek", srv.BaseURL(), "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{Getenv: func(string) string { return "" }})
	tests := []struct {
		model string
		code  parity.ErrorCode
		msg   string
	}{
		{"deepseek/deepseek-flash", parity.ErrCredentials, "export DEEPSEEK_API_KEY"},
		{"no-slash", parity.ErrUsage, "use provider/model"},
		{"nowhere/model", parity.ErrUsage, "unknown provider"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			_, err := c.Doctor(context.Background(), tt.model, providers.DoctorOptions{})
			assert.Equal(t, tt.code, parity.CodeOf(err))
			assert.ErrorContains(t, err, tt.msg)
		})
	}
	assert.Zero(t, srv.Count(), "nothing is sent")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c = doctorClient(t, "deepseek", srv.BaseURL(), "")
	_, err = c.Doctor(ctx, "deepseek/deepseek-flash", providers.DoctorOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDoctorOfflineMock(t *testing.T) {
	cat, err := providers.Builtin()
	require.NoError(t, err)
	rep, err := providers.New(cat, providers.Options{}).Doctor(context.Background(), "mock/oracle", providers.DoctorOptions{})
	require.NoError(t, err)
	assert.False(t, rep.Failed(), "%+v", rep.Checks)
	assert.Equal(t, "reasoning_content", rep.ReasoningField)
	ch, _ := rep.Check("key")
	assert.Equal(t, "no key needed", ch.Detail)
	ch, _ = rep.Check("stream_usage")
	assert.Equal(t, providers.CheckOK, ch.Status)
}

func TestDoctorKeyNeverLeaks(t *testing.T) {
	echo := func(r providertest.ChatRequest) *providertest.Fault {
		f := providertest.Status(401, providertest.OpenAIError("Authentication Fails, Your api key: "+strings.TrimPrefix(r.Authorization, "Bearer ")+" is invalid", "authentication_error", "invalid_request_error"))
		return &f
	}
	srv := providertest.New(t, providertest.Options{FaultFunc: echo})
	c := doctorClient(t, "deepseek", srv.BaseURL(), "")
	rep, err := c.Doctor(context.Background(), "deepseek/deepseek-flash", providers.DoctorOptions{})
	require.NoError(t, err)
	ch, _ := rep.Check("key")
	assert.Equal(t, providers.CheckFail, ch.Status)
	assert.Contains(t, ch.Detail, "Your api key: [redacted] is invalid")
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(b), doctorKey)
}

// TestDoctorProbesCatalogClaims checks the catalog check against fakes that
// refuse what the real APIs refuse: the shipped entries pass, and an entry
// put back the way the 2026-11-30 review found it is a catalog error naming
// the field, the value and what to change.
func TestDoctorProbesCatalogClaims(t *testing.T) {
	tests := []struct {
		name, provider, model, patch string
		check                        string
		status                       providers.CheckStatus
		detail, advice               string
	}{
		{name: "minimax as shipped", provider: "minimax", model: "minimax/MiniMax-M2.7",
			check: providers.CheckCatalog, status: providers.CheckOK, detail: "temperature=0.01"},
		{name: "minimax greedy at 0", provider: "minimax", model: "minimax/MiniMax-M2.7", patch: "minimax: {temperature: {min: 0}}",
			check: providers.CheckCatalog, status: providers.CheckFail, detail: "catalog error: temperature=0 refused", advice: "set temperature"},
		{name: "gpt-5.1 as shipped", provider: "openai", model: "openai/gpt-5.1",
			check: providers.CheckCatalog, status: providers.CheckOK, detail: `reasoning_effort="low", reasoning_effort="high"`},
		{name: "gpt-5.1 told max exists", provider: "openai", model: "openai/gpt-5.1", patch: `openai: {models: {"gpt-5.[1-9]*": {thinking: {efforts: {low: low, max: max}}}}}`,
			check: providers.CheckCatalog, status: providers.CheckFail, detail: `reasoning_effort="max" refused`, advice: "remove max from thinking.efforts"},
		{name: "claude 5.5 sent manual thinking", provider: "anthropic", model: "anthropic/claude-sonnet-5-5", patch: `anthropic: {thinking: {enable: {thinking: {type: enabled, budget_tokens: 1024}}}}`,
			check: providers.CheckThinkingSwitch, status: providers.CheckFail, detail: `catalog error: the API refused thinking on as the catalog sends it ({"thinking":{"budget_tokens":1024,"type":"enabled"}})`, advice: "correct thinking.enable"},
		{name: "always-on claude told it can stop", provider: "anthropic", model: "anthropic/claude-opus-5-5", patch: `anthropic: {models: {"claude-opus-5-5*": {thinking: {disable: {thinking: {type: disabled}}}}}}`,
			check: providers.CheckThinkingSwitch, status: providers.CheckFail, detail: `catalog error: the API refused thinking off as the catalog sends it ({"thinking":{"type":"disabled"}})`, advice: "remove thinking.disable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Options{Dialect: dialects[tt.provider], Answer: answer})
			cat := builtin(t)
			if tt.patch != "" {
				require.NoError(t, cat.Merge([]byte("providers:\n  "+tt.patch+"\n"), "wrong.yaml"))
			}
			c := endpointClient(t, cat, tt.provider, srv)
			rep, err := c.Doctor(context.Background(), tt.model, providers.DoctorOptions{CatalogClaims: true})
			require.NoError(t, err)
			ch, found := rep.Check(tt.check)
			require.True(t, found)
			assert.Equal(t, tt.status, ch.Status, "%+v", rep.Checks)
			assert.Contains(t, ch.Detail, tt.detail)
			assert.Contains(t, ch.Advice, tt.advice)
			last := rep.Checks[len(rep.Checks)-1]
			assert.Equal(t, providers.CheckCatalog, last.Name, "the catalog check comes last")
		})
	}
}
