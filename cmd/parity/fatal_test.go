package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers/providertest"
)

func TestRejectedKeyStopsTheRunWithExitCode4(t *testing.T) {
	srv := providertest.New(t, providertest.Options{FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
		f := providertest.Status(401, providertest.OpenAIError("Incorrect API key provided\x1b]0;owned\x07", "invalid_request_error", "invalid_api_key"))
		return &f
	}})
	ta := newTestApp(t)
	ta.env["LAB_KEY"] = "sk-wrong-0000"
	code := ta.run(context.Background(), "run", "-m", "lab/m", "--base-url", srv.BaseURL(), "--api-key-env", "LAB_KEY",
		"-s", "gsm8k", "--limit", "50", "--concurrency", "4")
	assert.Equal(t, exitConfig, code, ta.stderr.String())
	assert.Contains(t, ta.stderr.String(), "LAB_KEY", "the message names the variable to fix")
	assert.NotContains(t, ta.stderr.String()+ta.stdout.String(), "sk-wrong-0000")
	assert.NotContains(t, ta.stderr.String(), "\x1b", "the API's message is quoted without its escapes")
	assert.LessOrEqual(t, srv.Count(), 4, "a rejected key stops the run instead of failing every item")

	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	assert.Equal(t, "partial", string(runs[0].Status))
	assert.Zero(t, runs[0].Done, "nothing is recorded as an answer")
	assert.Contains(t, runs[0].Note, "stopped")
	assert.Contains(t, ta.mustRun("runs"), "Incorrect API key provided]0;owned")
	assert.NotContains(t, ta.stdout.String(), "\x1b")
}
