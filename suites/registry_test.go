package suites

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestAllSortedAndComplete(t *testing.T) {
	names := Names()
	assert.True(t, sort.StringsAreSorted(names))
	all := All()
	require.Len(t, all, len(names))
	for i, s := range all {
		assert.Equal(t, names[i], s.Info().Name)
	}
	for _, want := range []string{"gsm8k", "math500", "aime24", "aime25", "mgsm", "cmath",
		"cn_middle_school", "gaokao2024_mix", "gaokao_math_cloze", "gaokao_math_qa"} {
		assert.Contains(t, names, want)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		spec        string
		wantSuite   string
		wantSubject string
	}{
		{"gsm8k", "gsm8k", ""},
		{" GSM8K ", "gsm8k", ""},
		{"mgsm:zh", "mgsm", "zh"},
		{"aime25:II", "aime25", "II"},
		{"math500:Counting & Probability", "math500", "Counting & Probability"},
		{"math500:counting_probability", "math500", "Counting & Probability"},
		{"math500:intermediate-algebra", "math500", "Intermediate Algebra"},
		{"cmath:grade3", "cmath", "grade3"},
		{"gaokao2024_mix:choice", "gaokao2024_mix", "choice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, subject, err := Lookup(tt.spec)
			require.NoError(t, err)
			assert.Equal(t, tt.wantSuite, s.Info().Name)
			assert.Equal(t, tt.wantSubject, subject)
		})
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		spec     string
		contains []string
	}{
		{"gsm9k", []string{`unknown suite "gsm9k"`, "gsm8k", "mgsm", "parity suites"}},
		{"", []string{"unknown suite", "math500"}},
		{"gsm8k:algebra", []string{"gsm8k has no subjects"}},
		{"mgsm:xx", []string{`unknown subject "xx"`, "bn, de, en", "zh"}},
		{"mgsm:", []string{"empty subject"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, _, err := Lookup(tt.spec)
			require.Error(t, err)
			assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), c)
			}
		})
	}
}

func TestRegisterRejectsDuplicatesAndBadNames(t *testing.T) {
	require.ErrorContains(t, Register(GSM8K), "already registered")
	assert.Panics(t, func() { MustRegister(GSM8K) })
}

func TestSealed(t *testing.T) {
	assert.True(t, Sealed("gpqa"), "the GPQA authors ask that the questions never appear in plain text")
	assert.False(t, Sealed("gsm8k"))
	assert.False(t, Sealed("no-such-suite"))
}
