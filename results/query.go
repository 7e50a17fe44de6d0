package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parity-bench/parity"
)

// RunFilter selects runs. Zero fields select everything.
type RunFilter struct {
	IDs    []int64
	Model  string // model id, "provider/name"
	Suite  string // suite name
	Status parity.RunStatus
	// Latest keeps only the newest (last started) matching run of each
	// model × suite × subject (plain and circular runs apart, and each
	// setting of thinking, effort, budget and token limit apart), the one a
	// leaderboard shows; the other filters apply first, so Latest with
	// Status "complete" gives the newest complete run.
	Latest bool
}

// settingColumns are the reasoning settings a sweep varies (parity run
// --sweep): runs of one model and suite that differ in them are different
// configurations, each with its own latest run, not older tries of one.
const settingColumns = "json_extract(params, '$.thinking'), json_extract(params, '$.effort'), " +
	"json_extract(params, '$.thinking_budget'), json_extract(params, '$.max_tokens')"

// newestFirst orders runs by start time, newest first; ids only break ties.
const newestFirst = "started_at DESC, id DESC"

// Runs returns the runs the filter selects, oldest first.
func (db *DB) Runs(ctx context.Context, f RunFilter) ([]parity.Run, error) {
	var (
		conds []string
		args  []any
	)
	if len(f.IDs) > 0 {
		conds = append(conds, "id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Model != "" {
		conds = append(conds, "model_id = ?")
		args = append(args, f.Model)
	}
	if f.Suite != "" {
		conds = append(conds, "suite_name = ?")
		args = append(args, f.Suite)
	}
	if f.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, string(f.Status))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	q := "SELECT " + db.runSelect() + " FROM runs" + where
	if f.Latest {
		// Newest is the run started last: a merged shard's runs get new,
		// higher ids however old they are.
		q = "SELECT " + db.runSelect() + " FROM runs WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (" +
			"PARTITION BY model_id, suite_name, subject, suite_version LIKE '%+circular', " + settingColumns + " ORDER BY " + newestFirst +
			") AS n FROM runs" + where + ") WHERE n = 1)"
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var runs []parity.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// Run returns one run. A missing run is a *parity.Error with code
// ErrNotFound that tells the user how to list the runs there are.
func (db *DB) Run(ctx context.Context, id int64) (*parity.Run, error) {
	r, err := scanRun(db.r.QueryRowContext(ctx, "SELECT "+db.runSelect()+" FROM runs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, runNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	return &r, nil
}

// Counts is how far a run has got.
type Counts struct {
	// Stored is the number of samples in the database.
	Stored int
	// Done is the number of stored samples whose outcome is not "error":
	// the ones a resume will not ask again.
	Done int
	// ByOutcome counts the stored samples of each outcome; outcomes with no
	// sample are absent.
	ByOutcome map[parity.Outcome]int
}

// Progress counts a run's stored samples by outcome. It reads only the
// (run_id, outcome) index, so it stays cheap while a run is being written.
func (db *DB) Progress(ctx context.Context, runID int64) (Counts, error) {
	c := Counts{ByOutcome: make(map[parity.Outcome]int)}
	var exists bool
	if err := db.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", runID).Scan(&exists); err != nil {
		return c, fmt.Errorf("count samples of run %d: %w", runID, err)
	}
	if !exists {
		return c, runNotFound(runID)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT outcome, count(*) FROM samples WHERE run_id = ? GROUP BY outcome", runID)
	if err != nil {
		return c, fmt.Errorf("count samples of run %d: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			o string
			n int
		)
		if err := rows.Scan(&o, &n); err != nil {
			return c, fmt.Errorf("count samples of run %d: %w", runID, err)
		}
		c.ByOutcome[parity.Outcome(o)] = n
		c.Stored += n
		if parity.Outcome(o).Scored() {
			c.Done += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count samples of run %d: %w", runID, err)
	}
	return c, nil
}

// SampleFilter selects samples of a run. Zero fields select everything.
type SampleFilter struct {
	Outcome parity.Outcome
	ItemID  string
	// Items, when not empty, keeps the samples of these items only (a
	// page of a viewer); at most MaxFilterItems.
	Items []string
	// Light leaves out the raw response, messages, reasoning and content,
	// which are most of a sample's size and which reports do not need: it
	// is Fields: LightFields.
	Light bool
	// Fields picks the fields read; see SampleFields. It takes precedence
	// over Light when set.
	Fields SampleFields
	// Limit caps the number of samples; zero or less means no cap.
	Limit int
}

// MaxFilterItems caps SampleFilter.Items, well below SQLite's limit on
// the parameters of one statement.
const MaxFilterItems = 10000

// Samples returns the samples of a run that the filter selects, ordered by
// item id and sample index. Use EachSample for large runs.
func (db *DB) Samples(ctx context.Context, runID int64, f SampleFilter) ([]parity.Sample, error) {
	var out []parity.Sample
	err := db.EachSample(ctx, runID, f, func(s parity.Sample) error {
		out = append(out, s)
		return nil
	})
	return out, err
}

// EachSample calls fn for each sample Samples would return, one at a time,
// so a report over a large run never holds all of them in memory. An error
// from fn stops the iteration and is returned as it is. fn may write to the
// database (UpdateScores, say): the iteration reads a snapshot on a
// connection of its own.
func (db *DB) EachSample(ctx context.Context, runID int64, f SampleFilter, fn func(parity.Sample) error) error {
	fields := f.Fields
	if fields == AllFields && f.Light {
		fields = LightFields
	}
	cols, scan := sampleSelect, newSampleScanner().scan
	switch fields {
	case LightFields:
		cols = sampleSelectLight
	case PublishedFields:
		cols = sampleSelectPublished
	case ScoreFields:
		var scorer, version string
		err := db.r.QueryRowContext(ctx, "SELECT suite_scorer, suite_scorer_version FROM runs WHERE id = ?", runID).Scan(&scorer, &version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read samples of run %d: %w", runID, err)
		}
		cols, scan = scoreSelect(runID), newScoreScanner(runID, scorer, version).scan
	}
	q := "SELECT " + db.sampleCols(cols) + " FROM samples WHERE run_id = ?"
	args := []any{runID}
	if f.Outcome != "" {
		q += " AND outcome = ?"
		args = append(args, string(f.Outcome))
	}
	if f.ItemID != "" {
		q += " AND item_id = ?"
		args = append(args, f.ItemID)
	}
	if len(f.Items) > MaxFilterItems {
		return parity.Errorf(parity.ErrUsage, "read samples of run %d: %d items asked for at once, at most %d", runID, len(f.Items), MaxFilterItems)
	}
	if len(f.Items) > 0 {
		q += " AND item_id IN (" + placeholders(len(f.Items)) + ")"
		for _, it := range f.Items {
			args = append(args, it)
		}
	}
	q += " ORDER BY item_id, idx"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	groups, err := db.itemGroups(ctx, runID)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", runID, err)
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read samples of run %d: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scan(rows)
		if err != nil {
			return fmt.Errorf("read samples of run %d: %w", runID, err)
		}
		s.RotationOf, s.Pair = groups(s.ItemID)
		if err := fn(s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read samples of run %d: %w", runID, err)
	}
	return nil
}

// itemGroups returns a function giving the RotationOf and Pair of a run's
// items, from the item_groups table, or for a file older than it from the
// item ids as parity read them then.
func (db *DB) itemGroups(ctx context.Context, runID int64) (func(itemID string) (rotationOf, pair string), error) {
	if db.fileSchema < 2 {
		var subject string
		if err := db.r.QueryRowContext(ctx, "SELECT subject FROM runs WHERE id = ?", runID).Scan(&subject); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return func(id string) (string, string) { return legacyGroups(subject, id) }, nil
	}
	rows, err := db.r.QueryContext(ctx, "SELECT item_id, rotation_of, pair FROM item_groups WHERE run_id = ?", runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string][2]string{}
	for rows.Next() {
		var id string
		var g [2]string
		if err := rows.Scan(&id, &g[0], &g[1]); err != nil {
			return nil, err
		}
		m[id] = g
	}
	return func(id string) (string, string) { g := m[id]; return g[0], g[1] }, rows.Err()
}

// legacyGroups reads an item's groups from its id the way parity did
// before schema 2, which recorded them nowhere else: "q@r2" is rotation 2
// of item q, and in a run of subject s an item "<s>-<key>" is translation
// <key>. Migration 0002 does the same in SQL for the files it upgrades.
func legacyGroups(subject, itemID string) (rotationOf, pair string) {
	if t := strings.TrimRight(itemID, "0123456789"); t != itemID && len(t) > 2 && strings.HasSuffix(t, "@r") {
		rotationOf = t[:len(t)-2]
	}
	if key, ok := strings.CutPrefix(itemID, subject+"-"); ok && subject != "" {
		pair = key
	}
	return rotationOf, pair
}
