package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// MaxResponseBytes caps the body of one answer (the whole event stream
	// when streaming); default 16 MiB. A longer answer is not read: the
	// request fails with ErrBadResponse, without retries, since asking
	// again would bring the same answer back.
	MaxResponseBytes int64
	// Concurrency is the most requests the caller keeps in flight; it
	// sizes the idle connection pool of the default HTTP client, so that
	// connections are reused rather than closed and opened again. Default 256.
	Concurrency int
	// Answers tells the offline mock provider the answers of the items it
	// is asked about; nil leaves the mock unable to answer.
	Answers AnswerKey
	// RecoverAfter is how many successes in a row raise a provider's
	// in-flight cap by one after a rate limit halved it; default 8.
	RecoverAfter int
	// ReplicaFailures is how many connection failures or 5xx in a row take
	// a replica out of service; default 3. ReplicaCooldown is how long it
	// stays out before it is tried again; default 30s.
	ReplicaFailures int
	ReplicaCooldown time.Duration
	// ReplicaConcurrency caps the requests in flight to each replica of a
	// deployment with several base URLs, so that a pool of servers of
	// different sizes, or one slow server, is never sent more than it
	// takes; a request waits for a replica with room. 0 means no cap per
	// replica.
	ReplicaConcurrency int
	// ReplicaCaps sets the cap of single replicas by base URL, for pools of
	// servers of different sizes; a replica missing here has
	// ReplicaConcurrency.
	ReplicaCaps map[string]int
}

// Client is the one shared OpenAI-compatible client. It implements
// parity.Client and is safe for concurrent use: each request's state is a
// local value of the call that sends it; the only state shared between
// requests is the limiter (token buckets, adaptive concurrency caps,
// replica health), guarded by its own lock.
type Client struct {
	cat  *Catalog
	opt  Options
	http *http.Client
	lim  *limiter
	// endpoints memoises chatEndpoint per base URL: parsing and printing
	// URLs three times a request was a visible share of a fast run's CPU.
	endpoints sync.Map
}

// endpoint is a base URL's chat completions endpoint, parsed, as text, and
// as it may be shown, or the reason the base URL is unusable.
type endpoint struct {
	u     *url.URL
	str   string
	shown string
	err   error
}

// chatEndpoint returns base's endpoint, working it out once per base URL.
func (c *Client) chatEndpoint(base string) *endpoint {
	if e, ok := c.endpoints.Load(base); ok {
		return e.(*endpoint)
	}
	e := &endpoint{}
	e.str, e.err = chatURL(base)
	if e.err == nil {
		e.u, e.err = url.Parse(e.str)
		e.shown = ShownURL(e.str)
	}
	v, _ := c.endpoints.LoadOrStore(base, e)
	return v.(*endpoint)
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
		opt.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 256
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
	c := &Client{cat: cat, opt: opt, http: opt.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Transport: pooledTransport(opt.Concurrency)}
	}
	c.lim = newLimiter(&c.opt)
	return c
}

// DefaultMaxResponseBytes is the default cap on one answer's body: far
// above any real completion, low enough that a runaway or hostile server
// cannot exhaust memory.
const DefaultMaxResponseBytes = 16 << 20

// pooledTransport is Go's default transport with an idle pool as large as
// the requests in flight. Go keeps 100 idle connections in all and 2 per
// host by default; above that, every answer closes a connection and the
// next request opens a new one, which costs a handshake per request.
func pooledTransport(inflight int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(inflight, 100)
	t.MaxIdleConnsPerHost = inflight
	return t
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
	// URL is the chat completions endpoint as ShownURL makes it, so it
	// can be shown and stored.
	URL    string
	Stream bool
	// Body is the request body as fields: quirks and Request.Extra merged
	// in. JSON is Body encoded once, the very bytes Complete sends.
	Body map[string]any
	JSON []byte
	// BaseURLs are the addresses requests go to: one, or the replicas of a
	// self-hosted deployment.
	BaseURLs []string
	// Limits are the client-side limits the request is held to.
	Limits Limits
	// Warnings list the settings the provider cannot honour.
	Warnings []string
}

// reserved are the body fields parity always writes itself; neither the
// catalog's extra fields nor Request.Extra may set them.
var reserved = []string{"model", "messages", "stream"}

// Plan builds a request's body, the one place it is built, without
// sending anything: the model and messages, the catalog's extra fields, the
// generation parameters as Provider.Adapt writes them for the model (token
// limit, sampling with temperature 0 included, thinking switch, effort,
// budget, streaming with usage), then Request.Extra deep-merged on top.
// Settings the provider cannot honour as asked become warnings saying what
// was sent instead; a retired model is refused.
func (c *Client) Plan(req parity.Request) (*Plan, error) {
	m, p, err := c.cat.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	urls := p.URLs(m.Name, c.opt.Region)
	ep := c.chatEndpoint(urls[0])
	if ep.err != nil && p.Transport != "mock" { // the mock is served in process
		return nil, parity.Errorf(parity.ErrConfig, "%s: base URL %q: %v", p.Name, ShownURL(urls[0]), ep.err)
	}
	pl := &Plan{Model: m, Provider: p, URL: ep.shown, BaseURLs: urls, Limits: p.Limits(m.Name)}
	body := p.extra(m.Name)
	for _, k := range reserved {
		if _, ok := body[k]; ok {
			return nil, parity.Errorf(parity.ErrConfig, "catalog: provider %s sets body field %q in extra; parity sets it itself, remove it", p.Name, k)
		}
	}
	ad, err := p.Adapt(m.Name, req.Params, c.opt.Now())
	if err != nil {
		return nil, err
	}
	mergeInto(body, ad.Fields)
	pl.Warnings = ad.Warnings
	pl.Stream = ad.Stream
	for _, k := range reserved {
		if _, ok := req.Extra[k]; ok {
			return nil, parity.Errorf(parity.ErrUsage, "extra body field %q is set by parity itself; remove it", k)
		}
	}
	mergeInto(body, req.Extra)
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
	if pl.JSON, err = encodeBody(body); err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "the request body cannot be encoded as JSON (check the extra body fields): %v", err)
	}
	return pl, nil
}

// encodeBody writes body as compact JSON with keys in sorted order, so
// equal bodies are equal bytes. Text is sent as is: encoding/json's default
// HTML escaping would turn a prompt's "<" into \u003c on the wire.
func encodeBody(body map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// chatURL is the chat completions endpoint under an API root. The path is
// joined as a path, so a query string (Azure's ?api-version=...) stays a
// query string after it.
func chatURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("not an absolute URL")
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/chat/completions"
	if u.RawPath != "" {
		u.RawPath = strings.TrimRight(u.RawPath, "/") + "/chat/completions"
	}
	return u.String(), nil
}

// ShownURL is a URL as it can be shown and stored: the password of its
// user information dropped, and the value of every query parameter but
// the few known to carry no secret replaced, since a query may hold a key
// (Gemini's ?key=, a gateway's ?token=). A URL that does not parse gives "".
func ShownURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.User(u.User.Username())
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name, vs := range q {
			if !slices.Contains(plainQuery, strings.ToLower(name)) {
				for i := range vs {
					vs[i] = "REDACTED"
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// plainQuery are the query parameters a base URL may carry that hold no
// secret and tell how a run was made: Azure OpenAI's API version.
var plainQuery = []string{"api-version"}

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

// call is the state of one Complete call: what to send, where, and what
// came back. It is a local value of Complete, handed explicitly to the
// sender, the limiter and the mock; nothing else holds it.
type call struct {
	provider *Provider
	model    string
	body     []byte   // the plan's JSON, sent as is by every attempt
	urls     []string // every replica's base URL
	baseURL  string   // the replica of the current attempt
	limits   Limits
	stream   bool
	key      string
	ref      parity.ItemRef // for the offline mock only; never sent
	start    time.Time
	estimate int // prompt tokens guessed before sending, for the TPM bucket
	charged  int // tokens reserved in the TPM bucket so far

	attempts int
	raw      []byte
	ttft     time.Duration
}

// Complete sends one request, retrying transient failures. On failure the
// returned Completion carries Error, ErrorCode, Attempts, Latency and the
// last raw body, and the error is a *parity.Error; a cancelled ctx gives
// an error that wraps ctx.Err(). Every string taken from the response is
// scrubbed of the API key before it is returned.
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
		key := ""
		if st != nil {
			key = st.key
			comp.Attempts = st.attempts
			comp.Raw = keepRaw(redact(st.raw, key))
		}
		pe.Message = scrub(pe.Message, key)
		comp.Latency = c.opt.Now().Sub(start)
		comp.Error = scrub(pe.Error(), key)
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
	// Every attempt sends these bytes, so they are what was sent, failed or not.
	comp.Request = string(pl.JSON)
	st := &call{provider: p, model: pl.Model.Name, body: pl.JSON, urls: pl.BaseURLs, baseURL: pl.BaseURLs[0],
		limits: pl.Limits, stream: pl.Stream, key: key, ref: req.Ref, start: start, estimate: estimateTokens(req)}
	if c.opt.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opt.Deadline)
		defer cancel()
	}
	res, err := c.send(ctx, st)
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
	comp.Usage = res.usage
	content, reasoning := pickReasoning(p.ReasoningFields, res)
	comp.Content = scrub(content, key)
	comp.Reasoning = scrub(reasoning, key)
	comp.ModelReported = scrub(res.model, key)
	comp.FinishReason = scrub(res.finish, key)
	comp.Raw = keepRaw(redact(st.raw, key))
	return comp, nil
}

// rawWithheld stands for the raw stream of an answer that quoted the key.
const rawWithheld = "[parity: raw stream withheld: the answer quoted the API key, which its events may split where it cannot be cut out; the answer's text is kept, scrubbed, as its content and reasoning]"

// quotes reports whether any text of r holds key, as scrub would find it.
func (r *result) quotes(key string) bool {
	for _, s := range []string{r.content, r.reasoningContent, r.reasoning, r.details, r.blocks} {
		if scrub(s, key) != s {
			return true
		}
	}
	return false
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

// redactFree reports whether b holds nothing redact would replace.
func redactFree(b []byte, key string) bool {
	return len(key) < 6 || (!bytes.Contains(b, []byte(key)) && keyCut(b, key) == 0 &&
		(!strings.Contains(key, "/") || !bytes.Contains(b, []byte(escapedSlashes(key)))))
}

// escapedSlashes is key as a JSON encoder that escapes "/" writes it
// (PHP's json_encode, and servers built on it). Some keys hold slashes:
// Baidu Qianfan's look like bce-v3/ALTAK-.../... (its API's common
// description, cloud.baidu.com/doc/qianfan-api/s/3m9b5lqft).
func escapedSlashes(key string) string {
	return strings.ReplaceAll(key, "/", `\/`)
}

// redact is scrub for a body about to be classified or kept: error
// messages quote the API's text cut to a length, which could cut an echoed
// key in two where scrub no longer finds it. A body that ends in the first
// part of the key (a connection dropped, or a read stopped, in the middle
// of it) has that part replaced too.
func redact(b []byte, key string) []byte {
	if redactFree(b, key) {
		return b
	}
	b = bytes.ReplaceAll(b, []byte(key), []byte("[redacted]"))
	if strings.Contains(key, "/") {
		b = bytes.ReplaceAll(b, []byte(escapedSlashes(key)), []byte("[redacted]"))
	}
	if n := keyCut(b, key); n > 0 {
		b = append(b[:len(b)-n:len(b)-n], "[redacted]"...)
	}
	return b
}

// keyCut is the length of the longest end of b, four bytes or more, that
// begins key; 0 when there is none.
func keyCut(b []byte, key string) int {
	// Most bodies end in a byte no key has ("}", a newline): done at once.
	if len(b) == 0 || strings.IndexByte(key[:len(key)-1], b[len(b)-1]) < 0 {
		return 0
	}
	for n := min(len(key)-1, len(b)); n >= 4; n-- {
		if string(b[len(b)-n:]) == key[:n] {
			return n
		}
	}
	return 0
}

// result is a decoded answer before reasoning is sorted out.
type result struct {
	model, finish                        string
	content, reasoningContent, reasoning string
	details                              string // reasoning_details text
	blocks                               string // reasoning blocks of a content list
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

// usageJSON is go-openai's usage object plus DeepSeek's cache counter.
type usageJSON struct {
	openai.Usage
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

// messageJSON is a message (or a stream's delta) as go-openai models it,
// plus the reasoning fields it drops: "reasoning" (OpenRouter, vLLM,
// Ollama) and reasoning_details. Its content, a string in go-openai, may
// also be a list of typed blocks, so it is read by contentJSON instead
// (the shallower field wins in encoding/json).
type messageJSON struct {
	openai.ChatCompletionStreamChoiceDelta
	Content          contentJSON       `json:"content"`
	Reasoning        json.RawMessage   `json:"reasoning"`
	ReasoningDetails []reasoningDetail `json:"reasoning_details"`
}

// hasText reports whether the message carries answer or reasoning text.
func (m *messageJSON) hasText() bool {
	return m.Content.text != "" || len(m.Content.blocks) > 0 || m.ReasoningContent != "" ||
		rawString(m.Reasoning) != "" || detailsText(m.ReasoningDetails) != ""
}

// contentJSON is a message's content as it comes: a string, or a list of
// typed blocks (Mistral's reasoning models send {"type":"thinking",
// "thinking":[{"type":"text","text":…}]} before {"type":"text","text":…}).
// Blocks keep their type until the provider's content_blocks mapping says
// which are answer and which reasoning.
type contentJSON struct {
	text   string
	blocks []contentBlock
}

// contentBlock is one block of a content list with its text gathered.
type contentBlock struct{ typ, text string }

// UnmarshalJSON reads a string, null, or a list of blocks; anything else
// is an answer the client cannot read.
func (c *contentJSON) UnmarshalJSON(b []byte) error {
	*c = contentJSON{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '"':
		c.text = jsonString(b)
		return nil
	case b[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		for _, raw := range list {
			if typ, text := blockText(raw, 0); text != "" {
				c.blocks = append(c.blocks, contentBlock{typ: typ, text: text})
			}
		}
		return nil
	}
	return fmt.Errorf("content is neither a string nor a list of blocks")
}

// jsonString decodes a JSON string the decoder calling UnmarshalJSON has
// already checked, without checking it a second time: the content of a long
// answer is most of its bytes. The escapes of valid JSON are also Go's, so
// strconv.Unquote reads them; what it cannot read (a \/ or a lone
// surrogate) or leaves as invalid UTF-8 (which encoding/json turns into
// U+FFFD) goes through encoding/json instead.
func jsonString(b []byte) string {
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	if s, err := strconv.Unquote(string(b)); err == nil && utf8.ValidString(s) {
		return s
	}
	var s string
	_ = json.Unmarshal(b, &s) // already checked by the caller's decoder
	return s
}

// maxBlockDepth bounds how deep blocks nested in blocks are read, so a
// hostile answer cannot make the reader recurse without end.
const maxBlockDepth = 4

// blockText reads one block's type and text. The text is in the field
// named after the block's type when there is one ("thinking" in a thinking
// block), as a string or as a list of blocks whose texts are joined, and
// otherwise in "text". A bare string in the list is text; a block with
// neither (an image, a reference) has none.
func blockText(raw json.RawMessage, depth int) (typ, text string) {
	if s := rawString(raw); s != "" {
		return "text", s
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return "", ""
	}
	typ = rawString(m["type"])
	v, ok := m[typ]
	if typ == "" || !ok {
		v = m["text"]
	}
	if s := rawString(v); s != "" || depth >= maxBlockDepth {
		return typ, s
	}
	var list []json.RawMessage
	if len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &list) != nil {
		return typ, ""
	}
	var sb strings.Builder
	for _, r := range list {
		_, t := blockText(r, depth+1)
		sb.WriteString(t)
	}
	return typ, sb.String()
}

// split sorts the content into answer text and reasoning text by the
// provider's block mapping (block type -> "content" or "reasoning"); a
// block of a type not mapped is dropped.
func (c *contentJSON) split(mapping map[string]string) (content, reasoning string) {
	if len(c.blocks) == 0 {
		return c.text, ""
	}
	var cb, rb strings.Builder
	cb.WriteString(c.text)
	for _, b := range c.blocks {
		switch mapping[b.typ] {
		case blockContent:
			cb.WriteString(b.text)
		case blockReasoning:
			rb.WriteString(b.text)
		}
	}
	return cb.String(), rb.String()
}

// answerJSON is a whole chat completion, or one event of a stream, in the
// one shape both share, with the error envelopes some APIs send with a
// 200 status: {"error":...} and MiniMax's base_resp. Each body or event is
// decoded into it exactly once.
type answerJSON struct {
	Model   string `json:"model"`
	Choices []struct {
		Message      messageJSON          `json:"message"`
		Delta        messageJSON          `json:"delta"`
		FinishReason *openai.FinishReason `json:"finish_reason"`
	} `json:"choices"`
	Usage    *usageJSON      `json:"usage"`
	Error    json.RawMessage `json:"error"`
	BaseResp *baseResp       `json:"base_resp"`
}

// failed reports whether the answer is an error envelope rather than an
// answer: a failed base_resp, or an error object that is not null. A whole
// body with choices beside its error object is an answer; a stream event
// with an error fails, choices or not (OpenRouter sends a last chunk with
// both when a stream fails midway).
func (a *answerJSON) failed(whole bool) bool {
	if a.BaseResp != nil && a.BaseResp.StatusCode != 0 {
		return true
	}
	if whole && len(a.Choices) > 0 {
		return false
	}
	e := bytes.TrimSpace(a.Error)
	return len(e) > 0 && string(e) != "null"
}

// whole reads a whole answer: its first choice's message, its content
// blocks sorted by the provider's mapping.
func (a *answerJSON) whole(blocks map[string]string) result {
	r := result{model: a.Model}
	if len(a.Choices) > 0 {
		ch := &a.Choices[0]
		m := &ch.Message
		r.content, r.blocks = m.Content.split(blocks)
		r.reasoningContent = m.ReasoningContent
		r.reasoning, r.details = rawString(m.Reasoning), detailsText(m.ReasoningDetails)
		if ch.FinishReason != nil {
			r.finish = string(*ch.FinishReason)
		}
	}
	if a.Usage != nil {
		r.usage = a.Usage.usage()
	}
	return r
}

// events gathers a streamed answer as its events arrive: the texts of
// every choice's delta in order, joined once at the end rather than grown
// piece by piece, and the last model, finish reason and usage seen.
// blocks is the provider's content block mapping.
type events struct {
	r                          result
	blocks                     map[string]string
	content, rc, rsn, det, blk []string
}

func (e *events) add(a *answerJSON) {
	if a.Model != "" {
		e.r.model = a.Model
	}
	for i := range a.Choices {
		ch := &a.Choices[i]
		d := &ch.Delta
		text, thought := d.Content.split(e.blocks)
		e.content = appendText(e.content, text)
		e.blk = appendText(e.blk, thought)
		e.rc = appendText(e.rc, d.ReasoningContent)
		e.rsn = appendText(e.rsn, rawString(d.Reasoning))
		e.det = appendText(e.det, detailsText(d.ReasoningDetails))
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			e.r.finish = string(*ch.FinishReason)
		}
	}
	if a.Usage != nil {
		e.r.usage = a.Usage.usage()
	}
}

func appendText(parts []string, s string) []string {
	if s == "" {
		return parts
	}
	return append(parts, s)
}

// result joins the gathered texts.
func (e *events) result() result {
	r := e.r
	r.content, r.reasoningContent = strings.Join(e.content, ""), strings.Join(e.rc, "")
	r.reasoning, r.details = strings.Join(e.rsn, ""), strings.Join(e.det, "")
	r.blocks = strings.Join(e.blk, "")
	return r
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

// keepRaw is the raw response as stored. An answer's text is stored in
// full as its content and reasoning, so a raw body too long to be worth a
// second copy keeps only its two ends (the envelope, the first and the last
// events, finish reason and usage) around a note of what was left out. Only
// what is kept is copied.
func keepRaw(raw []byte) string {
	if len(raw) <= rawKeep {
		return string(raw)
	}
	return cutRaw(raw[:rawEnd], raw[len(raw)-rawEnd:], len(raw))
}

// rawKeep is the longest raw response stored whole, rawEnd how much of
// each end of a longer one is kept: together with the note, at most rawKeep.
const (
	rawKeep = 256 << 10
	rawEnd  = rawKeep/2 - 256
)

// cutRaw joins the head and tail of a raw response of total bytes around a
// note of what was left out, trimming them to whole UTF-8 characters.
func cutRaw(head, tail []byte, total int) string {
	if k := lastRuneStart(head); k >= 0 && !utf8.FullRune(head[k:]) {
		head = head[:k]
	}
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
	}
	note := fmt.Sprintf("\n[parity: %d bytes of this raw response left out; the answer's text is stored as its content and reasoning]\n",
		total-len(head)-len(tail))
	return string(head) + note + string(tail)
}

// lastRuneStart is the index of the last byte of b that starts a
// character, -1 when none of its last four does.
func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return -1
}

// pickReasoning chooses the reasoning text by the provider's field order and
// strips inline <think> (or Gemini's <thought>) blocks from the content when
// "think" (or "thought") is listed; "content_blocks" is the reasoning the
// block mapping took out of a content list.
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
		case "content_blocks":
			v = r.blocks
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
