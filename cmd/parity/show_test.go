package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parity-bench/parity"
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
	assert.Contains(t, out, "=== idx]0;title [2Jy #0")
}
