package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
)

// runView is what must be the same for a run done in one place and the
// run joined from its shards: everything but ids and times.
type runView struct {
	Fingerprint, Status, Model, Suite, Subject, ModelReported string
	Items, Samples                                            int
	Shard                                                     *parity.Shard
	Data                                                      []string // one line per sample
}

func viewRuns(t *testing.T, path string) map[string]runView {
	t.Helper()
	ctx := context.Background()
	db, err := results.OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	runs, err := db.Runs(ctx, results.RunFilter{})
	require.NoError(t, err)
	out := map[string]runView{}
	for _, r := range runs {
		v := runView{Fingerprint: r.Fingerprint, Status: string(r.Status), Model: r.Model.ID, Suite: r.Suite.Name + "@" + r.Suite.Version,
			Subject: r.Subject, ModelReported: r.ModelReported, Items: r.Items, Samples: r.Samples, Shard: r.Shard}
		ss, err := db.Samples(ctx, r.ID, results.SampleFilter{})
		require.NoError(t, err)
		for _, s := range ss {
			v.Data = append(v.Data, fmt.Sprintf("rot=%s pair=%s %s/%d %s %q %q tokens=%+v cost=%g gold=%s", s.RotationOf, s.Pair, s.ItemID, s.Index,
				s.Score.Outcome, s.Score.Extracted, s.Completion.Content, s.Completion.Usage, s.Cost, s.Gold))
		}
		sort.Strings(v.Data)
		key := v.Model + " " + v.Suite + ":" + v.Subject
		require.NotContains(t, out, key)
		out[key] = v
	}
	return out
}

// reportRows is the JSON report with what differs between databases (run
// ids, latencies measured on the wall clock, generation time) left out.
func reportRows(t *testing.T, ta *testApp) string {
	rep := decode[struct {
		Rows []map[string]any `json:"rows"`
	}](t, ta.mustRun("report", "--format", "json"))
	var lines []string
	for _, r := range rep.Rows {
		delete(r, "run_id")
		delete(r, "latency_p50_ms")
		delete(r, "latency_p95_ms")
		lines = append(lines, fmt.Sprint(r))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestShardsMergeIntoTheRunDoneInOnePlace: a run split into shards on
// different machines (here, databases) and merged is the run done in one
// place: same runs, same samples, same report rows. Rotations of one item
// (CircularEval) and translations of one problem (MGSM) stay in one shard.
func TestShardsMergeIntoTheRunDoneInOnePlace(t *testing.T) {
	commands := [][]string{
		{"run", "-m", "mock/oracle-90", "-m", "mock/oracle", "-s", "gsm8k", "-s", "mgsm", "--limit", "24", "--samples", "2"},
		{"run", "-m", "mock/oracle-90", "-s", "mmlu", "--limit", "9", "--circular"},
	}
	whole := newTestApp(t)
	for _, c := range commands {
		whole.mustRun(c...)
	}

	const n = 3
	shards := make([]string, n)
	for i := range shards {
		ta := newTestApp(t)
		for _, c := range commands {
			ta.mustRun(append(c, "--shard", fmt.Sprintf("%d/%d", i+1, n))...)
		}
		shards[i] = ta.dbPath()
		assert.Contains(t, ta.stdout.String(), fmt.Sprintf("(shard %d/%d)", i+1, n), "the summary names the shard")
		// Every shard has part of each run, and groups are never split.
		for key, v := range viewRuns(t, shards[i]) {
			require.NotNil(t, v.Shard, key)
			assert.Equal(t, i+1, v.Shard.Index)
			assert.Less(t, v.Items, v.Shard.Items, key)
		}
	}
	groupShards := map[string]map[int]bool{}
	for i, path := range shards {
		for key, v := range viewRuns(t, path) {
			for _, line := range v.Data {
				g := strings.Fields(line)[0] // rot=
				if strings.Contains(key, " mgsm@") {
					g = strings.Fields(line)[1] // pair=
				}
				if g == "rot=" || g == "pair=" {
					continue
				}
				g = key + " " + g
				if groupShards[g] == nil {
					groupShards[g] = map[int]bool{}
				}
				groupShards[g][i] = true
			}
		}
	}
	require.NotEmpty(t, groupShards)
	for g, in := range groupShards {
		assert.Len(t, in, 1, "group %s is in one shard", g)
	}

	merged := newTestApp(t)
	// Two shards first: the joined runs are partial, and say why.
	merged.mustRun("merge", shards[0], shards[1])
	for key, v := range viewRuns(t, merged.dbPath()) {
		assert.Equal(t, "partial", v.Status, key)
		assert.Nil(t, v.Shard)
	}
	out := merged.mustRun("merge", shards[2], shards[0], "--json")
	lines := decode[[]mergeLine](t, out)
	require.Len(t, lines, 2)
	assert.Equal(t, 0, lines[1].Samples, "merging a shard again copies nothing")

	want, got := viewRuns(t, whole.dbPath()), viewRuns(t, merged.dbPath())
	require.Len(t, got, len(want))
	for key, w := range want {
		assert.Equal(t, w, got[key], key)
	}
	assert.Equal(t, reportRows(t, whole), reportRows(t, merged))

	// The joined run is the run done in one place: the same command run
	// here without --shard finds it complete.
	merged.mustRun(commands[1]...)
	assert.Contains(t, merged.stderr.String(), "already complete")
}

// TestShardFinishedInOnePlace: a shard that never ran is finished by the
// same command without --shard on the merged database.
func TestShardFinishedInOnePlace(t *testing.T) {
	cmd := []string{"run", "-m", "mock/oracle-90", "-s", "gsm8k", "--limit", "20"}
	first := newTestApp(t)
	first.mustRun(append(cmd, "--shard", "1/2")...)
	merged := newTestApp(t)
	merged.mustRun("merge", first.dbPath())
	out := merged.mustRun(append(cmd, "--json")...)
	sum := decode[[]runSummary](t, out)
	require.Len(t, sum, 1)
	assert.Equal(t, "complete", sum[0].Status)
	assert.Equal(t, 20, sum[0].Done)
	assert.Contains(t, merged.stderr.String(), "resuming run")

	whole := newTestApp(t)
	whole.mustRun(cmd...)
	assert.Equal(t, viewRuns(t, whole.dbPath()), viewRuns(t, merged.dbPath()))
}

func TestShardUsageErrors(t *testing.T) {
	for _, tt := range []struct{ shard, says string }{
		{"2", "INDEX/COUNT"}, {"a/b", "INDEX/COUNT"}, {"1/1", "two shards or more"}, {"0/3", "from 1 to 3"}, {"4/3", "from 1 to 3"},
	} {
		ta := newTestApp(t)
		code := ta.run(context.Background(), "run", "-m", "mock/oracle", "-s", "gsm8k", "--shard", tt.shard)
		assert.Equal(t, exitUsage, code, tt.shard)
		assert.Contains(t, ta.stderr.String(), tt.says, tt.shard)
	}
	ta := newTestApp(t)
	code := ta.run(context.Background(), "run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2", "--shard", "3/3")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, ta.stderr.String(), "has no items")
}

// TestRunOverAnEndpointPool: --base-url takes a list of replicas; requests
// spread over them, each held to --replica-concurrency, and a replica that
// is down is left out with no sample lost.
func TestRunOverAnEndpointPool(t *testing.T) {
	a := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	b := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	ta := newTestApp(t)
	out := ta.mustRun("run", "-m", "lab/exam-model", "--base-url", a.BaseURL()+", "+b.BaseURL(), "-s", "gsm8k", "--limit", "40",
		"--concurrency", "8", "--replica-concurrency", "2", "--json")
	sum := decode[[]runSummary](t, out)
	require.Len(t, sum, 1)
	assert.Equal(t, "complete", sum[0].Status)
	assert.Equal(t, 40, a.Count()+b.Count())
	assert.Positive(t, a.Count())
	assert.Positive(t, b.Count())
	assert.LessOrEqual(t, a.MaxInFlight(), 2)
	assert.LessOrEqual(t, b.MaxInFlight(), 2)

	dead := providertest.New(t, providertest.Options{})
	deadURL := dead.BaseURL()
	dead.Close()
	ta = newTestApp(t)
	before := a.Count()
	out = ta.mustRun("run", "-m", "lab/exam-model", "--base-url", deadURL+","+a.BaseURL(), "-s", "gsm8k", "--limit", "10", "--json")
	sum = decode[[]runSummary](t, out)
	assert.Equal(t, "complete", sum[0].Status, "failover: the dead replica costs no sample")
	assert.Equal(t, 10, a.Count()-before)

	// A cap per replica, for servers of different sizes.
	c := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	d := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	ta = newTestApp(t)
	ta.mustRun("run", "-m", "lab/exam-model", "--base-url", c.BaseURL()+","+d.BaseURL(), "-s", "gsm8k", "--limit", "30",
		"--concurrency", "8", "--replica-concurrency", "3,1")
	assert.Equal(t, 30, c.Count()+d.Count())
	assert.LessOrEqual(t, c.MaxInFlight(), 3)
	assert.LessOrEqual(t, d.MaxInFlight(), 1)

	for _, bad := range []struct{ urls, caps, says string }{
		{",", "", "names no URL"},
		{a.BaseURL() + "," + a.BaseURL(), "", "twice"},
		{a.BaseURL() + ",ftp://x", "", "--base-url"},
		{a.BaseURL() + "," + b.BaseURL(), "1,2,3", "3 caps for 2"},
		{a.BaseURL() + "," + b.BaseURL(), "-1", "not valid"},
	} {
		code := ta.run(context.Background(), "run", "-m", "lab/exam-model", "--base-url", bad.urls, "--replica-concurrency", bad.caps, "-s", "gsm8k", "--limit", "1")
		assert.Equal(t, exitUsage, code, bad.urls)
		assert.Contains(t, ta.stderr.String(), bad.says)
	}
}
