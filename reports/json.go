package reports

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/parity-bench/parity"
)

// jsonReport is the JSON form of a Leaderboard. Values that cannot be
// computed are null rather than NaN, which JSON cannot carry.
type jsonReport struct {
	GeneratedAt time.Time   `json:"generated_at"`
	Rows        []jsonRow   `json:"rows"`
	Groups      []jsonGroup `json:"groups"`
	// Comparisons, ParityChecks, LanguageGaps and HostGaps are always
	// arrays, empty when no two runs share an item, so consumers need no
	// null check. All hold paired comparisons in one form.
	Comparisons  []jsonComparison `json:"comparisons"`
	ParityChecks []jsonComparison `json:"parity_checks"`
	LanguageGaps []jsonComparison `json:"language_gaps"`
	HostGaps     []jsonComparison `json:"host_gaps"`
	// Curves and Frontiers are there when the runs have any (see
	// Leaderboard).
	Curves    []Curve    `json:"curves,omitempty"`
	Frontiers []Frontier `json:"frontiers,omitempty"`
	// Probes and Cutoffs likewise (contamination probes).
	Probes  []ProbeResult `json:"probes,omitempty"`
	Cutoffs []CutoffDrop  `json:"cutoffs,omitempty"`
	Notes   []string      `json:"notes"`
}

// jsonComparison is the one JSON form of a Comparison: diff, ci_low and
// ci_high are a minus b, whatever the kind.
type jsonComparison struct {
	Kind        string   `json:"kind"`
	Benchmark   string   `json:"benchmark"`
	A           jsonSide `json:"a"`
	B           jsonSide `json:"b"`
	SharedItems int      `json:"shared_items"`
	Excluded    int      `json:"excluded_items"`
	Diff        *float64 `json:"diff"`
	CILow       *float64 `json:"ci_low"`
	CIHigh      *float64 `json:"ci_high"`
	PValue      *float64 `json:"p_value"`
	Method      string   `json:"method,omitempty"`
	Verdict     string   `json:"verdict"`
}

type jsonSide struct {
	Label    string   `json:"label"`
	Model    string   `json:"model"`
	Run      int64    `json:"run"`
	Accuracy *float64 `json:"accuracy"`
}

func newJSONComparisons(cs []Comparison) []jsonComparison {
	out := make([]jsonComparison, 0, len(cs))
	side := func(s Side) jsonSide { return jsonSide{s.Label, s.Model, s.Run, nullable(s.Accuracy)} }
	for _, c := range cs {
		out = append(out, jsonComparison{
			Kind: c.Kind, Benchmark: c.Benchmark, A: side(c.A), B: side(c.B),
			SharedItems: c.SharedItems, Excluded: c.Excluded,
			Diff: nullable(c.Diff), CILow: nullable(c.CILow), CIHigh: nullable(c.CIHigh), PValue: nullable(c.PValue),
			Method: c.Method, Verdict: c.Verdict,
		})
	}
	return out
}

type jsonRow struct {
	RunID                int64              `json:"run_id"`
	Model                string             `json:"model"`
	ModelReported        string             `json:"model_reported,omitempty"`
	Substituted          bool               `json:"substituted,omitempty"`
	Canonical            string             `json:"canonical,omitempty"`
	Provider             string             `json:"provider"`
	Origin               string             `json:"origin"`
	Mock                 bool               `json:"mock"`
	Suite                string             `json:"suite"`
	SuiteVersion         string             `json:"suite_version"`
	Language             string             `json:"language"`
	NonCommercial        bool               `json:"non_commercial"`
	Status               string             `json:"status"`
	Rank                 int                `json:"rank"`
	Thinking             string             `json:"thinking"`
	Items                int                `json:"items"`
	Samples              int                `json:"samples"`
	Target               int                `json:"target"`
	K                    int                `json:"k"`
	Scored               int                `json:"scored"`
	Accuracy             *float64           `json:"accuracy"`
	CILow                *float64           `json:"ci_low"`
	CIHigh               *float64           `json:"ci_high"`
	Outcomes             map[string]int     `json:"outcomes"`
	PassAtK              map[string]float64 `json:"pass_at_k"`
	MajAtK               *float64           `json:"maj_at_k"`
	MeanPromptTokens     float64            `json:"mean_prompt_tokens"`
	MeanCompletionTokens float64            `json:"mean_completion_tokens"`
	MeanReasoningTokens  float64            `json:"mean_reasoning_tokens"`
	LatencyP50MS         float64            `json:"latency_p50_ms"`
	LatencyP95MS         float64            `json:"latency_p95_ms"`
	Cost                 float64            `json:"cost"`
	Currency             string             `json:"currency"`
	PriceAsOf            string             `json:"price_as_of,omitempty"`
	CostConverted        *float64           `json:"cost_converted,omitempty"`
	ConvertedCurrency    string             `json:"converted_currency,omitempty"`
	Scorers              []string           `json:"scorers"`
	JudgeChecked         int                `json:"judge_checked"`
	JudgeOverturned      int                `json:"judge_overturned"`
	JudgeAccuracy        *float64           `json:"judge_accuracy"`
	Subject              string             `json:"subject,omitempty"`
	CircularItems        int                `json:"circular_items,omitempty"`
	CircularAccuracy     *float64           `json:"circular_accuracy,omitempty"`
}

type jsonGroup struct {
	Suite        string   `json:"suite"`
	Origin       string   `json:"origin"`
	Models       int      `json:"models"`
	MeanAccuracy *float64 `json:"mean_accuracy"`
}

func renderJSON(w io.Writer, lb *Leaderboard) error {
	rep := jsonReport{
		GeneratedAt:  lb.GeneratedAt.UTC(),
		Rows:         make([]jsonRow, 0, len(lb.Rows)),
		Groups:       make([]jsonGroup, 0, len(lb.Groups)),
		Comparisons:  newJSONComparisons(lb.Comparisons),
		ParityChecks: newJSONComparisons(lb.ParityChecks),
		LanguageGaps: newJSONComparisons(lb.LanguageGaps),
		HostGaps:     newJSONComparisons(lb.HostGaps),
		Curves:       lb.Curves,
		Frontiers:    lb.Frontiers,
		Probes:       lb.Probes,
		Cutoffs:      lb.Cutoffs,
		Notes:        append([]string{}, lb.Notes...),
	}
	for _, r := range lb.Rows {
		jr := jsonRow{
			RunID: r.RunID, Model: r.Model, ModelReported: r.ModelReported, Substituted: r.Substituted, Canonical: r.Canonical, Provider: r.Provider,
			Origin: r.Origin, Mock: r.Mock, Suite: r.Suite, SuiteVersion: r.SuiteVersion,
			Language: r.Language, NonCommercial: r.NonCommercial, Status: r.Status, Rank: r.Rank,
			Thinking: r.Thinking, Items: r.Items, Samples: r.Samples, Target: r.Target, K: r.K,
			Scored: r.Scored, Accuracy: nullable(r.Accuracy), CILow: nullable(r.CILow),
			CIHigh: nullable(r.CIHigh), Outcomes: map[string]int{}, PassAtK: map[string]float64{},
			MajAtK: nullable(r.MajAtK), MeanPromptTokens: r.MeanPromptTokens,
			MeanCompletionTokens: r.MeanCompletionTokens, MeanReasoningTokens: r.MeanReasoningTokens,
			LatencyP50MS: float64(r.LatencyP50) / float64(time.Millisecond),
			LatencyP95MS: float64(r.LatencyP95) / float64(time.Millisecond),
			Cost:         r.Cost, Currency: r.Currency, PriceAsOf: r.PriceAsOf,
			ConvertedCurrency: r.ConvertedCurrency, Scorers: append([]string{}, r.Scorers...),
			JudgeChecked: r.JudgeChecked, JudgeOverturned: r.JudgeOverturned,
			JudgeAccuracy: nullable(r.JudgeAccuracy),
			Subject:       r.Subject, CircularItems: r.CircularItems, CircularAccuracy: nullable(r.CircularAccuracy),
		}
		for o, n := range r.Outcomes {
			jr.Outcomes[string(o)] = n
		}
		for k, v := range r.PassAtK {
			if !math.IsNaN(v) {
				jr.PassAtK[strconv.Itoa(k)] = v
			}
		}
		if r.ConvertedCurrency != "" {
			jr.CostConverted = nullable(r.CostConverted)
		}
		rep.Rows = append(rep.Rows, jr)
	}
	for _, g := range lb.Groups {
		rep.Groups = append(rep.Groups, jsonGroup{g.Suite, g.Origin, g.Models, nullable(g.MeanAccuracy)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func nullable(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes a Comparison in its one JSON form, with null for
// figures that cannot be computed.
func (c Comparison) MarshalJSON() ([]byte, error) {
	return json.Marshal(newJSONComparisons([]Comparison{c})[0])
}

type jsonItemResult struct {
	ID        string         `json:"id"`
	Index     int            `json:"index"`
	Outcome   parity.Outcome `json:"outcome"`
	Extracted string         `json:"extracted"`
	Gold      string         `json:"gold"`
	Scored    int            `json:"scored"`
	Correct   int            `json:"correct"`
}

type jsonFlip struct {
	Key string         `json:"key"`
	A   jsonItemResult `json:"a"`
	B   jsonItemResult `json:"b"`
}

// MarshalJSON writes a diff as its comparison, the counts and the flipped
// items, each with both runs' first answer and gold.
func (d DiffResult) MarshalJSON() ([]byte, error) {
	item := func(r ItemResult) jsonItemResult {
		return jsonItemResult{r.ID, r.Index, r.Outcome, r.Extracted, r.Gold, r.Scored, r.Correct}
	}
	flips := make([]jsonFlip, 0, len(d.Flips))
	for _, f := range d.Flips {
		flips = append(flips, jsonFlip{f.Key, item(f.A), item(f.B)})
	}
	return json.Marshal(struct {
		Comparison Comparison `json:"comparison"`
		Gained     int        `json:"gained"`
		Lost       int        `json:"lost"`
		Net        int        `json:"net"`
		Flips      []jsonFlip `json:"flips"`
	}{d.Comparison, d.Gained, d.Lost, d.Net, flips})
}
