package reports

import (
	"regexp"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedOptions() Options {
	return Options{
		Now:       func() time.Time { return fixedNow },
		Currency:  "USD",
		Rates:     map[string]float64{"CNY->USD": 0.14},
		RatesDate: "2025-06-01",
		Bootstrap: 500,
		Seed:      42,
	}
}

func run(id int64, model, origin, suite string, items, samples int) parity.Run {
	provider, _, _ := strings.Cut(model, "/")
	return parity.Run{
		ID:      id,
		Status:  parity.RunComplete,
		Model:   parity.Model{ID: model, Provider: provider, Origin: origin},
		Suite:   parity.SuiteInfo{Name: suite, Version: "1", Language: "en"},
		Samples: samples,
		Items:   items,
	}
}

// spec is a compact sample description: item, index, outcome, extracted answer.
type spec struct {
	item      string
	index     int
	outcome   parity.Outcome
	extracted string
}

// mgsmID is the form of MGSM's item ids, "<language>-<problem>".
var mgsmID = regexp.MustCompile(`^[a-z]{2}-(.+)$`)

// samples builds samples from specs. Item ids in the forms the suites use
// get the fields the runner would copy from the item: "q@r2" is rotation 2
// of item q (RotationOf "q") and "zh-17" is MGSM problem 17 (Pair "17").
func samples(runID int64, scorer string, specs ...spec) []parity.Sample {
	name, version, _ := strings.Cut(scorer, "@")
	out := make([]parity.Sample, len(specs))
	for i, s := range specs {
		out[i] = parity.Sample{
			RunID:  runID,
			ItemID: s.item,
			Index:  s.index,
			Score:  parity.Score{Outcome: s.outcome, Extracted: s.extracted, Scorer: name, ScorerVersion: version},
		}
		if base, _, ok := strings.Cut(s.item, "@r"); ok {
			out[i].RotationOf = base
		}
		if m := mgsmID.FindStringSubmatch(s.item); m != nil {
			out[i].Pair = m[1]
		}
		if s.outcome != parity.OutcomeError {
			out[i].Completion = parity.Completion{
				Latency: time.Duration(400+100*i) * time.Millisecond,
				Usage:   parity.Usage{PromptTokens: 100, CompletionTokens: 200 + 10*i, ReasoningTokens: 150},
			}
			out[i].Cost = 0.001 * float64(i+1)
		}
	}
	return out
}

// fixture is a small table exercising every note: an error sample, mixed
// scorer versions, a mock row, a partial K=4 run with a judge, a
// non-commercial suite, a hostile model name and two currencies.
func fixture() []Input {
	c, w, u, tr, rf, e := parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeUnparsed,
		parity.OutcomeTruncated, parity.OutcomeRefused, parity.OutcomeError

	ds := run(1, "deepseek/deepseek-reasoner", "CN", "gsm8k", 5, 1)
	ds.ModelReported = "deepseek-reasoner-0528"
	ds.Params = parity.Params{Thinking: "on"}
	ds.Price = &parity.Price{Input: 4, Output: 16, Currency: "CNY", AsOf: "2025-05-30"}
	dsS := samples(1, "number@1",
		spec{"q1", 0, c, "18"}, spec{"q2", 0, c, "3"}, spec{"q3", 0, w, "70000"},
		spec{"q4", 0, e, ""}, spec{"q5", 0, tr, ""})

	oa := run(2, "openai/o4-mini", "West", "gsm8k", 5, 1)
	oa.Params = parity.Params{Effort: "high"}
	oa.Price = &parity.Price{Input: 1.1, Output: 4.4, Currency: "USD", AsOf: "2025-05-30"}
	oaS := samples(2, "number@2",
		spec{"q1", 0, c, "18"}, spec{"q2", 0, c, "3"}, spec{"q3", 0, c, "70000"},
		spec{"q4", 0, c, "540"}, spec{"q5", 0, u, ""})

	mock := run(3, "mock/mock-reasoner", "mock", "gsm8k", 5, 1)
	mockS := samples(3, "number@2",
		spec{"q1", 0, c, "18"}, spec{"q2", 0, c, "3"}, spec{"q3", 0, c, "70000"},
		spec{"q4", 0, c, "540"}, spec{"q5", 0, c, "64"})

	qw := run(4, "dashscope/qwen3-max", "CN", "aime24", 4, 4)
	qw.Status = parity.RunPartial
	qw.Params = parity.Params{Thinking: "on", ThinkingBudget: 8192}
	qw.Price = &parity.Price{Input: 6, Output: 24, Currency: "CNY", AsOf: "2025-05-30"}
	qwS := samples(4, "math@1",
		spec{"a1", 0, c, "204"}, spec{"a1", 1, c, "204"}, spec{"a1", 2, c, "204"}, spec{"a1", 3, c, "204"},
		spec{"a2", 0, w, "25"}, spec{"a2", 1, c, "33"}, spec{"a2", 2, w, "25"}, spec{"a2", 3, c, "33"},
		spec{"a3", 0, w, "11"}, spec{"a3", 1, rf, ""}, spec{"a3", 2, w, "12"}, spec{"a3", 3, w, "11"})
	judge := parity.Score{Outcome: c, Scorer: "judge", ScorerVersion: "1"}
	qwS[4].Judge = &judge
	qwS[5].Judge = &judge

	ev := run(5, "evil/<script>alert(1)</script>", "West", "cmmlu", 2, 1)
	ev.Suite.Language = "zh"
	ev.Suite.NonCommercial = true
	evS := samples(5, "choice@1", spec{"m1", 0, c, "<script>alert('x')</script>"}, spec{"m2", 0, w, "C"})

	// Without a price card nothing is charged.
	for _, s := range [][]parity.Sample{mockS, evS} {
		for i := range s {
			s[i].Cost = 0
		}
	}

	return []Input{{ds, dsS}, {oa, oaS}, {mock, mockS}, {qw, qwS}, {ev, evS}}
}
