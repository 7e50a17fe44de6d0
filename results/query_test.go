package results

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunsFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	// ids 1..5
	ds1 := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	qw1 := createRun(t, db, "dashscope/qwen3-max", "gsm8k")
	ds2 := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	ds2.Status = parity.RunPartial
	require.NoError(t, db.UpdateRun(ctx, ds2))
	dsMath := createRun(t, db, "deepseek/deepseek-reasoner", "math500")
	qw2 := createRun(t, db, "dashscope/qwen3-max", "gsm8k")

	ids := func(runs []parity.Run) []int64 {
		var out []int64
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		filter RunFilter
		want   []int64
	}{
		{"all", RunFilter{}, []int64{ds1.ID, qw1.ID, ds2.ID, dsMath.ID, qw2.ID}},
		{"ids", RunFilter{IDs: []int64{qw2.ID, ds1.ID, 99}}, []int64{ds1.ID, qw2.ID}},
		{"model", RunFilter{Model: "deepseek/deepseek-reasoner"}, []int64{ds1.ID, ds2.ID, dsMath.ID}},
		{"suite", RunFilter{Suite: "math500"}, []int64{dsMath.ID}},
		{"status", RunFilter{Status: parity.RunPartial}, []int64{ds2.ID}},
		{"model and suite", RunFilter{Model: "dashscope/qwen3-max", Suite: "gsm8k"}, []int64{qw1.ID, qw2.ID}},
		{"latest", RunFilter{Latest: true}, []int64{ds2.ID, dsMath.ID, qw2.ID}},
		{"latest complete", RunFilter{Latest: true, Status: parity.RunComplete}, []int64{ds1.ID, dsMath.ID, qw2.ID}},
		{"latest of one model", RunFilter{Latest: true, Model: "dashscope/qwen3-max"}, []int64{qw2.ID}},
		{"nothing", RunFilter{Model: "nobody/none"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := db.Runs(ctx, tt.filter)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(runs))
		})
	}

	runs, err := db.Runs(ctx, RunFilter{IDs: []int64{ds1.ID}})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, *ds1, runs[0], "listed runs carry every field")
}

func TestProgress(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	empty, err := db.Progress(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, Counts{ByOutcome: map[parity.Outcome]int{}}, empty)

	want := map[parity.Outcome]int{parity.OutcomeCorrect: 5, parity.OutcomeWrong: 3, parity.OutcomeError: 2, parity.OutcomeRefused: 1}
	var batch []parity.Sample
	for o, n := range want {
		for i := range n {
			batch = append(batch, smallSample(r.ID, string(o), i, o, 5))
		}
	}
	require.NoError(t, db.AddSamples(ctx, batch))
	c, err := db.Progress(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, Counts{Stored: 11, Done: 9, ByOutcome: want}, c)

	_, err = db.Progress(ctx, 404)
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err))
}

func TestSamplesFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	other := createRun(t, db, "openai/o4-mini", "math500")
	// Stored out of order, to check the ordering by item and index.
	batch := []parity.Sample{
		fullSample(r.ID, "b", 1, parity.OutcomeWrong),
		fullSample(r.ID, "a", 1, parity.OutcomeCorrect),
		fullSample(r.ID, "b", 0, parity.OutcomeCorrect),
		fullSample(r.ID, "a", 0, parity.OutcomeError),
		fullSample(other.ID, "a", 0, parity.OutcomeCorrect),
	}
	require.NoError(t, db.AddSamples(ctx, batch))

	type key = parity.SampleKey
	k := func(item string, idx int) key { return key{ItemID: item, Index: idx} }
	tests := []struct {
		name   string
		filter SampleFilter
		want   []key
	}{
		{"all, ordered", SampleFilter{}, []key{k("a", 0), k("a", 1), k("b", 0), k("b", 1)}},
		{"outcome", SampleFilter{Outcome: parity.OutcomeCorrect}, []key{k("a", 1), k("b", 0)}},
		{"item", SampleFilter{ItemID: "b"}, []key{k("b", 0), k("b", 1)}},
		{"limit", SampleFilter{Limit: 3}, []key{k("a", 0), k("a", 1), k("b", 0)}},
		{"item and outcome", SampleFilter{ItemID: "a", Outcome: parity.OutcomeError}, []key{k("a", 0)}},
		{"no match", SampleFilter{Outcome: parity.OutcomeTruncated}, nil},
		{"items", SampleFilter{Items: []string{"b", "zz"}}, []key{k("b", 0), k("b", 1)}},
		{"items and outcome", SampleFilter{Items: []string{"a", "b"}, Outcome: parity.OutcomeCorrect}, []key{k("a", 1), k("b", 0)}},
		{"items, score fields", SampleFilter{Items: []string{"a"}, Fields: ScoreFields}, []key{k("a", 0), k("a", 1)}},
	}
	tooMany := make([]string, MaxFilterItems+1)
	_, err := db.Samples(ctx, r.ID, SampleFilter{Items: tooMany})
	assert.Equal(t, parity.ErrUsage, parity.CodeOf(err), "more items than one statement should bind")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Samples(ctx, r.ID, tt.filter)
			require.NoError(t, err)
			var keys []key
			for _, s := range got {
				assert.Equal(t, r.ID, s.RunID)
				keys = append(keys, s.Key())
			}
			assert.Equal(t, tt.want, keys)
		})
	}

	light, err := db.Samples(ctx, r.ID, SampleFilter{ItemID: "a", Light: true})
	require.NoError(t, err)
	require.Len(t, light, 2)
	want := fullSample(r.ID, "a", 0, parity.OutcomeError)
	want.Completion.Raw, want.Completion.Content, want.Completion.Reasoning, want.Messages = "", "", "", nil
	want.Completion.Request = ""
	assert.Equal(t, want, light[0], "a light read leaves out only the large texts")

	published, err := db.Samples(ctx, r.ID, SampleFilter{ItemID: "a", Fields: PublishedFields})
	require.NoError(t, err)
	require.Len(t, published, 2)
	want = fullSample(r.ID, "a", 0, parity.OutcomeError)
	want.Completion.Raw, want.Messages, want.Completion.Request = "", nil, ""
	assert.Equal(t, want, published[0], "a published read leaves out only the request and the raw body")

	scores, err := db.Samples(ctx, r.ID, SampleFilter{ItemID: "a", Fields: ScoreFields})
	require.NoError(t, err)
	require.Len(t, scores, 2)
	full := fullSample(r.ID, "a", 0, parity.OutcomeError)
	want = parity.Sample{RunID: r.ID, ItemID: "a", Index: 0,
		Score: parity.Score{Outcome: parity.OutcomeError, Extracted: full.Score.Extracted, Scorer: full.Score.Scorer, ScorerVersion: full.Score.ScorerVersion},
		Judge: &parity.Score{Outcome: full.Judge.Outcome},
		Completion: parity.Completion{Usage: parity.Usage{PromptTokens: full.Completion.Usage.PromptTokens,
			CompletionTokens: full.Completion.Usage.CompletionTokens, ReasoningTokens: full.Completion.Usage.ReasoningTokens},
			Latency: full.Completion.Latency},
		Cost: full.Cost}
	assert.Equal(t, want, scores[0], "a score read takes what a leaderboard row folds and nothing else")
}

func TestEachSampleStopsOnError(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	addItems(t, db, r.ID, 10, parity.OutcomeCorrect)
	stop := errors.New("enough")
	seen := 0
	err := db.EachSample(ctx, r.ID, SampleFilter{}, func(parity.Sample) error {
		seen++
		if seen == 3 {
			return stop
		}
		return nil
	})
	assert.Equal(t, stop, err, "fn's error comes back unwrapped")
	assert.Equal(t, 3, seen)
}

// TestEachSampleWhileWriting re-scores a run from inside the iteration, the
// way a rescore command streams samples and writes verdicts back: the
// separate reader must not deadlock against the single writer.
func TestEachSampleWhileWriting(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	addItems(t, db, r.ID, 20, parity.OutcomeWrong)
	n := 0
	err := db.EachSample(ctx, r.ID, SampleFilter{Light: true}, func(s parity.Sample) error {
		n++
		if err := db.UpdateScores(ctx, r.ID, []ScoreUpdate{{Key: s.Key(), Score: parity.Score{Outcome: parity.OutcomeCorrect}}}); err != nil {
			return err
		}
		// New samples written meanwhile do not disturb the iteration.
		return db.AddSamples(ctx, []parity.Sample{smallSample(r.ID, fmt.Sprintf("new-%d", n), 0, parity.OutcomeCorrect, 5)})
	})
	require.NoError(t, err)
	assert.Equal(t, 20, n, "the iteration reads a snapshot")
	c, err := db.Progress(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, map[parity.Outcome]int{parity.OutcomeCorrect: 40}, c.ByOutcome)
}

func TestRunsLatestKeepsSubjectsAndCircularApart(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	mk := func(subject, version string) *parity.Run {
		r := fullRun("openai/o4-mini", "mmlu")
		r.Subject, r.Suite.Version = subject, version
		r.Fingerprint = parity.RunFingerprint(*r)
		require.NoError(t, db.CreateRun(ctx, r))
		return r
	}
	anat1 := mk("anatomy", "1")
	anat2 := mk("anatomy", "1")
	phys := mk("college_physics", "1")
	circ := mk("anatomy", "1+circular")
	runs, err := db.Runs(ctx, RunFilter{Latest: true})
	require.NoError(t, err)
	var got []int64
	for _, r := range runs {
		got = append(got, r.ID)
	}
	assert.Equal(t, []int64{anat2.ID, phys.ID, circ.ID}, got)
	assert.NotContains(t, got, anat1.ID)
}

// A shard written a month ago and merged now must not hide the run
// started since: merged runs get new, higher ids.
func TestRunsLatestIsLastStartedNotLastMerged(t *testing.T) {
	ctx := context.Background()
	// A shard written a month ago, merged only now.
	spath := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, spath)
	require.NoError(t, err)
	old := fullRun("openai/o4-mini", "gsm8k")
	old.StartedAt = t0.AddDate(0, -1, 0)
	old.Suite.Version = "1"
	old.Fingerprint = parity.RunFingerprint(*old)
	require.NoError(t, s.CreateRun(ctx, old))
	require.NoError(t, s.Close())

	db, _ := openTemp(t)
	recent := createRun(t, db, "openai/o4-mini", "gsm8k") // started at t0
	_, err = db.Merge(ctx, spath)
	require.NoError(t, err)
	runs, err := db.Runs(ctx, RunFilter{Latest: true})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, recent.ID, runs[0].ID, "the newest run is the one started last, not the one merged last")
}

// TestRunsLatestKeepsSettingsApart: the runs of a sweep (parity run --sweep)
// differ in effort, budget, thinking or token limit; each is its own
// configuration with its own latest run, while a rerun at one setting
// still replaces the older run at that setting.
func TestRunsLatestKeepsSettingsApart(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	mk := func(p parity.Params) *parity.Run {
		r := fullRun("openai/o4-mini", "gsm8k")
		r.Params = p
		r.Fingerprint = parity.RunFingerprint(*r)
		require.NoError(t, db.CreateRun(ctx, r))
		return r
	}
	low1 := mk(parity.Params{Effort: "low"})
	low2 := mk(parity.Params{Effort: "low"})
	high := mk(parity.Params{Effort: "high"})
	budget := mk(parity.Params{ThinkingBudget: 1024})
	off := mk(parity.Params{Thinking: "off"})
	short := mk(parity.Params{Effort: "low", MaxTokens: 512})
	runs, err := db.Runs(ctx, RunFilter{Latest: true})
	require.NoError(t, err)
	var got []int64
	for _, r := range runs {
		got = append(got, r.ID)
	}
	assert.Equal(t, []int64{low2.ID, high.ID, budget.ID, off.ID, short.ID}, got)
	assert.NotContains(t, got, low1.ID)
}
