package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScoreAgreesWithPeerGraders runs the peer graders' own test cases
// through `parity score`, one answer kind at a time, and requires the
// agreement the project promises.
func TestScoreAgreesWithPeerGraders(t *testing.T) {
	f, err := os.Open("../../suites/answer/testdata/dev-cases.jsonl")
	require.NoError(t, err)
	defer f.Close()
	byKind := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		var c struct {
			Kind string `json:"kind"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		byKind[c.Kind] = append(byKind[c.Kind], sc.Text())
	}
	require.NoError(t, sc.Err())

	flags := map[string][]string{
		"numeric": {"--kind", "number"},
		"gsm8k":   {"--kind", "number", "--last-number"},
		"mc":      {"--kind", "choice"},
		"math":    {"--kind", "math"},
	}
	total, agreed := 0, 0
	for kind, lines := range byKind {
		fl, ok := flags[kind]
		require.True(t, ok, "unknown case kind %q", kind)
		ta := newTestApp(t)
		ta.stdin = strings.Join(lines, "\n")
		out := ta.mustRun(append([]string{"score"}, fl...)...)
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			r := decode[scoreResult](t, l)
			require.NotNil(t, r.Agree, "every case carries the peer's verdict")
			total++
			if *r.Agree {
				agreed++
			}
		}
	}
	require.Equal(t, 260, total)
	t.Logf("parity score agrees with the peers on %d of %d cases", agreed, total)
	require.GreaterOrEqual(t, float64(agreed)/float64(total), 0.99)
}

// Items built by `score --suite` carry no suite metadata; suites whose
// grading depends on it (BBH's per-task answer kind) must still grade.
func TestScoreWithSuiteRules(t *testing.T) {
	cases := []struct {
		suite, line string
		correct     bool
	}{
		{"bbh", `{"prediction": "Let us think. So the answer is False.", "gold": "False"}`, true},
		{"bbh", `{"prediction": "So the answer is 12.", "gold": "12"}`, true},
		{"bbh", `{"prediction": "So the answer is (B).", "gold": "B", "choices": ["x", "y", "z"]}`, true},
		{"bbh", `{"prediction": "So the answer is valid.", "gold": "invalid"}`, false},
		{"gsm8k", `{"prediction": "She makes $18 every day.", "gold": "18"}`, true},
		{"math500", `{"prediction": "\\boxed{\\frac{\\sqrt{3}}{2}}", "gold": "\\frac{\\sqrt3}{2}"}`, true},
		{"mmlu", `{"prediction": "答案：C", "gold": "C", "choices": ["a", "b", "c", "d"]}`, true},
		{"cmmlu", `{"prediction": "A 或 B 都有可能", "gold": "A", "choices": ["a", "b", "c", "d"]}`, false},
		{"cn_middle_school", `{"prediction": "故选 B。", "gold": "B"}`, true},
		{"cn_middle_school", `{"prediction": "所以答案为 $\\frac{1}{2}$", "gold": "0.5"}`, true},
	}
	for _, c := range cases {
		ta := newTestApp(t)
		ta.stdin = c.line
		r := decode[scoreResult](t, ta.mustRun("score", "--suite", c.suite))
		assert.Equal(t, c.correct, r.Correct, "%s: %s", c.suite, c.line)
	}
}
