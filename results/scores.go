package results

import (
	"context"
	"fmt"

	"github.com/parity-bench/parity"
)

// ScoreUpdate is a new verdict for one stored sample, from re-scoring a run
// with a newer scorer.
type ScoreUpdate struct {
	Key   parity.SampleKey
	Score parity.Score
	// Judge, when set, replaces the judge verdict too; nil keeps the stored
	// one, because a rule re-score says nothing about the judge.
	Judge *parity.Score
}

// JudgeUpdate sets or, with a nil Judge, removes the judge verdict of one
// stored sample, leaving the rule verdict alone.
type JudgeUpdate struct {
	Key   parity.SampleKey
	Judge *parity.Score
}

// UpdateScores stores new verdicts for samples of a run in one transaction.
// A key that is not stored fails the whole update, so a re-score never
// half-applies.
func (db *DB) UpdateScores(ctx context.Context, runID int64, updates []ScoreUpdate) error {
	for _, u := range updates {
		if _, err := parity.ParseOutcome(string(u.Score.Outcome)); err != nil {
			return fmt.Errorf("update scores of run %d: sample %s#%d: %w", runID, u.Key.ItemID, u.Key.Index, err)
		}
		if u.Judge != nil {
			if _, err := parity.ParseOutcome(string(u.Judge.Outcome)); err != nil {
				return fmt.Errorf("update scores of run %d: sample %s#%d: judge: %w", runID, u.Key.ItemID, u.Key.Index, err)
			}
		}
	}
	return db.updateEach(ctx, runID, "update scores", len(updates),
		// A set judge has five non-NULL values and a nil one five NULLs, so
		// coalesce keeps the stored verdict exactly when Judge is nil.
		`UPDATE samples SET outcome = ?, extracted = ?, scorer = ?, scorer_version = ?, detail = ?,
		    judge_outcome = coalesce(?, judge_outcome), judge_extracted = coalesce(?, judge_extracted),
		    judge_scorer = coalesce(?, judge_scorer), judge_scorer_version = coalesce(?, judge_scorer_version),
		    judge_detail = coalesce(?, judge_detail)
		 WHERE run_id = ? AND item_id = ? AND idx = ?`,
		func(i int) (parity.SampleKey, []any) {
			u := updates[i]
			s := u.Score
			jo, je, js, jv, jd := judgeArgs(u.Judge)
			return u.Key, []any{string(s.Outcome), s.Extracted, s.Scorer, s.ScorerVersion, s.Detail,
				jo, je, js, jv, jd}
		})
}

// SetJudges stores judge verdicts for samples of a run in one transaction,
// failing the whole update when a key is not stored.
func (db *DB) SetJudges(ctx context.Context, runID int64, updates []JudgeUpdate) error {
	for _, u := range updates {
		if u.Judge != nil {
			if _, err := parity.ParseOutcome(string(u.Judge.Outcome)); err != nil {
				return fmt.Errorf("set judges of run %d: sample %s#%d: %w", runID, u.Key.ItemID, u.Key.Index, err)
			}
		}
	}
	return db.updateEach(ctx, runID, "set judges", len(updates),
		`UPDATE samples SET judge_outcome = ?, judge_extracted = ?, judge_scorer = ?, judge_scorer_version = ?, judge_detail = ?
		 WHERE run_id = ? AND item_id = ? AND idx = ?`,
		func(i int) (parity.SampleKey, []any) {
			jo, je, js, jv, jd := judgeArgs(updates[i].Judge)
			return updates[i].Key, []any{jo, je, js, jv, jd}
		})
}

// judgeArgs returns the judge columns for j, all NULL when j is nil.
func judgeArgs(j *parity.Score) (outcome, extracted, scorer, version, detail any) {
	if j == nil {
		return nil, nil, nil, nil, nil
	}
	return string(j.Outcome), j.Extracted, j.Scorer, j.ScorerVersion, j.Detail
}

// updateEach runs one prepared UPDATE per sample in a single transaction.
// args returns the sample's key and the values that precede the key in the
// statement's WHERE clause.
func (db *DB) updateEach(ctx context.Context, runID int64, what string, n int, query string,
	args func(int) (parity.SampleKey, []any)) error {
	if n == 0 {
		return nil
	}
	w, err := db.writer()
	if err != nil {
		return err
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s of run %d: %w", what, runID, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s of run %d: %w", what, runID, err)
	}
	defer stmt.Close()
	for i := range n {
		key, vals := args(i)
		res, err := stmt.ExecContext(ctx, append(vals, runID, key.ItemID, key.Index)...)
		if err != nil {
			return fmt.Errorf("%s of run %d: sample %s#%d: %w", what, runID, key.ItemID, key.Index, err)
		}
		if changed, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("%s of run %d: %w", what, runID, err)
		} else if changed == 0 {
			return parity.Errorf(parity.ErrNotFound,
				"%s of run %d: sample %s#%d is not stored: check the run id and re-read its samples", what, runID, key.ItemID, key.Index)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s of run %d: %w", what, runID, err)
	}
	return nil
}
