package results

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// runColumns are the runs columns after id, in the order runArgs and
// scanRun use.
var runColumns = []string{
	"fingerprint", "status", "model_id", "model_provider", "model_name", "model_origin", "model_reported", "base_url",
	"suite_name", "suite_version", "suite_language", "suite_license", "suite_description", "suite_items",
	"suite_data_sha256", "suite_prompt_hash", "suite_scorer", "suite_scorer_version", "suite_kind", "suite_non_commercial",
	"params", "samples", "item_limit", "seed", "subject", "items", "parity_version", "git_revision",
	"started_at", "finished_at", "price", "warnings", "note", "shard",
}

// sampleColumns are the samples columns after id and run_id, in the order
// sampleArgs and sampleScanner use. The last five are the large texts a
// light read leaves out.
var sampleColumns = []string{
	"item_id", "idx", "outcome", "extracted", "scorer", "scorer_version", "detail",
	"judge_outcome", "judge_extracted", "judge_scorer", "judge_scorer_version", "judge_detail",
	"gold", "finish_reason", "model_reported", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens",
	"latency_ns", "ttft_ns", "attempts", "error", "error_code", "warnings", "cost", "started_at",
	"content", "reasoning", "messages", "raw", "request",
}

// SampleFields picks what a sample read takes from each row. Reading fewer
// columns is most of what makes a report over a large database fast: the
// texts left out are most of a sample's size.
type SampleFields int

const (
	// AllFields reads every field.
	AllFields SampleFields = iota
	// LightFields leaves out the raw response, request messages, reasoning
	// and content.
	LightFields
	// PublishedFields leaves out the request messages and the raw
	// response: what a published snapshot never shows. Every other field
	// is read.
	PublishedFields
	// ScoreFields reads only what a leaderboard row folds: the key, the
	// outcome, extracted answer, scorer and scorer version, the judge's
	// outcome (Judge holds nothing else), token usage, latency and cost.
	// Every other field is left zero.
	ScoreFields
)

// leftOut maps the large sample texts to what a read that leaves them out
// selects instead, so light, published and full reads share one scan
// function.
var (
	lightLeftOut     = map[string]string{"content": "''", "reasoning": "''", "messages": "NULL", "raw": "''", "request": "''"}
	publishedLeftOut = map[string]string{"messages": "NULL", "raw": "''", "request": "''"}
)

// scoreColumns are the columns a ScoreFields read selects (see
// scoreSelect), in the order scoreScanner uses.
var scoreColumns = []string{
	"item_id", "idx", "outcome", "extracted", "scorer", "scorer_version", "judge_outcome",
	"prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_ns", "cost",
}

var (
	runSelectAll          = "id, " + strings.Join(runColumns, ", ")
	sampleSelect          = "run_id, " + strings.Join(sampleColumns, ", ")
	sampleSelectLight     = "run_id, " + strings.Join(leaveOut(lightLeftOut), ", ")
	sampleSelectPublished = "run_id, " + strings.Join(leaveOut(publishedLeftOut), ", ")
)

func leaveOut(subs map[string]string) []string {
	cols := make([]string, len(sampleColumns))
	for i, c := range sampleColumns {
		if sub, ok := subs[c]; ok {
			c = sub
		}
		cols[i] = c
	}
	return cols
}

// runSelect is the select list scanRun reads. A read-only file older than
// schema 3 has no shard column; its runs are whole runs.
func (db *DB) runSelect() string {
	if db.fileSchema < 3 {
		return strings.TrimSuffix(runSelectAll, "shard") + "NULL AS shard"
	}
	return runSelectAll
}

// sampleCols is a sample select list as a file of this db's schema can
// answer it: a read-only file older than schema 5 has no request column.
// Only a list that reads the column changes; the others leave it out
// already or never select it.
func (db *DB) sampleCols(cols string) string {
	if c, ok := strings.CutSuffix(cols, ", request"); ok && db.fileSchema < 5 {
		return c + ", '' AS request"
	}
	return cols
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// nanos stores a time as unix nanoseconds, which round-trips exactly; the
// zero time is NULL because it lies outside the int64 nanosecond range.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos returns stored times in UTC: the location a time was created in
// is not kept, only the instant.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// jsonOrNull stores empty lists as NULL, so they read back as nil.
func jsonOrNull[T any](v []T) (any, error) {
	if len(v) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// jsonPtrOrNull is the JSON text of an optional value, or NULL without one.
func jsonPtrOrNull[T any](v *T) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func fromJSONList[T any](s sql.NullString, what string) ([]T, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal([]byte(s.String), &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

func runArgs(r *parity.Run) ([]any, error) {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return nil, fmt.Errorf("encode params: %w", err)
	}
	price, err := jsonPtrOrNull(r.Price)
	if err != nil {
		return nil, fmt.Errorf("encode price: %w", err)
	}
	warnings, err := jsonOrNull(r.Warnings)
	if err != nil {
		return nil, fmt.Errorf("encode warnings: %w", err)
	}
	shard, err := jsonPtrOrNull(r.Shard)
	if err != nil {
		return nil, fmt.Errorf("encode shard: %w", err)
	}
	s := r.Suite
	return []any{
		r.Fingerprint, string(r.Status), r.Model.ID, r.Model.Provider, r.Model.Name, r.Model.Origin, r.ModelReported, r.BaseURL,
		s.Name, s.Version, s.Language, s.License, s.Description, s.Items,
		s.DataSHA256, s.PromptHash, s.Scorer, s.ScorerVersion, s.Kind, s.NonCommercial,
		string(params), r.Samples, r.Limit, r.Seed, r.Subject, r.Items, r.ParityVersion, r.GitRevision,
		nanos(r.StartedAt), nanos(r.FinishedAt), price, warnings, parity.ScrubSecrets(r.Note), shard,
	}, nil
}

func scanRun(sc scanner) (parity.Run, error) {
	var (
		r                 parity.Run
		status, params    string
		started, finished sql.NullInt64
		price, warnings   sql.NullString
		shard             sql.NullString
		s                 = &r.Suite
	)
	err := sc.Scan(&r.ID,
		&r.Fingerprint, &status, &r.Model.ID, &r.Model.Provider, &r.Model.Name, &r.Model.Origin, &r.ModelReported, &r.BaseURL,
		&s.Name, &s.Version, &s.Language, &s.License, &s.Description, &s.Items,
		&s.DataSHA256, &s.PromptHash, &s.Scorer, &s.ScorerVersion, &s.Kind, &s.NonCommercial,
		&params, &r.Samples, &r.Limit, &r.Seed, &r.Subject, &r.Items, &r.ParityVersion, &r.GitRevision,
		&started, &finished, &price, &warnings, &r.Note, &shard)
	if err != nil {
		return r, err
	}
	r.Status = parity.RunStatus(status)
	r.StartedAt, r.FinishedAt = fromNanos(started), fromNanos(finished)
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return r, fmt.Errorf("run %d: decode params: %w", r.ID, err)
	}
	if price.Valid {
		r.Price = new(parity.Price)
		if err := json.Unmarshal([]byte(price.String), r.Price); err != nil {
			return r, fmt.Errorf("run %d: decode price: %w", r.ID, err)
		}
	}
	if r.Warnings, err = fromJSONList[string](warnings, "warnings"); err != nil {
		return r, fmt.Errorf("run %d: %w", r.ID, err)
	}
	if shard.Valid {
		r.Shard = new(parity.Shard)
		if err := json.Unmarshal([]byte(shard.String), r.Shard); err != nil {
			return r, fmt.Errorf("run %d: decode shard: %w", r.ID, err)
		}
	}
	return r, nil
}

// sampleArgs returns the values of sampleColumns for s, with secrets
// scrubbed from the texts that may echo a request.
func sampleArgs(s *parity.Sample) ([]any, error) {
	messages, err := jsonOrNull(s.Messages)
	if err != nil {
		return nil, fmt.Errorf("encode messages: %w", err)
	}
	c := &s.Completion
	warnings, err := jsonOrNull(c.Warnings)
	if err != nil {
		return nil, fmt.Errorf("encode warnings: %w", err)
	}
	var jo, je, js, jv, jd any
	if j := s.Judge; j != nil {
		jo, je, js, jv, jd = string(j.Outcome), j.Extracted, j.Scorer, j.ScorerVersion, j.Detail
	}
	sc := &s.Score
	return []any{
		s.ItemID, s.Index, string(sc.Outcome), sc.Extracted, sc.Scorer, sc.ScorerVersion, sc.Detail,
		jo, je, js, jv, jd,
		s.Gold, c.FinishReason, c.ModelReported, c.Usage.PromptTokens, c.Usage.CompletionTokens, c.Usage.ReasoningTokens, c.Usage.CachedTokens,
		int64(c.Latency), int64(c.TTFT), c.Attempts, parity.ScrubSecrets(c.Error), string(c.ErrorCode), warnings, s.Cost, nanos(s.StartedAt),
		c.Content, c.Reasoning, messages, parity.ScrubSecrets(c.Raw), parity.ScrubSecrets(c.Request),
	}, nil
}

// rawRow scans a row of a fixed list of columns, taking every value as the
// driver gives it and converting it here: database/sql turns an integer into
// an int field by formatting and parsing it, which over a million samples
// is a good part of a report's time. Its buffers are reused from row to
// row, and the first value of an unexpected type is remembered as the
// row's error.
type rawRow struct {
	cols []string
	vals []any
	ptrs []any
	bad  string
}

func newRawRow(cols []string) *rawRow {
	r := &rawRow{cols: cols, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

func (r *rawRow) scan(sc scanner) error {
	r.bad = ""
	return sc.Scan(r.ptrs...)
}

func (r *rawRow) fail(i int) {
	if r.bad == "" {
		r.bad = r.cols[i]
	}
}

// text returns a TEXT value, "" for NULL.
func (r *rawRow) text(i int) string {
	s, _ := r.nullText(i)
	return s
}

// nullText returns a TEXT value and whether it was not NULL.
func (r *rawRow) nullText(i int) (string, bool) {
	switch v := r.vals[i].(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	case nil:
		return "", false
	}
	r.fail(i)
	return "", false
}

// integer returns an INTEGER value, 0 for NULL.
func (r *rawRow) integer(i int) int64 {
	n, _ := r.nullInteger(i)
	return n
}

// nullInteger returns an INTEGER value and whether it was not NULL.
func (r *rawRow) nullInteger(i int) (int64, bool) {
	switch v := r.vals[i].(type) {
	case int64:
		return v, true
	case nil:
		return 0, false
	}
	r.fail(i)
	return 0, false
}

// real returns a REAL value, which SQLite may hand back as an integer.
func (r *rawRow) real(i int) float64 {
	switch v := r.vals[i].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case nil:
		return 0
	}
	r.fail(i)
	return 0
}

// err reports a value of an unexpected type in the row just read.
func (r *rawRow) err(s *parity.Sample) error {
	if r.bad == "" {
		return nil
	}
	return fmt.Errorf("sample %s#%d: column %s holds a value of the wrong type", s.ItemID, s.Index, r.bad)
}

// sampleScanner reads rows of "run_id" plus sampleColumns (or a select
// list that substitutes some of them, see leaveOut).
type sampleScanner struct{ row *rawRow }

func newSampleScanner() sampleScanner {
	return sampleScanner{newRawRow(append([]string{"run_id"}, sampleColumns...))}
}

func (ss sampleScanner) scan(sc scanner) (parity.Sample, error) {
	var s parity.Sample
	r := ss.row
	if err := r.scan(sc); err != nil {
		return s, err
	}
	c := &s.Completion
	s.RunID = r.integer(0)
	s.ItemID, s.Index = r.text(1), int(r.integer(2))
	s.Score = parity.Score{Outcome: parity.Outcome(r.text(3)), Extracted: r.text(4), Scorer: r.text(5),
		ScorerVersion: r.text(6), Detail: r.text(7)}
	if jo, ok := r.nullText(8); ok {
		s.Judge = &parity.Score{Outcome: parity.Outcome(jo), Extracted: r.text(9), Scorer: r.text(10),
			ScorerVersion: r.text(11), Detail: r.text(12)}
	}
	s.Gold, c.FinishReason, c.ModelReported = r.text(13), r.text(14), r.text(15)
	c.Usage = parity.Usage{PromptTokens: int(r.integer(16)), CompletionTokens: int(r.integer(17)),
		ReasoningTokens: int(r.integer(18)), CachedTokens: int(r.integer(19))}
	c.Latency, c.TTFT = time.Duration(r.integer(20)), time.Duration(r.integer(21))
	c.Attempts, c.Error, c.ErrorCode = int(r.integer(22)), r.text(23), parity.ErrorCode(r.text(24))
	warnings, hasWarnings := r.nullText(25)
	s.Cost = r.real(26)
	started, hasStarted := r.nullInteger(27)
	s.StartedAt = fromNanos(sql.NullInt64{Int64: started, Valid: hasStarted})
	c.Content, c.Reasoning = r.text(28), r.text(29)
	messages, hasMessages := r.nullText(30)
	c.Raw, c.Request = r.text(31), r.text(32)
	if err := r.err(&s); err != nil {
		return s, err
	}
	var err error
	if c.Warnings, err = fromJSONList[string](sql.NullString{String: warnings, Valid: hasWarnings}, "warnings"); err != nil {
		return s, fmt.Errorf("sample %s#%d: %w", s.ItemID, s.Index, err)
	}
	if s.Messages, err = fromJSONList[parity.Message](sql.NullString{String: messages, Valid: hasMessages}, "messages"); err != nil {
		return s, fmt.Errorf("sample %s#%d: %w", s.ItemID, s.Index, err)
	}
	return s, nil
}

// scoreSelect is the select list of a ScoreFields read of run runID. Two
// substitutions spare the driver a string on every row: the outcome comes
// as its index in parity.Outcomes (an unknown one as itself, for the
// reader to refuse), and the scorer and its version come as NULL when they
// are the run's own, as they nearly always are. The run's are read once,
// by a subquery SQLite evaluates a single time.
func scoreSelect(runID int64) string {
	outcome := "CASE outcome"
	for i, o := range parity.Outcomes {
		outcome += fmt.Sprintf(" WHEN '%s' THEN %d", o, i)
	}
	outcome += " ELSE outcome END"
	own := fmt.Sprintf("(scorer, scorer_version) = (SELECT suite_scorer, suite_scorer_version FROM runs WHERE id = %d)", runID)
	cols := make([]string, len(scoreColumns))
	for i, c := range scoreColumns {
		switch c {
		case "outcome":
			c = outcome
		case "scorer", "scorer_version":
			c = "CASE WHEN " + own + " THEN NULL ELSE " + c + " END"
		}
		cols[i] = c
	}
	return strings.Join(cols, ", ")
}

// scoreScanner reads rows of scoreSelect into samples of one run, whose
// own scorer and version stand in for the NULLs.
type scoreScanner struct {
	row                   *rawRow
	runID                 int64
	scorer, scorerVersion string
}

func newScoreScanner(runID int64, scorer, scorerVersion string) scoreScanner {
	return scoreScanner{newRawRow(scoreColumns), runID, scorer, scorerVersion}
}

func (ss scoreScanner) scan(sc scanner) (parity.Sample, error) {
	s := parity.Sample{RunID: ss.runID}
	r := ss.row
	if err := r.scan(sc); err != nil {
		return s, err
	}
	s.ItemID, s.Index = r.text(0), int(r.integer(1))
	if i, ok := r.vals[2].(int64); ok && i >= 0 && int(i) < len(parity.Outcomes) {
		s.Score.Outcome = parity.Outcomes[i]
	} else {
		s.Score.Outcome = parity.Outcome(r.text(2))
	}
	s.Score.Extracted = r.text(3)
	var own bool
	if s.Score.Scorer, own = r.nullText(4); !own {
		s.Score.Scorer = ss.scorer
	}
	if s.Score.ScorerVersion, own = r.nullText(5); !own {
		s.Score.ScorerVersion = ss.scorerVersion
	}
	if jo, ok := r.nullText(6); ok {
		s.Judge = &parity.Score{Outcome: parity.Outcome(jo)}
	}
	s.Completion.Usage = parity.Usage{PromptTokens: int(r.integer(7)), CompletionTokens: int(r.integer(8)), ReasoningTokens: int(r.integer(9))}
	s.Completion.Latency = time.Duration(r.integer(10))
	s.Cost = r.real(11)
	return s, r.err(&s)
}
