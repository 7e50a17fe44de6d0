package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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

// agreementLines are graded lines in the real sets' format: each with its
// own kind, an id and the source's verdict.
const agreementLines = `{"id": "a1", "kind": "number", "prediction": "{\"reasoning\": \"r\", \"answer\": \"4 * 15 * 12 = 720\"}", "gold": "# 720", "expected": false}
{"id": "a2", "kind": "number", "prediction": "{\"reasoning\": \"r\", \"answer\": \"3 + 4 = 7\"}", "gold": "# 7", "expected": false}
{"id": "a3", "kind": "choice", "prediction": "The answer is (B).", "gold": "B", "choices": ["x", "y"], "expected": true}
{"id": "a4", "kind": "choice", "prediction": "The answer is (B) or (A).", "gold": "B", "choices": ["x", "y"], "expected": true}
{"id": "a5", "kind": "math", "prediction": "Final Answer: The final answer is $\\frac12$. I hope it is correct.", "gold": "0.5", "expected": true}
`

// TestScoreAgreementSummary checks the stderr summary of lines that carry
// another grader's verdicts: agreement, both accuracies and the largest
// disagreement classes with an example, each line graded with its own
// kind when no --kind is given.
func TestScoreAgreementSummary(t *testing.T) {
	ta := newTestApp(t)
	ta.stdin = agreementLines
	out := ta.mustRun("score")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5)
	first := decode[scoreResult](t, lines[0])
	assert.True(t, first.Correct, "the JSON answer's equation gives its result")
	assert.Equal(t, "json/numeric", first.Detail)
	errOut := ta.stderr.String()
	assert.Contains(t, errOut, `agreement with "expected": 2 of 5 (40.0%); parity accuracy 80.0%, source accuracy 60.0%`)
	assert.Contains(t, errOut, "2  correct × json/numeric, source: wrong  e.g. a1:")
	assert.Contains(t, errOut, "1  unparsed × hedge, source: correct  e.g. a4:")

	// A line without a kind needs --kind or --suite.
	ta.stdin = `{"prediction": "5", "gold": "5"}`
	code := ta.run(context.Background(), "score")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), `give --kind or --suite, or a "kind" on every line`)
}

// TestScoreMarkdownReport checks the report make agreement writes: gzip
// input files, the per-set table, every class with an example, and the
// reviewed source errors with their reason counted in "adjusted".
func TestScoreMarkdownReport(t *testing.T) {
	ta := newTestApp(t)
	path := filepath.Join(ta.dir, "toy_set.jsonl.gz")
	f, err := os.Create(path)
	require.NoError(t, err)
	gz := gzip.NewWriter(f)
	_, err = gz.Write([]byte(agreementLines))
	require.NoError(t, err)
	require.NoError(t, gz.Close())
	require.NoError(t, f.Close())
	reviewed := filepath.Join(ta.dir, "source-errors.tsv")
	require.NoError(t, os.WriteFile(reviewed, []byte("# reviewed\ntoy_set\tcorrect\tjson\tfalse\tZeroEval reads the first number of the answer field.\n"), 0o644))

	out := ta.mustRun("score", "--markdown", "--source-errors", reviewed, path)
	assert.Contains(t, out, "| toy_set | 5 | 40.0% | 80.0% | 60.0% | 2 | 80.0% |")
	assert.Contains(t, out, "## toy_set\n\n5 items, 3 disagreements:")
	assert.Contains(t, out, "| 2 | correct × json/numeric, source: wrong | `a1`: gold `# 720`; `{\"reasoning\"")
	assert.Contains(t, out, "ZeroEval reads the first number of the answer field. |")
	assert.Contains(t, out, "| 1 | unparsed × hedge, source: correct | `a4`: gold `B`; `The answer is (B) or (A).` |  |")
	assert.NotContains(t, out, `"line"`, "the report replaces the graded lines")

	require.NoError(t, os.WriteFile(reviewed, []byte("toy_set\tcorrect\tjson\n"), 0o644))
	code := ta.run(context.Background(), "score", "--markdown", "--source-errors", reviewed, path)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "want tab-separated fields")
}
