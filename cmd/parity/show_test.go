package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/results"
)

// TestWriteSampleKeepsEndpointTextPrintable checks every field show prints
// of a sample, the finish reason the API chose among them, reaches the
// terminal without control characters.
func TestWriteSampleKeepsEndpointTextPrintable(t *testing.T) {
	const evil = "x\x1b]0;title\x07\n\x1b[2Jy"
	s := parity.Sample{ItemID: "id" + evil, Messages: []parity.Message{{Role: "user", Content: "q" + evil}},
		Completion: parity.Completion{FinishReason: "stop" + evil, Content: "a" + evil, Reasoning: "r" + evil,
			Error: "e" + evil, Raw: "raw" + evil, Request: "req" + evil},
		Score: parity.Score{Outcome: parity.OutcomeWrong, Extracted: "4" + evil, Detail: "d" + evil, Scorer: "s"}}
	var buf strings.Builder
	writeSample(&buf, s, true)
	out := buf.String()
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\x07")
	assert.Contains(t, out, "finish stopx]0;title [2Jy\n", "the finish reason stays on its line")
	assert.Contains(t, out, "error (): ex]0;title [2Jy\n", "so does the error")
	assert.Contains(t, out, "=== idx]0;title [2Jy #0")
}

// TestRunsAndShowPrintNamesAsText: a database may come from elsewhere (a
// shard, a colleague's file), so even its model and suite names reach the
// terminal without control characters.
func TestRunsAndShowPrintNamesAsText(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "1")
	db, err := results.Open(context.Background(), ta.dbPath())
	require.NoError(t, err)
	r, err := db.Run(context.Background(), 1)
	require.NoError(t, err)
	r.ID, r.Fingerprint = 0, ""
	r.Model.ID = "lab/evil\x1b]0;owned\x07"
	r.Suite.Name = "gsm8k\x1b[2J"
	require.NoError(t, db.CreateRun(context.Background(), r))
	require.NoError(t, db.Close())
	for _, args := range [][]string{{"runs"}, {"show", "2"}} {
		out := ta.mustRun(args...)
		assert.Contains(t, out, "lab/evil]0;owned", args)
		assert.NotContains(t, out, "\x1b", args)
		assert.NotContains(t, out, "\x07", args)
	}
}

// TestShowUnknownItem: an --item the run has no sample of is an error that
// shows what an id looks like, in text and JSON alike; a real id (as the
// --help example writes it) shows its sample.
func TestShowUnknownItem(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3")
	for _, args := range [][]string{{"show", "1", "--item", "gsm8k-0042"}, {"show", "1", "--item", "gsm8k-0042", "--json"}} {
		assert.Equal(t, exitError, ta.run(context.Background(), args...), args)
		assert.Regexp(t, `^parity: run 1 has no item "gsm8k-0042": give an id as 'parity show 1' prints it after ===, e\.g\. --item \d+\n$`, ta.stderr.String())
		assert.Empty(t, ta.stdout.String())
	}
	samples := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	require.NotEmpty(t, samples)
	out := ta.mustRun("show", "1", "--item", samples[0].ItemID)
	assert.Contains(t, out, "=== "+samples[0].ItemID+" #0")
}
