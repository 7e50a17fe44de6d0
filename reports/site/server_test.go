package site

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// memSource serves runs held in memory, as results.DB would.
type memSource struct {
	runs    []parity.Run
	samples map[int64][]parity.Sample
	mu      sync.Mutex
	queries []SampleQuery // the sample reads asked for, in order
}

func (m *memSource) asked() []SampleQuery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.queries)
}

func (m *memSource) Leaderboard(context.Context) (*reports.Leaderboard, []parity.Run, error) {
	var in []reports.Input
	for _, r := range m.runs {
		in = append(in, reports.Input{Run: r, Samples: m.samples[r.ID]})
	}
	lb, err := reports.Build(in, reports.Options{Seed: 1})
	return lb, m.runs, err
}

func (m *memSource) Samples(ctx context.Context, id int64, q SampleQuery, fn func(parity.Sample) error) error {
	m.mu.Lock()
	m.queries = append(m.queries, q)
	m.mu.Unlock()
	for _, s := range m.samples[id] {
		if (q.Outcome == "" || s.Score.Outcome == q.Outcome) && (q.ItemID == "" || s.ItemID == q.ItemID) &&
			(len(q.Items) == 0 || slices.Contains(q.Items, s.ItemID)) {
			switch {
			case q.KeysOnly:
				// As results.ScoreFields reads them: no texts.
				s.Completion, s.Messages, s.Gold = parity.Completion{}, nil, ""
			case q.NoTexts:
				// As results.LightFields reads them.
				s.Completion.Content, s.Completion.Reasoning, s.Completion.Raw, s.Messages = "", "", "", nil
			}
			if err := fn(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// hostileSource is two runs of one suite, one of whose answers is markup.
func hostileSource() *memSource {
	a, b := snapRun(1, "cn/model", "gsm8k", 6), snapRun(2, "west/model", "gsm8k", 6)
	b.Model.Origin = "West"
	sb := snapSamples(2, 6, plainAnswers)
	sb[1].Completion.Content = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	return &memSource{runs: []parity.Run{a, b}, samples: map[int64][]parity.Sample{1: snapSamples(1, 6, plainAnswers), 2: sb}}
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

func TestServerPages(t *testing.T) {
	srv := httptest.NewServer(NewServer(hostileSource(), ServerOptions{}))
	defer srv.Close()

	code, index, h := get(t, srv, "/")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Contains(t, index, `<a href="/runs/1">`)
	assert.Contains(t, index, `<a href="/compare/1-2">`, "the parity check links to its comparison")
	assert.Contains(t, index, `<form class="search" method="get" action="/search">`)
	assertInert(t, "/", strings.Replace(index, `<form class="search" method="get" action="/search">`, "", 1))

	code, page, _ := get(t, srv, "/runs/2?outcome=wrong")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "item-01")
	assert.Contains(t, page, "item-04")
	assert.NotContains(t, page, "<code>item-00</code>", "only wrong samples")
	assert.Contains(t, page, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`)
	assert.NotContains(t, page, "<script")

	_, found, _ := get(t, srv, "/search?"+url.Values{"q": {"ONERROR"}}.Encode())
	assert.Contains(t, found, "1 sample(s) found in 12 read from 2 run(s)")
	assert.Contains(t, found, `<a href="/item?id=item-01&amp;suite=gsm8k">`)
	_, none, _ := get(t, srv, "/search?"+url.Values{"q": {"onerror"}, "model": {"cn/model"}}.Encode())
	assert.Contains(t, none, "0 sample(s) found in 6 read from 1 run(s)", "the model filter narrows the runs")

	_, item, _ := get(t, srv, "/item?suite=gsm8k&id=item-01")
	assert.Equal(t, 2, strings.Count(item, "<section>"), "one column per model")
	assert.Contains(t, item, "cn/model")
	assert.Contains(t, item, "west/model")

	_, cmpPage, _ := get(t, srv, "/compare/1-2")
	assert.Contains(t, cmpPage, "Items answered differently (0)")

	_, data, _ := get(t, srv, "/runs/1/samples.jsonl")
	assert.Equal(t, 6, strings.Count(data, "\n"))

	for _, path := range []string{"/runs/9", "/runs/x", "/compare/1-9", "/item?suite=gsm8k&id=nope", "/nowhere"} {
		code, _, _ := get(t, srv, path)
		assert.Equal(t, http.StatusNotFound, code, path)
	}
	code, _, _ = get(t, srv, "/runs/1?outcome=bogus")
	assert.Equal(t, http.StatusBadRequest, code)
	resp, err := srv.Client().Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "the server only reads")
}

func TestServerRedactsWithheldRuns(t *testing.T) {
	src := hostileSource()
	srv := httptest.NewServer(NewServer(src, ServerOptions{Redact: func(r parity.Run) bool { return r.ID == 2 }}))
	defer srv.Close()
	_, page, _ := get(t, srv, "/runs/2")
	assert.NotContains(t, page, "The answer is")
	assert.Contains(t, page, "Answer withheld.")
	_, found, _ := get(t, srv, "/search?q=answer+is")
	assert.Contains(t, found, "6 sample(s) found", "withheld texts are not searched")
}

// A run page shows its samples in counting order, a page at a time: the
// keys are read first to find the page, then only the page's samples are
// kept, texts and all.
func TestServerRunPageKeepsOnlyItsSamples(t *testing.T) {
	const n = 25
	run := snapRun(1, "cn/model", "gsm8k", n)
	samples := make([]parity.Sample, n)
	for i := range samples {
		samples[i] = parity.Sample{RunID: 1, ItemID: fmt.Sprintf("q%d", i+1), Gold: "42",
			Completion: parity.Completion{Content: fmt.Sprintf("ANSWER-OF-q%d.", i+1), FinishReason: "stop"},
			Score:      parity.Score{Outcome: parity.OutcomeCorrect, Extracted: "42"}}
	}
	// The store's order: text order of the ids (q1, q10, q11, ..., q2, ...).
	slices.SortFunc(samples, func(a, b parity.Sample) int { return strings.Compare(a.ItemID, b.ItemID) })
	src := &memSource{runs: []parity.Run{run}, samples: map[int64][]parity.Sample{1: samples}}
	srv := httptest.NewServer(NewServer(src, ServerOptions{PageSize: 10}))
	defer srv.Close()

	code, page, _ := get(t, srv, "/runs/1?page=2")
	require.Equal(t, http.StatusOK, code)
	var shown []string
	for _, m := range regexp.MustCompile(`ANSWER-OF-(q\d+)`).FindAllStringSubmatch(page, -1) {
		shown = append(shown, m[1])
	}
	assert.Equal(t, []string{"q11", "q12", "q13", "q14", "q15", "q16", "q17", "q18", "q19", "q20"}, shown)
	assert.Contains(t, page, `id="s11"`, "samples are numbered across pages")
	var reads []SampleQuery
	for _, q := range src.asked() {
		if q.ItemID == "" {
			reads = append(reads, q)
		}
	}
	require.GreaterOrEqual(t, len(reads), 2)
	assert.True(t, reads[len(reads)-2].KeysOnly, "the keys are read first, without texts")
	assert.False(t, reads[len(reads)-1].KeysOnly)
	assert.Equal(t, shown, reads[len(reads)-1].Items, "then the page's items alone")

	_, last, _ := get(t, srv, "/runs/1?page=9")
	assert.Contains(t, last, "ANSWER-OF-q25", "a page past the end shows the last")
	assert.NotContains(t, last, "ANSWER-OF-q20")
}
