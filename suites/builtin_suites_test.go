package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// base returns the Builtin a suite is built on; FewShot and GPQA embed
// theirs, so it is theirs too.
func (b *Builtin) base() *Builtin { return b }

// builtinOf returns the Builtin a registered suite is built on.
func builtinOf(t *testing.T, s parity.Suite) *Builtin {
	t.Helper()
	b, ok := s.(interface{ base() *Builtin })
	require.True(t, ok, "%T is not built on a Spec", s)
	return b.base()
}

// redistributable matches the data licences that allow a published report
// to quote the questions: the whole licence is MIT or a CC BY 4.0 variant.
// A licence with a qualifier ("MIT (MathArena); problems (c) MAA", "research
// use") covers less than the questions, so it does not match.
var redistributable = regexp.MustCompile(`^(MIT|CC BY(-SA|-NC-SA)? 4\.0)$`)

// TestBuiltinSuites checks every registered suite against what its own
// Spec and data folder say, so adding a suite needs no edit here: the
// items it states, sound items, its golden prompt, its grader on its own
// gold answers, and the checksums of its data.
func TestBuiltinSuites(t *testing.T) {
	for _, s := range All() {
		name := suiteName(s)
		t.Run(name, func(t *testing.T) {
			b := builtinOf(t, s)
			spec := b.spec
			require.Positive(t, spec.Count, "a built-in Spec states its item count")
			require.NotEmpty(t, spec.FirstID, "a built-in Spec states its first item")
			items, err := s.Items(context.Background())
			require.NoError(t, err)
			require.Len(t, items, spec.Count)
			assert.Equal(t, spec.FirstID, items[0].ID)

			info := s.Info()
			assert.Equal(t, name, info.Name)
			assert.Equal(t, spec.Count, info.Items)
			assert.NotEmpty(t, info.Language)
			assert.NotEmpty(t, info.Description)
			assert.NotEmpty(t, info.License)
			assert.Equal(t, strings.Contains(info.License, "-NC"), info.NonCommercial, "non-commercial licences (CC BY-NC…) are flagged")
			allows := redistributable.MatchString(info.License) && !spec.Sealed
			assert.Equal(t, allows, spec.PublishQuestions, "licence %q: questions are published exactly when it allows redistribution and the data are not sealed", info.License)
			assert.Equal(t, allows, PublishesQuestions(s))
			assert.Len(t, info.DataSHA256, 64)
			assert.Len(t, info.PromptHash, 64)
			found, _, err := Lookup(name)
			require.NoError(t, err)
			assert.Same(t, s, found)

			checkItems(t, s, items)
			checkPrompt(t, s, b, items[0])
			checkGrading(t, s, b, items)
			checkData(t, b)
		})
	}
}

func checkItems(t *testing.T, s parity.Suite, items []parity.Item) {
	ids := map[string]bool{}
	subjects := map[string]bool{}
	for _, it := range items {
		assert.False(t, ids[it.ID], "duplicate id %s", it.ID)
		ids[it.ID] = true
		assert.NotEmpty(t, strings.TrimSpace(it.Question), "item %s has no question", it.ID)
		assert.NotEmpty(t, it.Answer, "item %s has no answer", it.ID)
		for _, l := range it.Answer {
			if len(it.Choices) > 0 {
				assert.GreaterOrEqual(t, mcLetterIndex(string(l), len(it.Choices)), 0, "item %s: gold %q", it.ID, it.Answer)
			}
		}
		if it.Subject != "" {
			subjects[it.Subject] = true
		}
	}
	var listed []string
	if sj, ok := s.(Subjecter); ok {
		listed = sj.Subjects()
	}
	for _, l := range listed {
		assert.True(t, subjects[l], "subject %s has no item", l)
	}
	for sub := range subjects {
		assert.Contains(t, listed, sub, "items of subject %s cannot be selected", sub)
	}
}

// checkPrompt checks the conversation shape and, unless the data are
// sealed, the golden rendering of the first item.
func checkPrompt(t *testing.T, s parity.Suite, b *Builtin, first parity.Item) {
	msgs := s.Prompt(first)
	require.NotEmpty(t, msgs)
	require.Equal(t, 1, len(msgs)%2, "worked examples come in user/assistant pairs before the question")
	for i, m := range msgs {
		want := "user"
		if i%2 == 1 {
			want = "assistant"
		}
		assert.Equal(t, want, m.Role, "message %d", i)
	}
	if !b.Sealed() {
		golden(t, "prompts/"+suiteName(s)+".golden", renderConversation(msgs))
	}
}

func renderConversation(msgs []parity.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "=== %s ===\n%s\n", m.Role, m.Content)
	}
	return b.String()
}

// statedAnswer is a response that states gold the way the suite asks for
// it: in \boxed{}, or for free-text suites (BBH's bracket sequences and
// words) as its worked examples end, "So the answer is …".
func statedAnswer(b *Builtin, gold string) string {
	if b.spec.Kind == answer.Text {
		return "Let's think step by step.\nSo the answer is " + gold + "."
	}
	return "Let's think step by step.\nSo the answer is \\boxed{" + gold + "}."
}

// checkGrading grades the suite's own gold answers (each must score
// correct, or every right model answer would count as wrong), another
// answer (wrong), and the completions whose outcome the finish decides.
func checkGrading(t *testing.T, s parity.Suite, b *Builtin, items []parity.Item) {
	if _, fewShot := s.(*FewShot); fewShot {
		return // the zero-shot suite's items and grader, checked there
	}
	var failed []string
	wrong := 0
	for _, it := range items {
		c := parity.Completion{Content: statedAnswer(b, it.Answer), FinishReason: parity.FinishStop}
		if sc := s.Score(it, c); sc.Outcome != parity.OutcomeCorrect {
			failed = append(failed, fmt.Sprintf("%s: gold %q → %s (extracted %q, %s)", it.ID, it.Answer, sc.Outcome, sc.Extracted, sc.Detail))
		}
		if len(it.Choices) > 1 && len(it.Answer) == 1 {
			other := Letter((mcLetterIndex(it.Answer, len(it.Choices)) + 1) % len(it.Choices))
			if sc := s.Score(it, parity.Completion{Content: `\boxed{` + other + `}`, FinishReason: parity.FinishStop}); sc.Outcome != parity.OutcomeWrong {
				wrong++
			}
		}
	}
	assert.Empty(t, failed, "%d of %d gold answers do not score correct", len(failed), len(items))
	assert.Zero(t, wrong, "other letters scored as not wrong")

	it := items[0]
	i := slices.IndexFunc(items, func(o parity.Item) bool { return o.Answer != it.Answer })
	require.Positive(t, i, "the items have more than one gold answer")
	cases := []struct {
		c    parity.Completion
		want parity.Outcome
	}{
		{parity.Completion{Content: statedAnswer(b, items[i].Answer), FinishReason: parity.FinishStop}, parity.OutcomeWrong},
		{parity.Completion{Error: "server error after 5 attempts", ErrorCode: parity.ErrServer}, parity.OutcomeError},
		{parity.Completion{FinishReason: parity.FinishContentFilter}, parity.OutcomeRefused},
		{parity.Completion{Reasoning: "首先，我们", FinishReason: parity.FinishLength}, parity.OutcomeTruncated},
		{parity.Completion{Reasoning: statedAnswer(b, it.Answer), FinishReason: parity.FinishStop}, parity.OutcomeUnparsed},
	}
	for _, c := range cases {
		sc := s.Score(it, c.c)
		assert.Equal(t, c.want, sc.Outcome, "completion %+v: detail %q", c.c, sc.Detail)
	}
}

// checkData recomputes every file of the suite's data folder against the
// SHA256SUMS copied with it, checks that the provenance and licence notes
// travel with the data, and that DataSHA256 is the hash of the suite's
// files' lines of that listing, so `sha256sum` reproduces it.
func checkData(t *testing.T, b *Builtin) {
	sums, lines := embeddedSums(t, b.spec.Data)
	require.NotEmpty(t, sums)
	for file, want := range sums {
		data, err := fs.ReadFile(b.spec.Data, file)
		require.NoError(t, err)
		got := sha256.Sum256(data)
		assert.Equal(t, want, hex.EncodeToString(got[:]), file)
	}
	for _, f := range []string{"PROVENANCE.md", "NOTICE"} {
		_, err := fs.Stat(b.spec.Data, f)
		assert.NoError(t, err, "%s must travel with the data", f)
	}
	var listing strings.Builder
	for _, f := range b.spec.Files {
		require.Contains(t, lines, f, "data file not covered by SHA256SUMS")
		listing.WriteString(lines[f])
	}
	sum := sha256.Sum256([]byte(listing.String()))
	assert.Equal(t, hex.EncodeToString(sum[:]), b.Info().DataSHA256)
}
