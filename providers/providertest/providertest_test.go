package providertest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
)

func post(t testing.TB, s *providertest.Server, body string) (*http.Response, []byte, error) {
	resp, err := http.Post(s.BaseURL()+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestServerAnswersInWireFormat(t *testing.T) {
	s := providertest.New(t, providertest.Options{Style: providertest.StyleReasoning, CacheHitFields: true})
	resp, body, err := post(t, s, `{"model":"m","messages":[{"role":"user","content":"hello there"}]}`)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	var got struct {
		Model   string
		Choices []struct {
			Message      struct{ Content, Reasoning string }
			FinishReason string `json:"finish_reason"`
		}
		Usage map[string]any
	}
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, "m", got.Model)
	assert.Equal(t, "The answer is \\boxed{42}.", got.Choices[0].Message.Content)
	assert.NotEmpty(t, got.Choices[0].Message.Reasoning)
	assert.Equal(t, "stop", got.Choices[0].FinishReason)
	assert.Contains(t, got.Usage, "prompt_cache_hit_tokens")

	resp, body, err = post(t, s, `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}`)
	require.NoError(t, err)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var events []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") {
			events = append(events, strings.TrimPrefix(line, "data: "))
		}
	}
	require.GreaterOrEqual(t, len(events), 4)
	assert.Equal(t, "[DONE]", events[len(events)-1])
	assert.Contains(t, events[len(events)-2], `"usage":{"prompt_tokens"`)
	for _, e := range events[:len(events)-1] {
		assert.True(t, json.Valid([]byte(e)), e)
	}

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 1, reqs[0].N)
	assert.Equal(t, "hello there", reqs[0].Messages[0].Content)
	assert.True(t, reqs[1].Stream)
	assert.True(t, reqs[1].IncludeUsage)
	assert.Equal(t, "/v1/chat/completions", reqs[0].Path)
	assert.Equal(t, "m", reqs[1].JSON()["model"])
}

func TestServerFaultsInOrder(t *testing.T) {
	s := providertest.New(t, providertest.Options{Faults: []providertest.Fault{
		providertest.RateLimited("3"),
		providertest.DeepSeekNoBalance,
		providertest.Malformed(),
		providertest.DropBeforeHeaders(),
		providertest.DropMidBody(),
	}})
	resp, body, err := post(t, s, `{"model":"m"}`)
	require.NoError(t, err)
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	assert.Contains(t, string(body), `"error"`)

	resp, body, err = post(t, s, `{"model":"m"}`)
	require.NoError(t, err)
	assert.Equal(t, 402, resp.StatusCode)
	assert.Contains(t, string(body), "Insufficient Balance")

	resp, body, err = post(t, s, `{"model":"m"}`)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.False(t, json.Valid(body))

	_, _, err = post(t, s, `{"model":"m"}`)
	assert.Error(t, err, "connection dropped before headers")

	_, _, err = post(t, s, `{"model":"m"}`)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "connection dropped mid body")

	resp, _, err = post(t, s, `{"model":"m"}`)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode, "queue exhausted: normal answers again")
	assert.Equal(t, 6, s.Count())
}

func TestServerStreamErrorAndInFlight(t *testing.T) {
	s := providertest.New(t, providertest.Options{Latency: 30 * time.Millisecond, FaultFunc: func(r providertest.ChatRequest) *providertest.Fault {
		if r.Model == "bad" {
			f := providertest.StreamError("")
			return &f
		}
		return nil
	}})
	_, body, err := post(t, s, `{"model":"bad","stream":true}`)
	require.NoError(t, err)
	assert.Contains(t, string(body), `data: {"error":`)
	assert.NotContains(t, string(body), "[DONE]")

	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := post(t, s, `{"model":"m"}`)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.GreaterOrEqual(t, s.MaxInFlight(), 2)
	assert.LessOrEqual(t, s.MaxInFlight(), 4)
}

// BenchmarkServer measures the fake server alone, so a runner benchmark
// can tell its own cost from the server's.
func BenchmarkServer(b *testing.B) {
	s := providertest.New(b, providertest.Options{NoRecord: true})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	hc := &http.Client{Transport: tr}
	body := []byte(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is 6*7?"}]}`)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(s.BaseURL()+"/chat/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
