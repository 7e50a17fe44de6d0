package parity

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The prefilter may let harmless text through to the regexp, but it must
// never rule out text the pattern matches: that text would be stored with
// its key.
func TestMaySecretNeverMissesAMatch(t *testing.T) {
	known := []string{
		"Authorization: Bearer abcdefgh1234", "BEARER\tXYZ12345678", "x-api-key: 0123456789ab",
		`{"api_key":"zzzzzzzz9"}`, "apikey=abcdefgh12", "sk-abcdef123456", "SK-ABCDEFGH", "ak-12345678x",
		"pk-99999999", "KEY-abcdefgh1", "(sk-proj_abcdefgh)", "token=key-12345678",
	}
	for _, s := range known {
		assert.True(t, secretPattern.MatchString(s), s)
		assert.True(t, maySecret(s), s)
	}
	// Random text built from pieces of what the pattern looks for.
	pieces := []string{"b", "B", "be", "arer", "BEA", "rer", "e", "k", "K", "y", "ey", "EY", "s", "a", "p", "P",
		"-", "_", ":", "=", " ", "\t", `"`, "'", "x", "api", "API", "0", "12345678", "abcdefgh", "sk-", "key", "Bearer ", "api_key="}
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for range 200000 {
		var b []byte
		for range 1 + rng.IntN(12) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		s := string(b)
		if secretPattern.MatchString(s) {
			matched++
			if !maySecret(s) {
				t.Fatalf("prefilter ruled out %q, which the pattern matches", s)
			}
		}
	}
	assert.Greater(t, matched, 100, "the random texts must exercise the pattern")
	for _, s := range []string{"The answer is \\boxed{7}.", "", "k", "b", "kb", "a-k", "bear", "takeaway"} {
		assert.False(t, maySecret(s), s)
	}
}

func FuzzMaySecret(f *testing.F) {
	for _, s := range []string{"Bearer abcdefgh1", "x-api-key: 12345678", "sk-12345678", "key-takeaways"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if secretPattern.MatchString(s) && !maySecret(s) {
			t.Fatalf("prefilter ruled out %q, which the pattern matches", s)
		}
	})
}

func BenchmarkScrubSecrets(b *testing.B) {
	s := "Adding one gives the answer, which we check twice before we settle on it.\n\nThe final answer is $\\boxed{7}$."
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ScrubSecrets(s)
	}
}
