package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parity-bench/parity"
)

// transport is the HTTPDoer go-openai is given. It reads the call state from
// the request context, splices the planned extra fields into go-openai's
// body, sends with retries, and hands go-openai a fully read, validated body
// so that every transient failure, including a stream cut off halfway, is
// retried here and nowhere else.
type transport struct {
	c *Client
}

var (
	bufPool  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	readPool = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}
)

// Do implements openai.HTTPDoer.
func (t *transport) Do(r *http.Request) (*http.Response, error) {
	st := callFrom(r.Context())
	if st == nil {
		return nil, errors.New("providers: request without call state")
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		if body, err = setModel(b, st.model); err != nil {
			return nil, err
		}
		body = splice(body, st.extra)
	}
	hc := t.c.http
	if st.provider.Transport == "mock" {
		hc = t.c.mock
	}
	opt := &t.c.opt
	prev := opt.BaseWait
	for attempt := 1; ; attempt++ {
		tk, err := t.c.lim.acquire(r.Context(), st)
		if err != nil {
			return nil, ctxError(r.Context(), st.provider.Name+"/"+st.model)
		}
		st.attempts = attempt
		st.baseURL = tk.baseURL
		resp, f := t.once(r, hc, body, st)
		if ctx := r.Context(); f != nil && ctx.Err() != nil {
			// Cut short by the caller or the deadline: it says nothing
			// about the provider's limits or the replica's health.
			tk.release(outcomeOther)
			return nil, ctxError(ctx, st.provider.Name+"/"+st.model)
		}
		tk.release(outcomeOf(f))
		if f == nil {
			return resp, nil
		}
		if !f.retry || attempt >= opt.MaxAttempts {
			return nil, finalError(f, attempt)
		}
		if tk.failover(f) {
			// Another replica is healthy: retry there at once rather than
			// wait out a back-off meant for a struggling server.
			continue
		}
		wait := f.retryAfter
		if wait <= 0 {
			// Decorrelated jitter: spread clients apart while still growing.
			hi := 3 * prev
			wait = opt.BaseWait + time.Duration(opt.Rand()*float64(hi-opt.BaseWait))
		}
		// Capped before it seeds the next back-off, so that many attempts
		// cannot grow it past what a Duration holds.
		wait = min(wait, opt.MaxRetryWait)
		if f.retryAfter <= 0 {
			prev = wait
		}
		if opt.Deadline > 0 && opt.Now().Add(wait).Sub(st.start) >= opt.Deadline {
			f.err.Message += "; no time left before the deadline to retry"
			return nil, finalError(f, attempt)
		}
		if err := opt.Sleep(r.Context(), wait); err != nil {
			return nil, ctxError(r.Context(), st.provider.Name+"/"+st.model)
		}
	}
}

func finalError(f *failure, attempts int) error {
	if f.retry && attempts > 1 {
		f.err.Message += " (after " + strconv.Itoa(attempts) + " attempts)"
	}
	return f.err
}

// setModel writes the model name in place of modelPlaceholder, which
// go-openai puts first in the body.
func setModel(body []byte, model string) ([]byte, error) {
	rest, ok := bytes.CutPrefix(body, []byte(`{"model":"`+modelPlaceholder+`"`))
	if !ok {
		return nil, parity.Errorf(parity.ErrInternal, "providers: go-openai wrote an unexpected request body; the model name could not be set")
	}
	name, err := json.Marshal(model)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(body)+len(name))
	out = append(out, `{"model":`...)
	out = append(out, name...)
	return append(out, rest...), nil
}

// splice inserts `"k":v,...` before the closing brace of a JSON object.
func splice(body, extra []byte) []byte {
	if len(extra) == 0 {
		return body
	}
	end := bytes.LastIndexByte(body, '}')
	if end < 0 {
		return body
	}
	out := make([]byte, 0, len(body)+len(extra)+1)
	out = append(out, body[:end]...)
	if bytes.IndexByte(bytes.TrimSpace(body[1:end]), '"') >= 0 {
		out = append(out, ',')
	}
	out = append(out, extra...)
	return append(out, body[end:]...)
}

// once makes one attempt. A nil failure means resp holds the whole body.
func (t *transport) once(r *http.Request, hc *http.Client, body []byte, st *call) (*http.Response, *failure) {
	opt := &t.c.opt
	req := r.Clone(r.Context())
	if st.baseURL != st.urls[0] {
		u, err := url.Parse(chatURL(st.baseURL))
		if err != nil {
			return nil, &failure{err: parity.Errorf(parity.ErrConfig, "%s: base URL %q: %v", st.provider.Name, st.baseURL, err)}
		}
		req.URL, req.Host = u, u.Host
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	sent := opt.Now()
	resp, err := hc.Do(req)
	if err != nil {
		if r.Context().Err() != nil {
			return nil, &failure{err: ctxError(r.Context(), st.provider.Name+"/"+st.model)}
		}
		f := classifyNetwork(st.provider, st.baseURL, err)
		return nil, &f
	}
	defer resp.Body.Close()
	limited := io.LimitReader(resp.Body, opt.MaxResponseBytes)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(limited, 1<<20))
		st.raw = b
		f := classifyHTTP(st.provider, st.model, resp.StatusCode, resp.Header, redact(b, st.key), opt.Now())
		return nil, &f
	}
	var out []byte
	var f *failure
	if st.stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// Some APIs (MiniMax) answer a streamed request that failed with
		// one JSON body and a 200 status, which readJSON reports; some
		// local servers ignore "stream" and send the whole completion,
		// which is a good answer: hand it on as a one-event stream.
		out, f = t.readJSON(limited, st)
		if f == nil {
			st.raw = out
			st.ttft = opt.Now().Sub(sent)
			if out, f = asStream(out, st); f != nil {
				return nil, f
			}
		}
	} else if st.stream {
		out, f = t.readSSE(limited, st, sent)
	} else {
		out, f = t.readJSON(limited, st)
	}
	if f != nil {
		return nil, f
	}
	st.raw = out
	return &http.Response{
		Status: resp.Status, StatusCode: resp.StatusCode, Proto: resp.Proto,
		ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(out)), ContentLength: int64(len(out)), Request: req,
	}, nil
}

// asStream rewrites a whole chat completion as the event stream the
// request asked for: one delta with the message and finish reason, then the
// usage, then [DONE].
func asStream(body []byte, st *call) ([]byte, *failure) {
	var c struct {
		ID      string          `json:"id"`
		Created int64           `json:"created"`
		Model   string          `json:"model"`
		Usage   json.RawMessage `json:"usage"`
		Choices []struct {
			Index        int                        `json:"index"`
			Message      map[string]json.RawMessage `json:"message"`
			FinishReason *string                    `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(body, &c); err != nil || len(c.Choices) == 0 {
		return nil, &failure{retry: true, err: badResponse(st, "a streamed request was answered with a JSON body that is not a chat completion")}
	}
	var out bytes.Buffer
	event := func(v any) {
		b, _ := json.Marshal(v) // maps of raw JSON and strings: cannot fail
		out.WriteString("data: ")
		out.Write(b)
		out.WriteString("\n\n")
	}
	// Only the first choice, as readOnce reads a non-streamed answer: the
	// stream reader joins the deltas of every choice into one answer.
	choices := make([]map[string]any, 0, 1)
	for _, ch := range c.Choices[:1] {
		delta := map[string]json.RawMessage{}
		for k, v := range ch.Message {
			if k != "tool_calls" && k != "function_call" {
				delta[k] = v
			}
		}
		choices = append(choices, map[string]any{"index": ch.Index, "delta": delta, "finish_reason": ch.FinishReason})
	}
	event(map[string]any{"id": c.ID, "object": "chat.completion.chunk", "created": c.Created, "model": c.Model, "choices": choices})
	if len(c.Usage) > 0 && string(c.Usage) != "null" {
		event(map[string]any{"id": c.ID, "object": "chat.completion.chunk", "created": c.Created, "model": c.Model,
			"choices": []any{}, "usage": c.Usage})
	}
	out.WriteString("data: [DONE]\n\n")
	return out.Bytes(), nil
}

func dropped(st *call, err error) *failure {
	f := classifyNetwork(st.provider, st.baseURL, err)
	return &f
}

// readJSON reads a whole non-streamed body and checks it is an answer.
func (t *transport) readJSON(r io.Reader, st *call) ([]byte, *failure) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if _, err := buf.ReadFrom(r); err != nil {
		st.raw = append([]byte(nil), buf.Bytes()...)
		return nil, dropped(st, err)
	}
	out := append([]byte(nil), buf.Bytes()...)
	if !json.Valid(out) {
		st.raw = out
		return nil, &failure{retry: true, err: &parity.Error{Code: parity.ErrBadResponse,
			Message: st.provider.Name + ": response is not valid JSON: " + codeHints[parity.ErrBadResponse]}}
	}
	if bytes.Contains(out, []byte(`"error"`)) || bytes.Contains(out, []byte(`"base_resp"`)) {
		if f := embeddedError(out, st, t.c.opt.Now()); f != nil {
			st.raw = out
			return nil, f
		}
	}
	return out, nil
}

// embeddedError finds an error object sent with a 2xx status.
func embeddedError(b []byte, st *call, now time.Time) *failure {
	var env struct {
		Error    json.RawMessage   `json:"error"`
		Choices  []json.RawMessage `json:"choices"`
		BaseResp *baseResp         `json:"base_resp"`
	}
	if json.Unmarshal(b, &env) != nil {
		return nil
	}
	failed := env.BaseResp != nil && env.BaseResp.StatusCode != 0
	if !failed {
		if len(env.Choices) > 0 {
			return nil
		}
		if e := bytes.TrimSpace(env.Error); len(e) == 0 || string(e) == "null" {
			return nil
		}
	}
	f := classifyHTTP(st.provider, st.model, 0, nil, redact(b, st.key), now)
	return &f
}

var (
	dataPrefix = []byte("data:")
	doneMarker = []byte("[DONE]")
	finishKey  = []byte(`"finish_reason"`)
	errorKey   = []byte(`"error"`)
	// errorPrefix is what go-openai's stream reader calls an error event.
	errorPrefix = []byte(`{"error":`)
)

// readSSE reads a whole event stream, keeping only its data events (SSE
// comments such as ": keep-alive" are dropped), and notes the time of the
// first content or reasoning delta. A stream that ends before [DONE] and
// before any finish_reason was cut off, and is retried like a dropped
// connection; an error event becomes the attempt's failure.
func (t *transport) readSSE(r io.Reader, st *call, sent time.Time) ([]byte, *failure) {
	opt := &t.c.opt
	in := bufPool.Get().(*bytes.Buffer)
	in.Reset()
	defer bufPool.Put(in)
	out := make([]byte, 0, 4096)
	var (
		pos            int
		done, finished bool
		gotToken       bool
		readErr        error
	)
	rp := readPool.Get().(*[]byte)
	defer readPool.Put(rp)
	chunk := *rp
	st.ttft = 0
	for !done {
		n, err := r.Read(chunk)
		in.Write(chunk[:n])
		data := in.Bytes()
		for !done {
			nl := bytes.IndexByte(data[pos:], '\n')
			if nl < 0 {
				break
			}
			line := bytes.TrimRight(data[pos:pos+nl], "\r")
			pos += nl + 1
			if !bytes.HasPrefix(line, dataPrefix) {
				continue // blank separator, comment, event:, id:, retry:
			}
			payload := bytes.TrimSpace(line[len(dataPrefix):])
			if bytes.Equal(payload, doneMarker) {
				done = true
				break
			}
			if len(payload) == 0 {
				continue
			}
			out = append(out, "data: "...)
			if bytes.HasPrefix(payload, errorPrefix) {
				// go-openai takes any event starting with {"error": for an
				// error, even "error":null next to a delta; one space keeps
				// the event the same JSON. Real errors fail just below.
				out = append(out, "{ "...)
				out = append(out, payload[1:]...)
			} else {
				out = append(out, payload...)
			}
			out = append(out, '\n', '\n')
			if !json.Valid(payload) {
				st.raw = out
				return nil, &failure{retry: true, err: &parity.Error{Code: parity.ErrBadResponse,
					Message: st.provider.Name + ": stream event is not valid JSON: " + codeHints[parity.ErrBadResponse]}}
			}
			if bytes.Contains(payload, errorKey) {
				if f := streamError(payload, st, opt.Now()); f != nil {
					st.raw = out
					return nil, f
				}
			}
			if !gotToken || (!finished && bytes.Contains(payload, finishKey)) {
				token, finish := inspectEvent(payload)
				if token && !gotToken {
					gotToken = true
					st.ttft = opt.Now().Sub(sent)
				}
				finished = finished || finish
			}
		}
		if err != nil {
			readErr = err
			break
		}
	}
	if !done && (!finished || !errors.Is(readErr, io.EOF)) {
		st.raw = out
		if readErr == nil || errors.Is(readErr, io.EOF) {
			readErr = io.ErrUnexpectedEOF
		}
		return nil, dropped(st, readErr)
	}
	out = append(out, "data: [DONE]\n\n"...)
	return out, nil
}

func streamError(payload []byte, st *call, now time.Time) *failure {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(payload, &env) != nil {
		return nil
	}
	if e := bytes.TrimSpace(env.Error); len(e) == 0 || string(e) == "null" {
		return nil
	}
	f := classifyHTTP(st.provider, st.model, 0, nil, redact(payload, st.key), now)
	return &f
}

// inspectEvent reports whether a stream event carries content or reasoning
// text, and whether it carries a finish_reason.
func inspectEvent(payload []byte) (token, finish bool) {
	var p chunkJSON // the stream reader's own event shape
	if json.Unmarshal(payload, &p) != nil {
		return false, false
	}
	for _, c := range p.Choices {
		d := c.Delta
		token = token || d.Content != "" || d.ReasoningContent != "" || rawString(d.Reasoning) != "" || detailsText(d.ReasoningDetails) != ""
		finish = finish || (c.FinishReason != nil && *c.FinishReason != "")
	}
	return token, finish
}
