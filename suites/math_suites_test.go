package suites

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// mathSuites are the suites this file covers, with what their data must
// hold; a wrong answer for the first item exercises the "wrong" outcome.
var mathSuites = []struct {
	suite    *Builtin
	items    int
	language string
	firstID  string
	wrong    string
}{
	{GSM8K, 1319, "en", "1", `\boxed{17}`},
	{MATH500, 500, "en", "test/precalculus/807.json", `\boxed{(3, \pi)}`},
	{AIME24, 30, "en", "2024-I-1", `\boxed{205}`},
	{AIME25, 30, "en", "2025-I-1", `\boxed{71}`},
	{MGSM, 2750, "mul", "bn-1", `\boxed{19}`},
	{CMATH, 600, "zh", "1", `\boxed{8}`},
	{CNMiddleSchool, 101, "zh", "0", `\boxed{B}`},
	{Gaokao2024Mix, 91, "zh", "0", `\boxed{A}`},
	{GaokaoMathCloze, 118, "zh", "1", `\boxed{3}`},
	{GaokaoMathQA, 351, "zh", "1", `\boxed{A}`},
}

func TestMathSuitesData(t *testing.T) {
	for _, tt := range mathSuites {
		t.Run(tt.suite.Name(), func(t *testing.T) {
			items, err := tt.suite.Items(context.Background())
			require.NoError(t, err)
			require.Len(t, items, tt.items)
			info := tt.suite.Info()
			assert.Equal(t, tt.items, info.Items)
			assert.Equal(t, tt.language, info.Language)
			assert.Equal(t, tt.firstID, items[0].ID)
			assert.Len(t, info.DataSHA256, 64)
			assert.Len(t, info.PromptHash, 64)
			assert.NotEmpty(t, info.Description)
			assert.NotEmpty(t, info.License)

			ids := map[string]bool{}
			for _, it := range items {
				assert.False(t, ids[it.ID], "duplicate id %s", it.ID)
				ids[it.ID] = true
				assert.NotEmpty(t, strings.TrimSpace(it.Question), "item %s has no question", it.ID)
				assert.NotEmpty(t, it.Answer, "item %s has no answer", it.ID)
			}
		})
	}
}

func TestMathSuitesGoldenPrompts(t *testing.T) {
	for _, tt := range mathSuites {
		t.Run(tt.suite.Name(), func(t *testing.T) {
			items, err := tt.suite.Items(context.Background())
			require.NoError(t, err)
			msgs := tt.suite.Prompt(items[0])
			require.Len(t, msgs, 1)
			assert.Equal(t, "user", msgs[0].Role)
			golden(t, "prompts/"+tt.suite.Name()+".golden", msgs[0].Content)
		})
	}
}

// TestMathSuitesGoldScoresCorrect boxes every gold answer and expects the
// suite to grade it correct: a gold answer its own grader rejects would
// count every right model answer as wrong.
func TestMathSuitesGoldScoresCorrect(t *testing.T) {
	for _, tt := range mathSuites {
		t.Run(tt.suite.Name(), func(t *testing.T) {
			items, err := tt.suite.Items(context.Background())
			require.NoError(t, err)
			var failed []string
			for _, it := range items {
				c := parity.Completion{Content: "Working it out step by step.\n\nThe final answer is \\boxed{" + it.Answer + "}.", FinishReason: "stop"}
				if s := tt.suite.Score(it, c); s.Outcome != parity.OutcomeCorrect {
					failed = append(failed, fmt.Sprintf("%s: gold %q → %s (extracted %q, %s)", it.ID, it.Answer, s.Outcome, s.Extracted, s.Detail))
				}
			}
			assert.Empty(t, failed, "%d of %d gold answers do not score correct", len(failed), len(items))
		})
	}
}

func TestMathSuitesScoreOutcomes(t *testing.T) {
	for _, tt := range mathSuites {
		t.Run(tt.suite.Name(), func(t *testing.T) {
			items, err := tt.suite.Items(context.Background())
			require.NoError(t, err)
			it := items[0]
			cases := []struct {
				c    parity.Completion
				want parity.Outcome
			}{
				{parity.Completion{Content: "\\boxed{" + it.Answer + "}", FinishReason: "stop"}, parity.OutcomeCorrect},
				{parity.Completion{Content: "So the answer is " + tt.wrong + ".", FinishReason: "stop"}, parity.OutcomeWrong},
				{parity.Completion{Error: "server error after 5 attempts", ErrorCode: parity.ErrServer}, parity.OutcomeError},
				{parity.Completion{FinishReason: "content_filter"}, parity.OutcomeRefused},
				{parity.Completion{Content: "首先，我们", FinishReason: "length"}, parity.OutcomeTruncated},
				{parity.Completion{Content: "", Reasoning: "\\boxed{" + it.Answer + "}", FinishReason: "stop"}, parity.OutcomeUnparsed},
			}
			for _, c := range cases {
				s := tt.suite.Score(it, c.c)
				assert.Equal(t, c.want, s.Outcome, "completion %+v: detail %q", c.c, s.Detail)
			}
		})
	}
}

func TestMGSMPairsAlignAcrossLanguages(t *testing.T) {
	items, err := MGSM.Items(context.Background())
	require.NoError(t, err)
	byID := map[string]parity.Item{}
	perLang := map[string]int{}
	for _, it := range items {
		byID[it.ID] = it
		perLang[it.Subject]++
		assert.Equal(t, it.Subject+"-"+it.Pair, it.ID)
	}
	for _, lang := range mgsmLanguages {
		assert.Equal(t, 250, perLang[lang], lang)
	}
	en, zh := byID["en-17"], byID["zh-17"]
	assert.Equal(t, en.Pair, zh.Pair)
	assert.Equal(t, en.Answer, zh.Answer)
	assert.Equal(t, "2125", byID["en-"+findPair(t, items, "2125")].Answer, "thousands commas are stripped")

	// Each instruction language gets its own instruction.
	golden(t, "prompts/mgsm_zh.golden", MGSM.Prompt(byID["zh-1"])[0].Content)
	assert.Contains(t, MGSM.Prompt(zh)[0].Content, "请逐步推理")
	assert.Contains(t, MGSM.Prompt(en)[0].Content, "Please reason step by step")
	assert.Contains(t, MGSM.Prompt(byID["sw-17"])[0].Content, "Please reason step by step")
}

func findPair(t *testing.T, items []parity.Item, answer string) string {
	for _, it := range items {
		if it.Subject == "en" && it.Answer == answer {
			return it.Pair
		}
	}
	t.Fatalf("no English MGSM item with answer %s", answer)
	return ""
}

func TestZhMathExtraGrading(t *testing.T) {
	qa := parity.Item{ID: "x", Choices: []string{"1", "2", "3", "4"}, Answer: "ABD"}
	cloze := parity.Item{ID: "y", Answer: `5; \frac{1}{2}`}
	tests := []struct {
		name    string
		suite   *Builtin
		it      parity.Item
		content string
		want    parity.Outcome
	}{
		{"letter set in any order", GaokaoMathQA, qa, `\boxed{D, B, A}`, parity.OutcomeCorrect},
		{"letter set with text", GaokaoMathQA, qa, `\boxed{\text{A}、\text{B}、\text{D}}`, parity.OutcomeCorrect},
		{"letter subset is wrong", GaokaoMathQA, qa, `\boxed{AB}`, parity.OutcomeWrong},
		{"letter outside options", GaokaoMathQA, qa, `\boxed{ABE}`, parity.OutcomeUnparsed},
		{"blanks joined", GaokaoMathCloze, cloze, `\boxed{5；0.5}`, parity.OutcomeCorrect},
		{"blanks boxed each", GaokaoMathCloze, cloze, `第一空 \boxed{5}，第二空 \boxed{\frac12}`, parity.OutcomeCorrect},
		{"blanks in wrong order", GaokaoMathCloze, cloze, `\boxed{\frac{1}{2}; 5}`, parity.OutcomeWrong},
		{"too few blanks", GaokaoMathCloze, cloze, `\boxed{5}`, parity.OutcomeWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.suite.Score(tt.it, parity.Completion{Content: tt.content, FinishReason: "stop"})
			assert.Equal(t, tt.want, s.Outcome, "extracted %q, detail %q", s.Extracted, s.Detail)
		})
	}
}

func TestBoxedAll(t *testing.T) {
	assert.Equal(t, []string{`\frac{1}{2}`, "3"}, boxedAll(`a \boxed{\frac{1}{2}} b \fbox{3} c \boxed{unclosed`))
	assert.Empty(t, boxedAll("no boxes"))
}
