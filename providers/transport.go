package providers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// The sender. Each attempt posts the plan's body as is, through the
// limiter, and reads the whole answer (the whole event stream when
// streaming) before deciding whether it succeeded, so that every transient
// failure, a stream cut off halfway included, is retried here and nowhere
// else.

// send makes the attempts of st until one succeeds, one fails for good, or
// ctx ends.
func (c *Client) send(ctx context.Context, st *call) (result, error) {
	opt := &c.opt
	prev := opt.BaseWait
	for attempt := 1; ; attempt++ {
		tk, err := c.lim.acquire(ctx, st)
		if err != nil {
			return result{}, ctxError(ctx, st.provider.Name+"/"+st.model)
		}
		st.attempts = attempt
		st.baseURL = tk.baseURL
		st.charged += tk.charged
		res, f := c.once(ctx, st)
		if f != nil && ctx.Err() != nil {
			// Cut short by the caller or the deadline: it says nothing
			// about the provider's limits or the replica's health.
			tk.release(outcomeOther)
			return result{}, ctxError(ctx, st.provider.Name+"/"+st.model)
		}
		tk.release(outcomeOf(f))
		if f == nil {
			return res, nil
		}
		if !f.retry || attempt >= opt.MaxAttempts {
			return result{}, finalError(f, attempt)
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
			return result{}, finalError(f, attempt)
		}
		if err := opt.Sleep(ctx, wait); err != nil {
			return result{}, ctxError(ctx, st.provider.Name+"/"+st.model)
		}
	}
}

func finalError(f *failure, attempts int) error {
	if f.retry && attempts > 1 {
		f.err.Message += " (after " + strconv.Itoa(attempts) + " attempts)"
	}
	return f.err
}

// once makes one attempt at the current replica.
func (c *Client) once(ctx context.Context, st *call) (result, *failure) {
	opt := &c.opt
	st.raw, st.ttft = nil, 0
	sent := opt.Now()
	var resp *http.Response
	if st.provider.Transport == "mock" {
		resp = serveMock(st.body, opt.Answers, st.ref)
	} else {
		var f *failure
		if resp, f = c.post(ctx, st); f != nil {
			return result{}, f
		}
	}
	defer resp.Body.Close()
	// One byte past the cap tells an answer that fits from one that does not.
	limited := io.LimitReader(resp.Body, opt.MaxResponseBytes+1)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(limited, 1<<20))
		st.raw = b
		f := classifyHTTP(st.provider, st.model, resp.StatusCode, resp.Header, redact(b, st.key), opt.Now())
		return result{}, &f
	}
	if st.stream && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return c.readSSE(limited, st, sent)
	}
	// A whole JSON body. Some APIs (MiniMax) answer a streamed request that
	// failed with one JSON body and a 200 status, which readJSON reports;
	// some local servers ignore "stream" and send the whole completion,
	// which is a good answer.
	res, f := c.readJSON(limited, resp.ContentLength, st)
	if f == nil && st.stream {
		st.ttft = opt.Now().Sub(sent)
	}
	return res, f
}

// post sends the plan's body to the current replica.
func (c *Client) post(ctx context.Context, st *call) (*http.Response, *failure) {
	ep := c.chatEndpoint(st.baseURL)
	err := ep.err
	var req *http.Request
	if err == nil {
		// Built from the parsed endpoint, a copy of it per request since
		// the transport may change it, rather than parsed again from text.
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, "", bytes.NewReader(st.body))
	}
	if err != nil {
		return nil, &failure{err: parity.Errorf(parity.ErrConfig, "%s: base URL %q: %v", st.provider.Name, ShownURL(st.baseURL), err)}
	}
	u := *ep.u
	req.URL, req.Host = &u, strings.TrimSuffix(u.Host, ":")
	req.Header.Set("Content-Type", "application/json")
	if st.stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if st.key != "" {
		req.Header.Set("Authorization", "Bearer "+st.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &failure{err: ctxError(ctx, st.provider.Name+"/"+st.model)}
		}
		return nil, dropped(st, err)
	}
	return resp, nil
}

// tooLarge is the failure of an answer longer than Options.MaxResponseBytes.
// It is not retried: asking again would bring the same answer back.
func (c *Client) tooLarge(st *call) *failure {
	// Scrubbed before it is cut, which could leave part of a key.
	st.raw = redact(st.raw, st.key)
	st.raw = st.raw[:min(len(st.raw), 4<<10)]
	return &failure{err: &parity.Error{Code: parity.ErrBadResponse, Message: fmt.Sprintf(
		"%s: the answer is larger than %s and was not read: raise --max-response-bytes to accept it, or lower max tokens",
		st.provider.Name, byteSize(c.opt.MaxResponseBytes))}}
}

// byteSize writes n bytes in the largest binary unit that divides it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func dropped(st *call, err error) *failure {
	// net/http quotes the URL it posted to, query string and all.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: ShownURL(ue.URL), Err: ue.Err}
	}
	f := classifyNetwork(st.provider, ShownURL(st.baseURL), err)
	return &f
}

// readJSON reads a whole JSON answer and decodes it, once.
// size is the announced Content-Length, -1 when unknown.
func (c *Client) readJSON(r io.Reader, size int64, st *call) (result, *failure) {
	// Read straight into the raw response, which is kept: no second copy,
	// and when the length is announced, no growing either.
	var err error
	if size >= 0 && size <= c.opt.MaxResponseBytes {
		st.raw = make([]byte, size)
		var n int
		n, err = io.ReadFull(r, st.raw)
		st.raw = st.raw[:n] // a dropped connection leaves the rest unread
	} else {
		var buf bytes.Buffer
		_, err = buf.ReadFrom(r)
		st.raw = buf.Bytes()
	}
	if int64(len(st.raw)) > c.opt.MaxResponseBytes {
		return result{}, c.tooLarge(st)
	}
	if err != nil {
		return result{}, dropped(st, err)
	}
	var a answerJSON
	if err := json.Unmarshal(st.raw, &a); err != nil {
		return result{}, &failure{retry: true, err: badResponse(st, "response is not valid JSON")}
	}
	if a.failed(true) {
		f := classifyHTTP(st.provider, st.model, 0, nil, redact(st.raw, st.key), c.opt.Now())
		return result{}, &f
	}
	if len(a.Choices) == 0 {
		return result{}, &failure{err: badResponse(st, "response has no choices")}
	}
	return a.whole(st.provider.blockMapping()), nil
}

var (
	dataPrefix = []byte("data:")
	doneMarker = []byte("[DONE]")
)

// readSSE reads a whole event stream, decoding each data event once as it
// arrives (SSE comments such as ": keep-alive" are dropped), and notes the
// time of the first content or reasoning text. A stream that ends before
// [DONE] and before any finish_reason was cut off, and is retried like a
// dropped connection; an error event becomes the attempt's failure. The
// data events are kept, one per line pair, as the raw response.
func (c *Client) readSSE(r io.Reader, st *call, sent time.Time) (result, *failure) {
	opt := &c.opt
	in := bufio.NewReaderSize(r, 16<<10)
	raw := rawEvents{key: st.key}
	ev := events{blocks: st.provider.blockMapping()}
	// keep sets the raw response, whole or as far as it came. A key the
	// answer quoted may have come in pieces, one per event, that no
	// replacement finds in the raw events but a reader could join.
	keep := func(res result) {
		st.raw = raw.bytes()
		if res.quotes(st.key) {
			st.raw = []byte(rawWithheld)
		}
	}
	var (
		done, finished bool
		gotToken       bool
		readErr        error
		read           int64
	)
	for !done {
		line, err := in.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// An event longer than the buffer: gather the rest of its line.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) && int64(len(long)) <= opt.MaxResponseBytes {
				line, err = in.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		read += int64(len(line))
		if read > opt.MaxResponseBytes {
			keep(ev.result())
			return result{}, c.tooLarge(st)
		}
		if err != nil && len(line) == 0 {
			readErr = err
			break
		}
		line = bytes.TrimRight(line, "\r\n")
		if payload, ok := bytes.CutPrefix(line, dataPrefix); ok {
			payload = bytes.TrimSpace(payload)
			switch {
			case bytes.Equal(payload, doneMarker):
				done = true
			case len(payload) > 0:
				raw.add(payload)
				var a answerJSON
				if json.Unmarshal(payload, &a) != nil {
					keep(ev.result())
					return result{}, &failure{retry: true, err: badResponse(st, "stream event is not valid JSON")}
				}
				if a.failed(false) {
					keep(ev.result())
					f := classifyHTTP(st.provider, st.model, 0, nil, redact(payload, st.key), opt.Now())
					return result{}, &f
				}
				ev.add(&a)
				finished = finished || ev.r.finish != ""
				if !gotToken && a.hasText() {
					gotToken = true
					st.ttft = opt.Now().Sub(sent)
				}
			}
		}
		if err != nil {
			readErr = err
			break
		}
	}
	if !done && (!finished || !errors.Is(readErr, io.EOF)) {
		keep(ev.result())
		if readErr == nil || errors.Is(readErr, io.EOF) {
			readErr = io.ErrUnexpectedEOF
		}
		return result{}, dropped(st, readErr)
	}
	raw.add(doneMarker)
	res := ev.result()
	keep(res)
	return res, nil
}

// rawEvents keeps a stream's data events for the raw response, each
// scrubbed of the key as it arrives: all of them while they are short; once
// they are not, the first and the last rawEnd bytes, so that a long answer
// is never held twice while it streams in.
type rawEvents struct {
	key   string
	head  []byte   // the first rawEnd bytes
	tail  [][]byte // the latest events after the head, about rawEnd bytes
	tailN int      // bytes in tail
	total int      // bytes of every event
}

func (r *rawEvents) add(payload []byte) {
	const framing = len("data: \n\n")
	if len(r.head)+len(payload)+framing <= rawEnd && redactFree(payload, r.key) {
		// The usual case: a short event that needs no scrubbing goes
		// straight into the head.
		r.head = append(append(append(r.head, "data: "...), payload...), '\n', '\n')
		r.total += len(payload) + framing
		return
	}
	ev := make([]byte, 0, len(payload)+framing)
	ev = append(append(append(ev, "data: "...), payload...), '\n', '\n')
	ev = redact(ev, r.key)
	r.total += len(ev)
	if n := min(len(ev), rawEnd-len(r.head)); n > 0 {
		r.head = append(r.head, ev[:n]...)
		ev = ev[n:]
	}
	if len(ev) == 0 {
		return
	}
	r.tail = append(r.tail, ev)
	r.tailN += len(ev)
	for len(r.tail) > 1 && r.tailN-len(r.tail[0]) >= rawEnd {
		r.tailN -= len(r.tail[0])
		r.tail[0] = nil
		r.tail = r.tail[1:]
	}
}

// bytes is the raw response as kept.
func (r *rawEvents) bytes() []byte {
	tail := bytes.Join(r.tail, nil)
	if r.total == len(r.head)+len(tail) && r.total <= rawKeep {
		return append(r.head, tail...)
	}
	return []byte(cutRaw(r.head, tail[max(0, len(tail)-rawEnd):], r.total))
}

// hasText reports whether any choice of an event carries text.
func (a *answerJSON) hasText() bool {
	for i := range a.Choices {
		if a.Choices[i].Delta.hasText() || a.Choices[i].Message.hasText() {
			return true
		}
	}
	return false
}
