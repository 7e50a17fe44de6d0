package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/runners"
	"github.com/parity-bench/parity/suites/answer"
)

// benchSuite is a synthetic numeric suite of any size, so the benchmark can
// show how throughput and memory behave as the item count grows.
type benchSuite struct{ n int }

func (s benchSuite) Info() parity.SuiteInfo {
	return parity.SuiteInfo{Name: "bench", Version: "1", Language: "en", Items: s.n, Kind: "number",
		Scorer: "parity-answer", ScorerVersion: answer.Version, DataSHA256: strconv.Itoa(s.n)}
}

func (s benchSuite) Items(context.Context) ([]parity.Item, error) {
	items := make([]parity.Item, s.n)
	for i := range items {
		items[i] = parity.Item{ID: fmt.Sprintf("b%07d", i), Question: fmt.Sprintf("What is %d + 1?", i), Answer: strconv.Itoa(i + 1)}
	}
	return items, nil
}

func (s benchSuite) Prompt(it parity.Item) []parity.Message {
	return []parity.Message{{Role: "user", Content: it.Question + " Put the final answer in \\boxed{}."}}
}

func (s benchSuite) Score(it parity.Item, c parity.Completion) parity.Score {
	r := answer.Grade(answer.Number, c.Content, it.Answer, answer.Options{})
	out := parity.OutcomeWrong
	if r.Correct {
		out = parity.OutcomeCorrect
	}
	if o, ok := parity.FinishOutcome(c, r.Found); ok {
		out = o
	}
	return parity.Score{Outcome: out, Extracted: r.Extracted, Scorer: "parity-answer", ScorerVersion: answer.Version}
}

// BenchmarkEndToEnd runs the whole stack (runner, shared client over HTTP,
// scorer, SQLite) against a local OpenAI-compatible server that waits a
// fixed latency per request. With latency L and concurrency C no runner can
// exceed C/L items per second; %limit says how close parity gets.
func BenchmarkEndToEnd(b *testing.B) {
	cases := []struct {
		concurrency int
		latency     time.Duration
		items       int
	}{
		{64, 100 * time.Millisecond, 64 * 50},
		{256, 100 * time.Millisecond, 256 * 50},
		{64, 0, 5000},
		{256, 0, 5000},
		{64, 0, 20000},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("c=%d/latency=%s/items=%d", tc.concurrency, tc.latency, tc.items)
		b.Run(name, func(b *testing.B) {
			srv := providertest.New(b, providertest.Options{Latency: tc.latency, NoRecord: true,
				Answer: func(req providertest.ChatRequest) providertest.Reply {
					return providertest.Reply{Content: "The answer is \\boxed{7}."}
				}})
			cat, err := providers.Builtin()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cat.AddEndpoint("bench", srv.BaseURL(), ""); err != nil {
				b.Fatal(err)
			}
			// As parity run builds it: the idle pool sized to --concurrency.
			client := providers.New(cat, providers.Options{Concurrency: tc.concurrency})
			model, _, err := cat.Resolve("bench/model")
			if err != nil {
				b.Fatal(err)
			}
			var elapsed time.Duration
			var peakHeap uint64
			for i := 0; i < b.N; i++ {
				db, err := results.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
				if err != nil {
					b.Fatal(err)
				}
				r := &runners.Runner{Client: client, Store: db, Concurrency: tc.concurrency}
				stop := sampleHeap(&peakHeap)
				start := time.Now()
				res, err := r.Run(context.Background(), []runners.Job{{Model: model, Suite: benchSuite{tc.items}, Samples: 1}})
				elapsed += time.Since(start)
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if res[0].Done != tc.items {
					b.Fatalf("done %d of %d", res[0].Done, tc.items)
				}
				db.Close()
			}
			rate := float64(tc.items*b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "items/s")
			if tc.latency > 0 {
				limit := float64(tc.concurrency) / tc.latency.Seconds()
				b.ReportMetric(limit, "limit-items/s")
				b.ReportMetric(100*rate/limit, "%limit")
			}
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest live heap seen while a run is going, the
// figure that must stay flat as the number of items grows.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > *peak {
				*peak = ms.HeapAlloc
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// instantClient answers every request at once with a correct, realistic
// completion, so that a run's speed is the runner's, the grader's and
// SQLite's.
type instantClient struct{}

func (instantClient) Complete(ctx context.Context, req parity.Request) (parity.Completion, error) {
	return parity.Completion{
		Content:      "Adding one gives the answer.\n\nThe final answer is $\\boxed{7}$.",
		Reasoning:    "Let me work through this carefully, checking each step twice before committing to an answer.",
		FinishReason: parity.FinishStop, Usage: parity.Usage{PromptTokens: 73, CompletionTokens: 53, ReasoningTokens: 38},
		Raw: strings.Repeat("x", 600), Attempts: 1,
	}, nil
}

// BenchmarkStoreThroughput runs the runner against an instant client and
// the real SQLite store, so the single writer is the bottleneck: it shows
// how many answers per second the group commit keeps, committing whatever
// is queued whenever it is free.
func BenchmarkStoreThroughput(b *testing.B) {
	for _, c := range []int{16, 64} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			const items = 20000
			var elapsed time.Duration
			for range b.N {
				db, err := results.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
				if err != nil {
					b.Fatal(err)
				}
				r := &runners.Runner{Client: instantClient{}, Store: db, Concurrency: c}
				start := time.Now()
				res, err := r.Run(context.Background(), []runners.Job{{Model: parity.Model{ID: "bench/model", Provider: "bench", Name: "model"},
					Suite: benchSuite{items}, Samples: 1}})
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if res[0].Done != items {
					b.Fatalf("done %d of %d", res[0].Done, items)
				}
				db.Close()
			}
			b.ReportMetric(float64(items*b.N)/elapsed.Seconds(), "items/s")
		})
	}
}
