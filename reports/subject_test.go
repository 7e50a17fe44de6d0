package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestBySubjectGivesARowPerSubject(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	subjectOf := func(_ parity.Run, s *parity.Sample) string {
		subject, _, _ := strings.Cut(s.ItemID, "/")
		return subject
	}
	a := Input{run(1, "a/m", "CN", "mmlu", 4, 1), samples(1, "c@1",
		spec{"anatomy/1", 0, c, "A"}, spec{"anatomy/2", 0, c, "A"}, spec{"law/1", 0, w, "B"}, spec{"law/2", 0, c, "B"})}
	b := Input{run(2, "b/m", "West", "mmlu", 4, 1), samples(2, "c@1",
		spec{"anatomy/1", 0, w, "A"}, spec{"anatomy/2", 0, w, "A"}, spec{"law/1", 0, w, "B"}, spec{"law/2", 0, w, "B"})}
	one := Input{run(3, "a/m", "CN", "gsm8k", 1, 1), samples(3, "n@1", spec{"q1", 0, c, "1"})}
	split := BySubject([]Input{a, b, one}, func(r parity.Run, s *parity.Sample) string {
		if r.Suite.Name == "gsm8k" {
			return ""
		}
		return subjectOf(r, s)
	})
	require.Len(t, split, 5)
	lb, err := Build(split, fixedOptions())
	require.NoError(t, err)
	var got []string
	for _, r := range lb.Rows {
		got = append(got, r.SuiteLabel()+" "+r.Model+" "+Pct(r.Accuracy))
	}
	assert.Equal(t, []string{"gsm8k@1 a/m 100.0", "mmlu:anatomy@1 a/m 100.0", "mmlu:anatomy@1 b/m 0.0", "mmlu:law@1 a/m 50.0", "mmlu:law@1 b/m 0.0"}, got)
	for _, r := range lb.Rows {
		assert.Equal(t, 1, r.Rank, "%s: too few items for a significant gap", r.SuiteLabel())
		assert.Equal(t, r.Items, r.Target, "a part's target is what it holds")
	}
	require.Len(t, lb.ParityChecks, 2, "one parity check per subject")

	var js strings.Builder
	require.NoError(t, Render(&js, lb, "json"))
	assert.Contains(t, js.String(), `"subject": "anatomy"`)
}
