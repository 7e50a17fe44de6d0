package runners

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/parity-bench/parity"
)

// JudgeVersion names the judge prompt and verdict parsing below. Bump it
// whenever either changes, so stored judge verdicts say which rules made
// them.
const JudgeVersion = "1"

// judgePrompt is fixed on purpose: a judge whose wording drifts between
// runs would make its verdicts incomparable.
const judgePrompt = `You are grading an answer to an exam question against the reference answer.
Decide only whether the candidate's final answer is mathematically or semantically
equivalent to the reference answer. Ignore the quality of the reasoning, the
formatting, and any extra explanation. If the candidate gives several different
final answers or none at all, it is incorrect.

Question:
%s

Reference answer:
%s

Candidate's response (its end, where the final answer is):
%s

Reply with one short sentence of justification, then a last line that is exactly
"VERDICT: CORRECT" or "VERDICT: INCORRECT".`

// judgeTail is how much of the candidate's response the judge sees: the
// end, where the final answer is, without paying for the whole reasoning.
const judgeTail = 4000

var verdictRE = regexp.MustCompile(`(?i)VERDICT\s*[:：]\s*\**\s*(CORRECT|INCORRECT)\b`)

// JudgeTask is one sample the rules marked wrong or unparsed, with what the
// judge needs to see.
type JudgeTask struct {
	Key      parity.SampleKey
	Question string   // the item's question
	Choices  []string // options of a multiple-choice item, shown lettered
	Gold     string
	Response string // the model's answer text (not its reasoning)
}

// JudgeVerdict is the judge's grade of one task. Score.Outcome is correct,
// wrong, unparsed (the judge gave no verdict) or error (the request failed).
type JudgeVerdict struct {
	Key   parity.SampleKey
	Score parity.Score
}

// Judge is the optional second grading stage: an LLM asked, with a fixed
// prompt, whether answers the rule scorer rejected are in fact right. Its
// verdicts are stored beside the rule verdicts, never instead of them.
type Judge struct {
	Client parity.Client
	Model  parity.Model
	// Params are sent with every judge request; callers usually set a
	// temperature of 0 and a modest token limit.
	Params parity.Params
	// Concurrency bounds judge requests in flight (default 8).
	Concurrency int
}

// Scorer is the name judge verdicts carry, so a report can tell which
// model judged.
func (j *Judge) Scorer() string { return "judge:" + j.Model.ID }

// Prompt renders the judge's message for one task.
func (j *Judge) Prompt(t JudgeTask) string {
	q := strings.TrimSpace(t.Question)
	for i, c := range t.Choices {
		q += fmt.Sprintf("\n%c. %s", 'A'+rune(i%26), c)
	}
	resp := strings.TrimSpace(t.Response)
	if len(resp) > judgeTail {
		cut := len(resp) - judgeTail
		for cut < len(resp) && !isRuneStart(resp[cut]) {
			cut++
		}
		resp = "…" + resp[cut:]
	}
	return fmt.Sprintf(judgePrompt, q, strings.TrimSpace(t.Gold), resp)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Grade asks the judge about every task and returns one verdict per task,
// in task order. A request that fails becomes an error verdict; a fatal
// provider error (key, balance, unknown model) or a cancelled ctx stops
// the judging and is returned with the verdicts gathered so far, which
// have a non-empty Score.Outcome.
func (j *Judge) Grade(ctx context.Context, tasks []JudgeTask) ([]JudgeVerdict, error) {
	n := j.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]JudgeVerdict, len(tasks))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = j.grade(ctx, tasks[i], cancel)
			}
		}()
	}
feed:
	for i := range tasks {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		done := out[:0]
		for _, v := range out {
			if v.Score.Outcome != "" {
				done = append(done, v)
			}
		}
		return done, err
	}
	return out, nil
}

func (j *Judge) grade(ctx context.Context, t JudgeTask, stop context.CancelCauseFunc) JudgeVerdict {
	if ctx.Err() != nil {
		return JudgeVerdict{}
	}
	v := JudgeVerdict{Key: t.Key, Score: parity.Score{Scorer: j.Scorer(), ScorerVersion: JudgeVersion}}
	req := parity.Request{Model: j.Model.ID, Params: j.Params,
		Messages: []parity.Message{{Role: "user", Content: j.Prompt(t)}}}
	c, err := j.Client.Complete(ctx, req)
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return JudgeVerdict{} // not judged; nothing to store
		}
		if isFatal(parity.CodeOf(err)) {
			stop(fmt.Errorf("judge %s: %w", j.Model.ID, err))
			return JudgeVerdict{}
		}
		v.Score.Outcome = parity.OutcomeError
		v.Score.Detail = oneLine(err.Error())
		return v
	}
	m := verdictRE.FindAllStringSubmatch(c.Content, -1)
	if len(m) == 0 {
		v.Score.Outcome = parity.OutcomeUnparsed
		v.Score.Detail = "the judge gave no VERDICT line"
		return v
	}
	last := strings.ToUpper(m[len(m)-1][1])
	v.Score.Extracted = last
	v.Score.Outcome = parity.OutcomeWrong
	if last == "CORRECT" {
		v.Score.Outcome = parity.OutcomeCorrect
	}
	v.Score.Detail = justification(c.Content)
	return v
}

// justification keeps the judge's first non-empty line, shortened, so a
// reader of `parity show` sees why it decided as it did.
func justification(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || verdictRE.MatchString(line) {
			continue
		}
		if r := []rune(line); len(r) > 200 {
			line = string(r[:200]) + "…"
		}
		return line
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// NeedsJudge reports whether the judge should see a sample: only answers the
// rules marked wrong or unparsed. Truncated, refused and failed samples have
// no final answer to reconsider, and correct ones are not second-guessed.
func NeedsJudge(s parity.Score) bool {
	return s.Outcome == parity.OutcomeWrong || s.Outcome == parity.OutcomeUnparsed
}
