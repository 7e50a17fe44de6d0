package results

import (
	"context"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdateScores(t *testing.T) {
	ctx := context.Background()
	judge := &parity.Score{Outcome: parity.OutcomeCorrect, Scorer: "judge", ScorerVersion: "1", Detail: "same value"}
	newJudge := &parity.Score{Outcome: parity.OutcomeWrong, Extracted: "3", Scorer: "judge", ScorerVersion: "2"}
	rescored := parity.Score{Outcome: parity.OutcomeCorrect, Extracted: "\\frac{1}{2}", Scorer: "math", ScorerVersion: "4", Detail: "equivalent"}
	tests := []struct {
		name      string
		stored    *parity.Score // judge before the update
		update    *parity.Score
		wantJudge *parity.Score
	}{
		{"nil judge keeps the stored one", judge, nil, judge},
		{"nil judge keeps none", nil, nil, nil},
		{"judge replaces", judge, newJudge, newJudge},
		{"judge added", nil, newJudge, newJudge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTemp(t)
			r := createRun(t, db, "openai/o4-mini", "math500")
			s := fullSample(r.ID, "q", 0, parity.OutcomeWrong)
			s.Judge = tt.stored
			require.NoError(t, db.AddSamples(ctx, []parity.Sample{s}))
			require.NoError(t, db.UpdateScores(ctx, r.ID, []ScoreUpdate{{Key: s.Key(), Score: rescored, Judge: tt.update}}))
			got, err := db.Samples(ctx, r.ID, SampleFilter{})
			require.NoError(t, err)
			require.Len(t, got, 1)
			want := s
			want.Score, want.Judge = rescored, tt.wantJudge
			assert.Equal(t, want, got[0])
		})
	}
}

func TestUpdateScoresIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeWrong)
	correct := parity.Score{Outcome: parity.OutcomeCorrect}
	tests := []struct {
		name    string
		updates []ScoreUpdate
		want    string
	}{
		{"missing key", []ScoreUpdate{{Key: parity.SampleKey{ItemID: "item-000"}, Score: correct}, {Key: parity.SampleKey{ItemID: "nope"}, Score: correct}}, "nope#0 is not stored"},
		{"bad outcome", []ScoreUpdate{{Key: parity.SampleKey{ItemID: "item-000"}, Score: correct}, {Key: parity.SampleKey{ItemID: "item-001"}}}, "unknown outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.UpdateScores(ctx, r.ID, tt.updates)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			c, err := db.Progress(ctx, r.ID)
			require.NoError(t, err)
			assert.Equal(t, map[parity.Outcome]int{parity.OutcomeWrong: 3}, c.ByOutcome, "nothing was applied")
		})
	}
	err := db.UpdateScores(ctx, r.ID+1, []ScoreUpdate{{Key: parity.SampleKey{ItemID: "item-000"}, Score: correct}})
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err), "keys belong to their run")
}

func TestSetJudges(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	a := fullSample(r.ID, "a", 0, parity.OutcomeWrong)
	b := fullSample(r.ID, "b", 0, parity.OutcomeCorrect)
	a.Judge = nil
	require.NoError(t, db.AddSamples(ctx, []parity.Sample{a, b}))

	verdict := &parity.Score{Outcome: parity.OutcomeCorrect, Scorer: "judge", ScorerVersion: "1"}
	require.NoError(t, db.SetJudges(ctx, r.ID, []JudgeUpdate{
		{Key: a.Key(), Judge: verdict},
		{Key: b.Key(), Judge: nil},
	}))
	got, err := db.Samples(ctx, r.ID, SampleFilter{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	a.Judge, b.Judge = verdict, nil
	assert.Equal(t, []parity.Sample{a, b}, got, "rule verdicts untouched")

	err = db.SetJudges(ctx, r.ID, []JudgeUpdate{{Key: parity.SampleKey{ItemID: "zzz"}, Judge: verdict}})
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err))
}
