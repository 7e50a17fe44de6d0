// Package providertest is a fake OpenAI-compatible chat completions server
// for tests and benchmarks across parity. It answers in the real wire format
// (JSON or server-sent events with a final usage chunk), carries reasoning
// the way DeepSeek, vLLM/OpenRouter or raw open-weight models do, injects
// faults on demand (rate limits with Retry-After, 5xx, malformed JSON,
// dropped connections, errors inside a 200 stream, provider error bodies),
// records every request body and tracks the most requests seen in flight.
//
// At zero latency it serves thousands of requests per second on one core:
// responses are written from pooled buffers without encoding/json.
package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/internal/wire"
)

// Reasoning styles for Options.Style.
const (
	StyleReasoningContent = wire.StyleReasoningContent // DeepSeek, vLLM, SGLang
	StyleReasoning        = wire.StyleReasoning        // OpenRouter, Ollama, newer vLLM
	StyleThinkInline      = wire.StyleThinkInline      // <think>…</think> in the content
	StyleThoughtInline    = wire.StyleThoughtInline    // Gemini's <thought>…</thought>
	StyleReasoningDetails = wire.StyleReasoningDetails // reasoning_details entries
	StyleContentBlocks    = wire.StyleContentBlocks    // content as a list of thinking and text blocks (Mistral)
)

// Dialects: where a provider's documented wire format departs from a
// textbook OpenAI server. Options.Dialect picks one; faults in each
// provider's own error shape are built with the constructors below.
const (
	// DialectPlain is the plain format with no model rules.
	DialectPlain = ""
	// DialectDeepSeek sends blank lines before a JSON body and ": keep-alive"
	// comments before a stream, as DeepSeek does while a request queues.
	DialectDeepSeek = "deepseek"
	// DialectDashScope refuses a non-streamed request with enable_thinking
	// true with its documented 400.
	DialectDashScope = "dashscope"
	// DialectMiniMax adds base_resp to every answer and puts reasoning
	// inline in <think> tags, or in reasoning_details when the request sets
	// reasoning_split.
	DialectMiniMax = "minimax"
	// DialectGemini refuses reasoning_effort together with a thinking
	// budget (with a JSON-array error body) and returns thought summaries
	// inline in <thought> tags when include_thoughts is set.
	DialectGemini = "gemini"
	// DialectOpenRouter returns reasoning in message.reasoning and refuses
	// reasoning.effort together with reasoning.max_tokens.
	DialectOpenRouter = "openrouter"
	// DialectOpenAI is OpenAI's API with its model rules: reasoning models
	// refuse max_tokens and a temperature other than 1, reasoning_effort
	// values a model lacks (none before gpt-5.1 and on gpt-6.1-sol), and
	// shut-down model ids.
	DialectOpenAI = "openai"
	// DialectAnthropic is Claude's OpenAI-compatible endpoint: a budget must
	// be at least 1024 and below max_tokens, models from Opus 4.7 on refuse
	// thinking type enabled, always-on models refuse disabled, and adaptive
	// thinking takes no budget.
	DialectAnthropic = "anthropic"
	// DialectMoonshot is Kimi's API: K3 takes only temperature 1, and K3 and
	// K2.7 Code refuse thinking disabled; the original kimi-k2 ids are gone.
	DialectMoonshot = "moonshot"
	// DialectArk is Volcengine Ark: reasoning_effort is minimal, low,
	// medium or high; max_completion_tokens is at most 65536.
	DialectArk = "ark"
	// DialectSiliconFlow is SiliconFlow: thinking_budget is 128 to 32768,
	// and DeepSeek V4 takes reasoning_effort high or max only.
	DialectSiliconFlow = "siliconflow"
	// DialectXAI is xAI: grok-4.5 refuses reasoning_effort none and
	// grok-4.20 models refuse reasoning_effort altogether.
	DialectXAI = "xai"
	// DialectMistral is Mistral's API: a reasoning answer's content is a
	// list of typed blocks (a thinking block holding text blocks, then a
	// text block), streamed as lists while thinking and as strings after;
	// Mistral Small 4 and Medium 3.5 take reasoning_effort high or none
	// only; errors carry Mistral's {"object":"error",…} body.
	DialectMistral = "mistral"
)

// Retired model ids the dialects refuse, as of 2026-11-30 (each
// provider's deprecation notes; see providers/catalog.yaml for sources).
var retired = map[string][]string{
	DialectDeepSeek: {"deepseek-chat", "deepseek-reasoner"},
	DialectOpenAI:   {"o4-mini*", "o1*", "o3-mini*", "gpt-4-*", "gpt-3.5*"},
	DialectMoonshot: {"kimi-k2-*"},
}

// ChatRequest is one request as the server received it.
type ChatRequest struct {
	// N is the request's 1-based arrival number.
	N            int
	Path         string
	Model        string
	Stream       bool
	IncludeUsage bool
	Messages     []parity.Message
	// Authorization is the header as sent, so tests can check a key was
	// (or was not) sent.
	Authorization string
	// Body is the raw JSON body.
	Body []byte
}

// JSON decodes the body into a generic map for assertions.
func (r ChatRequest) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Reply is what the fake model answers.
type Reply struct {
	Content      string
	Reasoning    string
	FinishReason string // default "stop"
	// Model is reported in the response; default the requested model.
	Model string
	// Usage is reported as given; nil derives plausible counts from lengths.
	Usage *parity.Usage
}

// FaultKind is a kind of injected failure.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus answers Status with Body (an OpenAI error when empty) and
	// Header; RetryAfter sets the Retry-After header.
	FaultStatus FaultKind = iota + 1
	// FaultMalformed answers 200 with JSON cut short (a broken event when
	// streaming).
	FaultMalformed
	// FaultDropBeforeHeaders closes the connection before any response.
	FaultDropBeforeHeaders
	// FaultDropAfterHeaders sends 200 headers, then closes.
	FaultDropAfterHeaders
	// FaultDropMidBody sends half of the body or stream, then closes.
	FaultDropMidBody
	// FaultStreamError streams one delta, then an error event (Body, an
	// OpenAI server_error when empty), as APIs do when a model fails
	// mid-answer.
	FaultStreamError
)

// Fault is one injected failure.
type Fault struct {
	Kind       FaultKind
	Status     int
	Body       string
	RetryAfter string
	Header     http.Header
}

// RateLimited is a 429 with the given Retry-After value (seconds or an
// HTTP date; empty for none).
func RateLimited(retryAfter string) Fault {
	return Fault{Kind: FaultStatus, Status: 429, RetryAfter: retryAfter,
		Body: OpenAIError("Rate limit reached for requests", "requests", "rate_limit_exceeded")}
}

// ServerError is a 5xx with an OpenAI error body.
func ServerError(status int) Fault {
	return Fault{Kind: FaultStatus, Status: status, Body: OpenAIError("The server had an error while processing your request", "server_error", "")}
}

// Status is any status with the given body.
func Status(status int, body string) Fault {
	return Fault{Kind: FaultStatus, Status: status, Body: body}
}

// Malformed answers 200 with broken JSON.
func Malformed() Fault { return Fault{Kind: FaultMalformed} }

// DropBeforeHeaders, DropAfterHeaders and DropMidBody cut the connection.
func DropBeforeHeaders() Fault { return Fault{Kind: FaultDropBeforeHeaders} }

// DropAfterHeaders sends the headers, then cuts the connection.
func DropAfterHeaders() Fault { return Fault{Kind: FaultDropAfterHeaders} }

// DropMidBody sends half of the answer, then cuts the connection.
func DropMidBody() Fault { return Fault{Kind: FaultDropMidBody} }

// StreamError streams an error event inside a 200 response.
func StreamError(body string) Fault { return Fault{Kind: FaultStreamError, Body: body} }

// OpenAIError is an error body in OpenAI's format.
func OpenAIError(message, typ, code string) string {
	return string(wire.AppendError(nil, message, typ, code))
}

// Error bodies as DeepSeek sends them (its documented error codes).
var (
	DeepSeekUnauthorized = Status(401, OpenAIError("Authentication Fails, Your api key: ****abcd is invalid", "authentication_error", "invalid_request_error"))
	DeepSeekNoBalance    = Status(402, OpenAIError("Insufficient Balance", "unknown_error", "invalid_request_error"))
	DeepSeekContentRisk  = Status(400, OpenAIError("Content Exists Risk", "invalid_request_error", "invalid_request_error"))
	DeepSeekInvalid      = Status(422, OpenAIError("Invalid max_tokens value, the valid range of max_tokens is [1, 8192]", "invalid_request_error", "invalid_request_error"))
	DeepSeekBusy         = Status(503, OpenAIError("Server overloaded, please retry shortly", "service_unavailable_error", "service_unavailable"))
)

// Error bodies as OpenAI sends them.
var (
	OpenAIUnauthorized  = Status(401, OpenAIError("Incorrect API key provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"))
	OpenAIQuota         = Status(429, OpenAIError("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"))
	OpenAIForbidden     = Status(403, OpenAIError("Country, region, or territory not supported", "request_forbidden", "unsupported_country_region_territory"))
	OpenAIModelNotFound = Status(404, OpenAIError("The model `nope` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"))
	OpenAIBadRequest    = Status(400, OpenAIError("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "invalid_request_error", "unsupported_parameter"))
	OpenAIContentFilter = Status(400, OpenAIError("Invalid prompt: your prompt was flagged as potentially violating our usage policy.", "invalid_request_error", "invalid_prompt"))
)

// DashScopeStreamOnly is DashScope's answer to a non-streamed thinking
// request (OpenAI-compatible mode).
var DashScopeStreamOnly = Status(400, `{"error":{"code":"invalid_parameter_error","message":"parameter.enable_thinking must be set to false for non-streaming calls","param":null,"type":"invalid_request_error"},"request_id":"8f1c0c1e-parity"}`)

// DashScopeThrottling is a DashScope 429 with one of its Throttling.* codes
// (Throttling.RateQuota, Throttling.AllocationQuota, Throttling.BurstRate).
func DashScopeThrottling(code string) Fault {
	return Status(429, `{"error":{"code":"`+code+`","message":"Requests rate limit exceeded, please try again later.","param":null,"type":"`+code+`"},"request_id":"8f1c0c1e-parity"}`)
}

// ArkError is a Volcengine Ark error: code such as SensitiveContentDetected
// or RateLimitExceeded.EndpointRPMExceeded, type such as BadRequest.
func ArkError(status int, code, typ, message string) Fault {
	return Status(status, `{"error":{"code":"`+code+`","message":`+string(wire.AppendString(nil, message))+`,"param":"","type":"`+typ+`"}}`)
}

// Error bodies as Volcengine Ark sends them.
var (
	ArkSensitive   = ArkError(400, "SensitiveContentDetected", "BadRequest", "The request failed because the input text may contain sensitive information. Request id: 0217-parity")
	ArkRPMExceeded = ArkError(429, "RateLimitExceeded.EndpointRPMExceeded", "TooManyRequests", "The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded. Request id: 0217-parity")
	ArkOverdue     = ArkError(403, "AccountOverdueError", "Forbidden", "The request failed because your account has an overdue balance. Request id: 0217-parity")
)

// ZhipuError is a GLM error with its business code ("1302") as Zhipu and
// Z.ai send it.
func ZhipuError(status int, code, message string) Fault {
	return Status(status, `{"error":{"code":"`+code+`","message":`+string(wire.AppendString(nil, message))+`}}`)
}

// Error bodies as Zhipu sends them.
var (
	ZhipuConcurrency = ZhipuError(429, "1302", "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。")
	ZhipuArrears     = ZhipuError(429, "1113", "您的账户已欠费，请充值后重试。")
	ZhipuUnsafe      = ZhipuError(400, "1301", "系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。")
)

// MistralError is an error in Mistral's shape (its error glossary,
// https://docs.mistral.ai/resources/error-glossary): a flat object with
// "object":"error", a message, a type (invalid_request_error,
// authentication_error, rate_limit_error, server_error) and a code.
func MistralError(status int, typ, code, message string) Fault {
	return Status(status, `{"object":"error","message":`+string(wire.AppendString(nil, message))+`,"type":"`+typ+`","param":null,"code":"`+code+`"}`)
}

// Error bodies of the hosts and labs added on 2026-11-30, with the status
// and the meaning each provider's error page documents. Where a page shows
// the body (Mistral, Qianfan, SiliconFlow) it has that shape; where it
// gives only a status and a message, the message sits in OpenAI's shape.
var (
	// BaichuanNoBalance and BaichuanRateLimited share status 429 on
	// Baichuan's status code table.
	BaichuanNoBalance   = Status(429, OpenAIError("Insufficient account balance, please recharge", "insufficient_quota", ""))
	BaichuanRateLimited = Status(429, OpenAIError("Rate limit reached for requests", "rate_limit_error", ""))
	// StepFunNoBalance is StepFun's 402: the balance cannot pay for the call.
	StepFunNoBalance = Status(402, OpenAIError("Insufficient balance, please recharge your account", "insufficient_balance", ""))
	// QianfanRPM is Qianfan's requests-per-minute limit.
	QianfanRPM = QianfanError(429, "rpm_rate_limit_exceeded", "rate_limit_exceeded", "Rate limit reached for RPM")
	// QianfanTooLong is Qianfan's 400 for a prompt over the model's limit.
	QianfanTooLong = QianfanError(400, "tokens_too_long", "invalid_request_error", "Prompt tokens too long")
	// SiliconFlowNoBalance and SiliconFlowRealName are SiliconFlow's two
	// kinds of 403, told apart by the message.
	SiliconFlowNoBalance = SiliconFlowError(403, 30001, "Sorry, your account balance is insufficient")
	SiliconFlowRealName  = SiliconFlowError(403, 30011, "The model requires real-name authentication of the account")
	// TogetherSpendLimit is Together's 402; TogetherContextLength its 403,
	// which is about the request, not about access.
	TogetherSpendLimit    = Status(402, OpenAIError("Credit limit exceeded: the account reached its monthly spending limit", "credit_limit", ""))
	TogetherContextLength = Status(403, OpenAIError("Input validation error: inputs tokens + max_new_tokens must be <= 32769", "invalid_request_error", ""))
	// FireworksSuspended is Fireworks' 412 for a suspended account.
	FireworksSuspended = Status(412, OpenAIError("Account is suspended", "invalid_request_error", ""))
	// DeepInfraRateLimited is DeepInfra's 429 past 200 concurrent requests
	// to a model.
	DeepInfraRateLimited = Status(429, `{"detail":"Rate limited"}`)
	// XAIBadKey is xAI's 400 for an incorrect key; XAIBlocked its 403. The
	// debugging page gives only the statuses; the {code, error} body is the
	// shape reported by users of the API, not read on an xAI page.
	XAIBadKey  = Status(400, `{"code":"Client specified an invalid argument","error":"Incorrect API key provided: xa***parity. You can obtain an API key from https://console.x.ai."}`)
	XAIBlocked = Status(403, `{"code":"The caller does not have permission to execute the specified operation","error":"Your team is blocked"}`)
	// GroqFlexCapacity is Groq's 498 when the flex tier is full.
	GroqFlexCapacity = Status(498, OpenAIError("Flex tier capacity exceeded. Please try again later.", "capacity_exceeded", "capacity_exceeded"))
)

// QianfanError is an error in Qianfan's V2 shape: {"error":{code, message,
// type}} and the request id.
func QianfanError(status int, code, typ, message string) Fault {
	return Status(status, `{"error":{"code":"`+code+`","message":`+string(wire.AppendString(nil, message))+`,"type":"`+typ+`"},"id":"as-parity"}`)
}

// SiliconFlowError is an error in SiliconFlow's shape: a numeric code and a
// message at the top level, with null data.
func SiliconFlowError(status, code int, message string) Fault {
	return Status(status, `{"code":`+strconv.Itoa(code)+`,"message":`+string(wire.AppendString(nil, message))+`,"data":null}`)
}

// MoonshotNoBalance is Moonshot's 403 for an account out of balance.
var MoonshotNoBalance = Status(403, OpenAIError("Your account org-parity is suspended due to insufficient balance, please recharge your account or check your plan and billing details", "exceeded_current_quota_error", ""))

// MiniMaxError is a MiniMax failure: HTTP 200 with a base_resp status.
func MiniMaxError(code int, message string) Fault {
	return Status(200, `{"id":"","choices":null,"base_resp":{"status_code":`+strconv.Itoa(code)+`,"status_msg":`+string(wire.AppendString(nil, message))+`}}`)
}

// GeminiError is an error as Gemini's OpenAI-compatible endpoint sends it:
// a JSON array holding one Google error object.
func GeminiError(status int, statusName, message string) Fault {
	return Status(status, `[{"error":{"code":`+strconv.Itoa(status)+`,"message":`+string(wire.AppendString(nil, message))+`,"status":"`+statusName+`"}}]`)
}

// OpenRouterStreamError is the error event OpenRouter sends inside a 200
// stream when the upstream fails mid-answer.
func OpenRouterStreamError(code, message string) Fault {
	return StreamError(`{"id":"gen-parity","object":"chat.completion.chunk","created":1700000000,"model":"x","provider":"upstream","error":{"code":"` + code + `","message":` + string(wire.AppendString(nil, message)) + `},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}`)
}

// Options configure a Server.
type Options struct {
	// Latency is waited before the response starts.
	Latency time.Duration
	// ChunkDelay is waited between streamed events.
	ChunkDelay time.Duration
	// Answer decides the reply; nil answers "\boxed{42}" with some reasoning.
	Answer func(req ChatRequest) Reply
	// Style is where reasoning goes; default StyleReasoningContent.
	Style string
	// ChunkSize is the most bytes of text per streamed delta; default 64.
	ChunkSize int
	// KeepAlive starts streams with an SSE comment line.
	KeepAlive bool
	// CacheHitFields adds DeepSeek's prompt_cache_hit_tokens to usage.
	CacheHitFields bool
	// Faults are served in order to the first requests.
	Faults []Fault
	// FaultFunc is asked for a fault once the queue is empty; nil, or a nil
	// result, means answer normally.
	FaultFunc func(req ChatRequest) *Fault
	// NoRecord stops keeping request bodies, for long benchmarks.
	NoRecord bool
	// Dialect is one of the Dialect constants. DialectOpenAI itself is the
	// plain format plus OpenAI's rules; the zero value applies no rules.
	Dialect string
}

// Server is a running fake API. Its URL (from httptest.Server) plus "/v1"
// is the base URL to give a client.
type Server struct {
	*httptest.Server
	opt Options

	mu     sync.Mutex
	faults []Fault
	reqs   []ChatRequest

	n, inflight, maxInflight atomic.Int64
}

// New starts a server. With t not nil it is closed when the test ends.
func New(t testing.TB, opt Options) *Server {
	s := &Server{opt: opt, faults: append([]Fault(nil), opt.Faults...)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// BaseURL is the API root to configure a client with.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// AddFaults queues more faults.
func (s *Server) AddFaults(f ...Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f...)
	s.mu.Unlock()
}

// Requests returns the requests received so far, in arrival order.
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ChatRequest(nil), s.reqs...)
}

// Count is the number of requests received.
func (s *Server) Count() int { return int(s.n.Load()) }

// MaxInFlight is the largest number of requests handled at once.
func (s *Server) MaxInFlight() int { return int(s.maxInflight.Load()) }

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

type decoded struct {
	Model         string           `json:"model"`
	Stream        bool             `json:"stream"`
	Messages      []parity.Message `json:"messages"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	cur := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		m := s.maxInflight.Load()
		if cur <= m || s.maxInflight.CompareAndSwap(m, cur) {
			break
		}
	}
	n := s.n.Add(1)

	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf := bytes.NewBuffer((*bp)[:0])
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return
	}
	body := buf.Bytes()
	*bp = body[:0] // keep a buffer that grew
	var d decoded
	if err := json.Unmarshal(body, &d); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(wire.AppendError(nil, "request body is not JSON: "+err.Error(), "invalid_request_error", ""))
		return
	}
	req := ChatRequest{N: int(n), Path: r.URL.Path, Model: d.Model, Stream: d.Stream, Messages: d.Messages,
		IncludeUsage: d.StreamOptions != nil && d.StreamOptions.IncludeUsage, Authorization: r.Header.Get("Authorization")}
	if !s.opt.NoRecord {
		rec := req
		rec.Body = append([]byte(nil), body...)
		s.mu.Lock()
		s.reqs = append(s.reqs, rec)
		s.mu.Unlock()
	}
	var fault *Fault
	s.mu.Lock()
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		fault = &f
	}
	s.mu.Unlock()
	if fault == nil && s.opt.FaultFunc != nil {
		fault = s.opt.FaultFunc(req)
	}
	if fault == nil {
		fault = s.refuse(req, body)
	}
	if s.opt.Latency > 0 {
		t := time.NewTimer(s.opt.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	reply := s.reply(req)
	out := (*bp)[:0]
	if fault != nil {
		out = s.fault(w, req, reply, *fault, out)
		*bp = out[:0]
		return
	}
	h := w.Header()
	s.dialectReply(reply, body)
	if req.Stream {
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		out = wire.AppendStream(out, reply, s.streamOptions(req), s.pacer(w))
		w.Write(out)
	} else {
		h.Set("Content-Type", "application/json")
		if s.opt.Dialect == DialectDeepSeek {
			// Blank lines while the request waited for a slot.
			out = append(out, "\n\n"...)
		}
		out = wire.AppendCompletion(out, reply)
		h.Set("Content-Length", strconv.Itoa(len(out)))
		w.Write(out)
	}
	*bp = out[:0]
}

func (s *Server) streamOptions(req ChatRequest) wire.StreamOptions {
	return wire.StreamOptions{ChunkSize: s.opt.ChunkSize, IncludeUsage: req.IncludeUsage,
		Comment: s.opt.KeepAlive || s.opt.Dialect == DialectDeepSeek}
}

// refuse returns the fault a dialect answers a request its provider
// documents as invalid with, or nil. The rules are the providers' own, kept
// here apart from the catalog, so that a catalog entry that would make a
// real API refuse a request fails a test.
func (s *Server) refuse(req ChatRequest, body []byte) *Fault {
	if s.opt.Dialect == "" {
		return nil // no rules: skip the decode, which benchmarks would pay for
	}
	var b map[string]any
	_ = json.Unmarshal(body, &b)
	return dialectRules(s.opt.Dialect, req, b)
}

func dialectRules(dialect string, req ChatRequest, b map[string]any) *Fault {
	str := func(path ...string) (string, bool) {
		v, ok := lookup(b, path...)
		s, isStr := v.(string)
		return s, ok && isStr
	}
	num := func(path ...string) (float64, bool) {
		v, ok := lookup(b, path...)
		f, isNum := v.(float64)
		return f, ok && isNum
	}
	_, hasBudget := lookup(b, "extra_body", "google", "thinking_config", "thinking_budget")
	effort, hasEffort := str("reasoning_effort")
	model := req.Model
	for _, pat := range retired[dialect] {
		if ok, _ := path.Match(pat, model); ok {
			return retiredFault(dialect, model)
		}
	}
	switch dialect {
	case DialectDashScope:
		if v, ok := lookup(b, "enable_thinking"); ok && v == true && !req.Stream {
			f := DashScopeStreamOnly
			return &f
		}
	case DialectDeepSeek:
		if hasEffort && !oneOf(effort, "minimal", "low", "medium", "high", "xhigh", "max", "ultra") {
			return invalid(OpenAIError("Invalid reasoning_effort value: "+effort, "invalid_request_error", "invalid_request_error"))
		}
	case DialectGemini:
		if hasEffort && hasBudget {
			f := GeminiError(400, "INVALID_ARGUMENT", "reasoning_effort and thinking_budget cannot be set together")
			return &f
		}
		if effort == "none" && strings.Contains(model, "pro") {
			f := GeminiError(400, "INVALID_ARGUMENT", "Thinking can't be disabled for this model.")
			return &f
		}
	case DialectMiniMax:
		if t, ok := num("temperature"); ok && (t <= 0 || t > 1) {
			f := MiniMaxError(2013, "invalid params, temperature must be in (0, 1]")
			return &f
		}
		if n, ok := num("max_completion_tokens"); ok && n > 2048 {
			f := MiniMaxError(2013, "invalid params, max_completion_tokens must be at most 2048")
			return &f
		}
	case DialectOpenRouter:
		_, e := lookup(b, "reasoning", "effort")
		_, m := lookup(b, "reasoning", "max_tokens")
		if e && m {
			return invalid(`{"error":{"code":400,"message":"Only one of reasoning.effort and reasoning.max_tokens may be set"}}`)
		}
	case DialectOpenAI:
		return openAIRules(model, b)
	case DialectAnthropic:
		return anthropicRules(model, b)
	case DialectMoonshot:
		k3 := strings.HasPrefix(model, "kimi-k3")
		if t, ok := num("temperature"); ok && k3 && t != 1 {
			return invalid(OpenAIError("invalid temperature: only 1 is allowed for this model", "invalid_request_error", ""))
		}
		if th, _ := str("thinking", "type"); th == "disabled" && (k3 || strings.HasPrefix(model, "kimi-k2.7")) {
			return invalid(OpenAIError("thinking cannot be disabled for this model", "invalid_request_error", ""))
		}
		if k3 && hasEffort && !oneOf(effort, "low", "medium", "high", "xhigh", "max") {
			return invalid(OpenAIError("invalid reasoning_effort: "+effort, "invalid_request_error", ""))
		}
	case DialectSiliconFlow:
		if n, ok := num("thinking_budget"); ok && (n < 128 || n > 32768) {
			return invalid(OpenAIError("thinking_budget must be between 128 and 32768", "invalid_request_error", "20015"))
		}
		if hasEffort && strings.Contains(model, "DeepSeek-V4") && !oneOf(effort, "high", "max") {
			return invalid(OpenAIError("reasoning_effort must be high or max", "invalid_request_error", "20015"))
		}
	case DialectXAI:
		if hasEffort && strings.HasPrefix(model, "grok-4.20") {
			return invalid(OpenAIError("Model "+model+" does not support parameter reasoningEffort.", "invalid_request_error", ""))
		}
		if hasEffort && !oneOf(effort, "none", "low", "medium", "high") || effort == "none" && strings.HasPrefix(model, "grok-4.5") {
			return invalid(OpenAIError("Invalid reasoning_effort "+effort+" for model "+model, "invalid_request_error", ""))
		}
	case DialectMistral:
		adjustable := strings.HasPrefix(model, "mistral-small") || strings.HasPrefix(model, "mistral-medium")
		if hasEffort && (adjustable && !oneOf(effort, "high", "none") || strings.HasPrefix(model, "magistral")) {
			f := MistralError(400, "invalid_request_error", "invalid_reasoning_effort", "reasoning_effort '"+effort+"' is not supported by model "+model)
			return &f
		}
	case DialectArk:
		if hasEffort && !oneOf(effort, "minimal", "low", "medium", "high") {
			f := ArkError(400, "InvalidParameter", "BadRequest", "The parameter `reasoning_effort` specified in the request is not valid: "+effort)
			return &f
		}
		if n, ok := num("max_completion_tokens"); ok && n > 65536 {
			f := ArkError(400, "InvalidParameter", "BadRequest", "The parameter `max_completion_tokens` specified in the request is not valid")
			return &f
		}
	}
	return nil
}

// openAIRules are OpenAI's documented parameter rules for reasoning models.
func openAIRules(model string, b map[string]any) *Fault {
	reasoning := strings.HasPrefix(model, "o") || strings.HasPrefix(model, "gpt-5") || strings.HasPrefix(model, "gpt-6")
	if !reasoning {
		return nil
	}
	if _, ok := b["max_tokens"]; ok {
		f := OpenAIBadRequest
		return &f
	}
	if t, ok := b["temperature"].(float64); ok && t != 1 {
		return invalid(OpenAIError("Unsupported value: 'temperature' does not support "+strconv.FormatFloat(t, 'g', -1, 64)+" with this model. Only the default (1) value is supported.", "invalid_request_error", "unsupported_value"))
	}
	e, ok := b["reasoning_effort"].(string)
	if !ok {
		return nil
	}
	var allowed []string
	switch {
	case strings.HasPrefix(model, "gpt-6.1-sol"):
		allowed = []string{"low", "medium", "high", "xhigh", "max"}
	case strings.HasPrefix(model, "gpt-6"):
		allowed = []string{"none", "low", "medium", "high", "xhigh", "max"}
	case strings.HasPrefix(model, "gpt-5.1"):
		allowed = []string{"none", "low", "medium", "high"}
	case strings.HasPrefix(model, "gpt-5."):
		allowed = []string{"none", "low", "medium", "high", "xhigh"}
	case strings.HasPrefix(model, "gpt-5"):
		allowed = []string{"minimal", "low", "medium", "high"}
	default:
		allowed = []string{"low", "medium", "high"}
	}
	if !oneOf(e, allowed...) {
		return invalid(OpenAIError("Unsupported value: 'reasoning_effort' does not support '"+e+"' with this model. Supported values are: "+strings.Join(allowed, ", ")+".", "invalid_request_error", "unsupported_value"))
	}
	return nil
}

// anthropicRules are Claude's thinking rules (extended- and
// adaptive-thinking pages).
func anthropicRules(model string, b map[string]any) *Fault {
	bad := func(msg string) *Fault {
		return invalid(`{"type":"error","error":{"type":"invalid_request_error","message":` + string(wire.AppendString(nil, msg)) + `}}`)
	}
	typ, _ := lookup(b, "thinking", "type")
	budget, hasBudget := lookup(b, "thinking", "budget_tokens")
	alwaysOn := strings.HasPrefix(model, "claude-fable") || strings.HasPrefix(model, "claude-mythos") || strings.HasPrefix(model, "claude-opus-5-5")
	legacy := false
	for _, pat := range []string{"claude-*-4-[0-5]*", "claude-3-*"} {
		if ok, _ := path.Match(pat, model); ok {
			legacy = true
		}
	}
	adaptiveCapable := !legacy || strings.Contains(model, "-4-6")
	switch typ {
	case "enabled":
		if !legacy && !strings.Contains(model, "-4-6") {
			return bad(`"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`)
		}
		n, _ := budget.(float64)
		maxTokens, _ := b["max_tokens"].(float64)
		if !hasBudget || n < 1024 {
			return bad("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
		}
		if maxTokens > 0 && n >= maxTokens {
			return bad("`max_tokens` must be greater than `thinking.budget_tokens`")
		}
	case "adaptive":
		if !adaptiveCapable {
			return bad(`"thinking.type.adaptive" is not supported for this model.`)
		}
		if hasBudget {
			return bad("thinking.adaptive.budget_tokens: Extra inputs are not permitted")
		}
	case "disabled":
		if alwaysOn {
			return bad(`"thinking.type.disabled" is not supported for this model.`)
		}
	}
	if e, ok := lookup(b, "output_config", "effort"); ok && !oneOf(fmt.Sprint(e), "low", "medium", "high", "max") {
		return bad("output_config.effort: Input should be 'low', 'medium', 'high' or 'max'")
	}
	return nil
}

func retiredFault(dialect, model string) *Fault {
	switch dialect {
	case DialectDeepSeek:
		return invalid(OpenAIError("Model Not Exist", "invalid_request_error", "invalid_request_error"))
	case DialectMoonshot:
		f := Status(404, OpenAIError("Not found the model "+model+" or Permission denied", "resource_not_found_error", ""))
		return &f
	}
	f := Status(404, OpenAIError("The model `"+model+"` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations", "invalid_request_error", "model_not_found"))
	return &f
}

func invalid(body string) *Fault {
	f := Status(400, body)
	return &f
}

// lookup reads a value at a path of object keys.
func lookup(m map[string]any, path ...string) (any, bool) {
	var v any = m
	for _, k := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func oneOf(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// dialectReply shapes a successful answer the way the dialect's provider
// sends it.
func (s *Server) dialectReply(r *wire.Reply, body []byte) {
	if s.opt.Dialect == "" {
		return
	}
	var b struct {
		ReasoningEffort string `json:"reasoning_effort"`
		ReasoningSplit  bool   `json:"reasoning_split"`
		ExtraBody       struct {
			Google struct {
				ThinkingConfig struct {
					IncludeThoughts bool `json:"include_thoughts"`
				} `json:"thinking_config"`
			} `json:"google"`
		} `json:"extra_body"`
	}
	_ = json.Unmarshal(body, &b)
	switch s.opt.Dialect {
	case DialectMiniMax:
		r.Tail = `"base_resp":{"status_code":0,"status_msg":""}`
		r.Style = wire.StyleThinkInline
		if b.ReasoningSplit {
			r.Style = wire.StyleReasoningDetails
		}
	case DialectGemini:
		r.Style = wire.StyleThoughtInline
		if !b.ExtraBody.Google.ThinkingConfig.IncludeThoughts {
			r.Reasoning = ""
		}
	case DialectOpenRouter:
		if s.opt.Style == "" {
			r.Style = wire.StyleReasoning
		}
	case DialectMistral:
		// Reasoning comes back as a thinking block, and only when asked for
		// (reasoning_effort other than none) or from a Magistral model.
		r.Style = wire.StyleContentBlocks
		if (b.ReasoningEffort == "" || b.ReasoningEffort == "none") && !strings.HasPrefix(r.Model, "magistral") {
			r.Reasoning = ""
			r.Usage.Completion -= r.Usage.Reasoning
			r.Usage.Reasoning = 0
		}
	}
}

// pacer writes and flushes each event when events are paced; otherwise the
// stream is written in one go.
func (s *Server) pacer(w http.ResponseWriter) func([]byte) []byte {
	if s.opt.ChunkDelay <= 0 {
		return nil
	}
	fl, _ := w.(http.Flusher)
	return func(b []byte) []byte {
		w.Write(b)
		if fl != nil {
			fl.Flush()
		}
		time.Sleep(s.opt.ChunkDelay)
		return b[:0]
	}
}

func (s *Server) reply(req ChatRequest) *wire.Reply {
	var rep Reply
	if s.opt.Answer != nil {
		rep = s.opt.Answer(req)
	} else {
		rep = Reply{Reasoning: "Six times seven: 6*7 = 42.", Content: "The answer is \\boxed{42}."}
	}
	model := rep.Model
	if model == "" {
		model = req.Model
	}
	out := &wire.Reply{Model: model, Content: rep.Content, Reasoning: rep.Reasoning, Style: s.opt.Style,
		FinishReason: rep.FinishReason, CacheHitFields: s.opt.CacheHitFields}
	if rep.Usage != nil {
		out.Usage = wire.Usage{Prompt: rep.Usage.PromptTokens, Completion: rep.Usage.CompletionTokens,
			Reasoning: rep.Usage.ReasoningTokens, Cached: rep.Usage.CachedTokens}
	} else {
		prompt := 0
		for _, m := range req.Messages {
			prompt += len(m.Content)
		}
		out.Usage = wire.Usage{Prompt: prompt/4 + 1, Reasoning: len(rep.Reasoning) / 4,
			Completion: (len(rep.Content)+len(rep.Reasoning))/4 + 1}
	}
	return out
}

func (s *Server) fault(w http.ResponseWriter, req ChatRequest, reply *wire.Reply, f Fault, out []byte) []byte {
	h := w.Header()
	for k, v := range f.Header {
		h[k] = v
	}
	flush := func() {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
	}
	switch f.Kind {
	case FaultStatus:
		if f.RetryAfter != "" {
			h.Set("Retry-After", f.RetryAfter)
		}
		body := f.Body
		if body == "" {
			body = OpenAIError(http.StatusText(f.Status), "error", "")
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		w.Write([]byte(body))
	case FaultMalformed:
		if req.Stream {
			h.Set("Content-Type", "text/event-stream")
			out = append(out, "data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"4\n\ndata: [DONE]\n\n"...)
		} else {
			h.Set("Content-Type", "application/json")
			out = wire.AppendCompletion(out, reply)
			out = out[:len(out)/2]
		}
		w.Write(out)
	case FaultDropBeforeHeaders:
		panic(http.ErrAbortHandler)
	case FaultDropAfterHeaders:
		w.WriteHeader(http.StatusOK)
		flush()
		panic(http.ErrAbortHandler)
	case FaultDropMidBody:
		if req.Stream {
			h.Set("Content-Type", "text/event-stream")
			out = wire.AppendStream(out, reply, s.streamOptions(req), nil)
		} else {
			h.Set("Content-Type", "application/json")
			out = wire.AppendCompletion(out, reply)
			h.Set("Content-Length", strconv.Itoa(len(out)))
		}
		w.Write(out[:len(out)/2])
		flush()
		panic(http.ErrAbortHandler)
	case FaultStreamError:
		body := f.Body
		if body == "" {
			body = OpenAIError("The model produced invalid content", "server_error", "")
		}
		h.Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		one := *reply
		one.Content, one.Reasoning = "Partial", ""
		full := wire.AppendStream(out, &one, wire.StreamOptions{}, nil)
		// Keep the role event and the first delta only.
		cut := 0
		for i := 0; i < 2; i++ {
			cut += bytes.Index(full[cut:], []byte("\n\n")) + 2
		}
		out = append(full[:cut], "data: "...)
		out = append(out, body...)
		out = append(out, "\n\n"...)
		w.Write(out)
	}
	return out
}
