package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

func TestSuitesAndModelsList(t *testing.T) {
	ta := newTestApp(t)
	infos := decode[[]parity.SuiteInfo](t, ta.mustRun("suites", "--json"))
	byName := map[string]parity.SuiteInfo{}
	for _, in := range infos {
		byName[in.Name] = in
	}
	require.Contains(t, byName, "gsm8k")
	require.Contains(t, byName, "math500")
	assert.Equal(t, 1319, byName["gsm8k"].Items)
	assert.Equal(t, 500, byName["math500"].Items)
	assert.Len(t, byName["gsm8k"].DataSHA256, 64)

	text := ta.mustRun("suites")
	assert.Contains(t, text, "gsm8k")
	assert.Contains(t, text, "(NC)", "non-commercial suites are marked")

	ta.env["DEEPSEEK_API_KEY"] = "sk-whatever"
	models := decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	got := map[string]modelEntry{}
	for _, m := range models {
		got[m.Provider] = m
	}
	for _, p := range []string{"deepseek", "openai", "openrouter", "vllm", "ollama", "mock"} {
		assert.Contains(t, got, p)
	}
	assert.True(t, got["deepseek"].KeySet)
	assert.False(t, got["openai"].KeySet)
	assert.Equal(t, "CN", got["deepseek"].Origin)
	assert.Equal(t, "West", got["openai"].Origin)
	assert.NotContains(t, ta.mustRun("models"), "sk-whatever", "key values are never printed")
}

func TestProvidersFileOverridesCatalog(t *testing.T) {
	ta := newTestApp(t)
	dir := filepath.Join(ta.dir, ".config", "parity")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "providers.yaml"), []byte(`providers:
  mylab:
    base_url: http://127.0.0.1:9/v1
    origin: CN
  vllm:
    base_url: http://gpu-box:8000/v1
  sglang:
    base_urls: [http://gpu-1:30000/v1, http://gpu-2:30000/v1]
  gateway:
    base_url: https://me:gw-password@gw.example/v1?api-version=2025-01-01&key=gw-query-key
    origin: custom
`), 0o644))
	models := decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	got := map[string]modelEntry{}
	for _, m := range models {
		got[m.Provider] = m
	}
	assert.Equal(t, "CN", got["mylab"].Origin)
	assert.Equal(t, "http://gpu-box:8000/v1", got["vllm"].BaseURL)
	assert.Equal(t, []string{"http://gpu-1:30000/v1", "http://gpu-2:30000/v1"}, got["sglang"].BaseURLs)
	assert.Equal(t, "https://me@gw.example/v1?api-version=2025-01-01&key=REDACTED", got["gateway"].BaseURL,
		"a base URL's password and query values are never printed")
	text := ta.mustRun("models")
	assert.Contains(t, text, "https://me@gw.example/v1?api-version=2025-01-01&key=REDACTED")
	assert.NotContains(t, text, "gw-password")
	assert.NotContains(t, text, "gw-query-key")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "providers.yaml"), []byte("providers: [oops"), 0o644))
	code := ta.run(context.Background(), "models")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "providers.yaml")
}

func TestMockRunThenEveryReportFormat(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "-s", "math500", "--limit", "20", "--samples", "2")
	for _, format := range []string{"text", "md", "csv", "json", "html"} {
		out := ta.mustRun("report", "--format", format)
		assert.Contains(t, out, "mock/oracle", format)
		assert.Contains(t, out, "gsm8k", format)
	}
	text := ta.mustRun("report")
	assert.Contains(t, text, "[mock]")
	assert.Contains(t, text, "offline mock provider")

	html := filepath.Join(ta.dir, "board.html")
	ta.mustRun("report", "--format", "html", "--out", html)
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	st, err := os.Stat(html)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "a report is readable by others")
	assert.Contains(t, string(page), "<svg")
	assert.Empty(t, ta.stdout.String(), "--out writes the file, not stdout")
}

func TestShowPrintsSamplesSafely(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Reasoning: "thinking \x1b[2J hard", Content: "\x1b]0;pwned\x07So \\boxed{3}."}
	}})
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "3")
	out := ta.mustRun("show", "1")
	assert.Contains(t, out, "--- prompt (user)")
	assert.Contains(t, out, "--- reasoning")
	assert.Contains(t, out, "So \\boxed{3}.")
	assert.Contains(t, out, `extracted "3"`)
	assert.NotContains(t, out, "\x1b", "terminal escapes from model output are dropped")

	wrong := ta.mustRun("show", "1", "--outcome", "correct")
	assert.NotContains(t, wrong, "=== ", "no gsm8k item in the first three has gold 3")
	code := ta.run(context.Background(), "show", "99")
	assert.Equal(t, exitError, code)
	assert.Contains(t, ta.stderr.String(), "run 99 not found")
}

func TestRescoreRestoresVerdicts(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "15")
	before := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))

	// Pretend an old grader got everything wrong.
	ctx := context.Background()
	db, err := results.Open(ctx, ta.dbPath())
	require.NoError(t, err)
	var ups []results.ScoreUpdate
	for _, s := range before {
		ups = append(ups, results.ScoreUpdate{Key: s.Key(), Score: parity.Score{Outcome: parity.OutcomeWrong, Scorer: "old", ScorerVersion: "0.1"}})
	}
	require.NoError(t, db.UpdateScores(ctx, 1, ups))
	require.NoError(t, db.Close())

	dry := decode[[]rescoreLine](t, ta.mustRun("rescore", "1", "--dry-run", "--json"))
	require.Len(t, dry, 1)
	assert.True(t, dry[0].DryRun)
	assert.InDelta(t, 0, *dry[0].OldAccuracy, 1e-12)
	stillWrong := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	assert.Equal(t, "old", stillWrong[0].Score.Scorer, "a dry run saves nothing")

	lines := decode[[]rescoreLine](t, ta.mustRun("rescore", "1", "--json"))
	correct := 0
	for _, s := range before {
		if s.Score.Outcome == parity.OutcomeCorrect {
			correct++
		}
	}
	assert.Equal(t, 15-countOutcome(before, parity.OutcomeWrong), lines[0].Changed)
	assert.InDelta(t, float64(correct)/15, *lines[0].NewAccuracy, 1e-12)
	wantFlips := map[string]int{}
	for _, s := range before {
		if s.Score.Outcome != parity.OutcomeWrong {
			wantFlips["wrong->"+string(s.Score.Outcome)]++
		}
	}
	assert.Equal(t, wantFlips, dry[0].Flips, "the dry run counts each direction of change")
	assert.Equal(t, wantFlips, lines[0].Flips)
	assert.Equal(t, "wrong->correct 3, correct->wrong 1", flipText(map[string]int{"correct->wrong": 1, "wrong->correct": 3}))
	assert.Equal(t, "-", flipText(nil))
	after := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	for i := range after {
		assert.Equal(t, before[i].Score, after[i].Score)
	}

	code := ta.run(ctx, "rescore")
	assert.Equal(t, exitUsage, code)
}

func countOutcome(ss []parity.Sample, o parity.Outcome) int {
	n := 0
	for _, s := range ss {
		if s.Score.Outcome == o {
			n++
		}
	}
	return n
}

func TestScoreCommand(t *testing.T) {
	ta := newTestApp(t)
	ta.stdin = strings.Join([]string{
		`{"prediction": "so the answer is \\boxed{\\frac{1}{2}}", "gold": "0.5", "expected": true}`,
		`{"prediction": "I think it's 3", "gold": "4", "expected": false}`,
		``,
		`{"prediction": "no idea", "gold": "4"}`,
	}, "\n")
	out := ta.mustRun("score", "--kind", "math")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	first := decode[scoreResult](t, lines[0])
	assert.True(t, first.Correct)
	assert.Equal(t, parity.OutcomeCorrect, first.Outcome)
	assert.Equal(t, `\frac{1}{2}`, first.Extracted)
	assert.Equal(t, parity.OutcomeUnparsed, decode[scoreResult](t, lines[2]).Outcome)
	assert.Contains(t, ta.stderr.String(), "scored 3")
	assert.Contains(t, ta.stderr.String(), "agreement")

	ta.stdin = `{"prediction": "#### 1,234", "gold": "1234"}`
	res := decode[scoreResult](t, ta.mustRun("score", "--suite", "gsm8k"))
	assert.True(t, res.Correct)

	ta.stdin = `{"prediction": "x", "gold": "1"}` + "\n" + `{"prediction": 1`
	code := ta.run(context.Background(), "score", "--kind", "number")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "stdin:2")
	assert.Empty(t, ta.stdout.String(), "nothing is written when the input is bad")

	code = ta.run(context.Background(), "score", "--kind", "number", "--suite", "gsm8k")
	assert.Equal(t, exitUsage, code)
}

func TestMergeShards(t *testing.T) {
	a := newTestApp(t)
	a.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "5")
	b := newTestApp(t)
	b.mustRun("run", "-m", "mock/random", "-s", "gsm8k", "--limit", "5")

	out := a.mustRun("merge", b.dbPath())
	assert.Contains(t, out, "1 runs, 5 samples merged")
	runs := decode[[]runLine](t, a.mustRun("runs", "--json"))
	assert.Len(t, runs, 2)
	out = a.mustRun("merge", b.dbPath())
	assert.Contains(t, out, "0 runs, 0 samples merged; 1 runs already present")

	c := newTestApp(t)
	c.mustRun("run", "-m", "mock/oracle-50", "-s", "gsm8k", "--limit", "3")
	code := a.run(context.Background(), "merge", "--json", c.dbPath(), filepath.Join(a.dir, "missing.db"))
	assert.Equal(t, exitError, code)
	merged := decode[[]map[string]any](t, a.stdout.String())
	require.Len(t, merged, 1, "the shard merged before the failure is reported")
	assert.Equal(t, map[string]any{"shard": c.dbPath(), "runs": 1.0, "samples": 3.0, "skipped": 0.0, "joined": 0.0}, merged[0])
}

// TestMergeADirectory: a folder given as a shard (a snapshot, or the
// machine's working directory) is named as the mistake, in one line.
func TestMergeADirectory(t *testing.T) {
	a := newTestApp(t)
	a.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	code := a.run(context.Background(), "merge", a.dir)
	assert.Equal(t, exitUsage, code)
	msg := a.stderr.String()
	assert.Contains(t, msg, a.dir+" is a directory: name the database file")
	assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
}

func TestCircularRunShowsBothAccuracies(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "arc", "--limit", "10")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "arc", "--limit", "10", "--circular")
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 2)
	assert.Equal(t, 10, runs[0].Target)
	assert.Equal(t, 40, runs[1].Target, "ARC items have four options: four rotations each")

	rep := decode[struct {
		Rows []struct {
			SuiteVersion     string   `json:"suite_version"`
			Accuracy         float64  `json:"accuracy"`
			CircularItems    int      `json:"circular_items"`
			CircularAccuracy *float64 `json:"circular_accuracy"`
		} `json:"rows"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, rep.Rows, 2, "plain and circular runs are separate rows")
	var circ int
	for i, r := range rep.Rows {
		if r.CircularItems > 0 {
			circ = i
		}
	}
	c := rep.Rows[circ]
	assert.Equal(t, 10, c.CircularItems)
	require.NotNil(t, c.CircularAccuracy)
	assert.LessOrEqual(t, *c.CircularAccuracy, c.Accuracy, "all rotations right is harder than one")
	assert.Contains(t, ta.mustRun("report"), "CIRCULAR %")
}

func TestSamplesWithTemperatureZeroWarns(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2", "--samples", "3", "--temperature", "0")
	assert.Contains(t, ta.stderr.String(), "near-identical answers")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2", "--samples", "3")
	assert.NotContains(t, ta.stderr.String(), "near-identical")
}

func TestReportOutAndRunsFiltersSayWhatIsWrong(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")

	code := ta.run(context.Background(), "report", "--out", ta.dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "is a directory: name a file")

	missing := filepath.Join(ta.dir, "no", "such", "dir", "r.md")
	code = ta.run(context.Background(), "report", "--out", missing)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "does not exist")
	assert.NotContains(t, ta.stderr.String(), ".parity-", "the temporary file is not the user's business")

	ta.mustRun("runs", "--model", "nobody/none")
	assert.Contains(t, ta.stderr.String(), "no runs match", "a filter that matches nothing is not an empty database")
}

func TestReadingCommandsNeverWriteTheDatabase(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "5")
	before, err := os.ReadFile(ta.dbPath())
	require.NoError(t, err)
	for _, args := range [][]string{{"runs"}, {"report"}, {"show", "1"}, {"snapshot", filepath.Join(ta.dir, "snap")}} {
		ta.mustRun(args...)
	}
	after, err := os.ReadFile(ta.dbPath())
	require.NoError(t, err)
	assert.Equal(t, before, after, "runs, report, show and snapshot open the database read-only")
}

func TestGPQAShuffleFollowsTheRunSeed(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle-100", "-s", "gpqa", "--limit", "20", "--seed", "1")
	ta.mustRun("run", "-m", "mock/oracle-100", "-s", "gpqa", "--limit", "20", "--seed", "5")
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 2)
	assert.Equal(t, "1+shuffle.1", runs[0].Suite.Version)
	assert.Equal(t, "1+shuffle.5", runs[1].Suite.Version)

	// The same items come in a different option order, so the gold
	// letters differ; comparing them never prints question text.
	gold := func(id int) map[string]string {
		m := map[string]string{}
		for _, s := range decode[[]parity.Sample](t, ta.mustRun("show", strconv.Itoa(id), "--json")) {
			m[s.ItemID] = s.Gold
		}
		return m
	}
	a, b := gold(1), gold(2)
	moved := 0
	for id, g := range b {
		if a[id] != "" && a[id] != g {
			moved++
		}
	}
	assert.Positive(t, moved)

	// Re-scoring the seed-5 run rebuilds its own shuffle: every answer of
	// the always-right mock stays correct.
	lines := decode[[]rescoreLine](t, ta.mustRun("rescore", "2", "--json"))
	require.Len(t, lines, 1)
	assert.Zero(t, lines[0].Changed)
	assert.InDelta(t, 1.0, *lines[0].NewAccuracy, 1e-12)
	assert.False(t, lines[0].DataChanged)
	s, err := suiteOf(runs[1].Run, nil)
	require.NoError(t, err)
	assert.Equal(t, "1+shuffle.5", s.Info().Version, "stored runs are re-graded with their own shuffle")
}

func TestLanguageGapOnTheSameProblems(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mgsm:en", "-s", "mgsm:zh", "--limit", "20")
	rep := decode[struct {
		LanguageGaps []struct {
			A struct {
				Label string `json:"label"`
			} `json:"a"`
			SharedItems int    `json:"shared_items"`
			Verdict     string `json:"verdict"`
		} `json:"language_gaps"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, rep.LanguageGaps, 1)
	assert.Equal(t, "zh", rep.LanguageGaps[0].A.Label, "side a is the other language")
	assert.Equal(t, 20, rep.LanguageGaps[0].SharedItems, "--limit picks the same problems in both languages")
	assert.Contains(t, ta.mustRun("report"), "Language gap")
}

// Runs made before GPQA's shuffle followed --seed were shuffled with the
// fixed seed their suite version records, whatever their run seed; re-scoring
// must rebuild that shuffle, or every gold letter moves.
func TestGPQARescoreKeepsARunsRecordedShuffle(t *testing.T) {
	for _, version := range []string{"1+shuffle.20240909", "1+shuffle.20240909" + suites.CircularSuffix} {
		r := parity.Run{ID: 1, Seed: 1, Suite: parity.SuiteInfo{Name: "gpqa", Version: version}}
		s, err := suiteOf(r, nil)
		require.NoError(t, err)
		assert.Equal(t, version, s.Info().Version)
	}
}

// TestModelsShowsVerificationAndRetirement checks every provider carries the
// date it was verified and its sources, retired and retiring models are
// marked, and an entry not verified within 120 days is warned about.
func TestModelsShowsVerificationAndRetirement(t *testing.T) {
	ta := newTestApp(t)
	models := decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	byProvider := map[string]modelEntry{}
	for _, e := range models {
		byProvider[e.Provider] = e
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, e.Verified, e.Provider)
		assert.NotEmpty(t, e.Sources, e.Provider)
		assert.False(t, e.Stale, e.Provider)
	}
	assert.Empty(t, ta.stderr.String(), "no warning while every entry is fresh")
	status := func(provider, id string) modelInfo {
		for _, m := range byProvider[provider].Models {
			if m.ID == id {
				return m
			}
		}
		t.Fatalf("%s/%s not listed", provider, id)
		return modelInfo{}
	}
	assert.Equal(t, "retired", status("deepseek", "deepseek-reasoner").Status)
	assert.Equal(t, "deepseek-flash", status("deepseek", "deepseek-reasoner").Retirement.Replacement)
	assert.Equal(t, "substituted", status("deepseek", "deepseek-v4-flash").Status)
	assert.Equal(t, "retiring", status("gemini", "gemini-2.5-pro").Status)
	assert.Equal(t, "active", status("openai", "o3").Status, "12-11 is more than 30 days after the test's 11-01")
	assert.True(t, byProvider["deepseek"].Models[0].Flagship, "flagships first")

	text := ta.mustRun("models")
	assert.Contains(t, text, "deepseek-reasoner [RETIRED 2026-07-24, use deepseek-flash]")
	assert.Contains(t, text, "gemini-2.5-pro [retires 2026-12-01; then served by gemini-3.8-flash]")
	assert.Contains(t, text, "*deepseek-v4-pro $0.66/1.98")

	dir := filepath.Join(ta.dir, ".config", "parity")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "providers.yaml"), []byte("providers:\n  minimax:\n    verified: \"2026-06-01\"\n  mylab:\n    base_url: http://127.0.0.1:9/v1\n    origin: custom\n"), 0o644))
	models = decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	for _, e := range models {
		assert.Equal(t, e.Provider == "minimax" || e.Provider == "mylab", e.Stale, e.Provider)
	}
	assert.Contains(t, ta.stderr.String(), "catalog entry minimax last verified 2026-06-01 (over 120 days ago)")
	assert.Contains(t, ta.stderr.String(), "catalog entry mylab never verified")
	assert.Contains(t, ta.mustRun("models"), "2026-06-01 (stale)")
}

// TestModelsGroupsOpenModelsByMaker checks every open model the catalog
// names is listed under its maker with each provider serving it, and the
// JSON gives each model its canonical name.
func TestModelsGroupsOpenModelsByMaker(t *testing.T) {
	ta := newTestApp(t)
	text := ta.mustRun("models")
	i := strings.Index(text, "OPEN MODELS BY MAKER")
	require.Positive(t, i)
	open := text[i:]
	assert.Regexp(t, `deepseek-ai \(CN\)`, open)
	assert.Regexp(t, `deepseek-ai/DeepSeek-R1 +siliconflow/deepseek-ai/DeepSeek-R1, together/deepseek-ai/DeepSeek-R1`, open)
	assert.Regexp(t, `zai-org/GLM-5 +zai/glm-5, zhipu/glm-5`, open)
	assert.Regexp(t, `openai \(West\)`, open)

	models := decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	canonical := map[string]string{}
	for _, e := range models {
		for _, m := range e.Models {
			canonical[e.Provider+"/"+m.ID] = m.Canonical
		}
	}
	assert.Equal(t, "deepseek-ai/DeepSeek-R1-0528", canonical["fireworks/accounts/fireworks/models/deepseek-r1-0528"])
	assert.Equal(t, "openai/gpt-oss-120b", canonical["groq/openai/gpt-oss-120b"])
	assert.Equal(t, "deepseek-ai/DeepSeek-V4-Pro", canonical["deepseek/deepseek-v4-pro"])
	assert.Empty(t, canonical["openai/gpt-6.1-sol"], "a closed model has no canonical name")
}

// TestHelpExamplesNameLiveModels: every provider/model an example in
// --help names is in the catalog and not retired, so a user copying one
// is not refused (local servers and made-up endpoints are exempt).
func TestHelpExamplesNameLiveModels(t *testing.T) {
	ta := newTestApp(t)
	models := decode[[]modelEntry](t, ta.mustRun("models", "--json"))
	byProvider := map[string]modelEntry{}
	for _, m := range models {
		byProvider[m.Provider] = m
	}
	id := regexp.MustCompile(`\b([a-z][a-z0-9-]*)/([A-Za-z0-9][A-Za-z0-9._/-]*)`)
	var check func(c *cobra.Command)
	checked := 0
	check = func(c *cobra.Command) {
		for _, m := range id.FindAllStringSubmatch(c.Example, -1) {
			p, ok := byProvider[m[1]]
			if !ok || p.Origin == "local" {
				continue
			}
			i := slices.IndexFunc(p.Models, func(mi modelInfo) bool { return mi.ID == m[2] })
			if assert.GreaterOrEqual(t, i, 0, "%s --help: %s is not in the catalog", c.CommandPath(), m[0]) {
				assert.NotEqual(t, "retired", p.Models[i].Status, "%s --help: %s is retired", c.CommandPath(), m[0])
			}
			checked++
		}
		for _, sub := range c.Commands() {
			check(sub)
		}
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	check(a.rootCmd())
	assert.Greater(t, checked, 5, "the examples name catalog models")
}

// TestRescoreAllOfAnEmptyDatabase (and judge --all): --json prints an empty list, not null,
// and the text form says there was nothing to re-grade instead of a bare
// header.
func TestRescoreAllOfAnEmptyDatabase(t *testing.T) {
	ta := newTestApp(t)
	// A merge of a missing shard leaves a database with no run in it.
	require.Equal(t, exitError, ta.run(context.Background(), "merge", filepath.Join(ta.dir, "none.db")))
	out := ta.mustRun("rescore", "--all", "--json")
	assert.JSONEq(t, `[]`, out)
	out = ta.mustRun("rescore", "--all")
	assert.Empty(t, out)
	assert.Contains(t, ta.stderr.String(), "no runs to re-grade")
	assert.JSONEq(t, `[]`, ta.mustRun("judge", "--all", "--judge", "mock/oracle", "--json"))
	assert.Empty(t, ta.mustRun("judge", "--all", "--judge", "mock/oracle"))
	assert.Contains(t, ta.stderr.String(), "no runs to judge")
}

// TestScoreInputThatIsNoFile: a missing file or a directory is named with
// what to give instead, in one line, with nothing on stdout.
func TestScoreInputThatIsNoFile(t *testing.T) {
	ta := newTestApp(t)
	for _, p := range []string{filepath.Join(ta.dir, "none.jsonl"), ta.dir} {
		assert.Equal(t, exitUsage, ta.run(context.Background(), "score", "--kind", "number", p))
		msg := ta.stderr.String()
		assert.Contains(t, msg, "parity: score: cannot read "+p)
		assert.Contains(t, msg, "give a JSONL file of predictions")
		assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
		assert.Empty(t, ta.stdout.String())
	}
}

// TestBoardCommandsNameAMissingRun: --run with an id the database does not
// hold is named, alone or beside ids it does hold, rather than dropped in
// silence or reported as "no runs".
func TestBoardCommandsNameAMissingRun(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	for _, args := range [][]string{
		{"report", "--run", "99"},
		{"report", "--run", "1", "--run", "99"},
		{"report", "--run", "1,99", "--json"},
		{"snapshot", filepath.Join(ta.dir, "site"), "--run", "1,99"},
	} {
		assert.Equal(t, exitError, ta.run(context.Background(), args...), args)
		assert.Equal(t, "parity: run 99 not found: list runs with `parity runs`\n", ta.stderr.String(), args)
		assert.Empty(t, ta.stdout.String(), args)
	}
	_, err := os.Stat(filepath.Join(ta.dir, "site"))
	assert.True(t, os.IsNotExist(err), "no snapshot is written")
}

// TestScoreFlagsThatCannotApply: options that would be ignored in silence
// are refused, before any input is read.
func TestScoreFlagsThatCannotApply(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"score", "--markdown", "--json"}, "--markdown and --json ask for two outputs"},
		{[]string{"score", "--kind", "math", "--last-number"}, "--last-number applies to number answers only"},
		{[]string{"score", "--suite", "gsm8k", "--last-number"}, "--last-number applies to number answers only"},
		{[]string{"score", "--source-errors", "/nonexistent/se.tsv"}, "score: cannot read --source-errors /nonexistent/se.tsv (no such file or directory): name the tab-separated file"},
	} {
		ta := newTestApp(t)
		ta.stdin = `{"prediction": "2", "gold": "2", "kind": "number"}` + "\n"
		assert.Equal(t, exitUsage, ta.run(context.Background(), tt.args...), tt.args)
		assert.Contains(t, ta.stderr.String(), tt.says)
		assert.Empty(t, ta.stdout.String())
	}
	ta := newTestApp(t)
	ta.stdin = `{"prediction": "so 2 apples", "gold": "2", "kind": "number"}` + "\n"
	assert.Contains(t, ta.mustRun("score", "--last-number"), `"correct":true`, "per-line number kinds take it")
}

// TestRunNamedTwiceIsHandledOnce: rescore 1 1 re-grades run 1 once.
func TestRunNamedTwiceIsHandledOnce(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	lines := decode[[]map[string]any](t, ta.mustRun("rescore", "1", "1", "--json"))
	assert.Len(t, lines, 1)
	lines = decode[[]map[string]any](t, ta.mustRun("judge", "1", "1", "--judge", "mock/oracle", "--json"))
	assert.Len(t, lines, 1)
}
