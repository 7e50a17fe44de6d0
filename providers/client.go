package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	// RecoverAfter is how many successes in a row raise a provider's
	// in-flight cap by one after a rate limit halved it; default 8.
	RecoverAfter int
	// ReplicaFailures is how many connection failures or 5xx in a row take
	// a replica out of service; default 3. ReplicaCooldown is how long it
	// stays out before it is tried again; default 30s.
	ReplicaFailures int
	ReplicaCooldown time.Duration
}

// Client is the one shared OpenAI-compatible client. It implements
// parity.Client and is safe for concurrent use: every per-request datum
// travels in the request's context; the only state shared between requests
// is the limiter (token buckets, adaptive concurrency caps, replica health),
// guarded by its own lock.
type Client struct {
	cat  *Catalog
	opt  Options
	http *http.Client
	mock *http.Client
	tr   *transport
	lim  *limiter
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
	if opt.RecoverAfter <= 0 {
		opt.RecoverAfter = 8
	}
	if opt.ReplicaFailures <= 0 {
		opt.ReplicaFailures = 3
	}
	if opt.ReplicaCooldown <= 0 {
		opt.ReplicaCooldown = 30 * time.Second
	}
	c := &Client{cat: cat, opt: opt, http: opt.HTTPClient, mock: &http.Client{Transport: mockTransport{}}}
	if c.http == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 256
		c.http = &http.Client{Transport: t}
	}
	c.tr = &transport{c: c}
	c.lim = newLimiter(&c.opt)
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
	// BaseURLs are the addresses requests go to: one, or the replicas of a
	// self-hosted deployment.
	BaseURLs []string
	// Limits are the client-side limits the request is held to.
	Limits Limits
	// Warnings list the settings the provider cannot honour.
	Warnings []string

	extra map[string]any // Body minus what go-openai itself writes
}

// reserved are the body fields go-openai writes; Extra may not set them.
var reserved = []string{"model", "messages", "stream"}

// Plan maps a request to the provider's body without sending anything: the
// generation parameters as Provider.Adapt writes them for the model (token
// limit, sampling, thinking switch, effort, budget, streaming with usage),
// then Request.Extra deep-merged on top. Settings the provider cannot honour
// as asked become warnings; a retired model is refused.
func (c *Client) Plan(req parity.Request) (*Plan, error) {
	m, p, err := c.cat.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	urls := p.URLs(m.Name, c.opt.Region)
	pl := &Plan{Model: m, Provider: p, URL: chatURL(urls[0]), BaseURLs: urls, Limits: p.Limits(m.Name)}
	extra := p.extra(m.Name)
	for _, k := range reserved {
		if _, ok := extra[k]; ok {
			return nil, parity.Errorf(parity.ErrConfig, "catalog: provider %s sets body field %q in extra; parity sets it itself, remove it", p.Name, k)
		}
	}
	ad, err := p.Adapt(m.Name, req.Params, c.opt.Now())
	if err != nil {
		return nil, err
	}
	mergeInto(extra, ad.Fields)
	pl.Warnings = ad.Warnings
	pl.Stream = ad.Stream
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

// chatURL is the chat completions endpoint under an API root.
func chatURL(base string) string {
	return strings.TrimRight(base, "/") + "/chat/completions"
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

// modelPlaceholder is the model name go-openai is given; the transport
// writes the real one in its place. go-openai refuses some names before
// sending (legacy completion models such as "curie", and it checks newer
// ones against its own rules), while a self-hosted server may serve a model
// under any name.
const modelPlaceholder = "parity-model"

// call is the per-request state the transport reads from the context and
// fills in: what to merge into the body and what came back.
type call struct {
	provider *Provider
	model    string
	baseURL  string   // the replica of the current attempt
	urls     []string // every replica, urls[0] is what go-openai is given
	limits   Limits
	estimate int // prompt tokens guessed before sending, for the TPM bucket
	charged  int // tokens reserved in the TPM bucket so far
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
	st := &call{provider: p, model: pl.Model.Name, baseURL: pl.BaseURLs[0], urls: pl.BaseURLs, limits: pl.Limits,
		key: key, stream: pl.Stream, hint: req.Hint, start: start, estimate: estimateTokens(req)}
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
	oreq := openai.ChatCompletionRequest{Model: modelPlaceholder, Messages: make([]openai.ChatCompletionMessage, len(req.Messages))}
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
	c.lim.settle(st, res.usage.PromptTokens+res.usage.CompletionTokens)
	comp.Attempts = st.attempts
	comp.Latency = c.opt.Now().Sub(start)
	comp.TTFT = st.ttft
	comp.Raw = scrub(string(st.raw), key)
	comp.ModelReported = res.model
	comp.FinishReason = res.finish
	comp.Usage = res.usage
	comp.Content, comp.Reasoning = pickReasoning(p.ReasoningFields, res)
	comp.Content = scrub(comp.Content, key)
	comp.Reasoning = scrub(comp.Reasoning, key)
	return comp, nil
}

// estimateTokens guesses a request's prompt tokens before it is sent, for
// the TPM bucket: about four characters a token, the usual rule of thumb for
// English (Chinese runs denser, which the settlement after the answer
// corrects). The output is charged when the usage comes back.
func estimateTokens(req parity.Request) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)
	}
	return n/4 + 1
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

// redact is scrub for a body about to be classified: error messages quote
// the API's text cut to a length, which could cut an echoed key in two
// where scrub no longer finds it.
func redact(b []byte, key string) []byte {
	if len(key) < 6 || !bytes.Contains(b, []byte(key)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(key), []byte("[redacted]"))
}

// result is a decoded answer before reasoning is sorted out.
type result struct {
	model, finish                        string
	content, reasoningContent, reasoning string
	details                              string // reasoning_details text
	usage                                parity.Usage
}

// reasoningDetail is one entry of reasoning_details (OpenRouter, MiniMax
// with reasoning_split): only readable text entries carry reasoning;
// encrypted or summary-less entries have none.
type reasoningDetail struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func detailsText(ds []reasoningDetail) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Text)
	}
	return b.String()
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
				Reasoning        json.RawMessage   `json:"reasoning"`
				ReasoningDetails []reasoningDetail `json:"reasoning_details"`
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
		r.details = detailsText(extra.Choices[0].Message.ReasoningDetails)
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
			Content          string            `json:"content"`
			ReasoningContent string            `json:"reasoning_content"`
			Reasoning        json.RawMessage   `json:"reasoning"`
			ReasoningDetails []reasoningDetail `json:"reasoning_details"`
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
		det              strings.Builder
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
			det.WriteString(detailsText(ch.Delta.ReasoningDetails))
			if ch.FinishReason != nil && *ch.FinishReason != "" {
				r.finish = *ch.FinishReason
			}
		}
		if ck.Usage != nil {
			r.usage = ck.Usage.usage()
		}
	}
	r.content, r.reasoningContent, r.reasoning, r.details = content.String(), rc.String(), rsn.String(), det.String()
	return r, nil
}

// pickReasoning chooses the reasoning text by the provider's field order and
// strips inline <think> (or Gemini's <thought>) blocks from the content when
// "think" (or "thought") is listed.
func pickReasoning(fields []string, r result) (string, string) {
	if len(fields) == 0 {
		fields = reasoningFields
	}
	content := r.content
	think, thought := "", ""
	if contains(fields, "think") {
		content, think = splitTagged(content, "think")
	}
	if contains(fields, "thought") {
		content, thought = splitTagged(content, "thought")
	}
	for _, f := range fields {
		var v string
		switch f {
		case "reasoning_content":
			v = r.reasoningContent
		case "reasoning":
			v = r.reasoning
		case "reasoning_details":
			v = r.details
		case "think":
			v = think
		case "thought":
			v = thought
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
func splitThink(s string) (content, think string) { return splitTagged(s, "think") }

// splitTagged is splitThink for any tag name.
func splitTagged(s, tag string) (content, think string) {
	open, closing := "<"+tag+">", "</"+tag+">"
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
