package results

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/require"
)

// t0 has nanoseconds so that lossy time storage would show.
var t0 = time.Date(2025, 6, 1, 12, 30, 45, 123456789, time.UTC)

func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "results.db")
	db, err := Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db, path
}

func ptr[T any](v T) *T { return &v }

// fullRun sets every field of a Run to a non-zero value.
func fullRun(model, suite string) *parity.Run {
	r := &parity.Run{
		Status:        parity.RunComplete,
		Model:         parity.Model{ID: model, Provider: strings.Split(model, "/")[0], Name: strings.SplitN(model, "/", 2)[1], Origin: "CN"},
		ModelReported: model + "-0528",
		BaseURL:       "https://api.example.com/v1",
		Suite: parity.SuiteInfo{Name: suite, Version: "2", Language: "zh", License: "CC BY-NC-SA 4.0",
			Description: "grade-school maths", NonCommercial: true, Items: 1319, DataSHA256: "abc123",
			PromptHash: "def456", Scorer: "number", ScorerVersion: "3", Kind: "number"},
		Params: parity.Params{MaxTokens: 8192, Temperature: ptr(0.6), TopP: ptr(0.95), Seed: ptr(7), Stream: true,
			Thinking: "on", Effort: "high", ThinkingBudget: 4096},
		Samples:       4,
		Limit:         100,
		Seed:          42,
		Subject:       "algebra",
		Items:         100,
		ParityVersion: "0.1.0",
		GitRevision:   "b24b691",
		StartedAt:     t0,
		FinishedAt:    t0.Add(90 * time.Minute),
		Price:         &parity.Price{Input: 0.55, CachedInput: 0.14, Output: 2.19, Currency: "USD", AsOf: "2025-05-30", Source: "https://example.com/pricing"},
		Warnings:      []string{"temperature ignored"},
		Note:          "interrupted",
	}
	r.Fingerprint = parity.RunFingerprint(*r)
	return r
}

// fullSample sets every field of a Sample to a non-zero value.
func fullSample(runID int64, item string, idx int, o parity.Outcome) parity.Sample {
	return parity.Sample{
		RunID: runID, ItemID: item, Index: idx,
		Messages: []parity.Message{{Role: "system", Content: "Think step by step."}, {Role: "user", Content: "1+1=? 用中文回答"}},
		Gold:     "2",
		Completion: parity.Completion{
			Content: "The answer is 2.", Reasoning: "<think>1+1 is 2</think>", FinishReason: parity.FinishStop,
			ModelReported: "deepseek-reasoner-0528",
			Usage:         parity.Usage{PromptTokens: 30, CompletionTokens: 120, ReasoningTokens: 100, CachedTokens: 16},
			Latency:       1234567891 * time.Nanosecond, TTFT: 98765 * time.Microsecond, Attempts: 2,
			Raw: `{"id":"x","choices":[]}`, Error: "first attempt: 502", ErrorCode: parity.ErrServer,
			Request:  `{"messages":[{"content":"1+1=? 用中文回答","role":"user"}],"model":"deepseek-reasoner","stream":false}`,
			Warnings: []string{"seed not supported"},
		},
		Score: parity.Score{Outcome: o, Extracted: "2", Scorer: "number", ScorerVersion: "3", Detail: "2 == 2"},
		Judge: &parity.Score{Outcome: parity.OutcomeCorrect, Extracted: "2", Scorer: "judge:gpt", ScorerVersion: "1", Detail: "ok"},
		Cost:  0.000321, StartedAt: t0.Add(time.Second),
	}
}

// smallSample is a sample with only its key, outcome and a raw body of
// rawSize bytes.
func smallSample(runID int64, item string, idx int, o parity.Outcome, rawSize int) parity.Sample {
	return parity.Sample{RunID: runID, ItemID: item, Index: idx, Gold: "2",
		Completion: parity.Completion{Content: "answer 2", Raw: strings.Repeat("r", rawSize)},
		Score:      parity.Score{Outcome: o, Scorer: "number", ScorerVersion: "1"}}
}

func createRun(t testing.TB, db *DB, model, suite string) *parity.Run {
	t.Helper()
	r := fullRun(model, suite)
	require.NoError(t, db.CreateRun(context.Background(), r))
	return r
}

// addItems stores n samples item-000..item-n-1 with the given outcome.
func addItems(t testing.TB, db *DB, runID int64, n int, o parity.Outcome) {
	t.Helper()
	batch := make([]parity.Sample, n)
	for i := range batch {
		batch[i] = smallSample(runID, fmt.Sprintf("item-%03d", i), 0, o, 10)
	}
	require.NoError(t, db.AddSamples(context.Background(), batch))
}

func countSamples(t testing.TB, db *DB, runID int64) int {
	t.Helper()
	c, err := db.Progress(context.Background(), runID)
	require.NoError(t, err)
	return c.Stored
}
