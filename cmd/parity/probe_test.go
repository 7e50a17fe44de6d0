package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/suites"
)

func suiteItems(t *testing.T, name string) []parity.Item {
	s, _, err := suites.Lookup(name)
	require.NoError(t, err)
	items, err := s.Items(context.Background())
	require.NoError(t, err)
	return items
}

var optionLine = regexp.MustCompile(`(?m)^([A-Z])\. (.*)$`)

// memoriser answers probes like a model that has the benchmark by heart:
// the hidden option of a masked mmlu question, the rest of a gsm8k
// problem. Anything else gets a shrug.
func memoriser(t *testing.T) func(providertest.ChatRequest) providertest.Reply {
	mmlu, gsm := suiteItems(t, "mmlu"), suiteItems(t, "gsm8k")
	return func(req providertest.ChatRequest) providertest.Reply {
		p := req.Messages[len(req.Messages)-1].Content
		if strings.Contains(p, "[MASK]") {
			shown := map[string]bool{}
			for _, m := range optionLine.FindAllStringSubmatch(p, -1) {
				shown[m[2]] = true
			}
			for _, it := range mmlu {
				if !strings.Contains(p, it.Question+"\n") || len(it.Choices) == 0 {
					continue
				}
				for _, c := range it.Choices {
					if !shown[c] {
						return providertest.Reply{Content: c}
					}
				}
			}
		}
		for _, it := range gsm {
			q := strings.TrimSpace(it.Question)
			half := q[:len(q)/3]
			if strings.Contains(p, half) {
				head := p[strings.Index(p, half):]
				head = head[:strings.Index(head, "\n\n")]
				return providertest.Reply{Content: strings.TrimSpace(strings.TrimPrefix(q, head))}
			}
		}
		return providertest.Reply{Content: "I do not know this text."}
	}
}

// TestProbeFindsAMemoriser: a model that reproduces the benchmark scores
// far above the mock reference on both probes, with a significant paired
// test; the runs are stored like any other and show in the report.
func TestProbeFindsAMemoriser(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: memoriser(t)})
	ta := newTestApp(t)
	out := ta.mustRun("probe", "-m", "lab/memo", "--base-url", srv.BaseURL(), "--kind", "guess,complete",
		"-s", "mmlu", "-s", "gsm8k", "--limit", "15", "--json")
	rep := decode[struct {
		Probes []struct {
			Benchmark string   `json:"benchmark"`
			Model     string   `json:"model"`
			Reference bool     `json:"reference"`
			Items     int      `json:"items"`
			Exact     *float64 `json:"exact_match"`
			Overlap   *float64 `json:"token_overlap"`
			AboveRef  *float64 `json:"above_reference"`
			P         *float64 `json:"p_value"`
		} `json:"probes"`
	}](t, out)
	require.Len(t, rep.Probes, 4, "two probes, each with the model and the mock reference")
	seen := map[string]bool{}
	for _, p := range rep.Probes {
		require.NotNil(t, p.Exact)
		seen[p.Benchmark] = true
		assert.Equal(t, 15, p.Items)
		if p.Reference {
			assert.Contains(t, p.Model, "mock/oracle")
			assert.Zero(t, *p.Exact, "the mock has seen nothing")
			continue
		}
		assert.Equal(t, 1.0, *p.Exact, p.Benchmark)
		assert.InDelta(t, 1.0, *p.Overlap, 1e-9)
		require.NotNil(t, p.AboveRef)
		assert.Equal(t, 1.0, *p.AboveRef)
		assert.Less(t, *p.P, 0.001)
	}
	assert.True(t, seen["mmlu-guess@1+guess."+suites.ProbeVersion])
	assert.True(t, seen["gsm8k-complete@1+complete."+suites.ProbeVersion])

	// Stored like any run: resumable (nothing asked again) and in reports.
	before := srv.Count()
	ta.mustRun("probe", "-m", "lab/memo", "--base-url", srv.BaseURL(), "--kind", "guess,complete", "-s", "mmlu", "-s", "gsm8k", "--limit", "15")
	assert.Equal(t, before, srv.Count(), "finished probe runs are not asked again")
	assert.Contains(t, ta.stdout.String(), "Contamination probes")
	report := ta.mustRun("report")
	assert.Contains(t, report, "Contamination probes")
	assert.NotContains(t, report, "Parity check", "a probe has no parity check")
	ta.mustRun("rescore", "--all")
}

// TestCutoffDrop: a model right on every AIME 2024 problem and wrong on
// every 2025 one drops 100 points, far beyond a model that does the same
// on both years.
func TestCutoffDrop(t *testing.T) {
	gold := map[string]string{}
	for _, name := range []string{"aime24", "aime25"} {
		s, _, err := suites.Lookup(name)
		require.NoError(t, err)
		for _, it := range suiteItems(t, name) {
			msgs := s.Prompt(it)
			gold[msgs[len(msgs)-1].Content] = name + " " + it.Answer
		}
	}
	var leaked atomic.Bool
	answer := func(req providertest.ChatRequest) providertest.Reply {
		g := strings.Fields(gold[req.Messages[len(req.Messages)-1].Content])
		if len(g) < 2 {
			return providertest.Reply{Content: "?"}
		}
		if leaked.Load() && g[0] == "aime25" {
			return providertest.Reply{Content: "The answer is \\boxed{1000}."}
		}
		return providertest.Reply{Content: fmt.Sprintf("The answer is \\boxed{%s}.", g[1])}
	}
	srv := providertest.New(t, providertest.Options{Answer: answer})
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "lab/steady", "--base-url", srv.BaseURL(), "-s", "aime24", "-s", "aime25")
	leaked.Store(true)
	ta.mustRun("run", "-m", "lab/leaky", "--base-url", srv.BaseURL(), "-s", "aime24", "-s", "aime25")
	rep := decode[struct {
		Cutoffs []struct {
			Model  string   `json:"model"`
			Drop   *float64 `json:"drop"`
			Low    *float64 `json:"ci_low"`
			Others *float64 `json:"others_median_drop"`
			Excess *float64 `json:"excess_drop"`
		} `json:"cutoffs"`
	}](t, ta.mustRun("report", "--format", "json"))
	require.Len(t, rep.Cutoffs, 2)
	for _, c := range rep.Cutoffs {
		switch c.Model {
		case "lab/leaky":
			assert.Equal(t, 1.0, *c.Drop)
			assert.Greater(t, *c.Low, 0.5, "a 100-point drop on 30 problems is well outside noise")
			assert.Equal(t, 1.0, *c.Excess)
		case "lab/steady":
			assert.Zero(t, *c.Drop)
			assert.Equal(t, -1.0, *c.Excess)
		default:
			t.Errorf("unexpected model %s", c.Model)
		}
	}
	assert.Contains(t, ta.mustRun("report"), "Before and after a cutoff")
}

// TestProbeCutoffPairs: --cutoff names the pair parity probe runs and
// reports.
func TestProbeCutoffPairs(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	ta := newTestApp(t)
	out := ta.mustRun("probe", "-m", "lab/m", "--base-url", srv.BaseURL(), "--kind", "cutoff", "--cutoff", "aime25:aime24", "--limit", "5", "--json")
	rep := decode[struct {
		Cutoffs []struct {
			Before string   `json:"before"`
			After  string   `json:"after"`
			Model  string   `json:"model"`
			Drop   *float64 `json:"drop"`
			Others *float64 `json:"others_median_drop"`
		} `json:"cutoffs"`
	}](t, out)
	require.Len(t, rep.Cutoffs, 1, "the mock reference has no cutoff")
	c := rep.Cutoffs[0]
	assert.Equal(t, "aime25", c.Before)
	assert.Equal(t, "aime24", c.After)
	assert.Equal(t, "lab/m", c.Model)
	require.NotNil(t, c.Drop)
	assert.Nil(t, c.Others, "no other model to compare with")
	assert.Equal(t, 10, srv.Count(), "five problems of each year")
}

// TestProbeCutoffOfMocksSaysWhyNothingShows: the cutoff drop skips mocks,
// so a cutoff probe of mocks alone says so instead of printing nothing.
func TestProbeCutoffOfMocksSaysWhyNothingShows(t *testing.T) {
	ta := newTestApp(t)
	out := ta.mustRun("probe", "-m", "mock/oracle-90", "--kind", "cutoff", "--limit", "3")
	assert.Empty(t, out)
	assert.Contains(t, ta.stderr.String(), "no cutoff drop to show: the offline mock (mock/oracle-90) has no training cutoff")
	out = ta.mustRun("probe", "-m", "mock/oracle-90", "--kind", "cutoff", "--limit", "3", "--json")
	assert.JSONEq(t, `{"probes": [], "cutoffs": []}`, out)
}

func TestProbeUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"probe"}, "at least one model"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "vibes"}, "not a probe"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "guess", "-s", "gsm8k"}, "no suite to probe"},
		// bbh is neither multiple choice nor math: with every probe asked
		// for, it must not be skipped in silence (only the cutoff ran).
		{[]string{"probe", "-m", "mock/oracle", "-s", "bbh"}, "bbh fits no probe asked for"},
		{[]string{"probe", "-m", "mock/oracle", "-s", "mmlu", "-s", "bbh"}, "bbh fits no probe asked for"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "cutoff", "-s", "mmlu"}, "--cutoff BEFORE:AFTER"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "guess", "--cutoff", "aime24:aime25"}, "add cutoff to --kind, e.g. --kind guess,cutoff"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "cutoff", "--cutoff", "aime24"}, "BEFORE:AFTER"},
		{[]string{"probe", "-m", "mock/oracle", "--kind", "cutoff", "--cutoff", "aime24:aime24"}, "BEFORE:AFTER"},
	} {
		ta := newTestApp(t)
		assert.Equal(t, exitUsage, ta.run(context.Background(), tt.args...), tt.args)
		assert.Contains(t, ta.stderr.String(), tt.says)
		_, err := os.Stat(ta.dbPath())
		assert.True(t, os.IsNotExist(err), "%v: nothing is run or written", tt.args)
	}
}

// TestSnapshotShowsMeasures: a snapshot of a database with a sweep and
// probes shows the curves, the cost frontier chart and the probes, in its
// page and its data files.
func TestSnapshotShowsMeasures(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle-90", "-m", "mock/oracle-70", "-s", "gsm8k", "--limit", "10", "--sweep", "effort=low,high")
	ta.mustRun("probe", "-m", "mock/oracle-90", "--kind", "guess", "-s", "mmlu", "--limit", "10")
	dir := ta.dir + "/site"
	ta.mustRun("snapshot", dir)
	page, err := os.ReadFile(dir + "/index.html")
	require.NoError(t, err)
	for _, want := range []string{"Effort and budget curves", `aria-label="cost frontier on gsm8k@1"`, "Contamination probes"} {
		assert.Contains(t, string(page), want)
	}
	data, err := os.ReadFile(dir + "/leaderboard.json")
	require.NoError(t, err)
	for _, want := range []string{`"curves"`, `"frontiers"`, `"probes"`} {
		assert.Contains(t, string(data), want)
	}
}

// TestProbeOfAMockVariant: probing a mock variant (the README's offline
// example) keeps mock/oracle alone as the reference; the probed variant
// is a model like any other, compared with it.
func TestProbeOfAMockVariant(t *testing.T) {
	ta := newTestApp(t)
	out := ta.mustRun("probe", "-m", "mock/oracle-90", "--kind", "guess", "-s", "mmlu", "--limit", "5", "--json")
	rep := decode[struct {
		Probes []struct {
			Model     string   `json:"model"`
			Reference bool     `json:"reference"`
			AboveRef  *float64 `json:"above_reference"`
		} `json:"probes"`
	}](t, out)
	require.Len(t, rep.Probes, 2)
	for _, p := range rep.Probes {
		if strings.HasPrefix(p.Model, "mock/oracle-90") {
			assert.False(t, p.Reference, "the probed model is not the reference")
			assert.NotNil(t, p.AboveRef, "it is compared with the reference")
		} else {
			assert.True(t, p.Reference, p.Model)
			assert.Nil(t, p.AboveRef)
		}
	}
	assert.NotContains(t, ta.mustRun("probe", "-m", "mock/oracle-90", "--kind", "guess", "-s", "mmlu", "--limit", "5"), "oracle-90 [mock] (reference)")
}
