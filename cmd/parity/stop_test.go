package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// TestFewShotRunRecordsStopSequences runs a few-shot suite end to end and
// checks that the stored run records the stop sequences it sent, while a
// zero-shot run records none.
func TestFewShotRunRecordsStopSequences(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "mmlu-5shot", "--limit", "2")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	runs := decode[[]parity.Run](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 2)
	for _, r := range runs {
		if r.Suite.Name == "mmlu-5shot" {
			assert.Equal(t, answer.ContinuationStops, r.Params.Stop)
		} else {
			assert.Empty(t, r.Params.Stop, r.Suite.Name)
		}
	}
}
