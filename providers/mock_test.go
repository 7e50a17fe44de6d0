package providers_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

var letter = regexp.MustCompile(`Answer: (\S+)`)

// extract finds \boxed{...} (braces balanced) or "Answer: X".
func extract(s string) (string, bool) {
	if i := strings.Index(s, `\boxed{`); i >= 0 {
		depth, start := 0, i+len(`\boxed{`)
		for j := start; j < len(s); j++ {
			switch s[j] {
			case '{':
				depth++
			case '}':
				if depth == 0 {
					return s[start:j], true
				}
				depth--
			}
		}
	}
	if m := letter.FindStringSubmatch(s); m != nil {
		return m[1], true
	}
	return "", false
}

// answers is an answer key giving every item the same gold answer.
func answers(gold, kind string) providers.AnswerKey {
	return func(parity.ItemRef) (string, string, bool) { return gold, kind, true }
}

func TestMockOracle(t *testing.T) {
	tests := []struct {
		model    string
		kind     string
		gold     string
		min, max float64 // share of correct answers
	}{
		{"mock/oracle", "number", "42", 0.75, 0.85},
		{"mock/oracle", "choice", "C", 0.75, 0.85},
		{"mock/oracle-30", "math", "\\frac{1}{2}", 0.25, 0.35},
		{"mock/oracle-100", "number", "7", 1, 1},
		{"mock/random", "choice", "B", 0.18, 0.32},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.kind, func(t *testing.T) {
			c := providers.New(builtin(t), providers.Options{Answers: answers(tt.gold, tt.kind)})
			const n = 1000
			correct, unparsed := 0, 0
			for i := 0; i < n; i++ {
				req := ask(tt.model, parity.Params{Stream: i%2 == 0})
				req.Ref = parity.ItemRef{Suite: "s", ItemID: fmt.Sprintf("item-%d", i), Sample: i % 3}
				comp, err := c.Complete(context.Background(), req)
				require.NoError(t, err)
				got, ok := extract(comp.Content)
				switch {
				case !ok:
					unparsed++
				case got == tt.gold:
					correct++
				}
				assert.NotEmpty(t, comp.Reasoning)
				assert.Positive(t, comp.Usage.CompletionTokens)
				assert.Positive(t, comp.Usage.ReasoningTokens)
				assert.Equal(t, "stop", comp.FinishReason)
			}
			share := float64(correct) / n
			assert.GreaterOrEqual(t, share, tt.min)
			assert.LessOrEqual(t, share, tt.max)
			if tt.model == "mock/oracle" {
				assert.Positive(t, unparsed, "some answers come out unparsed")
				assert.Less(t, unparsed, correct/10)
			}
		})
	}
}

func TestMockIsDeterministicAndOffline(t *testing.T) {
	cat := builtin(t)
	p, _ := cat.Provider("mock")
	assert.Equal(t, "mock", p.Origin)
	assert.False(t, p.NeedsKey())
	c := providers.New(cat, providers.Options{Getenv: func(string) string { return "" }, Answers: answers("18", "number")})
	req := ask("mock/oracle", parity.Params{})
	req.Ref = parity.ItemRef{Suite: "gsm8k", ItemID: "17", Sample: 2}
	a, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	req.Stream = true
	b, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, a.Content, b.Content, "same item and sample, same answer, streamed or not")
	assert.Equal(t, "mock-oracle", a.ModelReported)

	_, err = c.Complete(context.Background(), ask("mock/gpt-9", parity.Params{}))
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err))
	assert.Contains(t, err.Error(), "mock/oracle-NN")
}

func TestMockSamplesOfOneItemVary(t *testing.T) {
	c := providers.New(builtin(t), providers.Options{Answers: answers("42", "number")})
	mixed := 0
	for i := 0; i < 100; i++ {
		seen := map[bool]bool{}
		for s := 0; s < 8; s++ {
			req := ask("mock/oracle", parity.Params{})
			req.Ref = parity.ItemRef{Suite: "s", ItemID: fmt.Sprintf("q%d", i), Sample: s}
			comp, err := c.Complete(context.Background(), req)
			require.NoError(t, err)
			got, _ := extract(comp.Content)
			seen[got == "42"] = true
		}
		if len(seen) == 2 {
			mixed++
		}
	}
	// At 80% per sample, 1 - 0.8^8 - 0.2^8 ≈ 83% of items mix right and
	// wrong answers over eight samples, so pass@k and maj@k mean something.
	assert.Greater(t, mixed, 60)
}

// TestMockAnswerKey: the mock asks the key about the request's item and
// sample, and answers without one when the key does not know the item or
// the request names none.
func TestMockAnswerKey(t *testing.T) {
	var asked []parity.ItemRef
	key := func(ref parity.ItemRef) (string, string, bool) {
		asked = append(asked, ref)
		return "1234", "number", ref.Suite == "gsm8k"
	}
	c := providers.New(builtin(t), providers.Options{Answers: key})
	req := ask("mock/oracle-100", parity.Params{})
	req.Ref = parity.ItemRef{Suite: "gsm8k", ItemID: "7", Sample: 1}
	comp, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	assert.Contains(t, comp.Content, `\boxed{1234}`)
	assert.Equal(t, []parity.ItemRef{req.Ref}, asked)

	req.Ref.Suite = "other"
	comp, err = c.Complete(context.Background(), req)
	require.NoError(t, err)
	assert.NotContains(t, comp.Content, "1234", "an item the key does not know gets no answer")

	comp, err = c.Complete(context.Background(), ask("mock/oracle-100", parity.Params{}))
	require.NoError(t, err)
	assert.Contains(t, comp.Content, "cannot answer")
	assert.Len(t, asked, 2, "a request naming no item is not looked up")
}

// TestMockEffortCurve: more effort or a larger thinking budget gives the
// mock more reasoning tokens and more correct answers, until every item has
// the reasoning it needs; a token limit below what it writes truncates.
func TestMockEffortCurve(t *testing.T) {
	c := providers.New(builtin(t), providers.Options{Answers: answers("42", "number")})
	type point struct {
		correct, truncated int
		reasoning          float64
	}
	measure := func(p parity.Params) point {
		var pt point
		const n = 600
		for i := 0; i < n; i++ {
			req := ask("mock/oracle-90", p)
			req.Ref = parity.ItemRef{Suite: "s", ItemID: fmt.Sprintf("q%d", i)}
			comp, err := c.Complete(context.Background(), req)
			require.NoError(t, err)
			if comp.FinishReason == "length" {
				pt.truncated++
				assert.Empty(t, comp.Content, "a cut-off answer carries no answer")
				assert.LessOrEqual(t, comp.Usage.CompletionTokens, p.MaxTokens)
			}
			if got, _ := extract(comp.Content); got == "42" {
				pt.correct++
			}
			pt.reasoning += float64(comp.Usage.ReasoningTokens) / n
		}
		return pt
	}
	low, medium, high, max := measure(parity.Params{Effort: "low"}), measure(parity.Params{Effort: "medium"}),
		measure(parity.Params{Effort: "high"}), measure(parity.Params{Effort: "max"})
	assert.Less(t, low.reasoning, medium.reasoning)
	assert.Less(t, medium.reasoning, high.reasoning)
	assert.Less(t, low.correct, medium.correct)
	assert.Less(t, medium.correct, high.correct)
	assert.Equal(t, high.correct, max.correct, "high already covers every item's need: a plateau")
	assert.InDelta(t, high.reasoning, max.reasoning, 1e-9)

	small, large := measure(parity.Params{ThinkingBudget: 1024}), measure(parity.Params{ThinkingBudget: 16384})
	assert.Less(t, small.correct, large.correct)
	assert.LessOrEqual(t, small.reasoning, 1024.0)
	assert.Equal(t, max.correct, large.correct)
	assert.Zero(t, large.truncated)

	cut := measure(parity.Params{Effort: "high", MaxTokens: 1500})
	assert.Positive(t, cut.truncated)
	assert.Less(t, cut.correct, high.correct)
}
