package parity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunStatus is the state of a run.
type RunStatus string

// The run states. A run is "running" while a process works on it; one that
// stopped early (Ctrl-C, budget, errors) is "partial" and resumable.
const (
	RunRunning  RunStatus = "running"
	RunPartial  RunStatus = "partial"
	RunComplete RunStatus = "complete"
)

// Model identifies a model in the catalog: "provider/name".
type Model struct {
	ID       string `json:"id"`       // "deepseek/deepseek-v4-pro"
	Provider string `json:"provider"` // "deepseek"
	Name     string `json:"name"`     // "deepseek-v4-pro", what the API is asked for
	// Origin groups models for comparisons: "CN", "West", "local" or "mock".
	Origin string `json:"origin"`
}

// Run is one model answering one suite with fixed parameters. It records
// everything needed to reproduce and audit it.
type Run struct {
	ID          int64     `json:"id"`
	Fingerprint string    `json:"fingerprint"` // resume key, see RunFingerprint
	Status      RunStatus `json:"status"`

	Model         Model  `json:"model"`
	ModelReported string `json:"model_reported,omitempty"`
	BaseURL       string `json:"base_url,omitempty"`

	Suite SuiteInfo `json:"suite"`

	Params  Params `json:"params"`
	Samples int    `json:"samples"` // answers drawn per item
	Limit   int    `json:"limit,omitempty"`
	Seed    int64  `json:"seed"`
	Subject string `json:"subject,omitempty"` // subset filter, if any
	// Items is the number of items selected, so Items*Samples is the target.
	Items int `json:"items"`
	// Shard is set on the run of one shard of a run split over machines
	// (see ShardItems); Items then counts the shard's items.
	Shard *Shard `json:"shard,omitempty"`

	ParityVersion string `json:"parity_version"`
	GitRevision   string `json:"git_revision,omitempty"`

	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`

	Price    *Price   `json:"price,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Note is free text explaining how the run ended ("interrupted", "budget").
	Note string `json:"note,omitempty"`
}

// Target returns how many samples the run needs to be complete.
func (r Run) Target() int { return r.Items * r.Samples }

// RunFingerprint is the key under which an unfinished run is found and
// resumed: the same model, suite data, prompt, scorer-independent parameters,
// selection and sample count give the same fingerprint.
func RunFingerprint(r Run) string {
	key := struct {
		Model   string
		BaseURL string
		Suite   string
		Version string
		Data    string
		Prompt  string
		Params  Params
		Samples int
		Limit   int
		Seed    int64
		Subject string
		// Selection is empty without a limit, which selects everything,
		// so such runs keep the fingerprint they had before it existed.
		Selection string `json:",omitempty"`
		// Shard is "INDEX/COUNT" for the run of one shard, empty for a
		// whole run, which keeps the fingerprint it always had.
		Shard string `json:",omitempty"`
	}{r.Model.ID, r.BaseURL, r.Suite.Name, r.Suite.Version, r.Suite.DataSHA256, r.Suite.PromptHash,
		r.Params, r.Samples, r.Limit, r.Seed, r.Subject, "", ""}
	if r.Limit > 0 {
		key.Selection = SelectionScheme
	}
	if r.Shard != nil {
		key.Shard = r.Shard.String()
	}
	b, _ := json.Marshal(key) // plain struct: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// RunLockName is the Store.Lock name of a run.
func RunLockName(id int64) string { return "run-" + strconv.FormatInt(id, 10) }

// FingerprintLockName is the Store.Lock name that serialises opening runs
// with one fingerprint.
func FingerprintLockName(fingerprint string) string { return "fp-" + fingerprint }

// SampleKey names one answer within a run.
type SampleKey struct {
	ItemID string
	Index  int
}

// Sample is one stored answer: what was asked, what came back, how it scored.
type Sample struct {
	RunID    int64     `json:"run_id"`
	ItemID   string    `json:"item_id"`
	Index    int       `json:"index"` // 0..Samples-1
	Messages []Message `json:"messages"`
	Gold     string    `json:"gold"`
	// RotationOf and Pair are the item's (see Item), kept with each sample
	// so reports can group rotations and line up translations without the
	// suite.
	RotationOf string     `json:"rotation_of,omitempty"`
	Pair       string     `json:"pair,omitempty"`
	Completion Completion `json:"completion"`
	Score      Score      `json:"score"`
	// Judge is the optional LLM judge's verdict, kept beside the rule verdict
	// in Score and never instead of it.
	Judge *Score `json:"judge,omitempty"`
	// Cost is in the currency of the run's price card; zero when unknown.
	Cost      float64   `json:"cost"`
	StartedAt time.Time `json:"started_at"`
}

// Key returns the sample's key.
func (s Sample) Key() SampleKey { return SampleKey{s.ItemID, s.Index} }

// Price is a model's price card: amounts per million tokens.
type Price struct {
	Input       float64 `json:"input" yaml:"input"`
	CachedInput float64 `json:"cached_input,omitempty" yaml:"cached_input"`
	Output      float64 `json:"output" yaml:"output"`
	Currency    string  `json:"currency" yaml:"currency"` // "USD" or "CNY"
	AsOf        string  `json:"as_of" yaml:"as_of"`       // date the price was read, YYYY-MM-DD
	Source      string  `json:"source,omitempty" yaml:"source"`
	// Windows are daily periods with their own rates, such as DeepSeek's
	// off-peak discount; At picks the card in force when a request is sent.
	Windows []PriceWindow `json:"windows,omitempty" yaml:"windows"`
}

// PriceWindow is a daily period, in UTC, with its own rates. Start and End
// are "HH:MM"; End is exclusive and may be earlier than Start for a period
// that crosses midnight. Days, when set, limits the window to those UTC
// weekdays ("mon" … "sun"); a window crossing midnight belongs to the day
// it starts on.
type PriceWindow struct {
	Name        string   `json:"name" yaml:"name"`
	Start       string   `json:"start" yaml:"start"`
	End         string   `json:"end" yaml:"end"`
	Days        []string `json:"days,omitempty" yaml:"days"`
	Input       float64  `json:"input" yaml:"input"`
	CachedInput float64  `json:"cached_input,omitempty" yaml:"cached_input"`
	Output      float64  `json:"output" yaml:"output"`
}

// At returns the price card in force at t: the rates of the first window
// containing t, or the base rates. The result has no windows.
func (p Price) At(t time.Time) Price {
	card := p
	card.Windows = nil
	t = t.UTC()
	now := t.Hour()*60 + t.Minute()
	for _, w := range p.Windows {
		start, ok1 := minuteOfDay(w.Start)
		end, ok2 := minuteOfDay(w.End)
		if !ok1 || !ok2 {
			continue
		}
		in, day := now >= start && now < end, t.Weekday()
		if end <= start { // crosses midnight
			in = now >= start || now < end
			if now < end {
				day = (day + 6) % 7 // the window began the day before
			}
		}
		if in && onDay(w.Days, day) {
			card.Input, card.CachedInput, card.Output = w.Input, w.CachedInput, w.Output
			return card
		}
	}
	return card
}

// CheckWindows reports the first malformed window: a time that is not
// "HH:MM", a day that is not mon … sun, or a negative rate. At ignores such
// windows, so catalogs check them when they are loaded.
func (p Price) CheckWindows() error {
	for i, w := range p.Windows {
		_, ok1 := minuteOfDay(w.Start)
		_, ok2 := minuteOfDay(w.End)
		if !ok1 || !ok2 {
			return fmt.Errorf("price window %d (%s): start %q and end %q must be HH:MM in UTC", i+1, w.Name, w.Start, w.End)
		}
		for _, d := range w.Days {
			if !slices.Contains([]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, strings.ToLower(strings.TrimSpace(d))) {
				return fmt.Errorf("price window %d (%s): day %q: use mon, tue, wed, thu, fri, sat or sun", i+1, w.Name, d)
			}
		}
		if w.Input < 0 || w.CachedInput < 0 || w.Output < 0 {
			return fmt.Errorf("price window %d (%s): rates must not be negative", i+1, w.Name)
		}
	}
	return nil
}

// onDay reports whether day is one of days; no days means every day.
func onDay(days []string, day time.Weekday) bool {
	if len(days) == 0 {
		return true
	}
	name := strings.ToLower(day.String()[:3])
	for _, d := range days {
		if strings.ToLower(strings.TrimSpace(d)) == name {
			return true
		}
	}
	return false
}

// minuteOfDay parses "HH:MM".
func minuteOfDay(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Cost returns what usage u costs under p. Cached prompt tokens are charged
// at CachedInput when set, else at Input; reasoning tokens are output tokens.
func (p Price) Cost(u Usage) float64 {
	cached := float64(u.CachedTokens)
	fresh := float64(u.PromptTokens) - cached
	cachedRate := p.CachedInput
	if cachedRate == 0 {
		cachedRate = p.Input
	}
	return (fresh*p.Input + cached*cachedRate + float64(u.CompletionTokens)*p.Output) / 1e6
}

// Store keeps runs and samples. The results package implements it on SQLite.
type Store interface {
	// CreateRun stores a new run and sets its ID.
	CreateRun(ctx context.Context, r *Run) error
	// LatestRun returns the newest run with the fingerprint, or nil.
	LatestRun(ctx context.Context, fingerprint string) (*Run, error)
	// SampleKeys returns the keys of the samples a resumed run need not ask
	// again: every stored sample except those whose outcome is "error".
	SampleKeys(ctx context.Context, runID int64) (map[SampleKey]bool, error)
	// AddSamples stores samples in one transaction. A sample whose key is
	// already stored replaces the stored one only when that one's outcome is
	// "error" (a retried failure); any other existing key is an error, never a
	// silent duplicate.
	AddSamples(ctx context.Context, samples []Sample) error
	// UpdateRun saves a run's status, finish time, reported model and notes.
	UpdateRun(ctx context.Context, r *Run) error
	// Lock claims name for this process until unlock is called, so two
	// processes never work on the same run: runners hold RunLockName(id)
	// while they work on a run, and FingerprintLockName(fp) while they
	// decide whether to resume or create. With wait it waits for the name
	// to be free; without, it fails with ErrBusy while another live
	// process holds it. A process that dies drops its claims.
	Lock(ctx context.Context, name string, wait bool) (unlock func(), err error)
}
