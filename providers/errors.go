package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parity-bench/parity"
)

// codeHints is the default advice per error code; %s is replaced by what
// the provider calls out (key variable, account name).
var codeHints = map[parity.ErrorCode]string{
	parity.ErrCredentials:    "check %s",
	parity.ErrBalance:        "top up the %s account or use another key",
	parity.ErrInvalidRequest: "check the generation parameters and any extra body fields",
	parity.ErrNotFound:       "check the model name against the %s model list",
	parity.ErrContentFilter:  "the prompt or answer was refused by moderation; the sample counts as refused",
	parity.ErrRateLimit:      "lower --concurrency or the provider's rpm, or wait and resume",
	parity.ErrServer:         "the provider is failing; try again later and resume",
	parity.ErrNetwork:        "check the network or that the server is running",
	parity.ErrTimeout:        "raise the request timeout or lower max tokens",
	parity.ErrBadResponse:    "the API answered something that is not OpenAI-compatible; check base_url",
}

func knownCodes() string {
	var names []string
	for c := range codeHints {
		names = append(names, string(c))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// retryableCode reports whether a failure of this kind may pass if asked again.
func retryableCode(c parity.ErrorCode) bool {
	switch c {
	case parity.ErrRateLimit, parity.ErrServer, parity.ErrNetwork, parity.ErrTimeout, parity.ErrBadResponse:
		return true
	}
	return false
}

// failure is one failed attempt: the error to report if it is the last, and
// whether and when to try again.
type failure struct {
	err        *parity.Error
	retry      bool
	retryAfter time.Duration // 0: use backoff
}

// apiError is the error object as OpenAI-compatible APIs send it. code may be
// a string or a number, so it is kept raw.
type apiError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
	// Status is Google's status name ("RESOURCE_EXHAUSTED").
	Status string `json:"status"`
}

// baseResp is MiniMax's status envelope, sent with HTTP 200 even when the
// request failed: status_code 0 means success.
type baseResp struct {
	StatusCode int    `json:"status_code"`
	StatusMsg  string `json:"status_msg"`
}

func (e apiError) code() string {
	s := strings.TrimSpace(string(e.Code))
	if s == "" || s == "null" {
		return ""
	}
	var str string
	if json.Unmarshal(e.Code, &str) == nil {
		return str
	}
	return s
}

// errorObject reads an {"error":{...}} object in go-openai's shape, which
// also takes a message sent as a list of strings and Azure's inner error
// code (its content filter), then adds Google's status name, which that
// shape leaves out. It fails when the object has no message.
func errorObject(e []byte) (apiError, bool) {
	var oe openai.APIError
	if json.Unmarshal(e, &oe) != nil {
		return apiError{}, false
	}
	out := apiError{Message: oe.Message, Type: oe.Type}
	if oe.Code != nil {
		out.Code, _ = json.Marshal(oe.Code) // a number or a string: cannot fail
	}
	if oe.InnerError != nil && oe.InnerError.Code != "" {
		out.Type = strings.TrimSpace(out.Type + " " + oe.InnerError.Code)
	}
	var google struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(e, &google) == nil {
		out.Status = google.Status
	}
	return out, true
}

// parseAPIError reads the error of a body in any of the shapes seen in the
// wild: {"error":{...}} (OpenAI, DeepSeek, vLLM, Ark, Zhipu, OpenRouter),
// {"error":"text"}, {"code":..,"message":..} (DashScope native),
// {"base_resp":{"status_code":..}} (MiniMax), {"detail":..}, and any of
// these wrapped in a JSON array (Gemini's OpenAI-compatible endpoint).
func parseAPIError(body []byte) (apiError, bool) {
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(b, &list) != nil || len(list) == 0 {
			return apiError{}, false
		}
		return parseAPIError(list[0])
	}
	var env struct {
		Error    json.RawMessage `json:"error"`
		Message  string          `json:"message"`
		Code     json.RawMessage `json:"code"`
		Detail   json.RawMessage `json:"detail"`
		BaseResp *baseResp       `json:"base_resp"`
	}
	if json.Unmarshal(body, &env) != nil {
		return apiError{}, false
	}
	if br := env.BaseResp; br != nil && br.StatusCode != 0 {
		return apiError{Message: br.StatusMsg, Code: json.RawMessage(strconv.Itoa(br.StatusCode))}, true
	}
	if e := bytes.TrimSpace(env.Error); len(e) > 0 && string(e) != "null" {
		if obj, ok := errorObject(e); ok {
			return obj, true
		}
		var obj apiError
		if json.Unmarshal(e, &obj) == nil {
			return obj, true
		}
		var s string
		if json.Unmarshal(e, &s) == nil {
			return apiError{Message: s}, true
		}
	}
	if env.Message != "" {
		return apiError{Message: env.Message, Code: env.Code}, true
	}
	if len(env.Detail) > 0 {
		var s string
		if json.Unmarshal(env.Detail, &s) != nil {
			s = string(env.Detail)
		}
		return apiError{Message: s}, true
	}
	return apiError{}, false
}

// moderationWords mark an error as a moderation refusal;
// ResponsibleAIPolicyViolation is Azure OpenAI's inner error code for it.
var moderationWords = []string{"content_filter", "content filter", "content_policy", "moderation", "data_inspection_failed", "sensitive content", "flagged",
	"responsibleaipolicyviolation"}

// classifyHTTP turns an error response (or an error object sent inside a
// 200 stream, status 0) into a failure. Provider rules come first, then
// moderation wording, then the status.
func classifyHTTP(p *Provider, model string, status int, header http.Header, body []byte, now time.Time) failure {
	ae, parsed := parseAPIError(body)
	apiMsg := ae.Message
	if !parsed {
		apiMsg = string(bytes.TrimSpace(body))
	}
	if status == 0 {
		if n, err := strconv.Atoi(ae.code()); err == nil && n >= 400 && n < 600 {
			status = n
		}
	}
	hay := strings.ToLower(ae.code() + " " + ae.Type + " " + ae.Status + " " + apiMsg)
	code, hint := parity.ErrorCode(""), ""
	for _, r := range p.Errors {
		if r.matches(status, ae.code(), hay) {
			code, hint = r.Code, r.Hint
			break
		}
	}
	if code == "" {
		for _, w := range moderationWords {
			if strings.Contains(hay, w) && status != http.StatusTooManyRequests && status < 500 {
				code = parity.ErrContentFilter
				break
			}
		}
	}
	what := ""
	if code == "" {
		switch {
		case status == http.StatusUnauthorized:
			code, what = parity.ErrCredentials, "API key rejected"
		case status == http.StatusPaymentRequired:
			code, what = parity.ErrBalance, "insufficient balance"
		case status == http.StatusForbidden:
			code, what = parity.ErrCredentials, "access denied"
			hint = fmt.Sprintf("the key may lack access to %s or to this region; check %s", model, keyName(p))
		case status == http.StatusNotFound:
			code, what = parity.ErrNotFound, fmt.Sprintf("model %q or endpoint not found", model)
		case status == http.StatusRequestTimeout:
			code, what = parity.ErrTimeout, "request timed out"
		case status == http.StatusTooManyRequests:
			code, what = parity.ErrRateLimit, "rate limited"
		case status == 0 || status >= 500:
			code, what = parity.ErrServer, "server error"
		default:
			code, what = parity.ErrInvalidRequest, "request rejected"
		}
	}
	if what == "" {
		what = map[parity.ErrorCode]string{
			parity.ErrCredentials: "API key or access rejected", parity.ErrBalance: "insufficient balance or quota",
			parity.ErrContentFilter: "refused by content moderation", parity.ErrRateLimit: "rate limited",
			parity.ErrServer: "server error", parity.ErrNotFound: "not found", parity.ErrTimeout: "timed out",
			parity.ErrInvalidRequest: "request rejected", parity.ErrNetwork: "network failure",
			parity.ErrBadResponse: "unreadable response",
		}[code]
	}
	if hint == "" {
		hint = adviceFor(p, code)
	}
	msg := p.Name + ": " + what
	if status > 0 {
		msg += " (" + strconv.Itoa(status) + ")"
	}
	msg += ": " + hint
	if apiMsg != "" {
		msg += "; API said: " + oneLine(apiMsg, 200)
	}
	f := failure{err: &parity.Error{Code: code, Message: msg}, retry: retryableCode(code)}
	if code == parity.ErrBadResponse {
		f.retry = true
	}
	if f.retry {
		f.retryAfter = retryAfter(header, now)
	}
	return f
}

// matches applies the rule's conditions; hay is the lowercased code, type,
// status and message of the error.
func (r ErrorRule) matches(status int, apiCode, hay string) bool {
	if r.Status != 0 && r.Status != status {
		return false
	}
	if r.APICode != "" && !strings.EqualFold(r.APICode, apiCode) {
		return false
	}
	return r.Match == "" || strings.Contains(hay, strings.ToLower(r.Match))
}

func keyName(p *Provider) string {
	if p.KeyEnv != "" {
		return p.KeyEnv
	}
	return "the API key"
}

func adviceFor(p *Provider, code parity.ErrorCode) string {
	h := codeHints[code]
	if !strings.Contains(h, "%s") {
		return h
	}
	if code == parity.ErrCredentials {
		return fmt.Sprintf(h, keyName(p))
	}
	return fmt.Sprintf(h, p.Name)
}

// oneLine collapses whitespace and cuts s to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// retryAfter reads how long the server asked to wait: retry-after-ms
// (OpenAI), then Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return durationOf(ms, time.Millisecond)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return durationOf(s, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// durationOf converts n units to a Duration: 0 for NaN or n <= 0, and the
// longest Duration for values beyond it (a float conversion would overflow
// to a negative wait). The caller caps the result.
func durationOf(n float64, unit time.Duration) time.Duration {
	switch d := n * float64(unit); {
	case !(d > 0):
		return 0
	case d >= math.MaxInt64:
		return math.MaxInt64
	default:
		return time.Duration(d)
	}
}

// classifyNetwork turns a transport error into a retryable failure.
func classifyNetwork(p *Provider, baseURL string, err error) failure {
	code := parity.ErrNetwork
	what := "connection failed talking to " + baseURL
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		code, what = parity.ErrTimeout, "no response in time from "+baseURL
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		what = "connection dropped by " + baseURL
	}
	hint := codeHints[code]
	if p.Origin == "local" {
		hint = "is the local server running at " + baseURL + "?"
	}
	return failure{
		err:   &parity.Error{Code: code, Message: p.Name + ": " + what + ": " + hint, Err: err},
		retry: true,
	}
}
