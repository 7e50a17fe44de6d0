package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parity-bench/parity"
)

// MergeStats says what a Merge copied.
type MergeStats struct {
	Runs    int // runs copied
	Samples int // samples copied, with new runs or into runs already present
	// Skipped counts runs already present (same fingerprint and start
	// time), typically because the shard was merged before. Samples the
	// shard has gained since are still copied into them.
	Skipped int
}

var (
	copyRunSQL = "INSERT INTO main.runs (" + strings.Join(runColumns, ", ") + ") SELECT " +
		strings.Join(runColumns, ", ") + " FROM src.runs WHERE id = ?"
	// copySamplesSQL copies a run's samples, keeping those already stored
	// except failures the shard has since answered: the AddSamples rule.
	copySamplesSQL = func() string {
		var set []string
		for _, c := range sampleColumns[2:] { // all but the key
			set = append(set, c+" = excluded."+c)
		}
		return "INSERT INTO main.samples (run_id, " + strings.Join(sampleColumns, ", ") + ") SELECT ?, " +
			strings.Join(sampleColumns, ", ") + " FROM src.samples WHERE run_id = ? ORDER BY id" +
			" ON CONFLICT (run_id, item_id, idx) DO UPDATE SET " + strings.Join(set, ", ") +
			" WHERE samples.outcome = 'error' AND excluded.outcome <> 'error'"
	}()
	// copyGroupsSQL copies the item groups of a run.
	copyGroupsSQL = "INSERT INTO main.item_groups (run_id, item_id, rotation_of, pair) SELECT ?, item_id, rotation_of, pair" +
		" FROM src.item_groups WHERE run_id = ? ON CONFLICT DO NOTHING"
	// finishRunSQL takes the state of a run the shard has completed since an
	// earlier merge.
	finishRunSQL = `UPDATE main.runs SET (status, finished_at, model_reported, warnings, note) =
		(SELECT status, finished_at, model_reported, warnings, note FROM src.runs WHERE id = ?)
		WHERE id = ? AND status <> 'complete' AND (SELECT status FROM src.runs WHERE id = ?) = 'complete'`
)

// Merge copies the runs and samples of another results database, such as a
// shard written on another machine, into db, in one transaction. Copied runs
// get new ids. A run whose fingerprint and start time are already present is
// not copied again, so merging the same shard twice copies nothing the second
// time; samples and the completion it gained since are copied into it.
// The shard is opened read-only and must have the same schema version as db.
func (db *DB) Merge(ctx context.Context, srcPath string) (MergeStats, error) {
	var st MergeStats
	fail := func(err error) (MergeStats, error) {
		return MergeStats{}, fmt.Errorf("merge %s: %w", srcPath, err)
	}
	abs, err := filepath.Abs(srcPath)
	if err != nil {
		return fail(err)
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return st, parity.Errorf(parity.ErrNotFound, "shard %s not found: check the path", srcPath)
	}
	if err != nil {
		return fail(err)
	}
	if own, err := os.Stat(db.path); err == nil && os.SameFile(info, own) {
		return st, parity.Errorf(parity.ErrUsage, "cannot merge %s into itself: name a shard written elsewhere", srcPath)
	}
	// ATTACH is not allowed inside a transaction, and it belongs to one
	// connection, so pin the writer connection for the whole merge.
	w, err := db.writer()
	if err != nil {
		return st, err
	}
	conn, err := w.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS src", dsn(abs, "mode=ro")); err != nil {
		return st, openError(srcPath, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DETACH DATABASE src")

	version, err := checkHeader(ctx, conn, "src", srcPath, db.schema)
	if err != nil {
		return st, err
	}
	if version == 0 {
		return st, notParity(srcPath, "it is empty")
	}
	if version != db.schema {
		return st, parity.Errorf(parity.ErrConfig,
			"%s has schema %d, older than this parity's %d: open it once with this parity to upgrade it, then merge again",
			srcPath, version, db.schema)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()

	type srcRun struct {
		id      int64
		present sql.NullInt64 // the id of the run's earlier copy
	}
	rows, err := tx.QueryContext(ctx, `SELECT s.id, (SELECT min(m.id) FROM main.runs m
		WHERE m.fingerprint = s.fingerprint AND m.started_at IS s.started_at) FROM src.runs s ORDER BY s.id`)
	if err != nil {
		return fail(err)
	}
	var runs []srcRun
	for rows.Next() {
		var r srcRun
		if err := rows.Scan(&r.id, &r.present); err != nil {
			rows.Close()
			return fail(err)
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}

	for _, r := range runs {
		newID := r.present.Int64
		if r.present.Valid {
			st.Skipped++
			if _, err := tx.ExecContext(ctx, finishRunSQL, r.id, newID, r.id); err != nil {
				return fail(fmt.Errorf("update run %d: %w", r.id, err))
			}
		} else {
			res, err := tx.ExecContext(ctx, copyRunSQL, r.id)
			if err != nil {
				return fail(fmt.Errorf("copy run %d: %w", r.id, err))
			}
			if newID, err = res.LastInsertId(); err != nil {
				return fail(fmt.Errorf("copy run %d: %w", r.id, err))
			}
			st.Runs++
		}
		if _, err := tx.ExecContext(ctx, copyGroupsSQL, newID, r.id); err != nil {
			return fail(fmt.Errorf("copy item groups of run %d: %w", r.id, err))
		}
		res, err := tx.ExecContext(ctx, copySamplesSQL, newID, r.id)
		if err != nil {
			return fail(fmt.Errorf("copy samples of run %d: %w", r.id, err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fail(fmt.Errorf("copy samples of run %d: %w", r.id, err))
		}
		st.Samples += int(n)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return st, nil
}
