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

// TestMixAsksAndGradesAsEachSuite: a mixed item is its suite's item under a
// prefixed id, asked with its suite's prompt and graded by its scorer.
func TestMixAsksAndGradesAsEachSuite(t *testing.T) {
	ctx := context.Background()
	gsm, _, err := suites.Lookup("gsm8k")
	require.NoError(t, err)
	mmlu, _, err := suites.Lookup("mmlu")
	require.NoError(t, err)
	parts := []suites.MixPart{{Suite: gsm, Limit: 3}, {Suite: mmlu, Subject: "anatomy", Limit: 2}}
	m := suites.Mix("canary", "1", 7, parts)
	items, err := m.Items(ctx)
	require.NoError(t, err)
	require.Len(t, items, 5)
	gsmAll, err := gsm.Items(ctx)
	require.NoError(t, err)
	want := parity.Select(gsmAll, "", 3, 7)
	for i, it := range items[:3] {
		assert.Equal(t, "gsm8k/"+want[i].ID, it.ID)
		assert.Equal(t, "number", it.Meta["answer_kind"])
		assert.Equal(t, gsm.Prompt(want[i]), m.Prompt(it))
		c := parity.Completion{Content: "The answer is \\boxed{" + want[i].Answer + "}.", FinishReason: "stop"}
		assert.Equal(t, gsm.Score(want[i], c), m.Score(it, c))
		assert.Equal(t, parity.OutcomeCorrect, m.Score(it, c).Outcome)
	}
	for _, it := range items[3:] {
		assert.True(t, strings.HasPrefix(it.ID, "mmlu/"))
		assert.Equal(t, "anatomy", it.Subject)
		assert.Equal(t, "choice", it.Meta["answer_kind"])
	}
	info := m.Info()
	assert.Equal(t, "canary", info.Name)
	assert.Equal(t, 5, info.Items)
	other := suites.Mix("canary", "1", 7, []suites.MixPart{{Suite: gsm, Limit: 4}, {Suite: mmlu, Subject: "anatomy", Limit: 2}}).Info()
	assert.NotEqual(t, info.DataSHA256, other.DataSHA256, "another draw is another set")
	assert.Equal(t, parity.OutcomeUnparsed, m.Score(parity.Item{ID: "nowhere/1"}, parity.Completion{Content: "x"}).Outcome)

	// An item's own meta survives the mix beside its kind.
	bbh, _, err := suites.Lookup("bbh")
	require.NoError(t, err)
	bi, err := suites.Mix("m", "1", 7, []suites.MixPart{{Suite: bbh, Limit: 3}}).Items(ctx)
	require.NoError(t, err)
	for _, it := range bi {
		assert.Equal(t, "text", it.Meta["answer_kind"])
		assert.NotEmpty(t, it.Meta["kind"], "BBH's own kind is kept")
	}

	_, err = suites.Mix("dup", "1", 7, []suites.MixPart{{Suite: gsm, Limit: 2}, {Suite: gsm, Limit: 2}}).Items(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "list each suite once")
}
