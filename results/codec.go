package results

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
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
// sampleArgs and scanSample use. The last four are the large texts a light
// read leaves out.
var sampleColumns = []string{
	"item_id", "idx", "outcome", "extracted", "scorer", "scorer_version", "detail",
	"judge_outcome", "judge_extracted", "judge_scorer", "judge_scorer_version", "judge_detail",
	"gold", "finish_reason", "model_reported", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens",
	"latency_ns", "ttft_ns", "attempts", "error", "error_code", "warnings", "cost", "started_at",
	"content", "reasoning", "messages", "raw",
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
	lightLeftOut     = map[string]string{"content": "''", "reasoning": "''", "messages": "NULL", "raw": "''"}
	publishedLeftOut = map[string]string{"messages": "NULL", "raw": "''"}
)

// scoreColumns are the columns a ScoreFields read selects, in the order
// scanScore uses.
var scoreColumns = []string{
	"item_id", "idx", "outcome", "extracted", "scorer", "scorer_version", "judge_outcome",
	"prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_ns", "cost",
}

var (
	runSelectAll          = "id, " + strings.Join(runColumns, ", ")
	sampleSelect          = "run_id, " + strings.Join(sampleColumns, ", ")
	sampleSelectLight     = "run_id, " + strings.Join(leaveOut(lightLeftOut), ", ")
	sampleSelectPublished = "run_id, " + strings.Join(leaveOut(publishedLeftOut), ", ")
	sampleSelectScore     = strings.Join(scoreColumns, ", ")
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
	var price any
	if r.Price != nil {
		b, err := json.Marshal(r.Price)
		if err != nil {
			return nil, fmt.Errorf("encode price: %w", err)
		}
		price = string(b)
	}
	warnings, err := jsonOrNull(r.Warnings)
	if err != nil {
		return nil, fmt.Errorf("encode warnings: %w", err)
	}
	var shard any
	if r.Shard != nil {
		b, err := json.Marshal(r.Shard)
		if err != nil {
			return nil, fmt.Errorf("encode shard: %w", err)
		}
		shard = string(b)
	}
	s := r.Suite
	return []any{
		r.Fingerprint, string(r.Status), r.Model.ID, r.Model.Provider, r.Model.Name, r.Model.Origin, r.ModelReported, r.BaseURL,
		s.Name, s.Version, s.Language, s.License, s.Description, s.Items,
		s.DataSHA256, s.PromptHash, s.Scorer, s.ScorerVersion, s.Kind, s.NonCommercial,
		string(params), r.Samples, r.Limit, r.Seed, r.Subject, r.Items, r.ParityVersion, r.GitRevision,
		nanos(r.StartedAt), nanos(r.FinishedAt), price, warnings, r.Note, shard,
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
		int64(c.Latency), int64(c.TTFT), c.Attempts, scrub(c.Error), string(c.ErrorCode), warnings, s.Cost, nanos(s.StartedAt),
		c.Content, c.Reasoning, messages, scrub(c.Raw),
	}, nil
}

func scanSample(sc scanner) (parity.Sample, error) {
	var (
		s                  parity.Sample
		c                  = &s.Completion
		outcome, errCode   string
		jo, je, js, jv, jd sql.NullString
		latency, ttft      int64
		warnings, messages sql.NullString
		started            sql.NullInt64
	)
	err := sc.Scan(&s.RunID,
		&s.ItemID, &s.Index, &outcome, &s.Score.Extracted, &s.Score.Scorer, &s.Score.ScorerVersion, &s.Score.Detail,
		&jo, &je, &js, &jv, &jd,
		&s.Gold, &c.FinishReason, &c.ModelReported, &c.Usage.PromptTokens, &c.Usage.CompletionTokens, &c.Usage.ReasoningTokens, &c.Usage.CachedTokens,
		&latency, &ttft, &c.Attempts, &c.Error, &errCode, &warnings, &s.Cost, &started,
		&c.Content, &c.Reasoning, &messages, &c.Raw)
	if err != nil {
		return s, err
	}
	s.Score.Outcome = parity.Outcome(outcome)
	c.ErrorCode = parity.ErrorCode(errCode)
	c.Latency, c.TTFT = time.Duration(latency), time.Duration(ttft)
	s.StartedAt = fromNanos(started)
	if jo.Valid {
		s.Judge = &parity.Score{Outcome: parity.Outcome(jo.String), Extracted: je.String, Scorer: js.String,
			ScorerVersion: jv.String, Detail: jd.String}
	}
	if c.Warnings, err = fromJSONList[string](warnings, "warnings"); err != nil {
		return s, fmt.Errorf("sample %s#%d: %w", s.ItemID, s.Index, err)
	}
	if s.Messages, err = fromJSONList[parity.Message](messages, "messages"); err != nil {
		return s, fmt.Errorf("sample %s#%d: %w", s.ItemID, s.Index, err)
	}
	return s, nil
}

// scanScore reads a row of scoreColumns into a sample of run runID.
func scanScore(sc scanner, runID int64) (parity.Sample, error) {
	var (
		s       = parity.Sample{RunID: runID}
		u       = &s.Completion.Usage
		outcome string
		judge   sql.NullString
		latency int64
	)
	err := sc.Scan(&s.ItemID, &s.Index, &outcome, &s.Score.Extracted, &s.Score.Scorer, &s.Score.ScorerVersion, &judge,
		&u.PromptTokens, &u.CompletionTokens, &u.ReasoningTokens, &latency, &s.Cost)
	if err != nil {
		return s, err
	}
	s.Score.Outcome = parity.Outcome(outcome)
	s.Completion.Latency = time.Duration(latency)
	if judge.Valid {
		s.Judge = &parity.Score{Outcome: parity.Outcome(judge.String)}
	}
	return s, nil
}

// secretPattern matches credentials that an error message or a response
// body might echo back: bearer tokens, api-key headers or fields, and
// OpenAI-style "sk-" keys. Raw responses are bodies only, but providers
// sometimes quote the request in their errors, and a key in the database
// would travel with every shared shard and snapshot.
var secretPattern = regexp.MustCompile(
	`(?i)(bearer\s+|(?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{8,}|\bsk-[A-Za-z0-9_-]{16,}`)

// secretHints are cheap substring tests, ignoring ASCII case like the
// pattern does ("X-API-Key", "BEARER"), that rule out secretPattern for
// almost every text, so the regexp only runs on suspicious ones.
var secretHints = []string{"bearer", "key", "sk-"}

// scrub replaces credentials in s with a marker.
func scrub(s string) string {
	for _, h := range secretHints {
		if containsFold(s, h) {
			return secretPattern.ReplaceAllStringFunc(s, func(m string) string {
				if sub := secretPattern.FindStringSubmatch(m); sub[1] != "" {
					return sub[1] + "[REDACTED]"
				}
				return "[REDACTED]"
			})
		}
	}
	return s
}

// containsFold reports whether s contains the lower-case ASCII string sub,
// ignoring ASCII case, without copying s.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
