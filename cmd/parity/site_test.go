package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/site"
	"github.com/parity-bench/parity/suites"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Filters take every name the tool prints: suite:subject, a repeated
// --model, and the "stopped" status.
func TestRunFiltersTakePrintedNames(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm:en", "-s", "mgsm:zh", "--limit", "3")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	type line struct {
		ID      int64  `json:"id"`
		Subject string `json:"subject"`
	}
	zh := decode[[]line](t, ta.mustRun("runs", "--suite", "mgsm:zh", "--json"))
	require.Len(t, zh, 1)
	assert.Equal(t, "zh", zh[0].Subject)
	assert.Len(t, decode[[]line](t, ta.mustRun("runs", "--suite", "mgsm", "--json")), 2)
	assert.Len(t, decode[[]line](t, ta.mustRun("runs", "--suite", "mgsm:zh", "--suite", "gsm8k", "--json")), 2)

	rep := decode[struct {
		Rows []struct {
			Subject string `json:"subject"`
		} `json:"rows"`
	}](t, ta.mustRun("report", "--suite", "mgsm:zh", "--json"))
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, "zh", rep.Rows[0].Subject)

	ta.mustRun("runs", "--status", "stopped")
	assert.Contains(t, ta.stderr.String(), "no runs match", "finished runs are not stopped ones")
	assert.Len(t, decode[[]line](t, ta.mustRun("runs", "--model", "mock/oracle", "--model", "nobody/none", "--json")), 3,
		"a repeated --model adds models")
	code := ta.run(context.Background(), "runs", "--status", "paused")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "running, stopped, partial or complete")
}

func TestDiffTwoRuns(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm:en", "-s", "mgsm:zh", "--limit", "10")
	out := ta.mustRun("diff", "1", "2")
	assert.Contains(t, out, "A = run 1: mock/oracle on mgsm:en@")
	assert.Contains(t, out, "10 shared items")
	d := decode[struct {
		Comparison struct {
			Kind        string `json:"kind"`
			SharedItems int    `json:"shared_items"`
			A           struct {
				Run int64 `json:"run"`
			} `json:"a"`
		} `json:"comparison"`
		Net    int   `json:"net"`
		Gained int   `json:"gained"`
		Lost   int   `json:"lost"`
		Flips  []any `json:"flips"`
	}](t, ta.mustRun("diff", "1", "2", "--json"))
	assert.Equal(t, 10, d.Comparison.SharedItems, "languages pair on aligned problems")
	assert.Equal(t, int64(1), d.Comparison.A.Run)
	require.NotEmpty(t, d.Flips, "the mock misses a few problems in one language only")
	assert.Equal(t, len(d.Flips), d.Gained+d.Lost)
	assert.Equal(t, d.Gained-d.Lost, d.Net)

	assert.Equal(t, exitUsage, ta.run(context.Background(), "diff", "1", "1"))
	assert.Contains(t, ta.stderr.String(), "two different runs")
	assert.Equal(t, exitUsage, ta.run(context.Background(), "diff", "1", "x"))
}

// TestDiffOfTwoSuitesSaysWhich: runs of two different suites share no
// item; the error names both suites, not only "no scored item".
func TestDiffOfTwoSuitesSaysWhich(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "-s", "mgsm:en", "--limit", "5")
	assert.Equal(t, exitUsage, ta.run(context.Background(), "diff", "1", "2"))
	msg := ta.stderr.String()
	assert.Contains(t, msg, "run 1 is on gsm8k@1 and run 2 on mgsm:en@")
	assert.Contains(t, msg, "parity runs --suite gsm8k")
	assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
	assert.Empty(t, ta.stdout.String())
}

func TestWriteDiffListsFlipsSafely(t *testing.T) {
	d := reports.DiffResult{Gained: 1, Lost: 1, Flips: []reports.Flip{
		{Key: "q1", A: reports.ItemResult{ID: "q1", Total: 1, Scored: 1, Correct: 1, Outcome: "correct", Extracted: "42", Gold: "42"},
			B: reports.ItemResult{ID: "q1", Total: 1, Scored: 1, Outcome: "wrong", Extracted: "4\x1b[2J\n1", Gold: "42"}},
		{Key: "q2", A: reports.ItemResult{ID: "q2", Total: 4, Scored: 4, Correct: 1}, B: reports.ItemResult{ID: "q2", Total: 4, Scored: 4, Correct: 3}},
	}}
	var buf strings.Builder
	require.NoError(t, writeDiff(&buf, d, parity.Run{ID: 1}, parity.Run{ID: 2}, 1))
	out := buf.String()
	assert.Regexp(t, `q1 +correct +42 +wrong`, out)
	assert.Contains(t, out, "wrong")
	assert.Contains(t, out, "4[2J 1", "control characters dropped, line breaks folded")
	assert.NotContains(t, out, "\x1b")
	assert.Contains(t, out, "... and 1 more")
}

func TestVerifySnapshot(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "6")
	old := filepath.Join(ta.dir, "old")
	ta.mustRun("snapshot", old)
	out := ta.mustRun("verify", old)
	assert.Contains(t, out, "OK: every file and every verdict is as published")
	assert.Contains(t, out, "6 re-graded with parity-answer@")

	ta.mustRun("run", "-m", "mock/oracle", "-s", "math500", "--limit", "3")
	snap := filepath.Join(ta.dir, "new")
	ta.mustRun("snapshot", snap)
	rep := decode[verifyReport](t, ta.mustRun("verify", snap, "--against", old, "--json"))
	assert.True(t, rep.OK)
	require.NotNil(t, rep.Against)
	require.Len(t, rep.Against.NewRuns, 1)
	assert.Contains(t, rep.Against.NewRuns[0], "mock/oracle on math500")
	assert.Empty(t, rep.Against.RemovedRuns)

	// One published byte changed: the checksum catches it.
	path := filepath.Join(snap, "runs", "1.jsonl")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	i := bytes.Index(data, []byte(`"extracted":"`)) + len(`"extracted":"`)
	data[i] ^= 1
	require.NoError(t, os.WriteFile(path, data, 0o644))
	assert.Equal(t, exitError, ta.run(context.Background(), "verify", snap))
	assert.Contains(t, ta.stdout.String(), "runs/1.jsonl changed")
	assert.Contains(t, ta.stderr.String(), "the snapshot is not as published")

	// The checksums rewritten to match: re-grading still catches it.
	rewriteSums(t, snap)
	assert.Equal(t, exitError, ta.run(context.Background(), "verify", snap))
	assert.NotContains(t, ta.stdout.String(), "changed: its sha256")
	assert.Contains(t, ta.stdout.String(), "but re-grades as")

	require.NoError(t, os.WriteFile(filepath.Join(snap, "extra.html"), []byte("x"), 0o644))
	assert.Equal(t, exitError, ta.run(context.Background(), "verify", snap))
	assert.Contains(t, ta.stdout.String(), "extra.html is not in SHA256SUMS")

	assert.Equal(t, exitUsage, ta.run(context.Background(), "verify", ta.dir))
	assert.Contains(t, ta.stderr.String(), "no readable SHA256SUMS")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestReportBySubject(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm", "--limit", "40")
	type row struct {
		Subject  string   `json:"subject"`
		Accuracy *float64 `json:"accuracy"`
		Items    int      `json:"items"`
	}
	type gap struct {
		A, B struct {
			Label    string   `json:"label"`
			Accuracy *float64 `json:"accuracy"`
		}
		SharedItems int `json:"shared_items"`
	}
	whole := decode[struct {
		Rows []row `json:"rows"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, whole.Rows, 1)
	split := decode[struct {
		Rows []row `json:"rows"`
		Gaps []gap `json:"language_gaps"`
	}](t, ta.mustRun("report", "--by-subject", "--json"))
	require.Len(t, split.Rows, 11, "one row per MGSM language")
	items, total := map[string]float64{}, 0
	for _, r := range split.Rows {
		require.NotEmpty(t, r.Subject)
		items[r.Subject] = *r.Accuracy
		total += r.Items
	}
	assert.Equal(t, whole.Rows[0].Items, total, "the subjects' items add up to the run's")
	require.NotEmpty(t, split.Gaps, "languages of one run are compared on their aligned problems")
	for _, g := range split.Gaps {
		assert.Equal(t, "en", g.B.Label)
		assert.InDelta(t, items["en"], *g.B.Accuracy, 1e-9, "side B is English, whatever its accuracy")
		assert.InDelta(t, items[g.A.Label], *g.A.Accuracy, 1e-9)
	}
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	ta.mustRun("report", "--by-subject", "--suite", "gsm8k")
	assert.Contains(t, ta.stderr.String(), "no run covers several subjects")
}

func TestSnapshotPublishesSubjectRows(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm", "--limit", "30")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	index := string(must(os.ReadFile(filepath.Join(dir, "index.html"))))
	assert.Contains(t, index, `<a href="subjects.html">`)
	page := string(must(os.ReadFile(filepath.Join(dir, "subjects.html"))))
	assert.Contains(t, page, "mgsm:zh@")
	assert.Contains(t, page, `<a href="runs/1.html">`, "subject rows link to their run")
	rows := decode[struct {
		Rows []struct {
			Subject string `json:"subject"`
		} `json:"rows"`
	}](t, string(must(os.ReadFile(filepath.Join(dir, "subjects.json")))))
	assert.Len(t, rows.Rows, 11)
	assert.Contains(t, ta.mustRun("verify", dir), "OK: every file")
}

func TestSnapshotPublishesQuestionsTheLicenceAllows(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mmlu", "--limit", "3", "--circular")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "aime24", "--limit", "2")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	items, err := suites.Circular(suites.MMLU).Items(context.Background())
	require.NoError(t, err)
	byID := map[string]parity.Item{}
	for _, it := range items {
		byID[it.ID] = it
	}
	for _, l := range sampleLines(t, must(os.ReadFile(filepath.Join(dir, "runs", "1.jsonl")))) {
		id := l["item_id"].(string)
		it, ok := byID[id]
		require.True(t, ok, id)
		assert.Equal(t, it.Question, l["question"], "MMLU (MIT) questions are published")
		var choices []string
		for _, c := range l["choices"].([]any) {
			choices = append(choices, c.(string))
		}
		assert.Equal(t, it.Choices, choices, "%s: options in the order the run asked them, rotation included", id)
	}
	assert.Contains(t, string(must(os.ReadFile(filepath.Join(dir, "runs", "1.html")))), `<summary>question</summary>`)
	for _, l := range sampleLines(t, must(os.ReadFile(filepath.Join(dir, "runs", "2.jsonl")))) {
		assert.NotContains(t, l, "question", "AIME problems are the MAA's: withheld")
	}
	assert.Contains(t, ta.mustRun("verify", dir), "OK: every file")
}

// The README's offline demo shows what parity is for: a parity check and a
// language gap, from mocks labelled as such.
func TestOfflineDemoShowsAParityCheckAndALanguageGap(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock-cn/oracle-70", "-m", "mock-west/oracle-85", "-s", "gsm8k", "-s", "mgsm:en", "-s", "mgsm:zh", "--limit", "20")
	out := ta.mustRun("report")
	assert.Contains(t, out, "Parity check")
	assert.Contains(t, out, "CN (mock)")
	assert.Contains(t, out, "Language gap")
	assert.Contains(t, out, "mock-cn/oracle-70 [mock]")
	models := ta.mustRun("models")
	assert.Contains(t, models, "mock-cn/oracle-NN")
	assert.Contains(t, models, "mock/oracle-NN       right on about NN% of items")
}

func TestReportWideAndAllPairs(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock-cn/oracle-70", "-m", "mock-west/oracle-85", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "10")
	compact := ta.mustRun("report")
	assert.Contains(t, compact, "Same in every run:")
	assert.Contains(t, compact, "other paired comparison(s) not shown")
	wide := ta.mustRun("report", "--wide", "--all-pairs")
	assert.NotContains(t, wide, "Same in every run:")
	assert.Contains(t, wide, "REASON TOK")
	assert.NotContains(t, wide, "not shown")
	assert.Contains(t, ta.mustRun("report", "--format", "md"), "REASON TOK", "only the text report folds")
}

func TestServeReadsTheDatabase(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock-cn/oracle-70", "-m", "mock-west/oracle-85", "-s", "gsm8k", "--limit", "8")
	ctx := context.Background()
	a := &app{getenv: func(k string) string { return ta.env[k] }, now: time.Now, stdout: io.Discard, stderr: io.Discard}
	rules, err := a.publishRules(ctx, nil)
	require.NoError(t, err)
	src := &dbSource{a: a, sel: runSelection{latest: true}}
	srv := httptest.NewServer(site.NewServer(src, site.ServerOptions{Redact: rules.redact, UserProvider: rules.userProvider, Questions: rules.questions}))
	defer srv.Close()
	body := func(path string) string {
		resp, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		return string(must(io.ReadAll(resp.Body)))
	}
	assert.Contains(t, body("/"), `<a href="/compare/1-2">`, "the mock parity check links to its comparison")
	src.mu.Lock()
	kept := src.board
	src.mu.Unlock()
	require.NotNil(t, kept, "the leaderboard is kept")
	run := body("/runs/1")
	src.mu.Lock()
	assert.Same(t, kept, src.board, "and used again while the database is unchanged")
	src.mu.Unlock()
	assert.Contains(t, run, "<summary>question</summary>", "GSM8K questions are published")
	assert.Contains(t, run, "parity run -m mock-cn/oracle-70 -s gsm8k --limit 8")
	assert.Contains(t, body("/compare/1-2"), "Items answered differently")

	// A new run shows up without a restart: the pages are live.
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "8")
	assert.Contains(t, body("/"), `<a href="/runs/3">`)
	src.mu.Lock()
	assert.NotSame(t, kept, src.board, "a changed database builds the leaderboard again")
	src.mu.Unlock()

	resp, err := srv.Client().Get(srv.URL + "/subjects")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no run covers several subjects yet")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm", "--limit", "22")
	assert.Contains(t, body("/"), `<a href="/subjects">`)
	subjects := body("/subjects")
	assert.Contains(t, subjects, "mgsm:zh@")
	assert.Contains(t, subjects, `<a href="/runs/4">`)

	assert.Equal(t, exitUsage, ta.run(ctx, "serve", "--addr", "nonsense"))
	assert.Contains(t, ta.stderr.String(), "is not host:port")
}

// rewriteSums recomputes SHA256SUMS after a test edits a snapshot, as a
// forger would.
func rewriteSums(t *testing.T, dir string) {
	t.Helper()
	var sums bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(must(os.ReadFile(filepath.Join(dir, "SHA256SUMS")))))
	for sc.Scan() {
		_, name, _ := strings.Cut(sc.Text(), "  ")
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(must(os.ReadFile(filepath.Join(dir, name)))), name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "SHA256SUMS"), sums.Bytes(), 0o644))
}

// TestVerifyFollowsNoLinks: a snapshot may come from anyone; a link in it
// (to /dev/zero, which would never end, or to the reader's own files) is
// reported, not read.
func TestVerifyFollowsNoLinks(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	secret := filepath.Join(ta.dir, "secret.json")
	require.NoError(t, os.WriteFile(secret, []byte(`[{"id": 1}]`), 0o600))
	for name, target := range map[string]string{"runs/1.jsonl": "/dev/zero", "runs.json": secret} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.Remove(path))
		require.NoError(t, os.Symlink(target, path))
	}
	assert.Equal(t, exitError, ta.run(context.Background(), "verify", dir))
	assert.Contains(t, ta.stdout.String(), "runs/1.jsonl: 1.jsonl is not a plain file")
	assert.Contains(t, ta.stdout.String(), "runs.json: runs.json is not a plain file")
}

// TestVerifyCannotBeForgedALine: a snapshot file whose name holds a line
// break cannot print an "OK" line of its own in verify's report.
func TestVerifyCannotBeForgedALine(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x\nOK: every file and every verdict is as published"), nil, 0o644))
	assert.Equal(t, exitError, ta.run(context.Background(), "verify", dir))
	for _, line := range strings.Split(ta.stdout.String(), "\n") {
		assert.NotEqual(t, "OK: every file and every verdict is as published", line)
	}
	assert.Contains(t, ta.stdout.String(), "x OK: every file and every verdict is as published is not in SHA256SUMS")
}

// TestVerifyRegradesTheCanarySet: the canary set mixes suites, each item
// graded by its own suite's grader, which verify compares with.
func TestVerifyRegradesTheCanarySet(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("canary", "mock/oracle")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	out := ta.mustRun("verify", dir)
	assert.Contains(t, out, "OK: every file and every verdict is as published")
	assert.NotContains(t, out, " 0 re-graded")
}

func TestVerifySaysWhatItCannotRegrade(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gpqa", "--limit", "3")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3")
	dir := filepath.Join(ta.dir, "snap")
	ta.mustRun("snapshot", dir)
	out := ta.mustRun("verify", dir)
	assert.Contains(t, out, "run 1: 3 sample(s), 0 re-graded with")
	assert.Contains(t, out, "not re-graded: 3 answer(s) withheld from publication")
	assert.Contains(t, out, "run 2: 3 sample(s), 3 re-graded")

	// A run recorded with another grader version is counted, not re-graded.
	path := filepath.Join(dir, "runs.json")
	var runs []parity.Run
	require.NoError(t, json.Unmarshal(must(os.ReadFile(path)), &runs))
	runs[1].Suite.ScorerVersion = "0.9.0"
	require.NoError(t, os.WriteFile(path, must(json.Marshal(runs)), 0o644))
	rewriteSums(t, dir)
	out = ta.mustRun("verify", dir)
	assert.Contains(t, out, "not re-graded: graded by parity-answer@0.9.0; this parity grades with parity-answer@")
}

// TestServeOnLoopbackAnswersLoopbackNamesOnly: a page the user opens whose
// name an attacker points at 127.0.0.1 (DNS rebinding) gets nothing.
func TestServeOnLoopbackAnswersLoopbackNamesOnly(t *testing.T) {
	h := loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "every sample") }))
	for host, want := range map[string]int{
		"127.0.0.1:8080": http.StatusOK, "localhost:8080": http.StatusOK, "[::1]:8080": http.StatusOK, "localhost": http.StatusOK,
		"evil.example:8080": http.StatusMisdirectedRequest, "evil.example": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, want, rec.Code, host)
		if want != http.StatusOK {
			assert.NotContains(t, rec.Body.String(), "every sample", host)
		}
	}
}
