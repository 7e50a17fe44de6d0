package suites

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestRotations(t *testing.T) {
	it := parity.Item{ID: "q1", Subject: "s", Question: "?", Choices: []string{"w", "x", "y", "z"}, Answer: "B", Meta: map[string]string{"k": "v"}}
	rot, err := Rotations(it)
	require.NoError(t, err)
	tests := []struct {
		id      string
		choices []string
		gold    string
	}{
		{"q1@r0", []string{"w", "x", "y", "z"}, "B"},
		{"q1@r1", []string{"x", "y", "z", "w"}, "A"},
		{"q1@r2", []string{"y", "z", "w", "x"}, "D"},
		{"q1@r3", []string{"z", "w", "x", "y"}, "C"},
	}
	require.Len(t, rot, len(tests))
	for i, tt := range tests {
		assert.Equal(t, tt.id, rot[i].ID)
		assert.Equal(t, tt.choices, rot[i].Choices)
		assert.Equal(t, tt.gold, rot[i].Answer)
		assert.Equal(t, "x", rot[i].Choices[mcLetterIndex(rot[i].Answer, 4)], "gold follows the correct text")
		assert.Equal(t, map[string]string{"k": "v"}, rot[i].Meta)
		assert.Equal(t, "s", rot[i].Subject)
		assert.Equal(t, "q1", rot[i].RotationOf)
	}
	assert.Equal(t, map[string]string{"k": "v"}, it.Meta, "the original item is not modified")
	assert.Equal(t, []string{"w", "x", "y", "z"}, it.Choices)

	free := parity.Item{ID: "f", Question: "2+2", Answer: "4"}
	rot, err = Rotations(free)
	require.NoError(t, err)
	assert.Equal(t, []parity.Item{free}, rot, "items without options pass through")

	_, err = Rotations(parity.Item{ID: "bad", Choices: []string{"a", "b"}, Answer: "C"})
	require.EqualError(t, err, `item bad: gold "C" is not the letter of one of its 2 choices`)
}

func TestCircularSuite(t *testing.T) {
	c := Circular(ARC)
	base := ARC.Info()
	info := c.Info()
	assert.Equal(t, "arc", info.Name)
	assert.Equal(t, base.Version+"+circular", info.Version)
	assert.Equal(t, base.PromptHash, info.PromptHash)
	assert.Equal(t, base.DataSHA256, info.DataSHA256)
	assert.Equal(t, 1165*4+4*3+3*5, info.Items)
	assert.Equal(t, "arc", suiteName(c))

	orig, err := ARC.Items(context.Background())
	require.NoError(t, err)
	byID := map[string]parity.Item{}
	for _, it := range orig {
		byID[it.ID] = it
	}
	items, err := c.Items(context.Background())
	require.NoError(t, err)
	require.Len(t, items, info.Items)
	perOrig := map[string]int{}
	for _, it := range items {
		o := byID[it.RotationOf]
		require.NotEmpty(t, o.ID, it.ID)
		assert.Equal(t, o.ID+"@r"+strconv.Itoa(perOrig[o.ID]), it.ID, "rotations in order")
		perOrig[o.ID]++
		assert.Equal(t, o.Choices[mcLetterIndex(o.Answer, len(o.Choices))], it.Choices[mcLetterIndex(it.Answer, len(it.Choices))], it.ID)
	}
	for id, o := range byID {
		assert.Equal(t, len(o.Choices), perOrig[id], id)
	}

	// The wrapped suite renders the rotated options and grades the moved gold.
	r1 := items[1]
	require.Equal(t, orig[0].ID+"@r1", r1.ID)
	p := c.Prompt(r1)[0].Content
	assert.Contains(t, p, "A. "+r1.Choices[0]+"\n")
	assert.Equal(t, ARC.Prompt(r1), c.Prompt(r1))
	s := c.Score(r1, parity.Completion{Content: `\boxed{` + r1.Answer + `}`, FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeCorrect, s.Outcome)
	s = c.Score(r1, parity.Completion{Content: `\boxed{` + items[0].Answer + `}`, FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeWrong, s.Outcome, "the unrotated letter is wrong after rotation")

	// Items are copies: changing one does not change the next call's.
	items[0].Choices[0] = "changed"
	again, err := c.Items(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, "changed", again[0].Choices[0])

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Items(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestCircularKeepsSubjectsAndFreeItems(t *testing.T) {
	c := Circular(BBH)
	sj, ok := c.(Subjecter)
	require.True(t, ok)
	assert.Len(t, sj.Subjects(), 27)
	items, err := c.Items(context.Background())
	require.NoError(t, err)
	free, rotated := 0, 0
	for _, it := range items {
		if it.RotationOf != "" {
			rotated++
			continue
		}
		free++
		assert.LessOrEqual(t, len(it.Choices), 1, it.ID)
	}
	// Free-form items (1,940 text, 500 number) and the one upstream snarks
	// item with a single option pass through once.
	assert.Equal(t, 1940+500+1, free)
	assert.Greater(t, rotated, 2*4070)

	_, subject, err := Lookup("bbh:navigate")
	require.NoError(t, err)
	assert.Equal(t, "navigate", subject)
}
