package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

// snapshotFiles reads every file of a snapshot by slash path.
func snapshotFiles(t *testing.T, dir string) map[string][]byte {
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

// checkSums recomputes SHA256SUMS the way sha256sum -c would.
func checkSums(t *testing.T, files map[string][]byte) {
	t.Helper()
	listed := 0
	sc := bufio.NewScanner(bytes.NewReader(files["SHA256SUMS"]))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, sc.Text())
		data, exists := files[name]
		require.True(t, exists, "SHA256SUMS names %s", name)
		got := sha256.Sum256(data)
		assert.Equal(t, sum, hex.EncodeToString(got[:]), name)
		listed++
	}
	assert.Equal(t, len(files)-1, listed, "every file but SHA256SUMS is listed")
}

func sampleLines(t *testing.T, data []byte) []map[string]any {
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

func TestSnapshotOfMockRun(t *testing.T) {
	const key = "sk-live-TOPSECRET-0123456789"
	ta := newTestApp(t)
	ta.env["DEEPSEEK_API_KEY"] = key
	ta.env["OPENAI_API_KEY"] = key
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "6")

	dir := filepath.Join(ta.dir, "site")
	out := ta.mustRun("snapshot", dir)
	assert.Equal(t, dir+"\n", out, "stdout carries the path")
	assert.Contains(t, ta.stderr.String(), "files")

	files := snapshotFiles(t, dir)
	for _, name := range []string{"index.html", "leaderboard.json", "leaderboard.csv", "leaderboard.md", "runs.json",
		"runs/1.jsonl", "runs/1.html", "MANIFEST.json", "SHA256SUMS"} {
		assert.Contains(t, files, name)
	}
	checkSums(t, files)
	lines := sampleLines(t, files["runs/1.jsonl"])
	require.Len(t, lines, 6)
	for _, l := range lines {
		assert.Contains(t, []any{"correct", "wrong", "unparsed"}, l["outcome"])
		assert.Contains(t, l, "content")
		assert.NotContains(t, l, "messages")
		assert.NotContains(t, l, "raw")
	}
	var man struct {
		Database string `json:"database"`
		Runs     []struct {
			ID int64 `json:"id"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(files["MANIFEST.json"], &man))
	assert.Equal(t, "parity.db", man.Database)
	require.Len(t, man.Runs, 1)
	var runs []parity.Run
	require.NoError(t, json.Unmarshal(files["runs.json"], &runs))
	require.Len(t, runs, 1)
	assert.Equal(t, "mock/oracle", runs[0].Model.ID)
	assert.Len(t, runs[0].Suite.DataSHA256, 64)
	assert.Contains(t, string(files["index.html"]), "mock/oracle")

	secret := regexp.MustCompile(`sk-[A-Za-z0-9_-]{8,}`)
	for name, data := range files {
		assert.NotContains(t, string(data), "TOPSECRET", name)
		assert.False(t, secret.Match(data), "%s holds something shaped like a key", name)
	}

	// The command on the run page asks the same questions with the same
	// settings: the rerun has the original's fingerprint.
	cmdLine := regexp.MustCompile(`<pre>(parity run [^<]*)</pre>`).FindSubmatch(files["runs/1.html"])
	require.NotNil(t, cmdLine)
	ta.mustRun(strings.Fields(string(cmdLine[1]))[1:]...)
	db, err := results.Open(context.Background(), ta.dbPath())
	require.NoError(t, err)
	all, err := db.Runs(context.Background(), results.RunFilter{})
	require.NoError(t, db.Close())
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, all[0].Fingerprint, all[1].Fingerprint, "the rerun has the settings of the original")

	again := filepath.Join(ta.dir, "site-json")
	sum := decode[snapshotSummary](t, ta.mustRun("snapshot", again, "--json", "--run", "1"))
	assert.Equal(t, again, sum.Dir)
	assert.Equal(t, len(files), sum.Files)
	assert.Equal(t, []int64{1}, sum.Runs)
}

func TestSnapshotIsReproducible(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-m", "mock/random", "-s", "gsm8k", "--limit", "5", "--samples", "2")
	a, b := filepath.Join(ta.dir, "a"), filepath.Join(ta.dir, "b")
	ta.mustRun("snapshot", a)
	ta.mustRun("snapshot", b)
	fa, fb := snapshotFiles(t, a), snapshotFiles(t, b)
	require.Len(t, fb, len(fa))
	for name, data := range fa {
		assert.True(t, bytes.Equal(data, fb[name]), "%s differs between two snapshots of one database", name)
	}
}

func TestSnapshotRefusesATakenDirectory(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	dir := filepath.Join(ta.dir, "site")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))

	code := ta.run(context.Background(), "snapshot", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "already exists and is not empty")
	assert.Equal(t, map[string][]byte{"notes.txt": []byte("mine")}, snapshotFiles(t, dir))

	assert.Equal(t, exitUsage, ta.run(context.Background(), "snapshot"), "DIR is required")

	code = ta.run(context.Background(), "snapshot", filepath.Join(ta.dir, "none"), "--suite", "aime24")
	assert.Equal(t, exitError, code)
	assert.Contains(t, ta.stderr.String(), "no runs match")
	assert.NoDirExists(t, filepath.Join(ta.dir, "none"))
	entries, err := os.ReadDir(ta.dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".parity-snapshot"), "temporary %s left behind", e.Name())
	}
}

// questionFragments returns long plain-word stretches of the GPQA questions
// of the given items: text that would survive any escaping unchanged.
func questionFragments(t *testing.T, ids map[string]bool) []string {
	t.Helper()
	items, err := suites.GPQA.Items(context.Background())
	require.NoError(t, err)
	words := regexp.MustCompile(`[A-Za-z0-9 ,]{24,}`)
	var out []string
	for _, it := range items {
		if !ids[it.ID] {
			continue
		}
		for _, f := range words.FindAllString(it.Question, -1) {
			if f = strings.TrimSpace(f); len(f) >= 24 {
				out = append(out, f)
			}
		}
	}
	return out
}

func TestSnapshotWithholdsGPQAText(t *testing.T) {
	// A model that quotes the question, as reasoning models do.
	srv := providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		q := req.Messages[len(req.Messages)-1].Content
		return providertest.Reply{Reasoning: "The question says: " + q, Content: "Restating it: " + q + "\nSo \\boxed{A}."}
	}})
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gpqa", "--limit", "3")
	ta.mustRun("run", "-m", "lab/quoter", "--base-url", srv.BaseURL(), "-s", "gpqa", "--limit", "3")
	dir := filepath.Join(ta.dir, "site")
	ta.mustRun("snapshot", dir)

	files := snapshotFiles(t, dir)
	checkSums(t, files)
	ids := map[string]bool{}
	for _, name := range []string{"runs/1.jsonl", "runs/2.jsonl"} {
		lines := sampleLines(t, files[name])
		require.Len(t, lines, 3, name)
		for _, l := range lines {
			ids[l["item_id"].(string)] = true
			assert.NotContains(t, l, "content", name)
			assert.NotContains(t, l, "reasoning", name)
			assert.Equal(t, true, l["redacted"], name)
			assert.Regexp(t, `^[A-D]$`, l["gold"], "the gold letter stays")
		}
	}
	fragments := questionFragments(t, ids)
	require.NotEmpty(t, fragments)
	for name, data := range files {
		for i, f := range fragments {
			// Never print the question itself, only where it leaked.
			assert.False(t, bytes.Contains(data, []byte(f)), "question fragment %d appears in %s", i, name)
		}
	}
	assert.Contains(t, string(files["runs/2.html"]), "withheld")
}

// TestSnapshotIntoADirectoryWrittenWithASlash: "site/" names the same new
// directory as "site" (shells complete directories with the slash).
func TestSnapshotIntoADirectoryWrittenWithASlash(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3")
	dir := filepath.Join(ta.dir, "site")
	ta.mustRun("snapshot", dir+string(filepath.Separator))
	_, err := os.Stat(filepath.Join(dir, "SHA256SUMS"))
	require.NoError(t, err)
	ta.mustRun("verify", dir+string(filepath.Separator))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".parity-snapshot-"), "no temporary folder is left inside: %s", e.Name())
	}
}
