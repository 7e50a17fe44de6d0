package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

// goldByPrompt maps the prompt parity sends for each gsm8k item to the item,
// so a fake server can answer like a model that knows some answers.
func goldByPrompt(t *testing.T) map[string]parity.Item {
	s, _, err := suites.Lookup("gsm8k")
	require.NoError(t, err)
	items, err := s.Items(context.Background())
	require.NoError(t, err)
	m := make(map[string]parity.Item, len(items))
	for _, it := range items {
		msgs := s.Prompt(it)
		m[msgs[len(msgs)-1].Content] = it
	}
	return m
}

// evenKnower answers every item whose gold answer is even and gets the odd
// ones wrong by one, so the expected accuracy is known exactly.
func evenKnower(t *testing.T) func(providertest.ChatRequest) providertest.Reply {
	byPrompt := goldByPrompt(t)
	return func(req providertest.ChatRequest) providertest.Reply {
		it, ok := byPrompt[req.Messages[len(req.Messages)-1].Content]
		if !ok {
			return providertest.Reply{Content: "I was asked something I do not know."}
		}
		n, _ := strconv.Atoi(it.Answer)
		if n%2 != 0 {
			n++
		}
		return providertest.Reply{Reasoning: "Let me think step by step.", Content: fmt.Sprintf("The answer is \\boxed{%d}.", n)}
	}
}

func expectedEvenShare(t *testing.T, limit int, seed int64) (int, int) {
	s, _, err := suites.Lookup("gsm8k")
	require.NoError(t, err)
	items, err := s.Items(context.Background())
	require.NoError(t, err)
	sel := parity.Select(items, "", limit, seed)
	even := 0
	for _, it := range sel {
		n, err := strconv.Atoi(it.Answer)
		require.NoError(t, err)
		if n%2 == 0 {
			even++
		}
	}
	return even, len(sel)
}

func TestRunKnownAnswersGivesExactAccuracy(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	ta := newTestApp(t)
	out := ta.mustRun("run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "40", "--seed", "7", "--json")
	sum := decode[[]runSummary](t, out)
	require.Len(t, sum, 1)
	even, n := expectedEvenShare(t, 40, 7)
	require.Equal(t, 40, n)
	assert.Equal(t, "complete", sum[0].Status)
	assert.Equal(t, even, sum[0].Outcomes[parity.OutcomeCorrect])
	assert.Equal(t, n-even, sum[0].Outcomes[parity.OutcomeWrong])
	require.NotNil(t, sum[0].Accuracy)
	assert.InDelta(t, float64(even)/float64(n), *sum[0].Accuracy, 1e-12)
	assert.Equal(t, 40, srv.Count(), "one request per item")

	rep := decode[struct {
		Rows []struct {
			Model    string  `json:"model"`
			Accuracy float64 `json:"accuracy"`
			CILow    float64 `json:"ci_low"`
			CIHigh   float64 `json:"ci_high"`
			Samples  int     `json:"samples"`
			Mock     bool    `json:"mock"`
		} `json:"rows"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, rep.Rows, 1)
	row := rep.Rows[0]
	assert.Equal(t, "lab/exam-model", row.Model)
	assert.InDelta(t, float64(even)/float64(n), row.Accuracy, 1e-12)
	assert.Less(t, row.CILow, row.Accuracy)
	assert.Greater(t, row.CIHigh, row.Accuracy)
	assert.Equal(t, 40, row.Samples)
	assert.False(t, row.Mock)
}

func TestRunResumesAfterInterruptWithNoDuplicateOrGap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Twelve answers, then the server holds requests; once it holds all
	// three the run sends at once, the user presses Ctrl-C. Nothing can be
	// in transit then, so the counts below are exact.
	const answered, concurrency = 12, 3
	srv := newHeldServer(t, answered)
	go func() {
		for range concurrency {
			select {
			case <-srv.held:
			case <-ctx.Done():
				return
			}
		}
		cancel()
	}()
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "30", "--concurrency", "3"}

	code := ta.run(ctx, args...)
	assert.Equal(t, exitInterrupted, code, ta.stderr.String())
	assert.Contains(t, ta.stderr.String(), "run the same command again to resume")

	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	require.Len(t, runs, 1)
	assert.Equal(t, parity.RunPartial, runs[0].Status)
	assert.Equal(t, answered, runs[0].Done, "what was scored before Ctrl-C is kept")
	firstCount := srv.Count()
	require.Equal(t, answered+concurrency, firstCount)

	srv.release()
	ta.mustRun(args...)
	assert.Contains(t, ta.stderr.String(), "resum")
	samples := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	require.Len(t, samples, 30, "no missing sample")
	seen := map[string]bool{}
	for _, s := range samples {
		assert.False(t, seen[s.ItemID], "duplicate sample for %s", s.ItemID)
		seen[s.ItemID] = true
		assert.NotEqual(t, parity.OutcomeError, s.Score.Outcome)
	}
	assert.Equal(t, 30-answered, srv.Count()-firstCount, "the second process asks only for what is missing")

	before := srv.Count()
	out := ta.mustRun(args...)
	assert.Equal(t, before, srv.Count(), "a finished run sends nothing")
	assert.Contains(t, ta.stderr.String()+out, "complete")

	ta.mustRun(append(args, "--fresh")...)
	assert.Equal(t, before+30, srv.Count(), "--fresh starts over")
	runs = decode[[]runLine](t, ta.mustRun("runs", "--json"))
	assert.Len(t, runs, 2)
}

func TestRunSummaryAccuracyIsTheWholeRuns(t *testing.T) {
	ta := newTestApp(t)
	args := []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "20", "--json"}
	first := decode[[]runSummary](t, ta.mustRun(args...))
	require.Len(t, first, 1)
	require.NotNil(t, first[0].Accuracy)

	again := decode[[]runSummary](t, ta.mustRun(args...))
	require.Len(t, again, 1)
	assert.Equal(t, "already-complete", again[0].Status)
	require.NotNil(t, again[0].Accuracy, "a finished run still shows its accuracy")
	assert.InDelta(t, *first[0].Accuracy, *again[0].Accuracy, 1e-12)
	runs := decode[[]runLine](t, ta.mustRun("runs", "--json"))
	assert.InDelta(t, *runs[0].Accuracy, *again[0].Accuracy, 1e-12, "the same figure as 'parity runs'")
}

func TestRunMissingKeyNamesTheVariable(t *testing.T) {
	ta := newTestApp(t)
	code := ta.run(context.Background(), "run", "-m", "deepseek/deepseek-v4-pro", "-s", "gsm8k")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "DEEPSEEK_API_KEY")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(ta.stderr.String()), "\n")+1, "one line")
	_, err := os.Stat(ta.dbPath())
	assert.True(t, os.IsNotExist(err), "nothing is written before the keys are checked")
}

// TestRunRefusesRetiredModel checks a retired id exits 2 (in run and
// doctor) before any key is
// looked for, anything is written or any request is sent, naming what to
// use instead.
func TestRunRefusesRetiredModel(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	for _, args := range [][]string{
		{"run", "-m", "deepseek/deepseek-reasoner", "-s", "gsm8k"},
		{"run", "-m", "deepseek/deepseek-chat", "-s", "gsm8k", "--base-url", srv.BaseURL()},
		{"run", "-m", "openai/o4-mini", "-m", "mock/oracle", "-s", "gsm8k"},
		// doctor refuses it the same way, not with a missing key (exit 4)
		// or a failed check against an endpoint that no longer serves it.
		{"doctor", "deepseek/deepseek-reasoner"},
		{"doctor", "deepseek/deepseek-chat", "--base-url", srv.BaseURL()},
		{"run", "-m", "mock/oracle", "-s", "gsm8k", "--judge", "deepseek/deepseek-reasoner"},
	} {
		ta := newTestApp(t)
		code := ta.run(context.Background(), args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		msg := ta.stderr.String()
		assert.Contains(t, msg, "retired on")
		assert.Regexp(t, `use (deepseek/deepseek-flash|openai/gpt-6.1-terra)`, msg)
		_, err := os.Stat(ta.dbPath())
		assert.True(t, os.IsNotExist(err), "nothing is written for a refused model")
	}
	assert.Zero(t, srv.Count(), "nothing is sent")
}

func TestUsageAndInputErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no model", []string{"run", "-s", "gsm8k"}, exitUsage, "at least one model"},
		{"no suite", []string{"run", "-m", "mock/oracle"}, exitUsage, "at least one suite"},
		{"unknown flag", []string{"run", "--frobnicate"}, exitUsage, "unknown flag"},
		{"bad thinking", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--thinking", "maybe"}, exitUsage, "on, off or auto"},
		{"bad temperature", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--temperature", "9"}, exitUsage, "out of range"},
		{"bad max cost", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--max-cost", "lots"}, exitUsage, "5 USD"},
		// A limit in a currency no model is priced in would guard nothing.
		{"max cost in no model's currency", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--max-cost", "5 XYZ"}, exitUsage, "--max-cost is in XYZ, but the models here are priced in USD: give the limit in USD"},
		{"model without provider", []string{"run", "-m", "gpt", "-s", "gsm8k"}, exitUsage, "provider/model"},
		{"unknown provider", []string{"run", "-m", "nobody/x", "-s", "gsm8k"}, exitUsage, "nobody"},
		{"unknown suite", []string{"run", "-m", "mock/oracle", "-s", "gsm9k"}, exitUsage, "parity suites"},
		{"circular on math", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--circular"}, exitUsage, "multiple-choice"},
		{"base url is the chat endpoint", []string{"run", "-m", "vllm/m", "-s", "gsm8k", "--base-url", "http://127.0.0.1:9/v1/chat/completions"}, exitUsage, "--base-url http://127.0.0.1:9/v1/chat/completions names the chat endpoint: give its base, http://127.0.0.1:9/v1 (parity adds /chat/completions)"},
		{"replica cap of one endpoint", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--base-url", "http://127.0.0.1:9/v1", "--replica-concurrency", "4"}, exitUsage, "--replica-concurrency caps each replica of a --base-url pool"},
		{"unknown region", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--region", "eu"}, exitUsage, `--region "eu" is not valid`},
		{"zero timeout", []string{"run", "-m", "mock/oracle", "-s", "gsm8k", "--timeout", "0s"}, exitUsage, "--timeout 0s"},
		{"show needs a number", []string{"show", "abc"}, exitUsage, "run id"},
		{"extra argument", []string{"runs", "extra"}, exitUsage, "unknown command"},
		{"unknown command", []string{"reprot"}, exitUsage, `did you mean "report"`},
		{"unknown top-level flag", []string{"-x"}, exitUsage, "(see 'parity --help')"},
		{"report without database", []string{"report"}, exitConfig, "does not exist"},
		{"directory as database", []string{"runs", "--db", os.TempDir()}, exitConfig, "parity: cannot open results database " + os.TempDir() + ":"},
		{"bad format", []string{"report", "--format", "pdf"}, exitUsage, "text"},
		{"currency not a code", []string{"report", "--currency", "EURO"}, exitUsage, `--currency "EURO" is not valid: give a three-letter code`},
		{"rate date not a date", []string{"report", "--currency", "USD", "--rate", "CNY=0.14", "--rate-date", "yesterday"}, exitUsage, `--rate-date "yesterday" is not valid`},
		{"two formats", []string{"report", "--format", "csv", "--json"}, exitUsage, "--json and --format csv ask for two formats"},
		{"missing providers file", []string{"--providers", "/nonexistent/p.yaml", "models"}, exitConfig, "/nonexistent/p.yaml"},
		{"providers file missing says which flag", []string{"--providers", "/nonexistent/p.yaml", "models"}, exitConfig, "provider file /nonexistent/p.yaml does not exist: check the --providers path"},
		{"providers file is a directory", []string{"--providers", os.TempDir(), "models"}, exitConfig, "provider file " + os.TempDir() + " is a directory: name a YAML file"},
		{"config file is a directory", []string{"--config", os.TempDir(), "report"}, exitConfig, "config file " + os.TempDir() + " is a directory: name a YAML file with --config"},
		{"suite dir missing", []string{"--suite-dir", "/nonexistent/suites", "suites"}, exitConfig, "suites directory /nonexistent/suites does not exist: check the --suite-dir path"},
		{"suite file missing", []string{"run", "-m", "mock/oracle", "--suite-file", "/nonexistent/s.yaml"}, exitConfig, "suite file /nonexistent/s.yaml does not exist: check the --suite-file path"},
		{"suite file is a directory", []string{"run", "-m", "mock/oracle", "--suite-file", os.TempDir()}, exitConfig, "suite file " + os.TempDir() + " is a directory: name a YAML file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestApp(t)
			code := ta.run(context.Background(), tt.args...)
			assert.Equal(t, tt.code, code, ta.stderr.String())
			assert.Contains(t, ta.stderr.String(), tt.says)
			assert.Equal(t, 1, strings.Count(strings.TrimRight(ta.stderr.String(), "\n"), "\n")+1, "one line: %q", ta.stderr.String())
		})
	}
}

func TestKeysNeverReachTheDatabase(t *testing.T) {
	const key = "sk-live-TOPSECRET-0123456789"
	var sawKey atomic.Bool
	answer := evenKnower(t)
	srv := providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		if req.Authorization == "Bearer "+key {
			sawKey.Store(true)
		}
		return answer(req)
	}})
	ta := newTestApp(t)
	ta.env["LAB_KEY"] = key
	ta.mustRun("run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "--api-key-env", "LAB_KEY", "-s", "gsm8k", "--limit", "5")
	assert.True(t, sawKey.Load(), "the key is sent to the API")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(ta.dbPath() + suffix)
		if err != nil {
			continue
		}
		assert.NotContains(t, string(data), "TOPSECRET", "key found in %s", ta.dbPath()+suffix)
	}
	for _, cmd := range [][]string{{"report", "--format", "html"}, {"show", "1", "--raw"}, {"runs", "--json"}} {
		out := ta.mustRun(cmd...)
		assert.NotContains(t, out+ta.stderr.String(), "TOPSECRET", cmd[0])
	}
}

func TestRunFailedRequestsAreErrorsAndRetriedOnResume(t *testing.T) {
	answer := evenKnower(t)
	var failing atomic.Bool
	failing.Store(true)
	srv := providertest.New(t, providertest.Options{
		Answer: answer,
		FaultFunc: func(req providertest.ChatRequest) *providertest.Fault {
			if failing.Load() {
				f := providertest.Status(400, providertest.OpenAIError("bad request for this prompt", "invalid_request_error", "invalid_prompt"))
				return &f
			}
			return nil
		},
	})
	ta := newTestApp(t)
	args := []string{"run", "-m", "lab/exam-model", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "6", "--json"}
	code := ta.run(context.Background(), args...)
	assert.Equal(t, exitPartial, code, ta.stderr.String())
	sum := decode[[]runSummary](t, ta.stdout.String())
	require.Len(t, sum, 1)
	assert.Equal(t, 6, sum[0].Outcomes[parity.OutcomeError])
	assert.Nil(t, sum[0].Accuracy, "errors are not wrong answers")

	failing.Store(false)
	sum = decode[[]runSummary](t, ta.mustRun(args...))
	assert.Equal(t, "complete", sum[0].Status)
	assert.Equal(t, 6, sum[0].Done)
	db, err := results.Open(context.Background(), ta.dbPath())
	require.NoError(t, err)
	defer db.Close()
	c, err := db.Progress(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 6, c.Stored, "failed samples were replaced, not duplicated")
	assert.Zero(t, c.ByOutcome[parity.OutcomeError])
}

func TestStreamedInlineThinkingIsSplitAndTimed(t *testing.T) {
	answer := evenKnower(t)
	srv := providertest.New(t, providertest.Options{Style: providertest.StyleThinkInline, KeepAlive: true,
		ChunkDelay: time.Millisecond, Answer: answer})
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "lab/m", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "4", "--stream")
	samples := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	require.Len(t, samples, 4)
	for _, s := range samples {
		c := s.Completion
		assert.Contains(t, c.Reasoning, "step by step", "reasoning moved out of <think>")
		assert.NotContains(t, c.Content, "<think>")
		assert.Positive(t, c.TTFT, "time to first token recorded when streaming")
		assert.GreaterOrEqual(t, c.Latency, c.TTFT)
		assert.Positive(t, c.Usage.CompletionTokens, "usage from the final chunk")
		assert.NotEqual(t, parity.OutcomeUnparsed, s.Score.Outcome)
	}
	for _, r := range srv.Requests() {
		assert.True(t, r.Stream)
		assert.True(t, r.IncludeUsage, "stream_options.include_usage is asked for")
	}
}

// TestRunAdaptsAndRecordsWhatWasSent runs MiniMax greedy: the API refuses
// temperature 0, so the run sends the nearest accepted value, and show and
// the report say so. The fake also answers under another model's name,
// which the run records and the report flags.
func TestRunAdaptsAndRecordsWhatWasSent(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Dialect: providertest.DialectMiniMax, Answer: func(req providertest.ChatRequest) providertest.Reply {
		r := evenKnower(t)(req)
		r.Model = "MiniMax-M3"
		return r
	}})
	ta := newTestApp(t)
	ta.env["MINIMAX_API_KEY"] = "sk-test-minimax"
	ta.mustRun("run", "-m", "minimax/MiniMax-M2.7", "--base-url", srv.BaseURL(), "-s", "gsm8k", "--limit", "4", "--temperature", "0")
	assert.Contains(t, ta.stderr.String(), "temperature 0 is not accepted by MiniMax-M2.7 (from 0.01 to 1); sent 0.01")
	require.Equal(t, 4, srv.Count())
	for _, r := range srv.Requests() {
		assert.Equal(t, 0.01, r.JSON()["temperature"], "an accepted value is sent")
	}
	out := ta.mustRun("show", "1", "--limit", "1")
	assert.Contains(t, out, "warning: minimax: temperature 0 is not accepted")
	assert.Contains(t, out, "ANSWERED BY MiniMax-M3")
	assert.Contains(t, ta.mustRun("report"), "minimax/MiniMax-M2.7 [answered by MiniMax-M3]")
}

// TestSameModelOnTwoHosts runs one open model on two hosts, each a local
// fake reached with --base-url as the README shows, and checks report,
// JSON and snapshot pair the hosts on shared items.
func TestSameModelOnTwoHosts(t *testing.T) {
	good := providertest.New(t, providertest.Options{Answer: evenKnower(t)})
	poor := providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: "I cannot say.", Reasoning: "…"}
	}})
	ta := newTestApp(t)
	ta.env["TOGETHER_API_KEY"] = "sk-test-together"
	ta.env["DEEPINFRA_API_KEY"] = "sk-test-deepinfra"
	ta.mustRun("run", "-m", "together/deepseek-ai/DeepSeek-R1", "--base-url", good.BaseURL(), "-s", "gsm8k", "--limit", "6")
	ta.mustRun("run", "-m", "deepinfra/deepseek-ai/DeepSeek-R1", "--base-url", poor.BaseURL(), "-s", "gsm8k", "--limit", "6")

	text := ta.mustRun("report")
	assert.Contains(t, text, "Same model, different hosts")
	assert.Contains(t, text, "deepseek-ai/DeepSeek-R1")

	var doc struct {
		HostGaps []struct {
			Kind        string `json:"kind"`
			SharedItems int    `json:"shared_items"`
			A, B        struct{ Label string }
		} `json:"host_gaps"`
		Rows []struct {
			Origin    string `json:"origin"`
			Canonical string `json:"canonical"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(ta.mustRun("report", "--format", "json")), &doc))
	require.Len(t, doc.HostGaps, 1)
	assert.Equal(t, "host", doc.HostGaps[0].Kind)
	assert.Equal(t, 6, doc.HostGaps[0].SharedItems)
	assert.Equal(t, "deepinfra", doc.HostGaps[0].A.Label, "the poorer host against the better one")
	assert.Equal(t, "together", doc.HostGaps[0].B.Label)
	for _, r := range doc.Rows {
		assert.Equal(t, "CN", r.Origin, "a host's run of DeepSeek's model counts as CN")
		assert.Equal(t, "deepseek-ai/DeepSeek-R1", r.Canonical)
	}

	dir := filepath.Join(ta.dir, "site")
	ta.mustRun("snapshot", dir)
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "Same model, different hosts")
}

// TestMockRunIsNotFlaggedAsSubstituted: the mock reports "mock-oracle" for
// oracle, a vendor prefix on the same name, not another model.
func TestMockRunIsNotFlaggedAsSubstituted(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3")
	assert.NotContains(t, ta.mustRun("report"), "answered by")
	assert.NotContains(t, ta.mustRun("show", "1", "--limit", "1"), "ANSWERED BY")
}

// TestOfflineHostDemo shows the host comparison without a key: the mock
// and a mock host serving the same model less faithfully.
func TestOfflineHostDemo(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-m", "mock-host/oracle-40", "-s", "gsm8k", "--limit", "30")
	text := ta.mustRun("report")
	assert.Contains(t, text, "Same model, different hosts")
	assert.Regexp(t, `parity-mock/oracle +mock-host +mock`, text)
}
