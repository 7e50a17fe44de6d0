package parity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func items(n int) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{ID: fmt.Sprintf("q%03d", i), Subject: []string{"alg", "geo"}[i%2]}
	}
	return out
}

func ids(its []Item) []string {
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = it.ID
	}
	return out
}

func TestSelect(t *testing.T) {
	all := items(100)

	t.Run("no limit keeps everything in order", func(t *testing.T) {
		assert.Equal(t, ids(all), ids(Select(all, "", 0, 1)))
		assert.Equal(t, ids(all), ids(Select(all, "", 500, 1)))
	})
	t.Run("subject filter", func(t *testing.T) {
		got := Select(all, "geo", 0, 1)
		require.Len(t, got, 50)
		for _, it := range got {
			assert.Equal(t, "geo", it.Subject)
		}
	})
	t.Run("deterministic for a seed", func(t *testing.T) {
		a := Select(all, "", 10, 42)
		b := Select(all, "", 10, 42)
		require.Len(t, a, 10)
		assert.Equal(t, ids(a), ids(b))
	})
	t.Run("different seeds pick different items", func(t *testing.T) {
		assert.NotEqual(t, ids(Select(all, "", 10, 1)), ids(Select(all, "", 10, 2)))
	})
	t.Run("larger limit is a superset and order is kept", func(t *testing.T) {
		small := ids(Select(all, "", 10, 7))
		large := ids(Select(all, "", 30, 7))
		assert.Subset(t, large, small)
		assert.IsIncreasing(t, large)
	})
	t.Run("not just the first items", func(t *testing.T) {
		assert.NotEqual(t, ids(all[:10]), ids(Select(all, "", 10, 3)))
	})
}

func TestPriceCost(t *testing.T) {
	p := Price{Input: 0.56, CachedInput: 0.07, Output: 1.68, Currency: "USD"}
	u := Usage{PromptTokens: 1_000_000, CachedTokens: 400_000, CompletionTokens: 500_000}
	// 600k fresh * 0.56 + 400k cached * 0.07 + 500k out * 1.68, per million.
	assert.InDelta(t, 0.336+0.028+0.84, p.Cost(u), 1e-12)

	noCache := Price{Input: 2, Output: 8}
	assert.InDelta(t, 2.0+8.0, noCache.Cost(Usage{PromptTokens: 1e6, CachedTokens: 5e5, CompletionTokens: 1e6}), 1e-12,
		"cached tokens fall back to the input rate when no cached rate is set")
}

func TestFinishOutcome(t *testing.T) {
	cases := []struct {
		name  string
		c     Completion
		found bool
		want  Outcome
		ok    bool
	}{
		{"api error", Completion{Error: "boom"}, false, OutcomeError, true},
		{"error wins over answer", Completion{Error: "boom", FinishReason: FinishStop}, true, OutcomeError, true},
		{"content filter", Completion{FinishReason: FinishContentFilter}, true, OutcomeRefused, true},
		{"cut off before answer", Completion{FinishReason: FinishLength}, false, OutcomeTruncated, true},
		{"cut off after answer is graded", Completion{FinishReason: FinishLength}, true, "", false},
		{"normal stop", Completion{FinishReason: FinishStop}, false, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := FinishOutcome(tc.c, tc.found)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseOutcome(t *testing.T) {
	for _, o := range Outcomes {
		got, err := ParseOutcome(string(o))
		require.NoError(t, err)
		assert.Equal(t, o, got)
	}
	_, err := ParseOutcome("right")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "correct, wrong")
}

func TestRunFingerprint(t *testing.T) {
	zero := 0.0
	base := Run{Model: Model{ID: "deepseek/deepseek-v4-pro"}, Suite: SuiteInfo{Name: "gsm8k", Version: "1", DataSHA256: "d", PromptHash: "p"},
		Params: Params{MaxTokens: 100}, Samples: 1, Limit: 10, Seed: 1}
	same := base
	same.ID, same.Status, same.Note = 9, RunComplete, "ignored"
	assert.Equal(t, RunFingerprint(base), RunFingerprint(same), "identity fields that do not change the work are ignored")

	changes := map[string]func(r *Run){
		"model":       func(r *Run) { r.Model.ID = "openai/gpt-6.1-sol" },
		"suite ver":   func(r *Run) { r.Suite.Version = "2" },
		"prompt":      func(r *Run) { r.Suite.PromptHash = "q" },
		"data":        func(r *Run) { r.Suite.DataSHA256 = "e" },
		"temperature": func(r *Run) { r.Params.Temperature = &zero },
		"samples":     func(r *Run) { r.Samples = 4 },
		"limit":       func(r *Run) { r.Limit = 20 },
		"seed":        func(r *Run) { r.Seed = 2 },
		"subject":     func(r *Run) { r.Subject = "algebra" },
		"base url":    func(r *Run) { r.BaseURL = "http://x" },
	}
	for name, change := range changes {
		r := base
		change(&r)
		assert.NotEqual(t, RunFingerprint(base), RunFingerprint(r), name)
	}
}

func TestErrorCodes(t *testing.T) {
	e := Errorf(ErrCredentials, "set %s", "DEEPSEEK_API_KEY")
	wrapped := fmt.Errorf("run: %w", e)
	assert.Equal(t, ErrCredentials, CodeOf(wrapped))
	assert.Equal(t, ErrInternal, CodeOf(errors.New("plain")))
	assert.Equal(t, "set DEEPSEEK_API_KEY", e.Error())

	inner := &Error{Code: ErrNetwork, Message: "connect", Err: context.DeadlineExceeded}
	assert.ErrorIs(t, inner, context.DeadlineExceeded)
	assert.Equal(t, "connect: context deadline exceeded", inner.Error())
}

func TestUsageAddAndTarget(t *testing.T) {
	u := Usage{1, 2, 3, 4}.Add(Usage{10, 20, 30, 40})
	assert.Equal(t, Usage{11, 22, 33, 44}, u)
	assert.Equal(t, 12, Run{Items: 3, Samples: 4}.Target())
}

func TestPriceAtWindows(t *testing.T) {
	p := Price{Input: 0.27, Output: 1.10, Currency: "USD", Windows: []PriceWindow{
		{Name: "off-peak", Start: "16:30", End: "00:30", Input: 0.135, Output: 0.55},
	}}
	at := func(h, m int) Price { return p.At(time.Date(2025, 3, 1, h, m, 0, 0, time.UTC)) }
	assert.Equal(t, 0.27, at(12, 0).Input, "peak")
	assert.Equal(t, 0.135, at(16, 30).Input, "start is inclusive")
	assert.Equal(t, 0.55, at(23, 59).Output, "window crosses midnight")
	assert.Equal(t, 0.135, at(0, 29).Input)
	assert.Equal(t, 0.27, at(0, 30).Input, "end is exclusive")
	assert.Nil(t, at(17, 0).Windows, "the card in force has no windows")
	beijing := time.FixedZone("CST", 8*3600)
	assert.Equal(t, 0.135, p.At(time.Date(2025, 3, 2, 1, 0, 0, 0, beijing)).Input, "times are compared in UTC: 01:00 Beijing is 17:00 UTC")

	weekdays := Price{Input: 1, Windows: []PriceWindow{
		{Name: "peak", Start: "01:00", End: "04:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Input: 2},
		{Name: "night", Start: "22:00", End: "02:00", Days: []string{"Fri"}, Input: 3},
	}}
	friday := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	saturday := friday.AddDate(0, 0, 1)
	assert.Equal(t, 2.0, weekdays.At(friday).Input, "weekday peak")
	assert.Equal(t, 1.0, weekdays.At(saturday).Input, "no peak at the weekend")
	assert.Equal(t, 3.0, weekdays.At(saturday.Add(-time.Hour)).Input, "01:00 Saturday is still Friday's night window")
	assert.Equal(t, 1.0, weekdays.At(saturday.Add(22*time.Hour)).Input, "Saturday night is not Friday's")

	require.NoError(t, weekdays.CheckWindows())
	for _, w := range []PriceWindow{{Start: "25:00", End: "01:00"}, {Start: "01:00", End: "02:00", Days: []string{"monday"}},
		{Start: "01:00", End: "02:00", Input: -1}} {
		assert.Error(t, Price{Windows: []PriceWindow{w}}.CheckWindows(), "%+v", w)
	}

	bad := Price{Input: 1, Windows: []PriceWindow{{Start: "25:00", End: "x", Input: 9}}}
	assert.Equal(t, 1.0, bad.At(time.Now()).Input, "a malformed window is ignored")
}

func TestSelectKeepsRotationsTogether(t *testing.T) {
	plain := items(20)
	var rotated []Item
	for _, it := range plain {
		for r := 0; r < 4; r++ {
			rotated = append(rotated, Item{ID: it.ID + "@r" + strconv.Itoa(r), Subject: it.Subject, RotationOf: it.ID})
		}
	}
	sel := Select(rotated, "", 5, 9)
	require.Len(t, sel, 20, "five items, four rotations each")
	var bases []string
	for i, it := range sel {
		base := it.RotationOf
		require.NotEmpty(t, base)
		if i%4 == 0 {
			bases = append(bases, base)
		}
		assert.Equal(t, bases[len(bases)-1], base, "rotations stay together")
	}
	assert.Equal(t, ids(Select(plain, "", 5, 9)), bases, "the same questions as a plain run")
}

func TestSelectAlignsTranslations(t *testing.T) {
	var all []Item
	for _, lang := range []string{"en", "zh", "de"} {
		for n := 1; n <= 50; n++ {
			all = append(all, Item{ID: fmt.Sprintf("%s-%d", lang, n), Subject: lang, Pair: strconv.Itoa(n)})
		}
	}
	problems := func(subject string) []string {
		var out []string
		for _, it := range Select(all, subject, 10, 3) {
			out = append(out, it.Pair)
		}
		return out
	}
	en := problems("en")
	require.Len(t, en, 10)
	assert.Equal(t, en, problems("zh"), "the same problems in every language")
	assert.Equal(t, en, problems("de"))
}

// A whole multilingual suite (-s mgsm) with --limit 20 asks 20 items, not
// 20 problems in each of its languages; a larger limit still selects a
// superset, and each language alone still gets the same problems.
func TestSelectLimitCountsItemsOfAWholeAlignedSuite(t *testing.T) {
	var all []Item
	for _, lang := range []string{"en", "zh", "de"} {
		for n := 1; n <= 50; n++ {
			all = append(all, Item{ID: fmt.Sprintf("%s-%d", lang, n), Subject: lang, Pair: strconv.Itoa(n)})
		}
	}
	small, large := Select(all, "", 10, 3), Select(all, "", 25, 3)
	require.Len(t, small, 10)
	require.Len(t, large, 25)
	assert.Subset(t, ids(large), ids(small))
	assert.Equal(t, ids(Select(all, "", 10, 3)), ids(small), "stable")
}

// FNV-1a orders ids that differ in their last characters almost by those
// characters, so ranking by it picked runs of neighbours (q140…q159): a
// --limit sample of a suite sorted by subject or level came from one of
// them. The sample must spread over the whole suite.
func TestSelectSpreadsOverTheSuite(t *testing.T) {
	var all []Item
	for n := range 1000 {
		all = append(all, Item{ID: fmt.Sprintf("gsm8k-%04d", n)})
	}
	for seed := int64(1); seed <= 5; seed++ {
		deciles := make([]int, 10)
		for _, it := range Select(all, "", 100, seed) {
			n, err := strconv.Atoi(it.ID[len("gsm8k-"):])
			require.NoError(t, err)
			deciles[n/100]++
		}
		for d, c := range deciles {
			assert.True(t, c >= 2 && c <= 25, "seed %d: %d of 100 items from decile %d: %v", seed, c, d, deciles)
		}
	}
}

// Runs begun under the old clustered selection must not be resumed with
// other items: a limited run's fingerprint names the selection scheme, and
// an unlimited one (which selects everything) keeps its fingerprint.
func TestRunFingerprintNamesTheSelection(t *testing.T) {
	r := Run{Model: Model{ID: "deepseek/deepseek-reasoner"}, Suite: SuiteInfo{Name: "gsm8k", Version: "1", DataSHA256: "d", PromptHash: "p"},
		Params: Params{MaxTokens: 100}, Samples: 1, Limit: 10, Seed: 1}
	assert.NotEqual(t, "2cb504d7cd03c90d24659dd8da459dce", RunFingerprint(r), "fingerprint under the old selection")
	r.Limit = 0
	assert.Equal(t, "f7f1a0b40910ba56b6ae29e5c93714ab", RunFingerprint(r), "no limit: nothing to resume differently")
}

func TestModelSubstituted(t *testing.T) {
	tests := []struct {
		asked, reported string
		want            bool
	}{
		{"gpt-6.1-sol", "gpt-6.1-sol-2026-09-29", false},
		{"o3", "o3-2025-04-16", false},
		{"claude-sonnet-4-5", "claude-sonnet-4-5-20250929", false},
		{"doubao-seed-1-6", "doubao-seed-1-6-250615", false},
		{"MiniMax-M2.7", "minimax-m2.7", false},
		{"Qwen/QwQ-32B", "QwQ-32B", false},
		{"gemini-3.8-flash", "models/gemini-3.8-flash", false},
		{"deepseek-v4-pro", "", false},
		{"oracle", "mock-oracle", false},
		{"ep-20250101000000-abcde", "doubao-seed-2.0-pro", false},
		{"gemini-2.5-pro", "gemini-3.8-flash", true},
		{"deepseek-v4-flash", "deepseek-flash", true},
		{"gpt-5", "gpt-5.1", true},
		{"kimi-k3", "kimi-k3.1-pro", true},
	}
	for _, tt := range tests {
		if got := ModelSubstituted(tt.asked, tt.reported); got != tt.want {
			t.Errorf("ModelSubstituted(%q, %q) = %v, want %v", tt.asked, tt.reported, got, tt.want)
		}
	}
}

func TestAccuracy(t *testing.T) {
	acc, scored, ok := Accuracy(map[Outcome]int{OutcomeCorrect: 3, OutcomeWrong: 1, OutcomeTruncated: 1, OutcomeRefused: 1, OutcomeUnparsed: 2, OutcomeError: 5})
	require.True(t, ok)
	assert.Equal(t, 8, scored, "errors are not scored")
	assert.InDelta(t, 3.0/8, acc, 1e-12)
	_, _, ok = Accuracy(map[Outcome]int{OutcomeError: 4})
	assert.False(t, ok, "nothing scored, no accuracy")
	_, _, ok = Accuracy(nil)
	assert.False(t, ok)
	for _, o := range Outcomes {
		assert.Equal(t, o != OutcomeError, o.Scored(), o)
	}
}

func TestScrubRemovesCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"choices":[{"message":{"content":"2"}}]}`, `{"choices":[{"message":{"content":"2"}}]}`},
		{"Authorization: Bearer sk-abcdefghijklmnopqrstuvwx", "Authorization: Bearer [REDACTED]"},
		{"authorization: bearer abcdefgh12345678", "authorization: bearer [REDACTED]"},
		{`{"error":"bad key","x-api-key":"abcd1234efgh5678"}`, `{"error":"bad key","x-api-key":"[REDACTED]"}`},
		{"invalid key sk-proj-0123456789abcdefXYZ given", "invalid key [REDACTED] given"},
		{"a bearer of good news", "a bearer of good news"},
		{"X-API-Key: abcd1234efgh5678", "X-API-Key: [REDACTED]"},
		{`{"API_Key":"abcd1234efgh5678"}`, `{"API_Key":"[REDACTED]"}`},
		{"BeArEr abcdefgh12345678", "BeArEr [REDACTED]"},
		{"SK-0123456789abcdefXYZ", "[REDACTED]"},
		{"ak-0a1b2c3d4e5f and pk-live-998877aa", "[REDACTED] and [REDACTED]"},
		{"api_key=abcd1234efgh5678&x=1", "api_key=[REDACTED]&x=1"},
		{"key-takeaways-from-the-paper", "key-takeaways-from-the-paper"},
		{"sk-learn", "sk-learn"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ScrubSecrets(tt.in), tt.in)
	}
}
