package main

import (
	"context"
	"testing"

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
