package runners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func judgeTasks(n int) []JudgeTask {
	out := make([]JudgeTask, n)
	for i := range out {
		out[i] = JudgeTask{Key: parity.SampleKey{ItemID: fmt.Sprintf("q%d", i)}, Question: fmt.Sprintf("question %d", i),
			Gold: fmt.Sprintf("gold-%d", i), Response: fmt.Sprintf("answer-%d", i)}
	}
	return out
}

func TestJudgeVerdicts(t *testing.T) {
	replies := map[string]string{
		"gold-0": "Both equal one half.\nVERDICT: CORRECT",
		"gold-1": "Different value.\nVERDICT: INCORRECT",
		"gold-2": "I am not sure what to say.",
		"gold-3": "Hmm VERDICT: CORRECT at first, but on reflection\n**VERDICT: INCORRECT**",
		"gold-4": "结论相同。\nVERDICT：correct",
	}
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		for gold, reply := range replies {
			if strings.Contains(req.Messages[0].Content, "Reference answer:\n"+gold+"\n") {
				return parity.Completion{Content: reply}, nil
			}
		}
		return parity.Completion{}, &parity.Error{Code: parity.ErrServer, Message: "server error (500) after 5 attempts"}
	})
	j := &Judge{Client: client, Model: model("judgeco"), Concurrency: 3}
	got, err := j.Grade(context.Background(), judgeTasks(6))
	require.NoError(t, err)
	require.Len(t, got, 6)
	want := []parity.Outcome{parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeUnparsed,
		parity.OutcomeWrong, parity.OutcomeCorrect, parity.OutcomeError}
	for i, v := range got {
		assert.Equal(t, fmt.Sprintf("q%d", i), v.Key.ItemID, "verdicts come back in task order")
		assert.Equal(t, want[i], v.Score.Outcome, "task %d", i)
		assert.Equal(t, "judge:"+model("judgeco").ID, v.Score.Scorer)
		assert.Equal(t, JudgeVersion, v.Score.ScorerVersion)
	}
	assert.Equal(t, "Both equal one half.", got[0].Score.Detail)
	assert.Equal(t, "INCORRECT", got[3].Score.Extracted, "the last verdict line counts")
	assert.Contains(t, got[5].Score.Detail, "500")
}

func TestJudgePromptIsFixedAndShowsTheEnd(t *testing.T) {
	j := &Judge{Model: model("judgeco")}
	long := strings.Repeat("reasoning ", 1000) + "so the answer is 42"
	p := j.Prompt(JudgeTask{Question: "What?", Choices: []string{"x", "y"}, Gold: "B", Response: long})
	assert.Contains(t, p, "What?\nA. x\nB. y")
	assert.Contains(t, p, "Reference answer:\nB\n")
	assert.Contains(t, p, "so the answer is 42")
	assert.Less(t, len(p), 5000, "only the end of a long response is sent")
	assert.Contains(t, p, `"VERDICT: CORRECT" or "VERDICT: INCORRECT"`)
}

func TestJudgeStopsOnFatalErrorAndCancel(t *testing.T) {
	var calls atomic.Int64
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		if calls.Add(1) > 2 {
			return parity.Completion{}, parity.Errorf(parity.ErrBalance, "judgeco: insufficient balance")
		}
		return parity.Completion{Content: "VERDICT: CORRECT"}, nil
	})
	j := &Judge{Client: client, Model: model("judgeco"), Concurrency: 1}
	got, err := j.Grade(context.Background(), judgeTasks(50))
	require.Error(t, err)
	assert.Equal(t, parity.ErrBalance, parity.CodeOf(err))
	assert.Len(t, got, 2, "verdicts before the fatal error are kept")
	assert.Less(t, int(calls.Load()), 50, "judging stops")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err = (&Judge{Client: correctClient(), Model: model("judgeco")}).Grade(ctx, judgeTasks(5))
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Empty(t, got)
}

func TestNeedsJudge(t *testing.T) {
	for o, want := range map[parity.Outcome]bool{
		parity.OutcomeWrong: true, parity.OutcomeUnparsed: true, parity.OutcomeCorrect: false,
		parity.OutcomeTruncated: false, parity.OutcomeRefused: false, parity.OutcomeError: false,
	} {
		assert.Equal(t, want, NeedsJudge(parity.Score{Outcome: o}), o)
	}
}
