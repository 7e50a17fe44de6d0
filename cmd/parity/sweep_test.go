package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
)

func TestSweepUsageErrors(t *testing.T) {
	base := []string{"run", "-m", "mock/oracle-90", "-s", "gsm8k", "--limit", "5"}
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"unknown key", []string{"--sweep", "temperature=0,1"}, "effort, thinking-budget, max-tokens, thinking"},
		{"no equals", []string{"--sweep", "effort"}, "KEY=V1,V2"},
		{"one value", []string{"--sweep", "effort=high"}, "two or more"},
		{"bad effort", []string{"--sweep", "effort=low,extreme"}, "low, medium, high or max"},
		{"bad budget", []string{"--sweep", "thinking-budget=1024,lots"}, "token count"},
		{"zero budget", []string{"--sweep", "thinking-budget=0,1024"}, "at least 1"},
		{"repeated value", []string{"--sweep", "effort=low,low"}, "twice"},
		{"repeated key", []string{"--sweep", "effort=low,high", "--sweep", "effort=medium,max"}, "given twice"},
		{"flag and sweep", []string{"--effort", "high", "--sweep", "effort=low,high"}, "drop --effort"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestApp(t)
			code := ta.run(context.Background(), append(base, tt.args...)...)
			assert.Equal(t, exitUsage, code, ta.stderr.String())
			assert.Contains(t, ta.stderr.String(), tt.says)
			_, err := os.Stat(ta.dbPath())
			assert.True(t, os.IsNotExist(err), "nothing is run or stored")
		})
	}
}

// TestSweepOnTheMock: one command plans one run per setting (every
// combination of two sweeps), and the report shows the curves and the
// cost frontier of them all.
func TestSweepOnTheMock(t *testing.T) {
	ta := newTestApp(t)
	out := ta.mustRun("run", "-m", "mock/oracle-90", "-m", "mock/oracle-70", "-s", "gsm8k", "--limit", "30",
		"--sweep", "effort=low,high", "--sweep", "max-tokens=1200,8192", "--json")
	sum := decode[[]runSummary](t, out)
	require.Len(t, sum, 8, "2 models × 2 efforts × 2 token limits")
	var settings []string
	for _, s := range sum[:4] {
		assert.Equal(t, "mock/oracle-90", s.Model)
		assert.Equal(t, "complete", s.Status)
		settings = append(settings, s.Setting)
	}
	assert.Equal(t, []string{"effort low, max tokens 1200", "effort low, max tokens 8192", "effort high, max tokens 1200", "effort high, max tokens 8192"}, settings)
	assert.Positive(t, sum[2].Outcomes["truncated"], "high effort overruns a 1200-token limit")

	// Running the same sweep again resumes each setting's run.
	out = ta.mustRun("run", "-m", "mock/oracle-90", "-m", "mock/oracle-70", "-s", "gsm8k", "--limit", "30",
		"--sweep", "effort=low,high", "--sweep", "max-tokens=1200,8192", "--json")
	for _, s := range decode[[]runSummary](t, out) {
		assert.Equal(t, "already-complete", s.Status)
	}

	type point struct {
		RunID          int64    `json:"run_id"`
		Setting        string   `json:"setting"`
		Truncation     *float64 `json:"truncation_rate"`
		CostPer1K      *float64 `json:"cost_per_1k_items"`
		CostPerCorrect *float64 `json:"cost_per_correct"`
		Optimal        bool     `json:"pareto_optimal"`
	}
	rep := decode[struct {
		Rows   []struct{ RunID int64 } `json:"rows"`
		Curves []struct {
			Model  string  `json:"model"`
			Points []point `json:"points"`
		} `json:"curves"`
		Frontiers []struct {
			Currency string  `json:"currency"`
			Points   []point `json:"points"`
		} `json:"frontiers"`
	}](t, ta.mustRun("report", "--format", "json"))
	assert.Len(t, rep.Rows, 8, "the leaderboard keeps every setting's run")
	require.Len(t, rep.Curves, 2)
	for _, c := range rep.Curves {
		assert.Len(t, c.Points, 4)
		for _, p := range c.Points {
			require.NotNil(t, p.CostPer1K, "oracle-NN has a made-up price")
			assert.Positive(t, *p.CostPer1K)
			require.NotNil(t, p.Truncation)
		}
	}
	require.Len(t, rep.Frontiers, 1)
	f := rep.Frontiers[0]
	assert.Equal(t, "USD", f.Currency)
	assert.Len(t, f.Points, 8)
	costs := make([]float64, len(f.Points))
	optimal := 0
	for i, p := range f.Points {
		costs[i] = *p.CostPer1K
		if p.Optimal {
			optimal++
		}
	}
	assert.True(t, sort.Float64sAreSorted(costs), "cheapest first")
	assert.True(t, f.Points[0].Optimal, "the cheapest run is always on the frontier")
	assert.Less(t, optimal, 8, "some settings cost more for no more accuracy")

	text := ta.mustRun("report")
	assert.Contains(t, text, "Effort and budget curves")
	assert.Contains(t, text, "Cost frontier")
	html := filepath.Join(ta.dir, "board.html")
	ta.mustRun("report", "--format", "html", "--out", html)
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(page), `aria-label="cost frontier on gsm8k@1"`)
}

// TestSweepSendsEachSetting: against a local server, each run of a sweep
// sends its own setting in the provider's field; a provider with no effort
// field would be sent one request per setting that differ in nothing, so
// the sweep is refused before anything is sent.
func TestSweepSendsEachSetting(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	ta := newTestApp(t)
	file := filepath.Join(ta.dir, "providers.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`providers:
  lab:
    base_url: `+srv.BaseURL()+`
    origin: local
    thinking: {style: reasoning_effort}
  plain:
    base_url: `+srv.BaseURL()+`
    origin: local
`), 0o644))
	ta.mustRun("--providers", file, "run", "-m", "lab/m", "-s", "gsm8k", "--limit", "3", "--sweep", "effort=low,medium,high")
	sent := map[string]int{}
	for _, r := range srv.Requests() {
		effort, _ := r.JSON()["reasoning_effort"].(string)
		sent[effort]++
	}
	assert.Equal(t, map[string]int{"low": 3, "medium": 3, "high": 3}, sent)

	before := len(srv.Requests())
	code := ta.run(context.Background(), "--providers", file, "run", "-m", "plain/m", "-s", "gsm8k", "--limit", "3", "--sweep", "effort=low,high")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "same request for effort low and effort high")
	assert.Equal(t, 1, strings.Count(ta.stderr.String(), "parity: "), "one error line")
	assert.Equal(t, before, len(srv.Requests()), "nothing sent")
}

// TestRunsShowsEachSweptSetting: the runs of a sweep differ only in their
// setting, so parity runs names it; a database without one keeps the
// narrower table.
func TestRunsShowsEachSweptSetting(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "5")
	assert.NotContains(t, ta.mustRun("runs"), "SETTING")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "5", "--sweep", "effort=low,high")
	out := ta.mustRun("runs")
	assert.Regexp(t, `RUN +STATUS +MODEL +SUITE +SETTING +DONE`, out)
	assert.Regexp(t, `(?m)^1 +complete +mock/oracle +gsm8k@1 \[mock\] +- +5/5`, out)
	assert.Regexp(t, `(?m)^2 +complete +mock/oracle +gsm8k@1 \[mock\] +effort low +5/5`, out)
	assert.Regexp(t, `(?m)^3 +complete +mock/oracle +gsm8k@1 \[mock\] +effort high +5/5`, out)
}
