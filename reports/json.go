package reports

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"
)

// jsonReport is the JSON form of a Leaderboard. Values that cannot be
// computed are null rather than NaN, which JSON cannot carry.
type jsonReport struct {
	GeneratedAt time.Time   `json:"generated_at"`
	Rows        []jsonRow   `json:"rows"`
	Groups      []jsonGroup `json:"groups"`
	// Comparisons and ParityChecks are always arrays, empty when no two
	// runs share an item, so consumers need no null check.
	Comparisons  []jsonComparison  `json:"comparisons"`
	ParityChecks []jsonParityCheck `json:"parity_checks"`
	LanguageGaps []jsonLanguageGap `json:"language_gaps"`
	Notes        []string          `json:"notes"`
}

type jsonComparison struct {
	Benchmark   string   `json:"benchmark"`
	A           string   `json:"a"`
	B           string   `json:"b"`
	RunA        int64    `json:"run_a"`
	RunB        int64    `json:"run_b"`
	SharedItems int      `json:"shared_items"`
	Excluded    int      `json:"excluded_items"`
	AccA        *float64 `json:"acc_a"`
	AccB        *float64 `json:"acc_b"`
	Diff        *float64 `json:"diff"`
	CILow       *float64 `json:"ci_low"`
	CIHigh      *float64 `json:"ci_high"`
	PValue      *float64 `json:"p_value"`
	Method      string   `json:"method"`
	Verdict     string   `json:"verdict"`
}

// jsonParityCheck carries diff, ci_low and ci_high as CN minus West.
type jsonParityCheck struct {
	Benchmark    string   `json:"benchmark"`
	CNModel      string   `json:"cn_model"`
	WestModel    string   `json:"west_model"`
	CNRun        int64    `json:"cn_run"`
	WestRun      int64    `json:"west_run"`
	SharedItems  int      `json:"shared_items"`
	CNAccuracy   *float64 `json:"cn_accuracy"`
	WestAccuracy *float64 `json:"west_accuracy"`
	Diff         *float64 `json:"diff"`
	CILow        *float64 `json:"ci_low"`
	CIHigh       *float64 `json:"ci_high"`
	PValue       *float64 `json:"p_value"`
	Verdict      string   `json:"verdict"`
}

// jsonLanguageGap carries diff, ci_low and ci_high as the other language
// minus English.
type jsonLanguageGap struct {
	Model           string   `json:"model"`
	Suite           string   `json:"suite"`
	Language        string   `json:"language"`
	EnglishRun      int64    `json:"english_run"`
	OtherRun        int64    `json:"other_run"`
	SharedItems     int      `json:"shared_items"`
	EnglishAccuracy *float64 `json:"english_accuracy"`
	OtherAccuracy   *float64 `json:"other_accuracy"`
	Diff            *float64 `json:"diff"`
	CILow           *float64 `json:"ci_low"`
	CIHigh          *float64 `json:"ci_high"`
	PValue          *float64 `json:"p_value"`
	Method          string   `json:"method"`
	Verdict         string   `json:"verdict"`
}

type jsonRow struct {
	RunID                int64              `json:"run_id"`
	Model                string             `json:"model"`
	ModelReported        string             `json:"model_reported,omitempty"`
	Substituted          bool               `json:"substituted,omitempty"`
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
		Comparisons:  make([]jsonComparison, 0, len(lb.Comparisons)),
		ParityChecks: make([]jsonParityCheck, 0, len(lb.ParityChecks)),
		LanguageGaps: make([]jsonLanguageGap, 0, len(lb.LanguageGaps)),
		Notes:        append([]string{}, lb.Notes...),
	}
	for _, r := range lb.Rows {
		jr := jsonRow{
			RunID: r.RunID, Model: r.Model, ModelReported: r.ModelReported, Substituted: r.Substituted, Provider: r.Provider,
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
	for _, c := range lb.Comparisons {
		rep.Comparisons = append(rep.Comparisons, jsonComparison{
			Benchmark: c.Benchmark, A: c.A, B: c.B, RunA: c.RunA, RunB: c.RunB,
			SharedItems: c.SharedItems, Excluded: c.Excluded,
			AccA: nullable(c.AccA), AccB: nullable(c.AccB), Diff: nullable(c.Diff),
			CILow: nullable(c.CILow), CIHigh: nullable(c.CIHigh), PValue: nullable(c.PValue),
			Method: c.Method, Verdict: c.Verdict,
		})
	}
	for _, p := range lb.ParityChecks {
		rep.ParityChecks = append(rep.ParityChecks, jsonParityCheck{
			Benchmark: p.Benchmark, CNModel: p.CN, WestModel: p.West, CNRun: p.CNRun, WestRun: p.WestRun,
			SharedItems: p.SharedItems, CNAccuracy: nullable(p.CNAccuracy), WestAccuracy: nullable(p.WestAccuracy),
			Diff: nullable(p.Diff), CILow: nullable(p.CILow), CIHigh: nullable(p.CIHigh), PValue: nullable(p.PValue),
			Verdict: p.Verdict,
		})
	}
	for _, g := range lb.LanguageGaps {
		rep.LanguageGaps = append(rep.LanguageGaps, jsonLanguageGap{
			Model: g.Model, Suite: g.Suite, Language: g.Language, EnglishRun: g.EnglishRun, OtherRun: g.OtherRun,
			SharedItems: g.SharedItems, EnglishAccuracy: nullable(g.EnglishAccuracy), OtherAccuracy: nullable(g.OtherAccuracy),
			Diff: nullable(g.Diff), CILow: nullable(g.CILow), CIHigh: nullable(g.CIHigh), PValue: nullable(g.PValue),
			Method: g.Method, Verdict: g.Verdict,
		})
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
