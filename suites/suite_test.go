package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// testSpec is a two-item suite over an in-memory file, so the base can be
// tested without any real data.
func testSpec() Spec {
	fsys := fstest.MapFS{"a.txt": {Data: []byte("alpha\n")}, "b.txt": {Data: []byte("beta\n")}}
	return Spec{
		Name: "toy", Version: "1", Language: "en", License: "MIT", Kind: answer.Number,
		Template: "{{.Question}}{{range $i, $c := .Choices}}\n{{letter $i}}) {{$c}}{{end}}{{if .Meta.hint}}\nHint: {{.Meta.hint}}{{end}}",
		Data:     fsys, Files: []string{"a.txt", "b.txt"},
		Load: func() ([]parity.Item, error) {
			return []parity.Item{
				{ID: "1", Subject: "s2", Question: "One plus one?", Answer: "2", Choices: []string{"2", "3"}, Meta: map[string]string{"hint": "small"}},
				{ID: "2", Subject: "s1", Question: "Two plus two?", Answer: "4"},
			}, nil
		},
	}
}

func TestNewRejectsBadSpecs(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Spec)
	}{
		{"empty name", func(s *Spec) { s.Name = "" }},
		{"colon in name", func(s *Spec) { s.Name = "a:b" }},
		{"upper-case name", func(s *Spec) { s.Name = "Toy" }},
		{"no version", func(s *Spec) { s.Version = "" }},
		{"no loader", func(s *Spec) { s.Load = nil }},
		{"no data files", func(s *Spec) { s.Files = nil }},
		{"unknown kind", func(s *Spec) { s.Kind = "essay" }},
		{"template syntax", func(s *Spec) { s.Template = "{{.Question" }},
		{"template field typo", func(s *Spec) { s.Template = "{{.Questoin}}" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			tt.modify(&s)
			_, err := New(s)
			require.Error(t, err)
			assert.Panics(t, func() { MustNew(s) })
		})
	}
}

func TestBuiltinInfo(t *testing.T) {
	b := MustNew(testSpec())
	info := b.Info()

	tmplSum := sha256.Sum256([]byte(testSpec().Template))
	// DataSHA256 is the sha256 of what `sha256sum a.txt b.txt` prints.
	listing := sha256hex("alpha\n") + "  a.txt\n" + sha256hex("beta\n") + "  b.txt\n"
	assert.Equal(t, parity.SuiteInfo{
		Name: "toy", Version: "1", Language: "en", License: "MIT", Items: 2,
		DataSHA256: sha256hex(listing), PromptHash: hex.EncodeToString(tmplSum[:]),
		Scorer: "parity-answer", ScorerVersion: answer.Version, Kind: "number",
	}, info)
	assert.Equal(t, []string{"s1", "s2"}, b.Subjects(), "derived subjects are sorted")
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestBuiltinItemsAreCopies(t *testing.T) {
	b := MustNew(testSpec())
	items, err := b.Items(context.Background())
	require.NoError(t, err)
	items[0].Question = "changed"
	items[0].Choices[0] = "changed"
	items[0].Meta["hint"] = "changed"

	again, err := b.Items(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "One plus one?", again[0].Question)
	assert.Equal(t, "2", again[0].Choices[0])
	assert.Equal(t, "small", again[0].Meta["hint"])
}

func TestBuiltinItemsErrors(t *testing.T) {
	tests := []struct {
		name  string
		items []parity.Item
		err   error
	}{
		{"loader error", nil, errors.New("disk on fire")},
		{"duplicate id", []parity.Item{{ID: "1", Question: "a"}, {ID: "1", Question: "b"}}, nil},
		{"empty id", []parity.Item{{Question: "a"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			s.Load = func() ([]parity.Item, error) { return tt.items, tt.err }
			b := MustNew(s)
			_, err := b.Items(context.Background())
			require.ErrorContains(t, err, "load toy")
			assert.Zero(t, b.Info().Items)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := MustNew(testSpec()).Items(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestBuiltinPrompt(t *testing.T) {
	b := MustNew(testSpec())
	items, err := b.Items(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []parity.Message{{Role: "user", Content: "One plus one?\nA) 2\nB) 3\nHint: small"}}, b.Prompt(items[0]))
	assert.Equal(t, []parity.Message{{Role: "user", Content: "Two plus two?"}}, b.Prompt(items[1]),
		"a missing Meta key renders as empty")
}

func TestLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 3: "D", 25: "Z", 26: "AA", 27: "AB", -1: "?"} {
		assert.Equal(t, want, Letter(i), "Letter(%d)", i)
	}
}

func TestBuiltinScoreOutcomes(t *testing.T) {
	b := MustNew(testSpec())
	it := parity.Item{ID: "2", Question: "Two plus two?", Answer: "4"}
	tests := []struct {
		name string
		c    parity.Completion
		want parity.Outcome
	}{
		{"correct", parity.Completion{Content: "So \\boxed{4}.", FinishReason: "stop"}, parity.OutcomeCorrect},
		{"wrong", parity.Completion{Content: "So \\boxed{5}.", FinishReason: "stop"}, parity.OutcomeWrong},
		{"unparsed", parity.Completion{Content: "I cannot say.", FinishReason: "stop"}, parity.OutcomeUnparsed},
		{"api error wins over an answer", parity.Completion{Content: "\\boxed{4}", Error: "500 after 5 attempts"}, parity.OutcomeError},
		{"content filter", parity.Completion{FinishReason: "content_filter"}, parity.OutcomeRefused},
		{"cut off before answering", parity.Completion{Content: "Let me think", FinishReason: "length"}, parity.OutcomeTruncated},
		{"cut off after answering is graded", parity.Completion{Content: "\\boxed{4} and more", FinishReason: "length"}, parity.OutcomeCorrect},
		{"answer only in reasoning, stopped", parity.Completion{Reasoning: "\\boxed{4}", FinishReason: "stop"}, parity.OutcomeUnparsed},
		{"answer only in reasoning, cut off", parity.Completion{Reasoning: "\\boxed{4}", FinishReason: "length"}, parity.OutcomeTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := b.Score(it, tt.c)
			assert.Equal(t, tt.want, s.Outcome, "detail %q, extracted %q", s.Detail, s.Extracted)
			assert.Equal(t, "parity-answer", s.Scorer)
			assert.Equal(t, answer.Version, s.ScorerVersion)
		})
	}
	s := b.Score(it, parity.Completion{Reasoning: "\\boxed{4}", FinishReason: "stop"})
	assert.Contains(t, s.Detail, "reasoning is not graded")
}

func TestBuiltinScoreUsesItemChoices(t *testing.T) {
	s := testSpec()
	s.Kind = answer.Choice
	b := MustNew(s)
	it := parity.Item{ID: "1", Question: "Pick", Choices: []string{"red", "green", "blue"}, Answer: "B"}
	assert.Equal(t, parity.OutcomeCorrect, b.Score(it, parity.Completion{Content: "\\boxed{B}", FinishReason: "stop"}).Outcome)
	assert.Equal(t, parity.OutcomeWrong, b.Score(it, parity.Completion{Content: "\\boxed{C}", FinishReason: "stop"}).Outcome)
}

func TestHashFilesMissingFile(t *testing.T) {
	_, err := HashFiles(fstest.MapFS{}, []string{"nope.txt"})
	require.ErrorContains(t, err, "hash data")
}

// TestLoadChecksShape: data that do not hold the items the Spec expects
// fail to load, naming what was found.
func TestLoadChecksShape(t *testing.T) {
	tests := []struct {
		count int
		first string
		want  string
	}{
		{2, "1", ""},
		{0, "", ""},
		{3, "", "load toy: the data hold 2 items where 3 were expected: the embedded data are incomplete or changed"},
		{2, "2", `load toy: the first item is "1" where "2" was expected: the embedded data are reordered or changed`},
	}
	for _, tt := range tests {
		s := testSpec()
		s.Count, s.FirstID = tt.count, tt.first
		_, err := MustNew(s).Items(context.Background())
		if tt.want == "" {
			assert.NoError(t, err)
			continue
		}
		assert.EqualError(t, err, tt.want)
	}
}
