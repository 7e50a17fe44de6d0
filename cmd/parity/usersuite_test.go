package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/results"
)

const userSuiteYAML = `name: capitals-math
version: "2"
language: en
license: CC0
data: items.jsonl
kind: number
fields:
  id: uid
prompt: |
  {{.Question}} Put the final answer in \boxed{}.
`

func writeUserSuite(t *testing.T, dir, yaml, data string) string {
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(data), 0o644))
	p := filepath.Join(dir, "suite.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o644))
	return p
}

func TestUserSuitesFromFileAndDirectory(t *testing.T) {
	ta := newTestApp(t)
	data := `{"uid": "a", "question": "2+2?", "answer": "4"}
{"uid": "b", "question": "3+3?", "answer": "6"}
{"uid": "c", "question": "5+5?", "answer": "10"}
`
	file := writeUserSuite(t, filepath.Join(ta.dir, "mine"), userSuiteYAML, data)

	sum := decode[[]runSummary](t, ta.mustRun("run", "-m", "mock/oracle-100", "--suite-file", file, "--json"))
	require.Len(t, sum, 1)
	assert.Equal(t, "capitals-math", sum[0].Suite)
	assert.Equal(t, 3, sum[0].Done)
	assert.Equal(t, 3, sum[0].Outcomes[parity.OutcomeCorrect])

	// The default suites directory makes the suite a plain -s name.
	writeUserSuite(t, filepath.Join(ta.dir, ".config", "parity", "suites"), userSuiteYAML, data)
	infos := decode[[]parity.SuiteInfo](t, ta.mustRun("suites", "--json"))
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
	}
	assert.Contains(t, names, "capitals-math")
	assert.Contains(t, names, "gsm8k")
	out := decode[[]runSummary](t, ta.mustRun("run", "-m", "mock/oracle-100", "-s", "capitals-math", "--json"))
	assert.Equal(t, "already-complete", out[0].Status, "the same suite from the directory resumes the same run")
	ta.mustRun("rescore", "1")
}

func TestUserSuiteErrors(t *testing.T) {
	ta := newTestApp(t)
	bad := writeUserSuite(t, filepath.Join(ta.dir, "bad"), `name: broken
version: "1"
language: en
data: items.jsonl
kind: numbr
`, `{"question": "q", "answer": "1"}`)
	code := ta.run(context.Background(), "run", "-m", "mock/oracle", "--suite-file", bad)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "suite.yaml:5")
	assert.Contains(t, ta.stderr.String(), "numbr")

	clash := writeUserSuite(t, filepath.Join(ta.dir, "clash"), `name: gsm8k
version: "1"
language: en
data: items.jsonl
kind: number
`, `{"question": "q", "answer": "1"}`)
	code = ta.run(context.Background(), "run", "-m", "mock/oracle", "--suite-file", clash)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "built-in")

	code = ta.run(context.Background(), "--suite-dir", filepath.Join(ta.dir, "nope"), "suites")
	assert.Equal(t, exitConfig, code, "a directory named on the command line must exist")
}

func TestRescoreAllWithoutAUserSuiteChangesNothing(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle-100", "-s", "gsm8k", "--limit", "3")
	file := writeUserSuite(t, filepath.Join(ta.dir, "mine"), userSuiteYAML, `{"uid": "a", "question": "2+2?", "answer": "4"}`+"\n")
	ta.mustRun("run", "-m", "mock/oracle-100", "--suite-file", file)

	// An old grader marked run 1 wrong; rescoring would set it right.
	ctx := context.Background()
	db, err := results.Open(ctx, ta.dbPath())
	require.NoError(t, err)
	before, err := db.Samples(ctx, 1, results.SampleFilter{})
	require.NoError(t, err)
	var ups []results.ScoreUpdate
	for _, s := range before {
		ups = append(ups, results.ScoreUpdate{Key: s.Key(), Score: parity.Score{Outcome: parity.OutcomeWrong, Scorer: "old", ScorerVersion: "0.1"}})
	}
	require.NoError(t, db.UpdateScores(ctx, 1, ups))
	require.NoError(t, db.Close())

	code := ta.run(ctx, "rescore", "--all")
	assert.NotEqual(t, exitOK, code)
	assert.Contains(t, ta.stderr.String(), "--suite-dir", "names both ways to give the suite")
	after := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	assert.Equal(t, "old", after[0].Score.Scorer, "a rescore that stops with an error saves nothing")

	code = ta.run(ctx, "judge", "--all", "--judge", "mock/oracle", "--json")
	assert.NotEqual(t, exitOK, code)
	assert.Empty(t, decode[[]judgeLine](t, ta.stdout.String()), "no run is sent to the judge before the suites are all found")

	lines := decode[[]rescoreLine](t, ta.mustRun("rescore", "--all", "--suite-file", file, "--json"))
	assert.Len(t, lines, 2)
}

// A suite file may name data above its folder or by an absolute path, in
// the directory of suites as with --suite-file.
func TestUserSuiteDataOutsideItsFolder(t *testing.T) {
	ta := newTestApp(t)
	shared := filepath.Join(ta.dir, "shared")
	require.NoError(t, os.MkdirAll(shared, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(shared, "items.jsonl"), []byte(`{"uid": "a", "question": "2+2?", "answer": "4"}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(shared, "dev.jsonl"), []byte(`{"uid": "d", "question": "1+1?", "answer": "2"}`+"\n"), 0o644))
	yaml := strings.Replace(userSuiteYAML, "data: items.jsonl", "data: ../shared/items.jsonl\nfewshot:\n  file: "+filepath.ToSlash(filepath.Join(shared, "dev.jsonl")), 1)
	file := writeUserSuite(t, filepath.Join(ta.dir, "mine"), yaml, "")
	sum := decode[[]runSummary](t, ta.mustRun("run", "-m", "mock/oracle-100", "--suite-file", file, "--json"))
	require.Len(t, sum, 1)
	assert.Equal(t, 1, sum[0].Outcomes[parity.OutcomeCorrect])

	dir := filepath.Join(ta.dir, ".config", "parity", "suites")
	writeUserSuite(t, dir, strings.Replace(yaml, "../shared", "../../../shared", 1), "")
	infos := decode[[]parity.SuiteInfo](t, ta.mustRun("suites", "--json"))
	assert.True(t, slices.ContainsFunc(infos, func(in parity.SuiteInfo) bool { return in.Name == "capitals-math" }))

	writeUserSuite(t, dir, strings.Replace(yaml, "../shared", "../nowhere", 1), "")
	code := ta.run(context.Background(), "suites")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), filepath.Join(dir, "suite.yaml")+`:5: field "data": cannot read `+filepath.Join(dir, "..", "nowhere", "items.jsonl"))
}

// A user suite's questions reach a snapshot only when its file says its
// licence allows publishing them; otherwise no file of the site holds them.
func TestSnapshotPublishesUserSuiteQuestionsOnlyWhenTheFileAllows(t *testing.T) {
	ta := newTestApp(t)
	const question = "How many legs do two Zorblax beetles have?"
	data := `{"uid": "a", "question": "` + question + `", "answer": "12"}
{"uid": "b", "question": "3+3?", "answer": "6"}
`
	file := writeUserSuite(t, filepath.Join(ta.dir, "mine"), userSuiteYAML, data)
	ta.mustRun("run", "-m", "mock/oracle-100", "--suite-file", file)

	closed := filepath.Join(ta.dir, "closed")
	ta.mustRun("snapshot", closed, "--suite-file", file)
	files := snapshotFiles(t, closed)
	require.Contains(t, files, "runs/1.jsonl")
	for name, content := range files {
		assert.NotContains(t, string(content), "Zorblax", "%s quotes a question its licence was not said to allow", name)
	}

	require.NoError(t, os.WriteFile(file, []byte(userSuiteYAML+"publish_questions: true\n"), 0o644))
	open := filepath.Join(ta.dir, "open")
	ta.mustRun("snapshot", open, "--suite-file", file)
	files = snapshotFiles(t, open)
	lines := sampleLines(t, files["runs/1.jsonl"])
	require.Len(t, lines, 2)
	assert.Equal(t, question, lines[0]["question"])
	assert.Contains(t, string(files["runs/1.html"]), "Zorblax")

	// Data edited since the run would put other questions beside its
	// answers: none are published then.
	require.NoError(t, os.WriteFile(filepath.Join(ta.dir, "mine", "items.jsonl"), []byte(strings.ReplaceAll(data, "Zorblax", "Quuxian")), 0o644))
	edited := filepath.Join(ta.dir, "edited")
	ta.mustRun("snapshot", edited, "--suite-file", file)
	for name, content := range snapshotFiles(t, edited) {
		assert.NotContains(t, string(content), "Quuxian", "%s quotes data the run was not asked", name)
	}
}
