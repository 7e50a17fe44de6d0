package main

import (
	"context"
	"strings"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"

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
