package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parity-bench/parity"
)

// ErrDuplicate is wrapped by AddSamples when a sample's key is already
// stored with an outcome other than "error". Resume logic that sees it has
// asked the same question twice.
var ErrDuplicate = errors.New("sample already stored")

var (
	insertRunSQL = "INSERT INTO runs (" + strings.Join(runColumns, ", ") + ") VALUES (" + placeholders(len(runColumns)) + ")"

	// upsertSampleSQL inserts a sample or replaces a stored one whose
	// outcome is "error". For any other stored sample the WHERE clause turns
	// the statement into a no-op that changes no row, which AddSamples
	// detects and reports.
	upsertSampleSQL = func() string {
		var set []string
		for _, c := range sampleColumns {
			if c != "item_id" && c != "idx" {
				set = append(set, c+" = excluded."+c)
			}
		}
		return "INSERT INTO samples (run_id, " + strings.Join(sampleColumns, ", ") + ") VALUES (" +
			placeholders(len(sampleColumns)+1) + ") ON CONFLICT (run_id, item_id, idx) DO UPDATE SET " +
			strings.Join(set, ", ") + " WHERE samples.outcome = 'error'"
	}()
)

// insertGroupSQL records an item's groups once per run; every sample of
// the item has the same.
const insertGroupSQL = "INSERT INTO item_groups (run_id, item_id, rotation_of, pair) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"

// CreateRun stores a new run and sets its ID. An empty Fingerprint is
// filled in with parity.RunFingerprint and an empty Status with "running",
// so a run is always findable for resume.
func (db *DB) CreateRun(ctx context.Context, r *parity.Run) error {
	if r.ID != 0 {
		return fmt.Errorf("create run: run is already stored as run %d", r.ID)
	}
	if r.Fingerprint == "" {
		r.Fingerprint = parity.RunFingerprint(*r)
	}
	if r.Status == "" {
		r.Status = parity.RunRunning
	}
	args, err := runArgs(r)
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	w, err := db.writer()
	if err != nil {
		return err
	}
	res, err := w.ExecContext(ctx, insertRunSQL, args...)
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	r.ID = id
	return nil
}

// LatestRun returns the newest (last started) run with the fingerprint, or
// nil when there is none.
func (db *DB) LatestRun(ctx context.Context, fingerprint string) (*parity.Run, error) {
	row := db.r.QueryRowContext(ctx, "SELECT "+db.runSelect()+" FROM runs WHERE fingerprint = ? ORDER BY "+newestFirst+" LIMIT 1", fingerprint)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find run %s: %w", fingerprint, err)
	}
	return &r, nil
}

// SampleKeys returns the keys of the run's samples whose outcome is not
// "error": the ones a resumed run need not ask again.
func (db *DB) SampleKeys(ctx context.Context, runID int64) (map[parity.SampleKey]bool, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT item_id, idx FROM samples WHERE run_id = ? AND outcome <> 'error'", runID)
	if err != nil {
		return nil, fmt.Errorf("list samples of run %d: %w", runID, err)
	}
	defer rows.Close()
	keys := make(map[parity.SampleKey]bool)
	for rows.Next() {
		var k parity.SampleKey
		if err := rows.Scan(&k.ItemID, &k.Index); err != nil {
			return nil, fmt.Errorf("list samples of run %d: %w", runID, err)
		}
		keys[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list samples of run %d: %w", runID, err)
	}
	return keys, nil
}

// AddSamples stores samples in one transaction: either all of them are
// committed or none. A sample replaces a stored one with the same key only
// when the stored one's outcome is "error"; any other existing key fails the
// whole batch with an error wrapping ErrDuplicate.
func (db *DB) AddSamples(ctx context.Context, samples []parity.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	for i := range samples {
		if err := validSample(&samples[i]); err != nil {
			return fmt.Errorf("store samples: %w", err)
		}
	}
	w, err := db.writer()
	if err != nil {
		return err
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store samples: %w", err)
	}
	defer tx.Rollback()
	// The statements were prepared on w's only connection, which the
	// transaction holds, so StmtContext reuses them instead of preparing.
	stmt := tx.StmtContext(ctx, db.upsert)
	defer stmt.Close()
	var groups *sql.Stmt // bound when a sample of the batch has a group
	args := make([]any, 0, len(sampleColumns)+1)
	for i := range samples {
		s := &samples[i]
		if s.RotationOf != "" || s.Pair != "" {
			if groups == nil {
				groups = tx.StmtContext(ctx, db.groups)
				defer groups.Close()
			}
			if _, err := groups.ExecContext(ctx, s.RunID, s.ItemID, s.RotationOf, s.Pair); err != nil {
				return fmt.Errorf("store groups of item %s of run %d: %w", s.ItemID, s.RunID, err)
			}
		}
		vals, err := sampleArgs(s)
		if err != nil {
			return fmt.Errorf("store sample %s#%d: %w", s.ItemID, s.Index, err)
		}
		args = append(append(args[:0], s.RunID), vals...)
		res, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("store sample %s#%d of run %d: %w", s.ItemID, s.Index, s.RunID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store sample %s#%d of run %d: %w", s.ItemID, s.Index, s.RunID, err)
		}
		if n == 0 {
			return duplicate(ctx, tx, s)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store samples: %w", err)
	}
	return nil
}

func validSample(s *parity.Sample) error {
	if s.RunID <= 0 {
		return fmt.Errorf("sample %s#%d has no run id: create the run first", s.ItemID, s.Index)
	}
	if s.ItemID == "" || s.Index < 0 {
		return fmt.Errorf("sample %q#%d of run %d has no valid key", s.ItemID, s.Index, s.RunID)
	}
	if _, err := parity.ParseOutcome(string(s.Score.Outcome)); err != nil {
		return fmt.Errorf("sample %s#%d of run %d: %w", s.ItemID, s.Index, s.RunID, err)
	}
	if j := s.Judge; j != nil {
		if _, err := parity.ParseOutcome(string(j.Outcome)); err != nil {
			return fmt.Errorf("sample %s#%d of run %d: judge: %w", s.ItemID, s.Index, s.RunID, err)
		}
	}
	return nil
}

// duplicate explains which stored sample blocked a batch.
func duplicate(ctx context.Context, tx *sql.Tx, s *parity.Sample) error {
	var outcome string
	err := tx.QueryRowContext(ctx, "SELECT outcome FROM samples WHERE run_id = ? AND item_id = ? AND idx = ?",
		s.RunID, s.ItemID, s.Index).Scan(&outcome)
	if err != nil {
		outcome = "unknown"
	}
	return fmt.Errorf("store sample %s#%d of run %d: %w with outcome %s; only error samples are replaced",
		s.ItemID, s.Index, s.RunID, ErrDuplicate, outcome)
}

// UpdateRun saves a run's status, finish time, reported model, warnings and
// note: the fields that change while a run is under way.
func (db *DB) UpdateRun(ctx context.Context, r *parity.Run) error {
	warnings, err := jsonOrNull(r.Warnings)
	if err != nil {
		return fmt.Errorf("update run %d: encode warnings: %w", r.ID, err)
	}
	w, err := db.writer()
	if err != nil {
		return err
	}
	res, err := w.ExecContext(ctx,
		"UPDATE runs SET status = ?, finished_at = ?, model_reported = ?, warnings = ?, note = ? WHERE id = ?",
		string(r.Status), nanos(r.FinishedAt), r.ModelReported, warnings, parity.ScrubSecrets(r.Note), r.ID)
	if err != nil {
		return fmt.Errorf("update run %d: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update run %d: %w", r.ID, err)
	} else if n == 0 {
		return runNotFound(r.ID)
	}
	return nil
}

func runNotFound(id int64) error {
	return parity.Errorf(parity.ErrNotFound, "run %d not found: list runs with `parity runs`", id)
}
