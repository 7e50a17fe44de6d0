package results

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"modernc.org/sqlite"

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
	// Joined counts runs of one shard (parity run --shard) joined into the
	// whole run they are part of, which is created by the first of them.
	Joined int
}

// scrubFunc is the SQL function merge copies texts through that the store
// scrubs on the way in (a sample's error, raw response and request, a
// run's note): a shard comes from another machine, perhaps from an older
// build or edited by hand, and is not trusted to be clean.
const scrubFunc = "parity_scrub"

func init() {
	err := sqlite.RegisterDeterministicScalarFunction(scrubFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return parity.ScrubSecrets(v), nil
		case []byte:
			return parity.ScrubSecrets(string(v)), nil
		}
		return args[0], nil
	})
	if err != nil {
		panic(err)
	}
}

// scrubbed lists columns for a SELECT, each of scrub passed through
// scrubFunc.
func scrubbed(cols []string, scrub ...string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c
		if slices.Contains(scrub, c) {
			out[i] = scrubFunc + "(" + c + ")"
		}
	}
	return strings.Join(out, ", ")
}

var (
	copyRunSQL = "INSERT INTO main.runs (" + strings.Join(runColumns, ", ") + ") SELECT " +
		scrubbed(runColumns, "note") + " FROM src.runs WHERE id = ?"
	// copySamplesSQL copies a run's samples, keeping those already stored
	// except failures the shard has since answered: the AddSamples rule.
	copySamplesSQL = func() string {
		var set []string
		for _, c := range sampleColumns[2:] { // all but the key
			set = append(set, c+" = excluded."+c)
		}
		return "INSERT INTO main.samples (run_id, " + strings.Join(sampleColumns, ", ") + ") SELECT ?, " +
			scrubbed(sampleColumns, "error", "raw", "request") + " FROM src.samples WHERE run_id = ? ORDER BY id" +
			" ON CONFLICT (run_id, item_id, idx) DO UPDATE SET " + strings.Join(set, ", ") +
			" WHERE samples.outcome = 'error' AND excluded.outcome <> 'error'"
	}()
	// copyShardSQL starts the whole run of a shard run: the shard's run
	// with the whole run's fingerprint and items, not yet complete.
	copyShardSQL = func() string {
		sel := make([]string, len(runColumns))
		for i, c := range runColumns {
			switch c {
			case "fingerprint":
				c = "json_extract(shard, '$.whole')"
			case "items":
				c = "json_extract(shard, '$.items')"
			case "status":
				c = "'partial'"
			case "finished_at", "shard":
				c = "NULL"
			case "note":
				c = "''"
			}
			sel[i] = c
		}
		return "INSERT INTO main.runs (" + strings.Join(runColumns, ", ") + ") SELECT " + strings.Join(sel, ", ") + " FROM src.runs WHERE id = ?"
	}()
	// joinShardSQL brings the whole run up to date after a shard's samples
	// are copied into it: the earliest start, the model the API reported,
	// and complete once every sample is there, answered (as a run done in
	// one place is), with the latest finish of its shards.
	joinShardSQL = `UPDATE main.runs SET
		started_at = min(coalesce(started_at, s_started), coalesce(s_started, started_at)),
		model_reported = CASE WHEN model_reported = '' THEN s_reported ELSE model_reported END,
		status = CASE WHEN answered >= items * samples THEN 'complete' ELSE 'partial' END,
		finished_at = CASE WHEN answered >= items * samples THEN max(coalesce(finished_at, 0), coalesce(s_finished, 0)) END,
		note = CASE WHEN answered >= items * samples THEN '' ELSE
			'joined from shards: ' || answered || ' of ' || (items * samples) || ' samples answered; merge the other shards, or run the same command without --shard to finish here' END
		FROM (SELECT started_at AS s_started, finished_at AS s_finished, model_reported AS s_reported FROM src.runs WHERE id = ?),
		     (SELECT count(*) AS answered FROM main.samples WHERE run_id = ? AND outcome <> 'error')
		WHERE main.runs.id = ?`
	// copyGroupsSQL copies the item groups of a run.
	copyGroupsSQL = "INSERT INTO main.item_groups (run_id, item_id, rotation_of, pair) SELECT ?, item_id, rotation_of, pair" +
		" FROM src.item_groups WHERE run_id = ? ON CONFLICT DO NOTHING"
	// finishRunSQL takes the state of a run the shard has completed since an
	// earlier merge.
	finishRunSQL = `UPDATE main.runs SET (status, finished_at, model_reported, warnings, note) =
		(SELECT status, finished_at, model_reported, warnings, ` + scrubFunc + `(note) FROM src.runs WHERE id = ?)
		WHERE id = ? AND status <> 'complete' AND (SELECT status FROM src.runs WHERE id = ?) = 'complete'`
)

// CheckShard says what is wrong with a shard path before anything is
// merged or created: missing, or a directory rather than a database file.
func CheckShard(path string) error {
	_, err := statShard(path)
	return err
}

func statShard(path string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, parity.Errorf(parity.ErrNotFound, "shard %s not found: check the path", path)
	}
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, parity.Errorf(parity.ErrUsage, "shard %s is a directory: name the database file written there by 'parity run' (e.g. %s)", path, filepath.Join(path, "parity.db"))
	}
	return info, nil
}

// Merge copies the runs and samples of another results database, such as a
// shard written on another machine, into db, in one transaction. Copied runs
// get new ids. A run whose fingerprint and start time are already present is
// not copied again, so merging the same shard twice copies nothing the second
// time; samples and the completion it gained since are copied into it.
//
// The run of one shard (parity run --shard) is not copied as a run of its
// own: its samples join the newest whole run with the fingerprint the shard
// records, which the first shard merged creates. That run is complete once
// every shard's samples are in, and is then the run done in one place:
// same fingerprint, items and samples, so the same report row, and the
// same command run here without --shard resumes it.
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
	info, err := statShard(srcPath)
	if err != nil {
		return st, err
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
		shard   bool
	}
	// A shard's run goes into the newest whole run with the fingerprint
	// the shard records; any other run into its earlier copy, if any.
	rows, err := tx.QueryContext(ctx, `SELECT s.id, CASE WHEN s.shard IS NULL
		THEN (SELECT min(m.id) FROM main.runs m WHERE m.fingerprint = s.fingerprint AND m.started_at IS s.started_at)
		ELSE (SELECT m.id FROM main.runs m WHERE m.fingerprint = json_extract(s.shard, '$.whole') AND m.shard IS NULL
			ORDER BY m.`+strings.ReplaceAll(newestFirst, ", ", ", m.")+` LIMIT 1) END,
		s.shard IS NOT NULL FROM src.runs s ORDER BY s.id`)
	if err != nil {
		return fail(err)
	}
	var runs []srcRun
	for rows.Next() {
		var r srcRun
		if err := rows.Scan(&r.id, &r.present, &r.shard); err != nil {
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
		if r.shard {
			st.Joined++
			if !r.present.Valid {
				id, err := execInsert(ctx, tx, copyShardSQL, r.id)
				if err != nil {
					return fail(fmt.Errorf("start the whole run of shard run %d: %w", r.id, err))
				}
				newID = id
				st.Runs++
			}
		} else if r.present.Valid {
			st.Skipped++
			if _, err := tx.ExecContext(ctx, finishRunSQL, r.id, newID, r.id); err != nil {
				return fail(fmt.Errorf("update run %d: %w", r.id, err))
			}
		} else {
			id, err := execInsert(ctx, tx, copyRunSQL, r.id)
			if err != nil {
				return fail(fmt.Errorf("copy run %d: %w", r.id, err))
			}
			newID = id
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
		if r.shard {
			if _, err := tx.ExecContext(ctx, joinShardSQL, r.id, newID, newID); err != nil {
				return fail(fmt.Errorf("join shard run %d into run %d: %w", r.id, newID, err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return st, nil
}

// execInsert runs an INSERT and returns the id of the row it added.
func execInsert(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}
