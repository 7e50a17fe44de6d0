package suites

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

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
