package suites

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// TestNonCommercialSuites pins the licences that forbid commercial use:
// C-Eval and CMMLU must say so wherever suites are listed.
func TestNonCommercialSuites(t *testing.T) {
	for _, s := range []parity.Suite{CEval, CEval5Shot, CMMLU, CMMLU5Shot} {
		assert.Equal(t, "CC BY-NC-SA 4.0", s.Info().License, suiteName(s))
		assert.True(t, s.Info().NonCommercial, suiteName(s))
	}
}

func TestMCSubjectLookup(t *testing.T) {
	s, subject, err := Lookup("mmlu:high_school_mathematics")
	require.NoError(t, err)
	assert.Same(t, MMLU, s)
	assert.Equal(t, "high_school_mathematics", subject)
	_, subject, err = Lookup("bbh:word_sorting")
	require.NoError(t, err)
	assert.Equal(t, "word_sorting", subject)
	_, _, err = Lookup("cmmlu:no_such_subject")
	require.Error(t, err)
}

func TestMCPromptLanguage(t *testing.T) {
	tests := []struct {
		suite parity.Suite
		want  []string
	}{
		{MMLU, []string{"multiple-choice question about abstract algebra", "A. ", "D. ", `letter of the correct option in \boxed{}`}},
		{ARC, []string{"A. ", `letter of the correct option in \boxed{}`}},
		{CEval, []string{"单项选择题", "A. ", "D. ", `\boxed{}`, "请逐步思考"}},
		{CMMLU, []string{"单项选择题", "请逐步思考"}},
		{BBH, []string{"Evaluate the result of a random Boolean expression.", "\n\nQ: ", "\nA: Let's think step by step."}},
	}
	for _, tt := range tests {
		items, err := tt.suite.Items(context.Background())
		require.NoError(t, err)
		p := tt.suite.Prompt(items[0])[0].Content
		for _, w := range tt.want {
			assert.Contains(t, p, w, suiteName(tt.suite))
		}
		assert.NotContains(t, p, "BENCHMARK DATA SHOULD NEVER APPEAR", "canary is not part of the prompt")
	}
}

// TestFewShotPrompts checks the 5-shot conversations: examples from the
// question's own subject, answered in the reply format, C-Eval's with its
// explanations, and a prompt hash that differs from the zero-shot suite.
func TestFewShotPrompts(t *testing.T) {
	tests := []struct {
		fs       *FewShot
		zero     parity.Suite
		subject  string
		reply    string
		explains bool
	}{
		{MMLU5Shot, MMLU, "high_school_mathematics", "The answer is \\boxed{", false},
		{CEval5Shot, CEval, "computer_network", "答案是 \\boxed{", true},
		{CMMLU5Shot, CMMLU, "agronomy", "答案是 \\boxed{", false},
	}
	for _, tt := range tests {
		t.Run(tt.fs.Name(), func(t *testing.T) {
			items, err := tt.fs.Items(context.Background())
			require.NoError(t, err)
			it := parity.Select(items, tt.subject, 1, 1)[0]
			shots := tt.fs.Examples(tt.subject)
			require.Len(t, shots, 5)
			msgs := tt.fs.Prompt(it)
			require.Len(t, msgs, 11)
			for i, ex := range shots {
				assert.Equal(t, tt.subject, ex.Subject)
				assert.Equal(t, tt.zero.Prompt(ex)[0].Content, msgs[2*i].Content)
				assert.Contains(t, msgs[2*i+1].Content, tt.reply+ex.Answer+"}")
				if tt.explains {
					assert.True(t, strings.HasPrefix(msgs[2*i+1].Content, strings.TrimSpace(ex.Meta["explanation"])))
				}
			}
			assert.Equal(t, tt.zero.Prompt(it), msgs[10:], "the question is asked as in the zero-shot suite")
			assert.NotEqual(t, tt.zero.Info().PromptHash, tt.fs.Info().PromptHash)
			assert.NotEqual(t, tt.zero.Info().DataSHA256, tt.fs.Info().DataSHA256, "the dev split is part of the data")
		})
	}
}

func TestARCRelabelledItems(t *testing.T) {
	items, err := ARC.Items(context.Background())
	require.NoError(t, err)
	n, choices := 0, map[int]int{}
	for _, it := range items {
		choices[len(it.Choices)]++
		if it.Meta["upstream_labels"] == "numeric" {
			n++
			assert.Contains(t, it.ID, "NYSEDREGENTS_", it.ID)
			assert.Contains(t, it.ID, "_8_", "grade-8 Regents exams number their options")
		}
	}
	assert.Equal(t, 22, n)
	assert.Equal(t, map[int]int{3: 4, 4: 1165, 5: 3}, choices)
}

func TestBBHKinds(t *testing.T) {
	items, err := BBH.Items(context.Background())
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Meta["kind"]]++
	}
	// 17 lettered tasks minus the 3 upstream items whose target is no letter;
	// 2 numeric tasks; 8 text tasks plus those 3.
	assert.Equal(t, map[string]int{"choice": 4074 - 3, "number": 500, "text": 1937 + 3}, kinds)

	byID := map[string]parity.Item{}
	for _, it := range items {
		byID[it.ID] = it
	}
	first := byID["date_understanding/0"]
	assert.Equal(t, "B", first.Answer)
	assert.Len(t, first.Choices, 6)
	p := BBH.Prompt(first)[0].Content
	assert.Contains(t, p, "\n\nQ: Today is Christmas Eve of 1937. What is the date tomorrow in MM/DD/YYYY?\nOptions:\n(A) 12/11/1937\n")
	assert.True(t, strings.HasSuffix(p, "(F) 07/25/1937\nA: Let's think step by step."))
	assert.True(t, strings.HasPrefix(p, "Infer the date from context.\n\nQ: "), "the task's own 3-shot prompt comes first")
	tests := []struct {
		id, content string
		want        parity.Outcome
	}{
		{"date_understanding/0", "So the answer is (B).", parity.OutcomeCorrect},
		{"date_understanding/0", "So the answer is (C).", parity.OutcomeWrong},
		{"boolean_expressions/0", "So the answer is " + byID["boolean_expressions/0"].Answer + ".", parity.OutcomeCorrect},
		{"object_counting/0", "So the answer is " + byID["object_counting/0"].Answer + ".", parity.OutcomeCorrect},
		{"object_counting/0", "So the answer is 999.", parity.OutcomeWrong},
	}
	for _, tt := range tests {
		s := BBH.Score(byID[tt.id], parity.Completion{Content: tt.content, FinishReason: "stop"})
		assert.Equal(t, tt.want, s.Outcome, "%s %q: %s", tt.id, tt.content, s.Detail)
	}
}

func TestGPQAShuffle(t *testing.T) {
	a, err := loadGPQA(1)
	require.NoError(t, err)
	b, err := loadGPQA(1)
	require.NoError(t, err)
	require.Equal(t, a, b, "the shuffle must not depend on anything but the seed and the item")
	c, err := loadGPQA(2)
	require.NoError(t, err)
	moved := 0
	for i := range a {
		require.Equal(t, a[i].ID, c[i].ID)
		if a[i].Answer != c[i].Answer {
			moved++
		}
	}
	assert.Greater(t, moved, 100, "another seed shuffles again")

	csv, err := readZipCryptoMember(gpqaZip, gpqaMember, []byte(gpqaPassword))
	require.NoError(t, err)
	recs, err := mcParseCSV(csv, gpqaMember)
	require.NoError(t, err)
	correct := map[string]string{}
	for _, r := range recs {
		correct[strings.TrimSpace(r.fields["Record ID"])] = strings.TrimSpace(r.fields["Correct Answer"])
	}
	letters := map[string]int{}
	for _, it := range a {
		require.Len(t, it.Choices, 4)
		// assert.True rather than Equal: a failure must not print GPQA text.
		assert.True(t, correct[it.ID] == it.Choices[mcLetterIndex(it.Answer, 4)], "gold letter of %s points at the correct answer", it.ID)
		letters[it.Answer]++
	}
	for _, l := range []string{"A", "B", "C", "D"} {
		assert.Greater(t, letters[l], 30, "gold letters are spread over all positions: %v", letters)
	}
	assert.Equal(t, "1+shuffle.1", GPQA.Info().Version, "the seed is part of the version")
	reseeded := GPQA.WithSeed(7)
	assert.Equal(t, "1+shuffle.7", reseeded.Info().Version)
	assert.Same(t, GPQA, GPQA.WithSeed(1))
	assert.ElementsMatch(t, []int{0, 1, 2, 3}, gpqaPermutation(1, "rec123", 4))
	assert.Equal(t, gpqaPermutation(1, "rec123", 4), gpqaPermutation(1, "rec123", 4))
}

// TestGPQAPromptStructure checks the GPQA prompt without a golden file: the
// question, the four shuffled options in order and the instruction.
func TestGPQAPromptStructure(t *testing.T) {
	items, err := GPQA.Items(context.Background())
	require.NoError(t, err)
	it := items[0]
	msgs := GPQA.Prompt(it)
	require.Len(t, msgs, 1)
	p := msgs[0].Content
	assert.True(t, strings.HasPrefix(p, it.Question+"\n\n"))
	var opts strings.Builder
	for i, c := range it.Choices {
		fmt.Fprintf(&opts, "%s. %s\n", Letter(i), c)
	}
	assert.True(t, strings.Contains(p, "\n\n"+opts.String()+"\n"), "options follow the question, one per line")
	assert.True(t, strings.HasSuffix(p, `Think step by step, then answer with the letter of the correct option in \boxed{}.`))
}

// TestNoGPQAPlaintextInTestdata guards the promise made to the GPQA authors:
// no fixture or golden file may contain a GPQA question.
func TestNoGPQAPlaintextInTestdata(t *testing.T) {
	items, err := GPQA.Items(context.Background())
	require.NoError(t, err)
	err = filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, it := range items {
			q := it.Question
			if len(q) > 60 {
				q = q[:60]
			}
			assert.False(t, strings.Contains(string(data), q), "%s contains GPQA item %s", path, it.ID)
		}
		return nil
	})
	require.NoError(t, err)
}

// TestFewShotSuitesSendStopSequences checks which suites ask the runner
// for the grader's continuation stops: the few-shot ones (also under
// --circular) and BBH, whose prompt holds its examples; zero-shot suites
// ask for none.
func TestFewShotSuitesSendStopSequences(t *testing.T) {
	for _, s := range []parity.Suite{MMLU5Shot, CEval5Shot, CMMLU5Shot, BBH, Circular(MMLU5Shot)} {
		st, ok := s.(parity.StopSequencer)
		require.True(t, ok, s.Info().Name)
		assert.Equal(t, answer.ContinuationStops, st.StopSequences(), s.Info().Name)
	}
	gsm, _, err := Lookup("gsm8k")
	require.NoError(t, err)
	if st, ok := gsm.(parity.StopSequencer); ok {
		assert.Empty(t, st.StopSequences(), "zero-shot prompts need no stop sequences")
	}
}
