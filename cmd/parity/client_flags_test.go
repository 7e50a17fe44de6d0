package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
)

// TestAttemptsAndRetries: --attempts counts the first try, the deprecated
// --retries counts only the tries after it, and giving both is refused.
func TestAttemptsAndRetries(t *testing.T) {
	tests := []struct {
		flags []string
		sent  int
	}{
		{[]string{"--attempts", "1"}, 1},
		{[]string{"--attempts", "3"}, 3},
		{[]string{"--retries", "1"}, 2},
		{[]string{"--retries", "0"}, 1},
		{nil, 5},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			srv := providertest.New(t, providertest.Options{FaultFunc: func(providertest.ChatRequest) *providertest.Fault {
				f := providertest.RateLimited("0.001") // a millisecond between tries
				return &f
			}})
			ta := newTestApp(t)
			args := append([]string{"run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "1", "--json"}, tt.flags...)
			code := ta.run(context.Background(), args...)
			assert.Equal(t, 3, code, "a run whose only sample failed is partial: %s", ta.stderr.String())
			assert.Equal(t, tt.sent, srv.Count())
			if len(tt.flags) > 0 && tt.flags[0] == "--retries" {
				assert.Contains(t, ta.stderr.String(), "use --attempts")
			}
		})
	}
	ta := newTestApp(t)
	code := ta.run(context.Background(), "run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "1", "--attempts", "2", "--retries", "1")
	assert.Equal(t, 2, code)
	assert.Contains(t, ta.stderr.String(), "give only --attempts")
	code = ta.run(context.Background(), "run", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, ta.stdout.String(), "--attempts")
	assert.Contains(t, ta.stdout.String(), "the first included")
}

// TestBaseURLPasswordNotStored: a password in --base-url authenticates the
// requests but is kept out of the database and of 'parity runs --json'.
func TestBaseURLPasswordNotStored(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	ta := newTestApp(t)
	base := strings.Replace(srv.BaseURL(), "http://", "http://alice:pa55word-77@", 1)
	ta.mustRun("run", "-m", "lab/m", "--base-url", base, "-s", "gsm8k", "--limit", "1")
	out := ta.mustRun("runs", "--json")
	assert.NotContains(t, out, "pa55word-77")
	assert.Contains(t, out, "alice@", "the user name stays, so the run still says where it went")

	// Nor is it in an error about the URL.
	for _, urls := range []string{base + "," + base, base + ",ftp://bob:pa55word-77@x/v1"} {
		assert.Equal(t, exitUsage, ta.run(context.Background(), "run", "-m", "lab/m", "--base-url", urls, "-s", "gsm8k", "--limit", "1"))
		assert.NotContains(t, ta.stderr.String(), "pa55word-77", urls)
	}
}

// TestMaxResponseBytes: an answer over --max-response-bytes is an error
// sample that says why, sent once.
func TestMaxResponseBytes(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: strings.Repeat("very long answer ", 1000)}
	}})
	ta := newTestApp(t)
	code := ta.run(context.Background(), "run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "1",
		"--max-response-bytes", "4096")
	assert.Equal(t, 3, code, ta.stderr.String())
	assert.Equal(t, 1, srv.Count(), "an over-size answer is not asked again")
	out := ta.mustRun("show", "1", "--json")
	samples := decode[[]parity.Sample](t, out)
	require.Len(t, samples, 1)
	assert.Equal(t, parity.OutcomeError, samples[0].Score.Outcome)
	assert.Contains(t, samples[0].Completion.Error, "larger than 4 KiB")

	code = ta.run(context.Background(), "run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--max-response-bytes", "0")
	assert.Equal(t, 2, code)
	assert.Contains(t, ta.stderr.String(), "--max-response-bytes")
}

// TestMockAnswerKey: the offline mock finds every item's gold answer in the
// suites of the run, GPQA's options shuffled by the run's seed included,
// even where two suites use the same item ids.
func TestMockAnswerKey(t *testing.T) {
	ta := newTestApp(t)
	out := ta.mustRun("run", "-m", "mock/oracle-100", "-s", "gsm8k", "-s", "cmath", "-s", "gpqa", "--limit", "4", "--seed", "9", "--json")
	sum := decode[[]runSummary](t, out)
	require.Len(t, sum, 3)
	for _, s := range sum {
		assert.Equal(t, 4, s.Outcomes[parity.OutcomeCorrect], "%s: %v", s.Suite, s.Outcomes)
	}
}

// TestShowRequestAsSent: parity show --raw prints each sample's request body
// byte for byte as the endpoint received it, and --json --raw carries it.
func TestShowRequestAsSent(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "1", "--temperature", "0", "--max-tokens", "64")
	require.Equal(t, 1, srv.Count())
	sent := string(srv.Requests()[0].Body)
	assert.Contains(t, sent, `"temperature":0`)

	out := ta.mustRun("show", "1", "--raw")
	assert.Contains(t, out, "--- request (as sent)\n"+sent+"\n")
	samples := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json", "--raw"))
	require.Len(t, samples, 1)
	assert.Equal(t, sent, samples[0].Completion.Request)
	samples = decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	assert.Empty(t, samples[0].Completion.Request, "left out without --raw, like the raw response")
}

// TestDoctorPrintsTheBodySent: doctor shows the first probe's body as the
// client sent it, in text and in JSON.
func TestDoctorPrintsTheBodySent(t *testing.T) {
	ta := newTestApp(t)
	out := ta.mustRun("doctor", "mock/oracle")
	assert.Contains(t, out, `first request sent: {"max_tokens":256,"messages":[{"content":"What is 2+3?`)
	rep := decode[map[string]any](t, ta.mustRun("doctor", "mock/oracle", "--json"))
	body, ok := rep["request"].(map[string]any)
	require.True(t, ok, "the JSON report carries the body as an object: %v", rep["request"])
	assert.Equal(t, "oracle", body["model"])
}
