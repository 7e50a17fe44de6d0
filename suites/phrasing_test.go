package suites

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parity-bench/parity"
)

// TestSuitePhrasings pins suite-level grading of answers written the way
// models write them in the item's language.
func TestSuitePhrasings(t *testing.T) {
	mgsm := func(lang, gold string) parity.Item {
		return parity.Item{ID: lang + "-1", Subject: lang, Answer: gold, Meta: map[string]string{"lang": lang, "pair": "1"}}
	}
	cloze := parity.Item{ID: "y", Answer: `5; \frac{1}{2}`, Meta: map[string]string{"blanks": "2"}}
	multi := parity.Item{ID: "m", Choices: []string{"1", "2", "3", "4"}, Answer: "ABD", Meta: map[string]string{"multi": "true"}}
	point := parity.Item{ID: "z", Answer: `(3,0); \sqrt{3}`, Meta: map[string]string{"blanks": "2"}}
	tests := []struct {
		name    string
		suite   *Builtin
		it      parity.Item
		content string
		want    parity.Outcome
	}{
		{"mgsm de dot thousands", MGSM, mgsm("de", "70000"), `Also \boxed{70.000} Euro.`, parity.OutcomeCorrect},
		{"mgsm es dot thousands", MGSM, mgsm("es", "1430"), "La respuesta es 1.430.", parity.OutcomeCorrect},
		{"mgsm fr dot thousands", MGSM, mgsm("fr", "25000"), `\boxed{25.000}`, parity.OutcomeCorrect},
		{"mgsm fr narrow nbsp", MGSM, mgsm("fr", "25000"), "La réponse est 25\u202f000 €.", parity.OutcomeCorrect},
		{"mgsm de wrong", MGSM, mgsm("de", "70000"), `\boxed{70.500}`, parity.OutcomeWrong},
		{"mgsm en dot is decimal", MGSM, mgsm("en", "1430"), `\boxed{1.430}`, parity.OutcomeWrong},
		{"mgsm bn digits", MGSM, mgsm("bn", "18"), `\boxed{১৮}`, parity.OutcomeCorrect},
		{"mgsm th digits", MGSM, mgsm("th", "18"), "คำตอบคือ ๑๘", parity.OutcomeCorrect},
		{"mgsm te digits wrong", MGSM, mgsm("te", "18"), `\boxed{౧౯}`, parity.OutcomeWrong},
		{"cloze blanks without box", GaokaoMathCloze, cloze, "所以答案为 $5$; $\\frac{1}{2}$。", parity.OutcomeCorrect},
		{"cloze blanks answer colon", GaokaoMathCloze, cloze, `Answer: 5; \frac{1}{2}`, parity.OutcomeCorrect},
		{"cloze blanks without box wrong", GaokaoMathCloze, cloze, `答案是 5; \frac{1}{3}`, parity.OutcomeWrong},
		{"cloze blanks comma in one box", GaokaoMathCloze, cloze, `\boxed{5, \frac{1}{2}}`, parity.OutcomeCorrect},
		{"cloze blanks comma keeps points", GaokaoMathCloze, point, `\boxed{(3,0), \sqrt{3}}`, parity.OutcomeCorrect},
		{"cloze box only in thinking", GaokaoMathCloze, cloze, "<think>\\boxed{5; \\frac12}</think>\n\n我不确定。", parity.OutcomeUnparsed},
		{"cloze answer after thinking", GaokaoMathCloze, cloze, "<think>\\boxed{5; 3}</think>\n\n\\boxed{5; 0.5}", parity.OutcomeCorrect},
		{"letter set only in thinking", GaokaoMathQA, multi, "<think>\\boxed{ABD}</think>\n\nI give up.", parity.OutcomeUnparsed},
		{"letter set answer after thinking", GaokaoMathQA, multi, "<think>\\boxed{AB}</think>\n\n\\boxed{ABD}", parity.OutcomeCorrect},
		{"letter set without box", GaokaoMathQA, multi, "故选 ABD。", parity.OutcomeCorrect},
		{"letter set fullwidth", GaokaoMathQA, multi, `\boxed{ＡＢＤ}`, parity.OutcomeCorrect},
		{"cloze blanks comma wrong count", GaokaoMathCloze, cloze, `\boxed{5, 1, 2}`, parity.OutcomeWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.suite.Score(tt.it, parity.Completion{Content: tt.content, FinishReason: "stop"})
			assert.Equal(t, tt.want, s.Outcome, "extracted %q, detail %q", s.Extracted, s.Detail)
		})
	}
}
