package suites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
)

func TestOptionGuessingProbe(t *testing.T) {
	ctx := context.Background()
	p, subject, err := suites.Lookup("mmlu-guess:anatomy")
	require.NoError(t, err)
	assert.Equal(t, "anatomy", subject)
	inner, _, err := suites.Lookup("mmlu")
	require.NoError(t, err)
	info := p.Info()
	assert.Equal(t, "mmlu-guess", info.Name)
	assert.Equal(t, inner.Info().Version+"+guess."+suites.ProbeVersion, info.Version)
	assert.Equal(t, "probe-guess", info.Kind)
	assert.True(t, suites.IsProbe(info.Kind))
	assert.NotEqual(t, inner.Info().PromptHash, info.PromptHash)

	items, err := p.Items(ctx)
	require.NoError(t, err)
	all, err := inner.Items(ctx)
	require.NoError(t, err)
	assert.Greater(t, len(items), len(all)/3, "most items have an option worth guessing")
	assert.Less(t, len(items), len(all), "short options are left out")
	byID := map[string]parity.Item{}
	for _, it := range all {
		byID[it.ID] = it
	}
	for _, it := range items[:200] {
		orig := byID[it.ID]
		masked := strings.Index(strings.Join(it.Choices, "\x00"), "[MASK]")
		require.GreaterOrEqual(t, masked, 0)
		hidden := -1
		for i, c := range it.Choices {
			if c == "[MASK]" {
				hidden = i
			}
		}
		assert.Equal(t, orig.Choices[hidden], it.Answer, "the answer is the hidden option's text")
		assert.NotEqual(t, strings.ToUpper(orig.Answer), suites.Letter(hidden), "the hidden option is a wrong one")
		prompt := p.Prompt(it)[0].Content
		assert.Contains(t, prompt, suites.Letter(hidden)+". [MASK]")
		assert.NotContains(t, it.Choices, it.Answer, "the hidden text is not shown")
	}
	again, err := suites.Probe(inner, suites.ProbeGuess)
	require.NoError(t, err)
	items2, err := again.Items(ctx)
	require.NoError(t, err)
	assert.Equal(t, items, items2, "the hidden option is the same on every machine")

	it := items[0]
	score := func(content string) parity.Outcome {
		return p.Score(it, parity.Completion{Content: content, FinishReason: "stop"}).Outcome
	}
	assert.Equal(t, parity.OutcomeCorrect, score(it.Answer))
	assert.Equal(t, parity.OutcomeCorrect, score("B. "+strings.ToUpper(it.Answer)+"\nI am sure."), "letter, case and later lines do not count")
	assert.Equal(t, parity.OutcomeCorrect, score(`"`+it.Answer+`"`))
	assert.Equal(t, parity.OutcomeWrong, score("something else entirely"))
	assert.Equal(t, parity.OutcomeUnparsed, score("   "))
	assert.Equal(t, parity.OutcomeTruncated, p.Score(it, parity.Completion{FinishReason: "length"}).Outcome)
}

func TestQuestionCompletionProbe(t *testing.T) {
	ctx := context.Background()
	p, _, err := suites.Lookup("gsm8k-complete")
	require.NoError(t, err)
	items, err := p.Items(ctx)
	require.NoError(t, err)
	inner, _, _ := suites.Lookup("gsm8k")
	all, _ := inner.Items(ctx)
	byID := map[string]parity.Item{}
	for _, it := range all {
		byID[it.ID] = it
	}
	for _, it := range items[:100] {
		orig := strings.TrimSpace(byID[it.ID].Question)
		assert.True(t, strings.HasPrefix(orig, it.Question) && strings.HasSuffix(orig, it.Answer), "head and tail cut from the problem")
		assert.Equal(t, strings.Fields(orig), strings.Fields(it.Question+" "+it.Answer), "and make all of it")
		assert.InDelta(t, len(strings.Fields(orig))/2, len(strings.Fields(it.Question)), 1)
		assert.Contains(t, p.Prompt(it)[0].Content, it.Question)
		assert.NotContains(t, p.Prompt(it)[0].Content, it.Answer)
		assert.Equal(t, parity.OutcomeCorrect, p.Score(it, parity.Completion{Content: it.Answer + "\n", FinishReason: "stop"}).Outcome)
	}
	it := items[0]
	long := it.Answer + "\n\nSolution: " + strings.Repeat("and then we add the numbers ", 200)
	sc := p.Score(it, parity.Completion{Content: long, FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeCorrect, sc.Outcome, "the rest of the problem, then more, is a reproduction")
	assert.Less(t, len(sc.Extracted), len(long)/4, "only the stretch that counts is kept")
	assert.Equal(t, parity.OutcomeWrong, p.Score(it, parity.Completion{Content: "Solution: " + it.Answer, FinishReason: "stop"}).Outcome)

	zh, _, err := suites.Lookup("cmath-complete")
	require.NoError(t, err)
	zi, err := zh.Items(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, zi)
	assert.Contains(t, zh.Prompt(zi[0])[0].Content, "逐字", "Chinese suites are probed in Chinese")

	_, _, err = suites.Lookup("gsm8k-guess")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "multiple-choice")
	_, err = suites.Probe(inner, "vibes")
	assert.Error(t, err)
}

func TestProbeNormalize(t *testing.T) {
	assert.Equal(t, suites.ProbeNormalize("The  Cat, sat."), suites.ProbeNormalize("the cat sat"))
	assert.Equal(t, "以上都不对", suites.ProbeNormalize("以上都不对。"))
}
