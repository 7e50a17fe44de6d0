package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// TestMockGoldNeverOnWire: the mock learns the gold answer from its answer
// key; the body it is sent is the plan's, which holds no gold answer.
func TestMockGoldNeverOnWire(t *testing.T) {
	cat, err := Builtin()
	require.NoError(t, err)
	c := New(cat, Options{Answers: func(ref parity.ItemRef) (string, string, bool) {
		return "gold-4711", "number", ref.ItemID == "x"
	}})
	for _, stream := range []bool{false, true} {
		req := parity.Request{Model: "mock/oracle-100", Messages: []parity.Message{{Role: "user", Content: "q"}},
			Params: parity.Params{Stream: stream}, Ref: parity.ItemRef{Suite: "s", ItemID: "x"}}
		comp, err := c.Complete(context.Background(), req)
		require.NoError(t, err)
		assert.Contains(t, comp.Content, `\boxed{gold-4711}`, "the mock read the answer key")
		pl, err := c.Plan(req)
		require.NoError(t, err)
		assert.NotContains(t, string(pl.JSON), "gold-4711")
		assert.NotContains(t, string(pl.JSON), `"x"`, "the item reference is not sent either")
		assert.Contains(t, string(pl.JSON), `"model":"oracle-100"`)
	}
}

func TestSplitThink(t *testing.T) {
	tests := []struct {
		in, content, think string
	}{
		{"<think>\nhmm\n</think>\n\nAnswer: 4", "Answer: 4", "hmm"},
		{"  <think>a</think>b", "b", "a"},
		{"reasoning only</think>\n42", "42", "reasoning only"},
		{"<think>cut off by the token limit", "", "cut off by the token limit"},
		{"plain answer", "plain answer", ""},
		{"x <think>late</think> y", "x <think>late</think> y", ""},
	}
	for _, tt := range tests {
		c, th := splitThink(tt.in)
		assert.Equal(t, tt.content, c, tt.in)
		assert.Equal(t, tt.think, th, tt.in)
	}
}

func TestPickReasoningOrder(t *testing.T) {
	c, r := pickReasoning([]string{"reasoning", "reasoning_content"}, result{content: "ans", reasoningContent: "rc", reasoning: "r"})
	assert.Equal(t, "ans", c)
	assert.Equal(t, "r", r)
	c, r = pickReasoning([]string{"reasoning_content"}, result{content: "<think>t</think>ans", reasoning: "r"})
	assert.Equal(t, "<think>t</think>ans", c, "think tags are left alone when not listed")
	assert.Equal(t, "", r)
	c, r = pickReasoning(nil, result{content: "<think>t</think>ans"})
	assert.Equal(t, "ans", c)
	assert.Equal(t, "t", r)
	c, r = pickReasoning([]string{"reasoning_details", "think"}, result{content: "ans", details: "d"})
	assert.Equal(t, "ans", c)
	assert.Equal(t, "d", r)
	c, r = pickReasoning([]string{"thought"}, result{content: "<thought>g</thought>ans"})
	assert.Equal(t, "ans", c)
	assert.Equal(t, "g", r)
}

// TestGateHalvesOncePerBurst: 429s from requests admitted before the cap
// was lowered say nothing new about the lowered cap, so a burst halves once.
func TestGateHalvesOncePerBurst(t *testing.T) {
	opt := Options{RecoverAfter: 3}
	l := newLimiter(&opt)
	g := l.gate("p", 8)
	var epochs []uint64
	for i := 0; i < 4; i++ {
		e, err := l.enter(context.Background(), g)
		require.NoError(t, err)
		epochs = append(epochs, e)
	}
	for _, e := range epochs {
		l.leave(g, e, outcomeRateLimited)
	}
	assert.Equal(t, 4, g.limit, "four 429s from one burst halve the cap once")
	assert.Zero(t, g.inflight)
	e, _ := l.enter(context.Background(), g)
	l.leave(g, e, outcomeRateLimited)
	assert.Equal(t, 2, g.limit, "a 429 under the new cap halves it again")
}

func TestReplicaPoolPicksLeastInFlight(t *testing.T) {
	p := &replicaPool{urls: []string{"a", "b", "c"}, st: make([]replicaState, 3)}
	now := time.Unix(0, 0)
	assert.Equal(t, []int{0, 1, 2}, []int{p.pick(now), p.pick(now), p.pick(now)}, "ties go round robin")
	p.st[0].inflight, p.st[1].inflight = 0, 5
	p.st[2].downUntil = now.Add(time.Second)
	assert.Equal(t, 0, p.pick(now), "least in flight among the healthy")
	p.st[0].downUntil, p.st[1].downUntil = now.Add(3*time.Second), now.Add(2*time.Second)
	assert.Equal(t, 2, p.pick(now), "all out: the one back soonest")
}

// TestIdlePoolSizedFromConcurrency: Go's default transport keeps 100 idle
// connections in all, so above 100 requests in flight every answer closed
// a connection and the next request opened one.
func TestIdlePoolSizedFromConcurrency(t *testing.T) {
	cat, err := Builtin()
	require.NoError(t, err)
	for _, n := range []int{0, 64, 512} {
		c := New(cat, Options{Concurrency: n})
		tr, ok := c.http.Transport.(*http.Transport)
		require.True(t, ok)
		want := n
		if n == 0 {
			want = 256
		}
		assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, want, "concurrency %d", n)
		assert.GreaterOrEqual(t, tr.MaxIdleConns, want, "concurrency %d", n)
	}
}

// TestModelCapDoesNotBlockOtherModels: a request queued behind its model's
// own cap must not hold a provider slot other models could use.
func TestModelCapDoesNotBlockOtherModels(t *testing.T) {
	hold := make(chan struct{})
	arrived := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), `"model":"slow"`) {
			arrived <- "slow"
			select {
			case <-hold:
			case <-r.Context().Done():
			}
		} else {
			arrived <- "fast"
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"model":"x","choices":[{"message":{"content":"A"},"finish_reason":"stop"}]}`)
	}))
	t.Cleanup(srv.Close)
	defer close(hold)
	cat, err := Builtin()
	require.NoError(t, err)
	require.NoError(t, cat.Merge([]byte("providers:\n  vllm:\n    concurrency: 2\n    models:\n      slow: {concurrency: 1}\n"), "test"))
	_, err = cat.AddEndpoint("vllm", srv.URL+"/v1", "")
	require.NoError(t, err)
	c := New(cat, Options{})
	queued := make(chan string, 8)
	c.lim.queued = func(key string) { queued <- key }
	ask := func(model string) parity.Request {
		return parity.Request{Model: model, Messages: []parity.Message{{Role: "user", Content: "q"}}}
	}
	for i := 0; i < 2; i++ {
		go func() { _, _ = c.Complete(context.Background(), ask("vllm/slow")) }()
	}
	require.Equal(t, "slow", <-arrived)
	require.Equal(t, "vllm/slow", <-queued, "the second slow request queues on its model's cap")
	go func() { _, _ = c.Complete(context.Background(), ask("vllm/fast")) }()
	select {
	case m := <-arrived:
		assert.Equal(t, "fast", m)
	case <-time.After(2 * time.Second):
		t.Fatal("a request for another model waited behind one queued on the slow model's cap")
	}
}

// TestRawEventsKeepBothEnds: a long stream's raw response keeps its first
// and last bytes whole, says how much it left out, never holds the key and
// never cuts a character in two.
func TestRawEventsKeepBothEnds(t *testing.T) {
	const key = "sk-raw-events-key-123"
	r := rawEvents{key: key}
	var all strings.Builder
	for i := 0; i < 20000; i++ {
		ev := fmt.Sprintf(`{"n":%d,"delta":"步骤 %s"}`, i, key)
		r.add([]byte(ev))
		all.WriteString("data: " + strings.ReplaceAll(ev, key, "[redacted]") + "\n\n")
	}
	got := string(r.bytes())
	want := all.String()
	require.Greater(t, len(want), rawKeep)
	assert.LessOrEqual(t, len(got), rawKeep)
	assert.True(t, utf8.ValidString(got))
	assert.NotContains(t, got, key)
	head, rest, ok := strings.Cut(got, "\n[parity: ")
	require.True(t, ok)
	note, tail, ok := strings.Cut(rest, "]\n")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(want, head))
	assert.True(t, strings.HasSuffix(want, tail))
	assert.Contains(t, note, fmt.Sprintf("%d bytes", len(want)-len(head)-len(tail)))

	short := rawEvents{key: key}
	short.add([]byte(`{"a":1}`))
	assert.Equal(t, "data: {\"a\":1}\n\n", string(short.bytes()), "a short stream is kept whole")
}

// TestContentLists reads content sent as a string, null or a list of typed
// blocks, and sorts the blocks by a mapping: text into the answer, thinking
// into the reasoning, other types (images, references) dropped, nesting
// bounded.
func TestContentLists(t *testing.T) {
	deep := `{"type":"text","text":"x"}`
	for i := 0; i < maxBlockDepth+2; i++ {
		deep = `{"type":"thinking","thinking":[` + deep + `]}`
	}
	tests := []struct {
		name, json, content, reasoning string
		mapping                        map[string]string
	}{
		{"string", `"plain"`, "plain", "", nil},
		{"null", `null`, "", "", nil},
		{"mistral answer", `[{"type":"thinking","thinking":[{"type":"text","text":"6*7"},{"type":"reference","reference_ids":[1]},{"type":"text","text":"=42"}]},{"type":"text","text":"42"}]`,
			"42", "6*7=42", nil},
		{"thinking as a string", `[{"type":"thinking","thinking":"hm"},{"type":"text","text":"a"}]`, "a", "hm", nil},
		{"bare strings and images", `["a",{"type":"image_url","image_url":{"url":"http://x"}},{"type":"text","text":"b"}]`, "ab", "", nil},
		{"mapping from the catalog", `[{"type":"reasoning","reasoning":"r"},{"type":"thinking","thinking":"t"},{"type":"output","text":"o"}]`,
			"o", "r", map[string]string{"reasoning": blockReasoning, "output": blockContent}},
		{"nesting cut off", `[` + deep + `,{"type":"text","text":"a"}]`, "a", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c contentJSON
			require.NoError(t, c.UnmarshalJSON([]byte(tt.json)))
			m := tt.mapping
			if m == nil {
				m = defaultContentBlocks
			}
			content, reasoning := c.split(m)
			assert.Equal(t, tt.content, content)
			assert.Equal(t, tt.reasoning, reasoning)
		})
	}
	var c contentJSON
	assert.Error(t, c.UnmarshalJSON([]byte(`42`)), "a number is not content")
	assert.Error(t, c.UnmarshalJSON([]byte(`[1,`)))
}

// TestJSONStringMatchesEncodingJSON: the fast string reader of content
// gives what encoding/json gives, escapes, surrogate pairs and invalid
// UTF-8 included.
func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, raw := range []string{`""`, `"plain"`, `"a\nb\t\"q\"\\"`, `"slash \/ here"`, `"\u00e9\u4e2d"`, `"emoji \ud83d\ude00"`,
		`"lone \ud83d surrogate"`, "\"bad \xff byte\"", `"数学 \u0041"`, `"\b\f\r"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(raw), &want), raw)
		assert.Equal(t, want, jsonString([]byte(raw)), raw)
	}
}
