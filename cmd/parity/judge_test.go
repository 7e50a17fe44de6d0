package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
)

// judgeServer is a lenient judge: it calls every answer correct whose
// response ends with the reference answer's digits, and says why.
func judgeServer(t *testing.T) *providertest.Server {
	return providertest.New(t, providertest.Options{Answer: func(req providertest.ChatRequest) providertest.Reply {
		p := req.Messages[0].Content
		if !strings.Contains(p, "Reference answer:") {
			return providertest.Reply{Content: "not a judge prompt"}
		}
		return providertest.Reply{Content: "The candidate's number matches once units are ignored.\nVERDICT: CORRECT"}
	}})
}

func withProvidersFile(t *testing.T, ta *testApp, yaml string) {
	dir := filepath.Join(ta.dir, ".config", "parity")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "providers.yaml"), []byte(yaml), 0o644))
}

func TestJudgeSecondStage(t *testing.T) {
	srv := judgeServer(t)
	ta := newTestApp(t)
	withProvidersFile(t, ta, "providers:\n  judgeco:\n    base_url: "+srv.BaseURL()+"\n    origin: West\n")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "30")
	before := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	rejected := 0
	for _, s := range before {
		if s.Score.Outcome == parity.OutcomeWrong || s.Score.Outcome == parity.OutcomeUnparsed {
			rejected++
		}
	}
	require.Positive(t, rejected, "the mock gets some wrong")

	lines := decode[[]judgeLine](t, ta.mustRun("judge", "1", "--judge", "judgeco/grader", "--json"))
	require.Len(t, lines, 1)
	assert.Equal(t, rejected, lines[0].Candidates)
	assert.Equal(t, rejected, lines[0].Judged)
	assert.Equal(t, rejected, lines[0].Overturned)
	assert.Equal(t, rejected, srv.Count(), "only rejected answers go to the judge")

	after := decode[[]parity.Sample](t, ta.mustRun("show", "1", "--json"))
	for i, s := range after {
		assert.Equal(t, before[i].Score, s.Score, "the rule verdict is never replaced")
		if s.Score.Outcome == parity.OutcomeCorrect {
			assert.Nil(t, s.Judge, "correct answers are not second-guessed")
			continue
		}
		require.NotNil(t, s.Judge)
		assert.Equal(t, parity.OutcomeCorrect, s.Judge.Outcome)
		assert.Equal(t, "judge:judgeco/grader", s.Judge.Scorer)
	}

	again := decode[[]judgeLine](t, ta.mustRun("judge", "1", "--judge", "judgeco/grader", "--json"))
	assert.Zero(t, again[0].Judged, "already judged samples are skipped")
	assert.Equal(t, rejected, srv.Count())
	ta.mustRun("judge", "1", "--judge", "judgeco/grader", "--redo")
	assert.Equal(t, 2*rejected, srv.Count())

	rep := decode[struct {
		Rows []struct {
			Accuracy        float64 `json:"accuracy"`
			JudgeChecked    int     `json:"judge_checked"`
			JudgeOverturned int     `json:"judge_overturned"`
			JudgeAccuracy   float64 `json:"judge_accuracy"`
		} `json:"rows"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, rejected, rep.Rows[0].JudgeChecked)
	assert.Equal(t, rejected, rep.Rows[0].JudgeOverturned)
	assert.InDelta(t, 1.0, rep.Rows[0].JudgeAccuracy, 1e-12)
	assert.Less(t, rep.Rows[0].Accuracy, 1.0, "the rule accuracy stays what the rules said")
	assert.Contains(t, ta.mustRun("report"), "JUDGE")
}

func TestRunWithJudgeFlag(t *testing.T) {
	srv := judgeServer(t)
	ta := newTestApp(t)
	withProvidersFile(t, ta, "providers:\n  judgeco:\n    base_url: "+srv.BaseURL()+"\n    origin: custom\n")
	out := ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "20", "--judge", "judgeco/grader")
	assert.Contains(t, out, "OVERTURNED")
	assert.Positive(t, srv.Count())

	code := ta.run(context.Background(), "run", "-m", "mock/oracle", "-s", "gsm8k", "--judge", "openai/gpt-4.1")
	assert.Equal(t, exitConfig, code, "the judge's key is checked before the run starts")
	assert.Contains(t, ta.stderr.String(), "OPENAI_API_KEY")
	code = ta.run(context.Background(), "judge", "1")
	assert.Equal(t, exitUsage, code)
}
