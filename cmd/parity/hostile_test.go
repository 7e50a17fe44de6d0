package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/reports/site"
)

// hostileKey has no shape a pattern would recognise as a key: only the
// client, which knows the key it sent, can take it out of what comes back.
const hostileKey = "HUSHkey0123456789abcdefXYZ"

// hostile is text meant to break out of every output parity writes: HTML
// elements and attributes, spreadsheet formulas, Markdown table cells and
// terminal escape sequences.
const hostile = `<script>alert(1)</script> "onerror=alert(2) ' | pipe` + "\nnext \x1b[31mRED\x1b]0;title\x07 =HYPERLINK(\"http://evil\")"

// hostileServer answers the user suite below with the key and hostile text
// in every field an answer has, and rejects one item with an error that
// quotes both.
func hostileServer(t *testing.T) *providertest.Server {
	return providertest.New(t, providertest.Options{
		Answer: func(req providertest.ChatRequest) providertest.Reply {
			key := strings.TrimPrefix(req.Authorization, "Bearer ")
			q := req.Messages[len(req.Messages)-1].Content
			r := providertest.Reply{
				Model:     "=HYPERLINK(\"http://evil\") " + hostile + key,
				Reasoning: "thinking " + key + " " + hostile,
				Content:   hostile + " " + key + ` The answer is \boxed{4}.`,
			}
			if strings.Contains(q, "odd") {
				r.FinishReason = "weird " + key + hostile
			}
			return r
		},
		FaultFunc: func(req providertest.ChatRequest) *providertest.Fault {
			key := strings.TrimPrefix(req.Authorization, "Bearer ")
			if req.Model == "locked" { // a rejected key stops the run, its message kept as the run's note
				f := providertest.Status(401, providertest.OpenAIError("no entry for "+key+" "+hostile, "invalid_request_error", "invalid_api_key"))
				return &f
			}
			if !strings.Contains(req.Messages[len(req.Messages)-1].Content, "fails") {
				return nil
			}
			f := providertest.Status(400, providertest.OpenAIError("bad key "+key+" "+hostile, "invalid_request_error", key))
			return &f
		},
	})
}

const hostileSuiteYAML = `name: hostile
version: "1"
language: en
license: CC0
data: items.jsonl
kind: number
fields:
  id: uid
  subject: area
prompt: |
  {{.Question}} Put the final answer in \boxed{}.
`

func hostileSuiteData() string {
	q := strings.NewReplacer(`"`, `\"`, "\n", `\n`, "\x1b", `\u001b`, "\x07", `\u0007`).Replace(hostile)
	var b strings.Builder
	for i, extra := range []string{"", "odd", "fails", "", "odd"} {
		fmt.Fprintf(&b, `{"uid": "h%d", "area": "=HYPERLINK(\"http://evil\") %d", "question": "%s %s %d", "answer": "%d"}`+"\n", i, i%2, q, extra, i, 4+i%2)
	}
	return b.String()
}

// assertNoLeak checks one output: no key anywhere, no raw markup in HTML,
// no terminal escapes in text meant for a terminal.
func assertNoLeak(t *testing.T, name, out string) {
	t.Helper()
	assert.NotContains(t, out, hostileKey, "%s: the key leaked", name)
	assert.NotContains(t, out, "0123456789abcdefXYZ", "%s: part of the key leaked", name)
	assert.NotContains(t, out, "PASSWORDsecret42", "%s: the base URL's password leaked", name)
	assert.NotContains(t, out, "QUERYsecret42", "%s: the base URL's query leaked", name)
	switch {
	case strings.HasSuffix(name, ".html"), strings.HasSuffix(name, ".svg"):
		assert.NotContains(t, out, "<script>alert", "%s: markup from an endpoint is not escaped", name)
		assert.NotRegexp(t, `"onerror=|'onerror=`, out, "%s: an attribute can be broken out of", name)
		assert.NotContains(t, strings.ToLower(out), `href="javascript:`, "%s", name)
	case strings.HasSuffix(name, ".csv"):
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err, name)
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q would run as a formula", name, cell)
				}
			}
		}
	case strings.HasSuffix(name, ".md"):
		assertMarkdownTables(t, name, out)
	case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".plain"),
		strings.HasSuffix(name, "SHA256SUMS"):
	default: // terminal text
		assert.NotContains(t, out, "\x1b", "%s: escape sequences reach the terminal", name)
		assert.NotContains(t, out, "\x07", "%s: control characters reach the terminal", name)
	}
}

var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// assertMarkdownTables checks that every row of a Markdown table has as
// many cells as the table's header: an unescaped | or a line break in a
// cell would shift or split the row.
func assertMarkdownTables(t *testing.T, name, out string) {
	t.Helper()
	cells := func(line string) int { return len(unescapedPipe.FindAllStringIndex(line, -1)) }
	header := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = -1
			continue
		}
		if header < 0 {
			header = cells(line)
			continue
		}
		assert.Equal(t, header, cells(line), "%s: a table row with more or fewer cells than its header: %q", name, line)
	}
}

func TestHostileEndpointLeaksNothing(t *testing.T) {
	srv := hostileServer(t)
	ta := newTestApp(t)
	ta.env["LAB_KEY"] = hostileKey
	file := writeUserSuite(t, filepath.Join(ta.dir, "hostile"), hostileSuiteYAML, hostileSuiteData())
	// A base URL may carry a password or a token in its query; neither is
	// ever shown or kept.
	u := must(url.Parse(srv.BaseURL()))
	u.User = url.UserPassword("user", "PASSWORDsecret42")
	u.RawQuery = "token=QUERYsecret42"
	secretURL := u.String()
	outputs := map[string]string{}
	// record keeps a command's output under names whose ending says what
	// kind of text it is; stderr is always text for a terminal.
	record := func(name, kind string) {
		outputs[name+" (stdout)"+kind] = ta.stdout.String()
		outputs[name+" (stderr)"] = ta.stderr.String()
	}
	ctx := context.Background()
	for _, args := range [][]string{
		{"-m", "lab/exam-model"},
		{"-m", `lab/other"'<b>|model`, "--stream"},
	} {
		args = append([]string{"run", "--base-url", secretURL, "--api-key-env", "LAB_KEY", "--suite-file", file, "--attempts", "1"}, args...)
		assert.Equal(t, exitPartial, ta.run(ctx, args...), ta.stderr.String())
		record(strings.Join(args[len(args)-2:], " "), "")
	}
	// A run of several subjects, for the leaderboard by subject.
	require.Equal(t, 0, ta.run(ctx, "run", "--base-url", secretURL, "--api-key-env", "LAB_KEY", "-m", "lab/exam-model", "-s", "mgsm", "--limit", "11"), ta.stderr.String())
	record("run mgsm", "")
	// An endpoint that is gone: net/http's error quotes the URL it tried.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	gone := "http://user:PASSWORDsecret42@" + l.Addr().String() + "/v1?token=QUERYsecret42"
	require.NoError(t, l.Close())
	ta.run(ctx, "run", "--base-url", gone, "--api-key-env", "LAB_KEY", "-m", "lab/gone", "-s", "gsm8k", "--limit", "1", "--attempts", "1")
	record("run gone", "")
	ta.run(ctx, "run", "--base-url", secretURL, "--api-key-env", "LAB_KEY", "-m", "lab/locked", "-s", "gsm8k", "--limit", "1")
	record("run locked", "")

	api := []string{"--base-url", secretURL, "--api-key-env", "LAB_KEY"}
	for _, args := range [][]string{
		{"canary", "lab/exam-model", "--baseline"},
		{"canary", "lab/exam-model"},
		{"canary", "lab/exam-model", "--json"},
		{"probe", "-m", "lab/exam-model", "--kind", "guess,complete", "-s", "mmlu", "-s", "gsm8k", "--limit", "3"},
		{"probe", "-m", "lab/exam-model", "--kind", "guess", "-s", "mmlu", "--limit", "3", "--json"},
		{"doctor", "lab/exam-model"},
		{"doctor", "lab/exam-model", "--json"},
	} {
		ta.run(ctx, append(args, api...)...)
		kind := ""
		if slices.Contains(args, "--json") {
			kind = ".json"
		}
		record(strings.Join(args, " "), kind)
	}
	require.Equal(t, 0, ta.run(ctx, "runs"))
	record("runs", "")
	require.Equal(t, 0, ta.run(ctx, "runs", "--json"))
	record("runs --json", ".json")
	for _, format := range []string{"text", "md", "csv", "json", "html"} {
		for _, extra := range [][]string{nil, {"--by-subject"}} {
			args := append([]string{"report", "--format", format}, extra...)
			require.Equal(t, 0, ta.run(ctx, args...), ta.stderr.String())
			kind := "." + format
			if format == "text" {
				kind = ""
			}
			record(strings.Join(args, " "), kind)
		}
	}
	for _, args := range [][]string{{"show", "1"}, {"show", "2", "--raw"}, {"show", "1", "--json"}, {"diff", "1", "2"}, {"diff", "1", "2", "--json"}} {
		ta.run(ctx, args...)
		kind := ""
		if args[len(args)-1] == "--json" {
			kind = ".json"
		}
		record(strings.Join(args, " "), kind)
	}
	for _, suffix := range []string{"", "-wal"} {
		if data, err := os.ReadFile(ta.dbPath() + suffix); err == nil {
			assert.NotContains(t, string(data), hostileKey, "the key is in the database")
			assert.NotContains(t, string(data), "secret42", "the base URL's password or query is in the database")
		}
	}

	snap := filepath.Join(ta.dir, "snap")
	require.Equal(t, 0, ta.run(ctx, "snapshot", snap, "--suite-file", file), ta.stderr.String())
	record("snapshot", "")
	require.NoError(t, filepath.WalkDir(snap, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		outputs["snapshot "+strings.TrimPrefix(path, snap)] = string(must(os.ReadFile(path)))
		return nil
	}))
	require.Contains(t, outputs, "snapshot /subjects.csv")
	require.Equal(t, 0, ta.run(ctx, "verify", snap), ta.stdout.String()+ta.stderr.String())
	record("verify", "")

	a := &app{getenv: func(k string) string { return ta.env[k] }, now: time.Now, stdout: io.Discard, stderr: io.Discard}
	rules, err := a.publishRules(ctx, []string{file})
	require.NoError(t, err)
	web := httptest.NewServer(site.NewServer(&dbSource{a: a, sel: runSelection{latest: true}},
		site.ServerOptions{Redact: rules.redact, UserProvider: rules.userProvider, Questions: rules.questions}))
	defer web.Close()
	for _, path := range []string{"/", "/runs/1", "/runs/2", "/runs/1/samples.jsonl", "/compare/1-2", "/subjects",
		"/search?q=" + url.QueryEscape(hostile), "/search?q=HYPERLINK&outcome=" + url.QueryEscape(hostile) + "&model=" + url.QueryEscape(hostile),
		"/search?q=HYPERLINK&model=" + url.QueryEscape(hostile) + "&suite=" + url.QueryEscape(hostile),
		"/runs/1?outcome=wrong&item=" + url.QueryEscape(hostile), "/runs/1?page=" + url.QueryEscape(hostile),
		"/item?id=h1", "/item?id=" + url.QueryEscape(hostile), "/runs/" + url.PathEscape(hostile), "/no/" + url.PathEscape(hostile)} {
		resp, err := web.Client().Get(web.URL + path)
		require.NoError(t, err)
		body := string(must(io.ReadAll(resp.Body)))
		resp.Body.Close()
		// A page is HTML only when it says so; anything else must stop a
		// browser from guessing that it is.
		name := "serve " + path
		switch ct := resp.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/html"):
			name += " .html"
		case strings.Contains(ct, "json"):
			name += " .json"
		default:
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), "%s: %s", path, ct)
			name += " .plain"
		}
		outputs[name] = body
	}

	// The hostile text did reach each kind of output, as text.
	for name, want := range map[string]string{
		"serve /runs/1 .html":                "&lt;script&gt;alert(1)&lt;/script&gt;",
		"snapshot /runs/2.html":              "&lt;script&gt;alert(1)&lt;/script&gt;",
		"snapshot /leaderboard.csv":          `"'=HYPERLINK(`,
		"snapshot /subjects.csv":             `"'=HYPERLINK(`,
		"snapshot /leaderboard.md":           `\| pipe`,
		"report --format html (stdout).html": "&lt;script&gt;",
		"show 2 --raw (stdout)":              "[redacted]",
		"report --format text (stdout)":      "[31mRED]0;title",
		"doctor lab/exam-model (stdout)":     "token=REDACTED",
	} {
		require.Contains(t, outputs, name)
		assert.Contains(t, outputs[name], want, name)
	}
	for name, out := range outputs {
		assertNoLeak(t, name, out)
	}
}
