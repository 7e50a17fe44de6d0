package providers_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

// echoKey is a hostile endpoint that writes the Authorization header it was
// sent into every string field of its answer.
func echoKey(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	b, _ := io.ReadAll(r.Body)
	if strings.Contains(string(b), `"stream":true`) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"model\":%q,\"choices\":[{\"delta\":{\"content\":%q,\"reasoning_content\":%q}}]}\n\n", auth, auth, auth)
		fmt.Fprintf(w, "data: {\"model\":%q,\"choices\":[{\"delta\":{},\"finish_reason\":%q}]}\n\ndata: [DONE]\n\n", auth, auth)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"model":%q,"choices":[{"message":{"content":%q,"reasoning_content":%q},"finish_reason":%q}]}`, auth, auth, auth, auth)
}

// TestKeyScrubbedFromEveryResponseString: an endpoint that echoes the key
// into model and finish_reason must not get it into the Completion, which
// is what the database, doctor and reports are fed.
func TestKeyScrubbedFromEveryResponseString(t *testing.T) {
	c, _, _ := rawServer(t, "deepseek", echoKey)
	for _, stream := range []bool{false, true} {
		comp, err := c.Complete(context.Background(), ask("deepseek/deepseek-chat", parity.Params{Stream: stream}))
		require.NoError(t, err)
		fields := map[string]string{"model_reported": comp.ModelReported, "finish_reason": comp.FinishReason,
			"content": comp.Content, "reasoning": comp.Reasoning, "raw": comp.Raw}
		for name, v := range fields {
			assert.NotContains(t, v, testKey, "%s (stream %v)", name, stream)
		}
		assert.Contains(t, comp.ModelReported, "[redacted]", "the echo is still visible as such")
		assert.Contains(t, comp.FinishReason, "[redacted]")
	}
}

// TestBaseURLQueryKept: an API root with a query string (Azure's
// ?api-version=) gets the path appended to its path, not to its query.
func TestBaseURLQueryKept(t *testing.T) {
	type seen struct{ path, query string }
	got := make(chan seen, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.Path, r.URL.RawQuery}
		echoKey(w, r)
	}))
	defer srv.Close()
	cat := builtin(t)
	_, err := cat.AddEndpoint("azure", srv.URL+"/openai/v1/?api-version=2025-01-01", "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{})
	for _, stream := range []bool{false, true} {
		_, err = c.Complete(context.Background(), ask("azure/gpt-4.1", parity.Params{Stream: stream}))
		require.NoError(t, err)
		assert.Equal(t, seen{"/openai/v1/chat/completions", "api-version=2025-01-01"}, <-got)
	}
	pl, err := c.Plan(ask("azure/gpt-4.1", parity.Params{}))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/openai/v1/chat/completions?api-version=2025-01-01", pl.URL)
}

// TestBaseURLPasswordNeverShown: a password or a query value in the base
// URL is used but never appears in the plan's URL (which runs store) or in
// an error message; the API version stays, as it tells how a run was made.
func TestBaseURLPasswordNeverShown(t *testing.T) {
	auth := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, _ := r.BasicAuth()
		auth <- user + ":" + pw
		echoKey(w, r)
	}))
	defer srv.Close()
	cat := builtin(t)
	base := strings.Replace(srv.URL, "http://", "http://alice:s3cret-pw@", 1) + "/v1?api-version=2025-01-01&key=q-secret"
	_, err := cat.AddEndpoint("lab", base, "")
	require.NoError(t, err)
	c := providers.New(cat, providers.Options{MaxAttempts: 1})
	_, err = c.Complete(context.Background(), ask("lab/m", parity.Params{}))
	require.NoError(t, err)
	assert.Equal(t, "alice:s3cret-pw", <-auth, "the password is still used")
	pl, err := c.Plan(ask("lab/m", parity.Params{}))
	require.NoError(t, err)
	assert.NotContains(t, pl.URL, "s3cret-pw")
	assert.Contains(t, pl.URL, "alice@")
	assert.True(t, strings.HasSuffix(pl.URL, "/v1/chat/completions?api-version=2025-01-01&key=REDACTED"),
		"a query value may be a key: only the API version is shown: %s", pl.URL)

	// A server that is gone: the connection error names the address.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, err = cat.AddEndpoint("gone", "http://bob:hunter2-pw@"+addr+"/v1?token=q-secret", "")
	require.NoError(t, err)
	comp, err := c.Complete(context.Background(), ask("gone/m", parity.Params{}))
	require.Error(t, err)
	assert.Equal(t, parity.ErrNetwork, comp.ErrorCode)
	assert.Contains(t, comp.Error, addr)
	assert.NotContains(t, comp.Error, "hunter2-pw")
	assert.NotContains(t, err.Error(), "hunter2-pw")
	assert.NotContains(t, comp.Error, "q-secret", "net/http's error quotes the URL with its query")
	assert.NotContains(t, err.Error(), "q-secret")
}

// TestResponseCap: an answer longer than MaxResponseBytes is not read, is
// not retried (it would come back as long), and fails with a reason that
// names the flag to raise.
func TestResponseCap(t *testing.T) {
	huge := strings.Repeat("x", 64<<10)
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			var n int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n++
				if stream {
					w.Header().Set("Content-Type", "text/event-stream")
					for i := 0; i < 4; i++ {
						fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%q}}]}\n\n", huge)
					}
					fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"model":"m","choices":[{"message":{"content":%q},"finish_reason":"stop"}]}`, huge+huge+huge+huge)
			}))
			defer srv.Close()
			cat := builtin(t)
			_, err := cat.AddEndpoint("vllm", srv.URL+"/v1", "")
			require.NoError(t, err)

			c := providers.New(cat, providers.Options{MaxResponseBytes: 100 << 10})
			comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{Stream: stream}))
			require.Error(t, err)
			assert.Equal(t, parity.ErrBadResponse, comp.ErrorCode)
			assert.Contains(t, comp.Error, "larger than 100 KiB")
			assert.Contains(t, comp.Error, "--max-response-bytes")
			assert.Equal(t, 1, n, "not retried")
			assert.Equal(t, 1, comp.Attempts)
			assert.Empty(t, comp.Content)
			assert.LessOrEqual(t, len(comp.Raw), 4<<10, "only the start of the answer is kept")

			c = providers.New(cat, providers.Options{MaxResponseBytes: 1 << 20})
			comp, err = c.Complete(context.Background(), ask("vllm/m", parity.Params{Stream: stream}))
			require.NoError(t, err, "under the cap it is an answer")
			assert.Len(t, comp.Content, 4*len(huge))
		})
	}
	assert.EqualValues(t, 16<<20, providers.DefaultMaxResponseBytes)
}

// TestLargeAnswerNotStoredTwice: the answer's text is kept whole as its
// content; the raw response keeps its ends (envelope, finish reason,
// usage) but not a second copy of a long text.
func TestLargeAnswerNotStoredTwice(t *testing.T) {
	long := strings.Repeat("步骤 ", 200<<10) // 1.4 MB of multi-byte text
	for _, stream := range []bool{false, true} {
		c, _, _ := rawServer(t, "vllm", func(w http.ResponseWriter, r *http.Request) {
			if stream {
				w.Header().Set("Content-Type", "text/event-stream")
				for rest := long; rest != ""; {
					part := rest[:min(len(rest), 7*2000)] // whole "步骤 " units
					rest = rest[len(part):]
					fmt.Fprintf(w, "data: {\"choices\":[{\"delta\":{\"content\":%q}}]}\n\n", part)
				}
				fmt.Fprint(w, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n\n")
				fmt.Fprint(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}\n\ndata: [DONE]\n\n")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"big-1","model":"m","choices":[{"message":{"content":%q},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":9}}`, long)
		})
		comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{Stream: stream}))
		require.NoError(t, err)
		assert.Equal(t, long, comp.Content, "the text is kept whole once")
		assert.Less(t, len(comp.Raw), len(long)/4, "not a second time in raw")
		assert.True(t, strings.Contains(comp.Raw, "left out"), "a note says what was left out")
		assert.Contains(t, comp.Raw[len(comp.Raw)-300:], `"completion_tokens":9`, "the end of the raw response is kept")
		assert.True(t, strings.ToValidUTF8(comp.Raw, "\uFFFD") == comp.Raw, "cut on character boundaries")
	}

	// A small answer keeps its raw response whole.
	c, _, _ := rawServer(t, "vllm", echoKey)
	comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
	require.NoError(t, err)
	assert.NotContains(t, comp.Raw, "left out")
	assert.Contains(t, comp.Raw, `"finish_reason"`)
}

// TestDoctorShowsTheBodySent: doctor reports the first probe's body byte
// for byte as the endpoint received it, and an endpoint URL without the
// base URL's password.
func TestDoctorShowsTheBodySent(t *testing.T) {
	bodies := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"model":"m","choices":[{"message":{"content":"5"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}`)
	}))
	defer srv.Close()
	cat := builtin(t)
	_, err := cat.AddEndpoint("lab", strings.Replace(srv.URL, "http://", "http://u:doc-secret@", 1)+"/v1?v=2", "")
	require.NoError(t, err)
	rep, err := providers.New(cat, providers.Options{}).Doctor(context.Background(), "lab/m", providers.DoctorOptions{})
	require.NoError(t, err)
	assert.Equal(t, <-bodies, string(rep.Request))
	assert.Equal(t, strings.Replace(srv.URL, "http://", "http://u@", 1)+"/v1/chat/completions?v=REDACTED", rep.URL)
	for _, c := range rep.Checks {
		assert.NotContains(t, c.Detail+c.Advice, "doc-secret")
	}
}

// TestErrorShapes: error objects are read in go-openai's shape, which takes
// a message sent as a list and Azure's inner error code.
func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name, body string
		code       parity.ErrorCode
		said       string
	}{
		{"message list", `{"error":{"message":["max_tokens must be at most 8192","top_p too high"],"type":"invalid_request_error","code":null}}`,
			parity.ErrInvalidRequest, "API said: max_tokens must be at most 8192, top_p too high"},
		{"azure inner error", `{"error":{"message":"The response was filtered.","type":null,"param":"prompt","code":"400","innererror":{"code":"ResponsibleAIPolicyViolation"}}}`,
			parity.ErrContentFilter, "API said: The response was filtered."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, n := rawServer(t, "vllm", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, tt.body)
			})
			comp, err := c.Complete(context.Background(), ask("vllm/m", parity.Params{}))
			require.Error(t, err)
			assert.Equal(t, tt.code, comp.ErrorCode)
			assert.Contains(t, comp.Error, tt.said)
			assert.Equal(t, 1, n())
		})
	}
}
