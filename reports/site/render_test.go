package site

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func fixtureLeaderboard(t *testing.T) *reports.Leaderboard {
	t.Helper()
	lb, err := reports.Build(fixture(), fixedOptions())
	require.NoError(t, err)
	return lb
}

func TestRenderHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, fixtureLeaderboard(t), "html"))
	path := filepath.Join("testdata", "leaderboard.html.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./reports/site -update to create the golden file")
	assert.Equal(t, string(want), buf.String())
}

func TestRenderDelegatesOtherFormats(t *testing.T) {
	lb := fixtureLeaderboard(t)
	for _, format := range reports.Formats {
		var a, b bytes.Buffer
		require.NoError(t, Render(&a, lb, format))
		require.NoError(t, reports.Render(&b, lb, format))
		assert.Equal(t, b.String(), a.String(), format)
	}
	err := Render(&bytes.Buffer{}, lb, "xlsx")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "text, md, csv, json, html")
	require.Error(t, Render(&bytes.Buffer{}, nil, "html"))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderHTMLReportsWriteErrors(t *testing.T) {
	err := Render(failingWriter{}, fixtureLeaderboard(t), "html")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
}

func TestRenderHTMLMarksMock(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, fixtureLeaderboard(t), "html"))
	out := buf.String()
	assert.Contains(t, out, "rows marked mock come from the built-in offline mock provider, not a real model")
	assert.Contains(t, out, "mock/mock-reasoner [mock]")
	assert.NotContains(t, out, "openai/o4-mini [mock]")
}

func TestRenderHTMLEscapesUntrustedText(t *testing.T) {
	lb := fixtureLeaderboard(t)
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "html"))
	out := buf.String()
	assert.NotContains(t, out, "<script", "a model name must never become markup")
	assert.NotContains(t, out, "alert('x')", "extracted answers never reach the page")
	assert.Contains(t, out, "evil/&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, out, "<svg", "the chart is inline")
	for _, external := range []string{"http", "src=", "url(", "@import"} {
		assert.NotContains(t, out, external, "the page must load nothing from outside")
	}
	assert.Equal(t, strings.Count(out, "href="), strings.Count(out, `href="#run-`), "links stay inside the page")
	assert.Contains(t, out, `<tr id="run-5">`, "every number links to its run's row")
	assert.Contains(t, out, `<a href="#run-5"><g>`, "chart bars link too")
}

func TestHTMLChartsOnePerSubject(t *testing.T) {
	en := run(1, "deepseek/deepseek-reasoner", "CN", "mgsm", 2, 1)
	en.Subject = "en"
	zh := run(2, "deepseek/deepseek-reasoner", "CN", "mgsm", 2, 1)
	zh.Subject = "zh"
	in := []reports.Input{
		{Run: en, Samples: samples(1, "parity-answer@1.0.0", spec{"en-1", 0, "correct", "1"}, spec{"en-2", 0, "correct", "2"})},
		{Run: zh, Samples: samples(2, "parity-answer@1.0.0", spec{"zh-1", 0, "wrong", "1"}, spec{"zh-2", 0, "correct", "2"})},
	}
	lb, err := reports.Build(in, fixedOptions())
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "html"))
	page := buf.String()
	assert.Contains(t, page, "<h2>mgsm:en@1</h2>")
	assert.Contains(t, page, "<h2>mgsm:zh@1</h2>", "mgsm:zh gets its own chart, not bars under the mgsm:en title")
	assert.Equal(t, 2, strings.Count(page, `aria-label="accuracy on `))
}

// binaryRun is a K=1 run of suite "s" answering items q00..q(n-1), correct
// where right says so.
func binaryRun(id int64, model, origin string, right []bool) reports.Input {
	var specs []spec
	for i, ok := range right {
		out := parity.OutcomeWrong
		if ok {
			out = parity.OutcomeCorrect
		}
		specs = append(specs, spec{fmt.Sprintf("q%02d", i), 0, out, "x"})
	}
	return reports.Input{Run: run(id, model, origin, "s", len(right), 1), Samples: samples(id, "n@1", specs...)}
}

func TestRenderHTMLComparisonsEscaped(t *testing.T) {
	right := make([]bool, 30)
	some := make([]bool, 30)
	for i := range right {
		right[i], some[i] = true, i < 5
	}
	lb, err := reports.Build([]reports.Input{
		binaryRun(1, "cn/<b>bold</b>", "CN", right),
		binaryRun(2, `west/<script>alert("x")</script>|`, "West", some),
	}, fixedOptions())
	require.NoError(t, err)
	var html bytes.Buffer
	require.NoError(t, Render(&html, lb, "html"))
	out := html.String()
	assert.NotContains(t, out, "<script")
	assert.NotContains(t, out, "<b>")
	assert.Contains(t, out, "<h2>Parity check</h2>")
	assert.Contains(t, out, "<h2>Paired comparisons</h2>")
	assert.Contains(t, out, "west/&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;|")
	assert.Contains(t, out, "cn/&lt;b&gt;bold&lt;/b&gt;")
	assert.Contains(t, out, "CN ahead of West by 83.3 points")
}

func TestChartsShowCircularAccuracy(t *testing.T) {
	c, w := parity.OutcomeCorrect, parity.OutcomeWrong
	r := run(1, "a/m", "CN", "mmlu", 4, 1)
	r.Suite.Version = "1+circular"
	specs := []spec{{"q1@r0", 0, c, "A"}, {"q1@r1", 0, c, "B"}, {"q2@r0", 0, c, "A"}, {"q2@r1", 0, w, "B"}}
	ss := samples(1, "c@1", specs...)
	for i := range ss {
		ss[i].RotationOf = strings.Split(ss[i].ItemID, "@")[0]
	}
	lb, err := reports.Build([]reports.Input{{Run: r, Samples: ss}}, fixedOptions())
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, lb, "html"))
	out := buf.String()
	assert.Contains(t, out, `<rect class="circ" x="300.0" y="40" width="210.0" height="4"/>`, "half the originals are right in every rotation")
	assert.Contains(t, out, "right in every rotation (CircularEval): 50.0%")
	assert.Contains(t, out, "The thin dark bar inside a bar")
}
