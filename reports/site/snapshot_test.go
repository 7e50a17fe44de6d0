package site

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

var snapNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func snapRun(id int64, model, suite string, items int) parity.Run {
	return parity.Run{
		ID: id, Status: parity.RunComplete, Fingerprint: fmt.Sprintf("fp%d", id),
		Model: parity.Model{ID: model, Provider: strings.SplitN(model, "/", 2)[0], Origin: "CN"},
		Suite: parity.SuiteInfo{Name: suite, Version: "1", Language: "en", License: "MIT", Items: 100,
			DataSHA256: strings.Repeat("d", 64), PromptHash: strings.Repeat("p", 64), Scorer: "number", ScorerVersion: "2", Kind: "number"},
		Samples: 1, Items: items, Limit: items, Seed: 1, ParityVersion: "0.1.0", GitRevision: "abc123",
		StartedAt:  time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 10, 30, 8, 5, 0, 0, time.UTC),
		Price:      &parity.Price{Input: 0.5, Output: 2, Currency: "USD", AsOf: "2026-10-01"},
	}
}

func snapSamples(runID int64, n int, answer func(i int) (string, string)) []parity.Sample {
	out := make([]parity.Sample, n)
	for i := range out {
		content, reasoning := answer(i)
		o := parity.OutcomeCorrect
		if i%3 == 1 {
			o = parity.OutcomeWrong
		}
		out[i] = parity.Sample{
			RunID: runID, ItemID: fmt.Sprintf("item-%02d", i), Gold: "42",
			Messages:   []parity.Message{{Role: "user", Content: "PROMPT-TEXT-MUST-NOT-BE-PUBLISHED"}},
			Completion: parity.Completion{Content: content, Reasoning: reasoning, FinishReason: "stop", Raw: "RAW-BODY-MUST-NOT-BE-PUBLISHED", Latency: 1500 * time.Millisecond, Usage: parity.Usage{PromptTokens: 10, CompletionTokens: 20}},
			Score:      parity.Score{Outcome: o, Extracted: "42", Scorer: "number", ScorerVersion: "2"},
			Cost:       0.001, StartedAt: snapNow,
		}
	}
	return out
}

// snapFixture builds a leaderboard and the snapshot runs of the given runs
// and samples.
func snapFixture(t *testing.T, runs []parity.Run, samples [][]parity.Sample) (*reports.Leaderboard, []SnapshotRun) {
	t.Helper()
	var in []reports.Input
	var sr []SnapshotRun
	for i, r := range runs {
		in = append(in, reports.Input{Run: r, Samples: samples[i]})
		list := samples[i]
		sr = append(sr, SnapshotRun{Run: r, Each: func(ctx context.Context, fn func(parity.Sample) error) error {
			for _, s := range list {
				if err := fn(s); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	lb, err := reports.Build(in, reports.Options{Now: func() time.Time { return snapNow }, Seed: 1})
	require.NoError(t, err)
	return lb, sr
}

func plainAnswers(i int) (string, string) {
	return fmt.Sprintf("The answer is \\boxed{42} (%d).", i), fmt.Sprintf("Let me think about item %d.", i)
}

func snapOptions() SnapshotOptions {
	return SnapshotOptions{Now: func() time.Time { return snapNow }, Database: "/home/someone/secret-place/parity.db"}
}

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = data
		return err
	}))
	return out
}

// verifySums recomputes every checksum in SHA256SUMS and checks that it
// names every other file.
func verifySums(t *testing.T, files map[string][]byte) {
	t.Helper()
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(files["SHA256SUMS"]))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "sha256sum format: %q", sc.Text())
		sums[name] = sum
	}
	for name, data := range files {
		if name == "SHA256SUMS" {
			continue
		}
		got := sha256.Sum256(data)
		assert.Equal(t, hex.EncodeToString(got[:]), sums[name], "checksum of %s", name)
	}
	assert.Len(t, sums, len(files)-1, "SHA256SUMS lists every other file")
}

func jsonLines(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func TestSnapshotWritesEveryFile(t *testing.T) {
	lb, runs := snapFixture(t,
		[]parity.Run{snapRun(1, "deepseek/deepseek-reasoner", "gsm8k", 5), snapRun(2, "openai/o4-mini", "gsm8k", 3)},
		[][]parity.Sample{snapSamples(1, 5, plainAnswers), snapSamples(2, 3, plainAnswers)})
	dir := filepath.Join(t.TempDir(), "site", "2026-11")
	opt := snapOptions()
	opt.PageSize = 2
	snap, err := WriteSnapshot(context.Background(), dir, lb, runs, opt)
	require.NoError(t, err)

	files := readTree(t, dir)
	want := []string{"MANIFEST.json", "SHA256SUMS", "compare/2-1.html", "index.html", "leaderboard.csv", "leaderboard.json", "leaderboard.md", "runs.json",
		"runs/1-2.html", "runs/1-3.html", "runs/1-wrong.html", "runs/1.html", "runs/1.jsonl", "runs/2-2.html", "runs/2-wrong.html", "runs/2.html", "runs/2.jsonl"}
	assert.Equal(t, want, slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}))
	assert.Equal(t, want, snap.Files)
	verifySums(t, files)

	lines := jsonLines(t, files["runs/1.jsonl"])
	require.Len(t, lines, 5)
	assert.Equal(t, "item-00", lines[0]["item_id"])
	assert.Equal(t, "correct", lines[0]["outcome"])
	assert.Equal(t, "42", lines[0]["gold"])
	assert.Equal(t, "number", lines[0]["scorer"])
	assert.EqualValues(t, 1500, lines[0]["latency_ms"])
	assert.Equal(t, "The answer is \\boxed{42} (0).", lines[0]["content"])
	assert.Equal(t, "Let me think about item 0.", lines[0]["reasoning"])
	assert.Len(t, jsonLines(t, files["runs/2.jsonl"]), 3)
	for name, data := range files {
		assert.NotContains(t, string(data), "PROMPT-TEXT-MUST-NOT-BE-PUBLISHED", name)
		assert.NotContains(t, string(data), "RAW-BODY-MUST-NOT-BE-PUBLISHED", name)
		assert.NotContains(t, string(data), "secret-place", "%s: the database path is not published", name)
	}

	var published []parity.Run
	require.NoError(t, json.Unmarshal(files["runs.json"], &published))
	require.Len(t, published, 2)
	assert.Equal(t, runs[0].Run.Suite, published[0].Suite, "the suite's full description is published")
	assert.Equal(t, "2026-10-01", published[0].Price.AsOf)
	assert.Equal(t, "abc123", published[0].GitRevision)

	var man Manifest
	require.NoError(t, json.Unmarshal(files["MANIFEST.json"], &man))
	assert.Equal(t, SnapshotFormat, man.Format)
	assert.Equal(t, snapNow, man.GeneratedAt)
	assert.Equal(t, "parity.db", man.Database)
	assert.Equal(t, parity.Version, man.ParityVersion)
	require.Len(t, man.Runs, 2)
	assert.Equal(t, ManifestRun{ID: 1, Model: "deepseek/deepseek-reasoner", Suite: "gsm8k", SuiteVersion: "1", Status: "complete",
		Samples: 5, Page: "runs/1.html", Pages: 3, Data: "runs/1.jsonl"}, man.Runs[0])

	index := string(files["index.html"])
	for _, s := range []string{`href="runs/1.html"`, `href="runs/2.jsonl"`, `href="SHA256SUMS"`, "How to audit", "sha256sum -c SHA256SUMS", "<svg", "Content-Security-Policy"} {
		assert.Contains(t, index, s)
	}
	var board bytes.Buffer
	require.NoError(t, Render(&board, lb, "md"))
	assert.Equal(t, board.String(), string(files["leaderboard.md"]), "the Markdown leaderboard is Render's")

	page1, page2, page3 := string(files["runs/1.html"]), string(files["runs/1-2.html"]), string(files["runs/1-3.html"])
	assert.Contains(t, page1, "Settings")
	assert.Contains(t, page1, "parity run -m deepseek/deepseek-reasoner -s gsm8k --limit 5 --seed 1 --fresh")
	assert.Contains(t, page1, strings.Repeat("d", 64), "the data sha256")
	assert.Contains(t, page1, "item-00")
	assert.Contains(t, page1, "item-01")
	assert.NotContains(t, page1, "item-02", "two samples a page")
	assert.Contains(t, page2, "item-02")
	assert.Contains(t, page2, `href="1-3.html"`)
	assert.Contains(t, page3, "item-04")
	assert.Contains(t, page3, `href="1-2.html"`)
	assert.NotContains(t, page2, "<h2>Settings</h2>", "settings only on the first page")

	// The outcome filter works in CSS alone: the radio inputs must be
	// siblings of the samples, not inside a paragraph.
	assert.Regexp(t, `<div class="filter">\s*<span>Show:</span>\s*<input type="radio" name="f" id="f-all" checked>`, page1)
	filter := page1[strings.Index(page1, `<div class="filter">`):strings.Index(page1, `<div class="samples">`)]
	assert.NotContains(t, filter, "<p>")
	assert.NotContains(t, filter, "</p>")
	assert.Contains(t, page1, `href="1-wrong.html"`, "a large run lists its wrong answers together")
	wrong := string(files["runs/1-wrong.html"])
	assert.Contains(t, wrong, "item-01")
	assert.Contains(t, wrong, "item-04")
	assert.NotContains(t, wrong, "item-00")
	assert.NotContains(t, wrong, "<h2>Settings</h2>")
	assert.Contains(t, wrong, `<a href="1.html#s2"><code>item-01</code></a>`, "each links to its sample")
	assert.Contains(t, wrong, `<a href="1-3.html#s5"><code>item-04</code></a>`)
	assertInert(t, "runs/1-wrong.html", wrong)
}

func TestSnapshotIsDeterministic(t *testing.T) {
	write := func() map[string][]byte {
		lb, runs := snapFixture(t, []parity.Run{snapRun(1, "a/b", "gsm8k", 4), snapRun(2, "c/d", "math500", 4)},
			[][]parity.Sample{snapSamples(1, 4, plainAnswers), snapSamples(2, 4, plainAnswers)})
		dir := filepath.Join(t.TempDir(), "snap")
		_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
		require.NoError(t, err)
		return readTree(t, dir)
	}
	a, b := write(), write()
	require.Equal(t, len(a), len(b))
	for name, data := range a {
		assert.Equal(t, string(data), string(b[name]), name)
	}
}

// tagPattern matches a start tag whose attributes are all quoted, as
// html/template writes them; attrPattern splits its attributes.
var (
	anyTag      = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	strictTag   = regexp.MustCompile(`^<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*/?>$`)
	attrPattern = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
)

// assertInert checks an HTML page for anything that could run: a script
// element, an event handler attribute, a javascript: URL.
func assertInert(t *testing.T, name, page string) {
	t.Helper()
	assert.NotRegexp(t, `(?i)<script`, page, name)
	assert.NotRegexp(t, `(?i)<(iframe|object|embed|form|base)\b`, page, name)
	for _, tag := range anyTag.FindAllString(page, -1) {
		m := strictTag.FindStringSubmatch(tag)
		if !assert.NotNil(t, m, "%s: unexpected tag %q", name, tag) {
			continue
		}
		for _, a := range attrPattern.FindAllStringSubmatch(m[2], -1) {
			attr := strings.ToLower(a[1])
			assert.False(t, strings.HasPrefix(attr, "on"), "%s: event handler %s in %q", name, attr, tag)
			if attr == "href" || attr == "src" {
				assert.NotContains(t, strings.ToLower(a[2]), "javascript:", "%s: %q", name, tag)
				assert.NotContains(t, a[2], "://", "%s: links stay inside the snapshot: %q", name, tag)
			}
		}
	}
}

func TestSnapshotEscapesUntrustedText(t *testing.T) {
	const (
		model  = `lab/<script>alert("model")</script>`
		suite  = `"><script>alert('suite')</script><a href="javascript:alert(1)">`
		answer = `<script>alert("answer")</script><img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a>`
	)
	r := snapRun(7, model, suite, 2)
	r.Subject = `<b onmouseover="alert(3)">`
	r.Warnings = []string{`<script>alert("warning")</script>`}
	r.ModelReported = `javascript:alert(4)`
	r.BaseURL = `javascript:alert(5)`
	samples := snapSamples(7, 2, func(int) (string, string) { return answer, "</pre><script>alert('reasoning')</script>" })
	samples[0].ItemID = `<img src=x onerror=alert(6)>`
	samples[1].Completion.Error = `<script>alert("error")</script>`
	samples[1].Score.Extracted = `</code><script>alert(7)</script>`
	lb, runs := snapFixture(t, []parity.Run{r}, [][]parity.Sample{samples})
	dir := filepath.Join(t.TempDir(), "snap")
	_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.NoError(t, err)

	files := readTree(t, dir)
	for _, name := range []string{"index.html", "runs/7.html"} {
		assertInert(t, name, string(files[name]))
	}
	page := string(files["runs/7.html"])
	assert.Contains(t, page, `&lt;script&gt;alert(&#34;answer&#34;)&lt;/script&gt;`, "the answer is shown as text")
	assert.Contains(t, page, `&lt;/pre&gt;&lt;script&gt;`, "the reasoning is shown as text")
	assert.Contains(t, page, `lab/&lt;script&gt;alert(&#34;model&#34;)&lt;/script&gt;`, "the model is shown as text")
	assert.Contains(t, string(files["index.html"]), `lab/&lt;script&gt;`)
	assert.Contains(t, string(files["index.html"]), `&lt;script&gt;alert(&#39;suite&#39;)`)
}

func TestSnapshotRedactsWithheldRuns(t *testing.T) {
	const secretQuestion = "Which isotope of unobtainium decays fastest under pressure"
	r := snapRun(3, "a/b", "gpqa", 3)
	samples := snapSamples(3, 3, func(int) (string, string) {
		return "Restating: " + secretQuestion + " ... \\boxed{B}", "The question asks: " + secretQuestion
	})
	samples[0].Score.Detail = "matched in: " + secretQuestion
	samples[0].Judge = &parity.Score{Outcome: parity.OutcomeCorrect, Scorer: "judge", ScorerVersion: "1", Detail: secretQuestion}
	open := snapRun(4, "a/b", "gsm8k", 1)
	lb, runs := snapFixture(t, []parity.Run{r, open}, [][]parity.Sample{samples, snapSamples(4, 1, plainAnswers)})
	dir := filepath.Join(t.TempDir(), "snap")
	opt := snapOptions()
	opt.Redact = func(r parity.Run) bool { return r.Suite.Name == "gpqa" }
	snap, err := WriteSnapshot(context.Background(), dir, lb, runs, opt)
	require.NoError(t, err)
	assert.True(t, snap.Manifest.Runs[0].Redacted)
	assert.False(t, snap.Manifest.Runs[1].Redacted)

	files := readTree(t, dir)
	for name, data := range files {
		assert.NotContains(t, string(data), "unobtainium", name)
	}
	for _, line := range jsonLines(t, files["runs/3.jsonl"]) {
		assert.NotContains(t, line, "content")
		assert.NotContains(t, line, "reasoning")
		assert.Equal(t, true, line["redacted"])
		assert.Equal(t, "42", line["extracted"], "extracted answers stay")
		assert.Equal(t, "42", line["gold"], "gold answers stay")
	}
	assert.Contains(t, string(files["runs/3.html"]), "answers of this run are withheld")
	assert.Contains(t, string(files["runs/4.jsonl"]), `"content"`, "other runs keep their answers")
}

func TestSnapshotMasksSecrets(t *testing.T) {
	r := snapRun(5, "lab/m", "gsm8k", 2)
	r.BaseURL = "https://user:sk-pass-0123456789@lab.example/v1?api_key=sk-live-0123456789abcdef"
	r.Note = "failed with key sk-live-0123456789abcdef"
	r.Warnings = []string{`the gateway said {"x-api-key": "gw0123456789"}`}
	samples := snapSamples(5, 2, plainAnswers)
	samples[1].Completion.Error = "401: Incorrect API key provided: sk-live-0123456789abcdef"
	samples[1].Score.Outcome = parity.OutcomeError
	lb, runs := snapFixture(t, []parity.Run{r}, [][]parity.Sample{samples})
	dir := filepath.Join(t.TempDir(), "snap")
	_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.NoError(t, err)
	for name, data := range readTree(t, dir) {
		assert.NotContains(t, string(data), "0123456789", name)
	}
}

func TestSnapshotRefusesATakenDirectory(t *testing.T) {
	lb, runs := snapFixture(t, []parity.Run{snapRun(1, "a/b", "gsm8k", 2)}, [][]parity.Sample{snapSamples(1, 2, plainAnswers)})
	parent := t.TempDir()
	dir := filepath.Join(parent, "snap")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644))

	_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.Error(t, err)
	assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))
	assert.Contains(t, err.Error(), "not empty")
	assert.Equal(t, map[string][]byte{"keep.txt": []byte("mine")}, readTree(t, dir), "the directory is left as it was")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary directory is left behind")

	file := filepath.Join(parent, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = WriteSnapshot(context.Background(), file, lb, runs, snapOptions())
	assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))

	empty := filepath.Join(parent, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, err = WriteSnapshot(context.Background(), empty, lb, runs, snapOptions())
	require.NoError(t, err, "an empty directory may be used")
	assert.FileExists(t, filepath.Join(empty, "index.html"))
}

func TestSnapshotLeavesNothingOnFailure(t *testing.T) {
	samples := snapSamples(1, 4, plainAnswers)
	lb, _ := snapFixture(t, []parity.Run{snapRun(1, "a/b", "gsm8k", 4)}, [][]parity.Sample{samples})
	boom := errors.New("disk on fire")
	cases := map[string]func(ctx context.Context, fn func(parity.Sample) error) error{
		"reader fails half-way": func(ctx context.Context, fn func(parity.Sample) error) error {
			if err := fn(samples[0]); err != nil {
				return err
			}
			return boom
		},
		"a sample went missing": func(ctx context.Context, fn func(parity.Sample) error) error {
			for _, s := range samples[:3] {
				if err := fn(s); err != nil {
					return err
				}
			}
			return nil
		},
		"out of order": func(ctx context.Context, fn func(parity.Sample) error) error {
			for _, s := range []parity.Sample{samples[1], samples[0], samples[2], samples[3]} {
				if err := fn(s); err != nil {
					return err
				}
			}
			return nil
		},
		"an outcome changed": func(ctx context.Context, fn func(parity.Sample) error) error {
			for i, s := range samples {
				if i == 0 {
					s.Score.Outcome = parity.OutcomeWrong
				}
				if err := fn(s); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for name, each := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "snap")
			_, err := WriteSnapshot(context.Background(), dir, lb, []SnapshotRun{{Run: snapRun(1, "a/b", "gsm8k", 4), Each: each}}, snapOptions())
			require.Error(t, err)
			assert.NoDirExists(t, dir)
			entries, err := os.ReadDir(parent)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is left behind")
		})
	}

	t.Run("run not on the leaderboard", func(t *testing.T) {
		_, runs := snapFixture(t, []parity.Run{snapRun(9, "a/b", "gsm8k", 1)}, [][]parity.Sample{snapSamples(9, 1, plainAnswers)})
		_, err := WriteSnapshot(context.Background(), filepath.Join(t.TempDir(), "snap"), lb, runs, snapOptions())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no row on the leaderboard")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		parent := t.TempDir()
		_, runs := snapFixture(t, []parity.Run{snapRun(1, "a/b", "gsm8k", 4)}, [][]parity.Sample{samples})
		_, err := WriteSnapshot(ctx, filepath.Join(parent, "snap"), lb, runs, snapOptions())
		require.ErrorIs(t, err, context.Canceled)
		entries, _ := os.ReadDir(parent)
		assert.Empty(t, entries)
	})
}

func TestSnapshotOfAnEmptyRun(t *testing.T) {
	lb, runs := snapFixture(t, []parity.Run{snapRun(1, "a/b", "gsm8k", 4)}, [][]parity.Sample{nil})
	dir := filepath.Join(t.TempDir(), "snap")
	_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.NoError(t, err)
	files := readTree(t, dir)
	assert.Contains(t, files, "runs/1.html")
	assert.Empty(t, files["runs/1.jsonl"])
	verifySums(t, files)
}

func TestReproduceCommandQuotes(t *testing.T) {
	temp := 0.0
	r := snapRun(1, "vllm/Qwen/QwQ-32B", "mmlu", 10)
	r.Subject = "high school math"
	r.Suite.Version = "1+circular"
	r.Samples = 4
	r.Params = parity.Params{MaxTokens: 32768, Temperature: &temp, Thinking: "on"}
	r.BaseURL = "http://gpu:8000/v1/chat/completions"
	r.Model.Origin = "local"
	assert.Equal(t, "parity run -m vllm/Qwen/QwQ-32B -s 'mmlu:high school math' --circular --limit 10 --seed 1 --samples 4 --max-tokens 32768 --temperature 0 --thinking on --base-url http://gpu:8000/v1 --fresh\n# add --api-key-env VAR if the endpoint needs a key",
		reproduceCommand(r, false))
	r.Model.Origin = "CN"
	assert.NotContains(t, reproduceCommand(r, false), "--base-url", "catalog providers find their own endpoint")
	assert.NotContains(t, reproduceCommand(r, false), "\n#")
	assert.Contains(t, reproduceCommand(r, true), "\n# vllm is not in parity's built-in catalog: add --providers with the YAML file that defines it",
		"a model from a user's catalog cannot be rerun without it")
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}

func TestSnapshotCSVNeutralisesFormulas(t *testing.T) {
	r := snapRun(1, "deepseek/deepseek-reasoner", "gsm8k", 2)
	r.ModelReported = "=HYPERLINK(\"http://evil.example\")"
	lb, runs := snapFixture(t, []parity.Run{r}, [][]parity.Sample{snapSamples(1, 2, plainAnswers)})
	dir := filepath.Join(t.TempDir(), "snap")
	_, err := WriteSnapshot(context.Background(), dir, lb, runs, snapOptions())
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "leaderboard.csv"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `'=HYPERLINK(""http://evil.example"")`)
	assert.NotContains(t, string(data), `,"=HYPERLINK`)
}

func TestSnapshotComparisonPagesListFlippedItems(t *testing.T) {
	a, b := snapRun(1, "cn/model", "gsm8k", 12), snapRun(2, "west/model", "gsm8k", 12)
	b.Model.Origin = "West"
	sa, sb := snapSamples(1, 12, plainAnswers), snapSamples(2, 12, plainAnswers)
	for i := range sa {
		sa[i].ItemID = fmt.Sprintf("q%d", i+1) // q1 … q12: q10 sorts after q9
		sb[i].ItemID = sa[i].ItemID
		sb[i].Score = sa[i].Score
	}
	sb[9].Score = parity.Score{Outcome: parity.OutcomeWrong, Extracted: `<script>alert("x")</script>`, Scorer: "number", ScorerVersion: "2"}
	slices.SortFunc(sa, func(x, y parity.Sample) int { return strings.Compare(x.ItemID, y.ItemID) })
	slices.SortFunc(sb, func(x, y parity.Sample) int { return strings.Compare(x.ItemID, y.ItemID) })
	lb, runs := snapFixture(t, []parity.Run{a, b}, [][]parity.Sample{sa, sb})
	dir := filepath.Join(t.TempDir(), "snap")
	opt := snapOptions()
	opt.PageSize = 5
	_, err := WriteSnapshot(context.Background(), dir, lb, runs, opt)
	require.NoError(t, err)
	files := readTree(t, dir)
	verifySums(t, files)

	index := string(files["index.html"])
	assert.Contains(t, index, `<a href="compare/1-2.html">`, "the parity check links to its comparison page")
	assert.Contains(t, index, `<a href="runs/1.html">`, "leaderboard rows link to their runs")
	page := string(files["compare/1-2.html"])
	assertInert(t, "compare/1-2.html", page)
	assert.NotContains(t, files, "compare/2-1.html", "one page per two runs, whichever way a table reads them")
	pairs := index[strings.Index(index, "<h2>Paired comparisons</h2>"):]
	assert.Contains(t, pairs, `<a href="compare/1-2.html">`, "the pair row links to the parity check's page")
	assert.Contains(t, page, "Items answered differently (1)")
	assert.Contains(t, page, "net -1 for West")
	assert.Contains(t, page, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`)
	// q10 is the 10th item in counting order: page 2 of five a page.
	assert.Contains(t, page, `href="../runs/1-2.html#s10"`)
	assert.Contains(t, page, `href="../runs/2-2.html#s10"`)
	run1 := string(files["runs/1.html"])
	assert.Less(t, strings.Index(run1, "<code>q2</code>"), strings.Index(run1, "<code>q5</code>"), "items in counting order")
	assert.NotContains(t, run1, "<code>q10</code>", "q10 comes after q9, on page 2")
	assert.Contains(t, string(files["runs/1-2.html"]), `id="s10"`)
}
