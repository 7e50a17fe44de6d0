package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parity-bench/parity"
)

// Options configure a Client. Zero values pick the defaults noted.
type Options struct {
	// HTTPClient sends requests to real providers; nil uses a client with
	// connection reuse sized for a worker pool. Its Timeout should be zero:
	// the Deadline bounds each call.
	HTTPClient *http.Client
	// Getenv looks up API keys by variable name. cmd/parity passes
	// os.Getenv; nil finds no keys, so keyed providers fail with
	// ErrCredentials before sending anything.
	Getenv func(string) string
	// Region "cn" sends requests to base_url_cn where a provider has one.
	Region string
	// MaxAttempts bounds tries per request, the first included; default 5.
	MaxAttempts int
	// BaseWait is the first back-off; default 1s. Later waits grow with
	// decorrelated jitter up to MaxRetryWait.
	BaseWait time.Duration
	// MaxRetryWait caps any single wait, including one asked for by
	// Retry-After; default 60s.
	MaxRetryWait time.Duration
	// Deadline bounds one Complete call, retries and waits included;
	// default 20 minutes, negative for none. No retry is started that
	// would wait past it.
	Deadline time.Duration
	// Now, Sleep and Rand are injected for deterministic tests; defaults
	// are the real clock, a context-aware timer and math/rand/v2.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
	// MaxResponseBytes caps a response body; default 64 MiB.
	MaxResponseBytes int64
}

// Client is the one shared OpenAI-compatible client. It implements
// parity.Client and is safe for concurrent use: every per-request datum
// travels in the request's context, nothing is shared but configuration.
type Client struct {
	cat  *Catalog
	opt  Options
	http *http.Client
	mock *http.Client
	tr   *transport
}

var _ parity.Client = (*Client)(nil)

// New returns a client for the providers of cat.
func New(cat *Catalog, opt Options) *Client {
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 5
	}
	if opt.BaseWait <= 0 {
		opt.BaseWait = time.Second
	}
	if opt.MaxRetryWait <= 0 {
		opt.MaxRetryWait = time.Minute
	}
	if opt.Deadline == 0 {
		opt.Deadline = 20 * time.Minute
	}
	if opt.Getenv == nil {
		opt.Getenv = func(string) string { return "" }
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	if opt.Rand == nil {
		opt.Rand = rand.Float64
	}
	if opt.MaxResponseBytes <= 0 {
		opt.MaxResponseBytes = 64 << 20
	}
	c := &Client{cat: cat, opt: opt, http: opt.HTTPClient, mock: &http.Client{Transport: mockTransport{}}}
	if c.http == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 256
		c.http = &http.Client{Transport: t}
	}
	c.tr = &transport{c: c}
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Plan is exactly what Complete would send for a request.
type Plan struct {
	Model    parity.Model
	Provider *Provider
	// URL is the chat completions endpoint.
	URL    string
	Stream bool
	// Body is the complete JSON body, quirks and Request.Extra merged in.
	Body map[string]any
	// Warnings list the settings the provider cannot honour.
	Warnings []string

	extra map[string]any // Body minus what go-openai itself writes
}

// reserved are the body fields go-openai writes; Extra may not set them.
var reserved = []string{"model", "messages", "stream"}

// Plan maps a request to the provider's body without sending anything: the
// token-limit field, sampling parameters (temperature 0 included), the
// thinking switch, streaming with usage, then Request.Extra deep-merged on
// top. Settings the provider cannot honour become warnings.
func (c *Client) Plan(req parity.Request) (*Plan, error) {
	m, p, err := c.cat.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	ignores, th := p.quirks(m.Name)
	pl := &Plan{Model: m, Provider: p, URL: strings.TrimRight(p.URL(c.opt.Region), "/") + "/chat/completions"}
	extra := map[string]any{}
	warn := func(format string, args ...any) {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf(format, args...))
	}
	if req.MaxTokens < 0 || req.ThinkingBudget < 0 {
		return nil, parity.Errorf(parity.ErrUsage, "max tokens and thinking budget must not be negative")
	}
	if req.MaxTokens > 0 {
		field := p.TokenLimitField
		if field == "" {
			field = "max_tokens"
		}
		extra[field] = req.MaxTokens
	}
	sampling := []struct {
		name string
		set  bool
		val  any
	}{
		{"temperature", req.Temperature != nil, deref(req.Temperature)},
		{"top_p", req.TopP != nil, deref(req.TopP)},
		{"seed", req.Seed != nil, deref(req.Seed)},
	}
	for _, s := range sampling {
		if !s.set {
			continue
		}
		if contains(ignores, s.name) {
			warn("%s: %s is ignored or rejected by %s; not sent", p.Name, s.name, m.Name)
			continue
		}
		extra[s.name] = s.val
	}
	switch req.Thinking {
	case "":
	case "on", "off", "auto":
		frag := map[string]map[string]any{"on": th.Enable, "off": th.Disable, "auto": th.Auto}[req.Thinking]
		if frag == nil {
			switch req.Thinking {
			case "on":
				warn("%s: cannot switch thinking on for %s; the model's default applies", p.Name, m.Name)
			case "off":
				warn("%s: cannot switch thinking off for %s; it may still think", p.Name, m.Name)
			default:
				warn("%s: has no automatic thinking mode for %s; the model's default applies", p.Name, m.Name)
			}
		}
		mergeInto(extra, frag)
	default:
		return nil, parity.Errorf(parity.ErrUsage, "thinking %q: use on, off or auto", req.Thinking)
	}
	if req.Effort != "" {
		switch {
		case !contains(parityEfforts, req.Effort):
			return nil, parity.Errorf(parity.ErrUsage, "effort %q: use low, medium, high or max", req.Effort)
		case req.Thinking == "off":
			warn("%s: effort %q not sent because thinking is off", p.Name, req.Effort)
		case th.EffortField == "":
			warn("%s: has no reasoning effort setting for %s; effort %q not sent", p.Name, m.Name, req.Effort)
		default:
			v, ok := req.Effort, true
			if th.Efforts != nil {
				v, ok = th.Efforts[req.Effort]
			}
			if ok {
				setPath(extra, th.EffortField, v)
			} else {
				warn("%s: effort %q is not available for %s (has %s); not sent", p.Name, req.Effort, m.Name, effortList(th.Efforts))
			}
		}
	}
	if req.ThinkingBudget > 0 {
		switch {
		case req.Thinking == "off":
			warn("%s: thinking budget not sent because thinking is off", p.Name)
		case th.BudgetField == "":
			warn("%s: has no thinking budget setting for %s; budget %d not sent", p.Name, m.Name, req.ThinkingBudget)
		default:
			setPath(extra, th.BudgetField, req.ThinkingBudget)
		}
	}
	pl.Stream = req.Stream
	if !req.Stream && p.StreamRequiredForThinking && req.Thinking != "off" {
		pl.Stream = true
		warn("%s: streams thinking only; request streamed", p.Name)
	}
	if pl.Stream {
		extra["stream_options"] = map[string]any{"include_usage": true}
	}
	for _, k := range reserved {
		if _, ok := req.Extra[k]; ok {
			return nil, parity.Errorf(parity.ErrUsage, "extra body field %q is set by parity itself; remove it", k)
		}
	}
	mergeInto(extra, req.Extra)
	pl.extra = extra
	body := cloneMap(extra)
	body["model"] = m.Name
	msgs := make([]any, len(req.Messages))
	for i, msg := range req.Messages {
		mm := map[string]any{"role": msg.Role}
		if msg.Content != "" {
			mm["content"] = msg.Content
		}
		msgs[i] = mm
	}
	body["messages"] = msgs
	body["stream"] = pl.Stream
	pl.Body = body
	return pl, nil
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func effortList(m map[string]string) string {
	var out []string
	for _, e := range parityEfforts {
		if _, ok := m[e]; ok {
			out = append(out, e)
		}
	}
	return strings.Join(out, ", ")
}

// call is the per-request state the transport reads from the context and
// fills in: what to merge into the body and what came back.
type call struct {
	provider *Provider
	model    string
	baseURL  string
	key      string
	extra    []byte // `"k":v,...` spliced into go-openai's body
	stream   bool
	hint     *parity.Hint
	start    time.Time

	attempts int
	raw      []byte
	ttft     time.Duration
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
}

// Complete sends one request, retrying transient failures. On failure the
// returned Completion carries Error, ErrorCode, Attempts, Latency and the
// last raw body, and the error is a *parity.Error; a cancelled ctx gives
// an error that wraps ctx.Err().
func (c *Client) Complete(ctx context.Context, req parity.Request) (parity.Completion, error) {
	start := c.opt.Now()
	var comp parity.Completion
	fail := func(err error, st *call) (parity.Completion, error) {
		var pe *parity.Error
		if !errors.As(err, &pe) {
			pe = &parity.Error{Code: parity.ErrBadResponse, Message: "unreadable response", Err: err}
			if st != nil {
				pe.Message = st.provider.Name + ": " + pe.Message + ": " + codeHints[parity.ErrBadResponse]
			}
		}
		if st != nil {
			comp.Attempts = st.attempts
			comp.Raw = scrub(string(st.raw), st.key)
			pe.Message = scrub(pe.Message, st.key)
		}
		comp.Latency = c.opt.Now().Sub(start)
		comp.Error = pe.Error()
		if st != nil {
			comp.Error = scrub(comp.Error, st.key)
		}
		comp.ErrorCode = pe.Code
		return comp, pe
	}
	if err := ctx.Err(); err != nil {
		return fail(ctxError(ctx, req.Model), nil)
	}
	pl, err := c.Plan(req)
	if err != nil {
		return fail(err, nil)
	}
	comp.Warnings = pl.Warnings
	p := pl.Provider
	key := ""
	if p.KeyEnv != "" {
		key = c.opt.Getenv(p.KeyEnv)
	}
	if key == "" && p.NeedsKey() {
		return fail(parity.Errorf(parity.ErrCredentials,
			"%s: %s is not set: export %s=<your key> to use %s", p.Name, p.KeyEnv, p.KeyEnv, pl.Model.ID), nil)
	}
	st := &call{provider: p, model: pl.Model.Name, baseURL: p.URL(c.opt.Region), key: key,
		stream: pl.Stream, hint: req.Hint, start: start}
	if len(pl.extra) > 0 {
		b, err := json.Marshal(pl.extra)
		if err != nil {
			return fail(parity.Errorf(parity.ErrUsage, "extra body fields cannot be encoded as JSON: %v", err), nil)
		}
		st.extra = b[1 : len(b)-1]
	}
	ctx = context.WithValue(ctx, callKey{}, st)
	if c.opt.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opt.Deadline)
		defer cancel()
	}
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = st.baseURL
	cfg.HTTPClient = c.tr
	oc := openai.NewClientWithConfig(cfg)
	oreq := openai.ChatCompletionRequest{Model: pl.Model.Name, Messages: make([]openai.ChatCompletionMessage, len(req.Messages))}
	for i, m := range req.Messages {
		oreq.Messages[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	var res result
	if pl.Stream {
		res, err = readStream(ctx, oc, oreq)
	} else {
		res, err = readOnce(ctx, oc, oreq, st)
	}
	if err != nil {
		if ctx.Err() != nil && !isParityError(err) {
			err = ctxError(ctx, req.Model)
		}
		return fail(err, st)
	}
	comp.Attempts = st.attempts
	comp.Latency = c.opt.Now().Sub(start)
	comp.TTFT = st.ttft
	comp.Raw = scrub(string(st.raw), key)
	comp.ModelReported = res.model
	comp.FinishReason = res.finish
	comp.Usage = res.usage
	comp.Content, comp.Reasoning = pickReasoning(p.ReasoningFields, res.content, res.reasoningContent, res.reasoning)
	comp.Content = scrub(comp.Content, key)
	comp.Reasoning = scrub(comp.Reasoning, key)
	return comp, nil
}

func isParityError(err error) bool {
	var pe *parity.Error
	return errors.As(err, &pe)
}

func ctxError(ctx context.Context, model string) *parity.Error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return &parity.Error{Code: parity.ErrTimeout,
			Message: model + ": no complete answer before the deadline: " + codeHints[parity.ErrTimeout], Err: err}
	}
	return &parity.Error{Code: parity.ErrInterrupted, Message: model + ": request cancelled", Err: err}
}

// scrub removes the API key from text that is kept or shown, in case a
// server echoes it back.
func scrub(s, key string) string {
	if len(key) < 6 || !strings.Contains(s, key) {
		return s
	}
	return strings.ReplaceAll(s, key, "[redacted]")
}

// result is a decoded answer before reasoning is sorted out.
type result struct {
	model, finish                        string
	content, reasoningContent, reasoning string
	usage                                parity.Usage
}

// usageJSON covers the OpenAI usage object plus DeepSeek's cache counter.
type usageJSON struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
	PromptCacheHitTokens int `json:"prompt_cache_hit_tokens"`
}

func (u *usageJSON) usage() parity.Usage {
	out := parity.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
	if u.PromptTokensDetails != nil {
		out.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	if out.CachedTokens == 0 {
		out.CachedTokens = u.PromptCacheHitTokens
	}
	if u.CompletionTokensDetails != nil {
		out.ReasoningTokens = u.CompletionTokensDetails.ReasoningTokens
	}
	return out
}

// readOnce sends a non-streamed request. go-openai decodes the standard
// fields; the raw body the transport kept supplies what it drops (the
// "reasoning" field, DeepSeek's cache counter).
func readOnce(ctx context.Context, oc *openai.Client, oreq openai.ChatCompletionRequest, st *call) (result, error) {
	resp, err := oc.CreateChatCompletion(ctx, oreq)
	if err != nil {
		return result{}, err
	}
	var extra struct {
		Choices []struct {
			Message struct {
				Reasoning json.RawMessage `json:"reasoning"`
			} `json:"message"`
		} `json:"choices"`
		Usage usageJSON `json:"usage"`
	}
	if err := json.Unmarshal(st.raw, &extra); err != nil {
		return result{}, badResponse(st, "response is not JSON")
	}
	if len(resp.Choices) == 0 {
		return result{}, badResponse(st, "response has no choices")
	}
	ch := resp.Choices[0]
	r := result{model: resp.Model, finish: string(ch.FinishReason), content: ch.Message.Content,
		reasoningContent: ch.Message.ReasoningContent, usage: extra.Usage.usage()}
	if len(extra.Choices) > 0 {
		r.reasoning = rawString(extra.Choices[0].Message.Reasoning)
	}
	return r, nil
}

// rawString reads a JSON string, treating null or any other shape as empty.
func rawString(b json.RawMessage) string {
	var s string
	if len(b) > 0 && b[0] == '"' && json.Unmarshal(b, &s) == nil {
		return s
	}
	return ""
}

func badResponse(st *call, what string) *parity.Error {
	return &parity.Error{Code: parity.ErrBadResponse,
		Message: st.provider.Name + ": " + what + ": " + codeHints[parity.ErrBadResponse]}
}

// chunkJSON is one streamed event.
type chunkJSON struct {
	Model   string `json:"model"`
	Choices []struct {
		Delta struct {
			Content          string          `json:"content"`
			ReasoningContent string          `json:"reasoning_content"`
			Reasoning        json.RawMessage `json:"reasoning"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usageJSON `json:"usage"`
}

// readStream assembles a streamed answer. go-openai splits the events; each
// is decoded here because its delta type drops the "reasoning" field. The
// transport has already read the whole stream, retried drops and turned
// in-stream errors into errors, so this only decodes.
func readStream(ctx context.Context, oc *openai.Client, oreq openai.ChatCompletionRequest) (result, error) {
	s, err := oc.CreateChatCompletionStream(ctx, oreq)
	if err != nil {
		return result{}, err
	}
	defer s.Close()
	var (
		r                result
		content, rc, rsn strings.Builder
		ck               chunkJSON
	)
	for {
		line, err := s.RecvRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return result{}, err
		}
		ck = chunkJSON{}
		if err := json.Unmarshal(line, &ck); err != nil {
			return result{}, &parity.Error{Code: parity.ErrBadResponse, Message: "unreadable stream event: " + codeHints[parity.ErrBadResponse], Err: err}
		}
		if ck.Model != "" {
			r.model = ck.Model
		}
		for _, ch := range ck.Choices {
			content.WriteString(ch.Delta.Content)
			rc.WriteString(ch.Delta.ReasoningContent)
			rsn.WriteString(rawString(ch.Delta.Reasoning))
			if ch.FinishReason != nil && *ch.FinishReason != "" {
				r.finish = *ch.FinishReason
			}
		}
		if ck.Usage != nil {
			r.usage = ck.Usage.usage()
		}
	}
	r.content, r.reasoningContent, r.reasoning = content.String(), rc.String(), rsn.String()
	return r, nil
}

// pickReasoning chooses the reasoning text by the provider's field order and
// strips inline <think> blocks from the content when "think" is listed.
func pickReasoning(fields []string, content, reasoningContent, reasoning string) (string, string) {
	if len(fields) == 0 {
		fields = reasoningFields
	}
	think := ""
	if contains(fields, "think") {
		content, think = splitThink(content)
	}
	for _, f := range fields {
		var v string
		switch f {
		case "reasoning_content":
			v = reasoningContent
		case "reasoning":
			v = reasoning
		case "think":
			v = think
		}
		if v != "" {
			return content, v
		}
	}
	return content, ""
}

// splitThink separates "<think>…</think>answer". It also handles a missing
// opening tag (templates that put "<think>" in the prompt) and an unclosed
// block (cut off by the token limit: all of it is reasoning).
func splitThink(s string) (content, think string) {
	const open, closing = "<think>", "</think>"
	t := strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(t, open) {
		rest := t[len(open):]
		if i := strings.Index(rest, closing); i >= 0 {
			return strings.TrimLeft(rest[i+len(closing):], " \t\r\n"), strings.TrimSpace(rest[:i])
		}
		return "", strings.TrimSpace(rest)
	}
	if i := strings.Index(s, closing); i >= 0 && !strings.Contains(s[:i], open) {
		return strings.TrimLeft(s[i+len(closing):], " \t\r\n"), strings.TrimSpace(s[:i])
	}
	return s, ""
}
