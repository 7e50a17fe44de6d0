package main

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
)

// TestCanaryOnTheMock: the first call records a baseline, the next finds
// no drift; both exit 0 and print what they did.
func TestCanaryOnTheMock(t *testing.T) {
	ta := newTestApp(t)
	lines := decode[[]canaryLine](t, ta.mustRun("canary", "mock/oracle", "--json"))
	require.Len(t, lines, 1)
	assert.Equal(t, "baseline recorded", lines[0].Status)
	assert.Contains(t, ta.stderr.String(), "30 items × 2 samples")

	lines = decode[[]canaryLine](t, ta.mustRun("canary", "mock/oracle", "--json"))
	require.Len(t, lines, 1)
	assert.Equal(t, "no drift", lines[0].Status)
	c := lines[0].Check
	require.NotNil(t, c)
	assert.Equal(t, 30, c.Items)
	assert.False(t, c.Drifted)
	names := []string{}
	for _, s := range c.Signals {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"model id", "verdicts", "answers", "answer text", "completion tokens", "latency"}, names)

	// Each check is a run of its own: two runs now besides the baseline.
	ta.mustRun("canary", "mock/oracle")
	// Canary runs are rescored like any other, the set found by its name.
	ta.mustRun("rescore", "--all")
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	assert.Len(t, runs, 3)
	for _, r := range runs {
		require.NotNil(t, r.Params.Temperature)
		assert.Zero(t, *r.Params.Temperature, "canaries run at temperature 0")
		require.NotNil(t, r.Params.Seed)
	}
}

// TestCanaryCatchesAModelSwap: a server that starts serving another model
// under the old name (another reported id, other answers) makes the check
// exit with code 5 and name what changed; a new baseline accepts it.
func TestCanaryCatchesAModelSwap(t *testing.T) {
	var swapped atomic.Bool
	know := evenKnower(t)
	srv := providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		if !swapped.Load() {
			r := know(req)
			r.Model = "exam-model-2025-05"
			return r
		}
		return providertest.Reply{Model: "exam-model-2026-11", Reasoning: "Quick guess.", Content: "The answer is \\boxed{7}. Answer: A"}
	}})
	ta := newTestApp(t)
	args := []string{"canary", "lab/exam-model", "--base-url", srv.BaseURL()}
	ta.mustRun(args...)
	ta.mustRun(args...) // unchanged: no drift
	assert.Contains(t, ta.stdout.String(), "no drift")

	swapped.Store(true)
	code := ta.run(context.Background(), args...)
	assert.Equal(t, exitDrift, code, ta.stderr.String())
	out := ta.stdout.String()
	assert.Contains(t, out, "DRIFTED (model id, answers, answer text)")
	assert.Contains(t, out, "exam-model-2026-11")
	assert.Contains(t, out, "changed items")
	assert.Contains(t, ta.stderr.String(), "drift: lab/exam-model (model id")
	assert.Equal(t, 1, strings.Count(ta.stderr.String(), "parity: "))

	code = ta.run(context.Background(), append(args, "--json")...)
	assert.Equal(t, exitDrift, code)
	lines := decode[[]canaryLine](t, ta.stdout.String())
	require.Len(t, lines, 1)
	assert.True(t, lines[0].Check.Drifted)
	assert.NotEmpty(t, lines[0].Check.Changes)

	ta.mustRun(append(args, "--baseline")...)
	ta.mustRun(args...)
	assert.Contains(t, ta.stdout.String(), "no drift", "the new baseline is the swapped model")
}

func TestCanaryUsage(t *testing.T) {
	ta := newTestApp(t)
	assert.Equal(t, exitUsage, ta.run(context.Background(), "canary"))
	assert.Equal(t, exitUsage, ta.run(context.Background(), "canary", "gpt"))
	assert.Contains(t, ta.stderr.String(), "provider/model")
}

// TestCanaryRefusedWritesNothing: a canary refused before anything is sent
// (a retired model, a missing key) creates no database and does not claim
// to be recording a baseline.
func TestCanaryRefusedWritesNothing(t *testing.T) {
	for _, tt := range []struct {
		model string
		code  int
		says  string
	}{
		{"deepseek/deepseek-reasoner", exitUsage, "retired on"},
		{"deepseek/deepseek-v4-pro", exitConfig, "API key not set"},
	} {
		ta := newTestApp(t)
		assert.Equal(t, tt.code, ta.run(context.Background(), "canary", tt.model), tt.model)
		msg := ta.stderr.String()
		assert.Contains(t, msg, tt.says)
		assert.NotContains(t, msg, "recording the canary baseline")
		assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
		_, err := os.Stat(ta.dbPath())
		assert.True(t, os.IsNotExist(err), "%s: no database is created", tt.model)
	}
	// A canary that runs still says what it records.
	ta := newTestApp(t)
	ta.mustRun("canary", "mock/oracle")
	assert.Contains(t, ta.stderr.String(), "recording the canary baseline of mock/oracle")
}
