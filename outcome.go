package parity

import "fmt"

// Outcome is how a sample ended. Every sample ends in exactly one.
type Outcome string

// The outcomes. Accuracy counts OutcomeCorrect over all scored samples; the
// others are reported in their own columns.
const (
	OutcomeCorrect   Outcome = "correct"
	OutcomeWrong     Outcome = "wrong"
	OutcomeUnparsed  Outcome = "unparsed"  // no answer could be found
	OutcomeTruncated Outcome = "truncated" // hit the token limit before answering
	OutcomeRefused   Outcome = "refused"   // content filter or refusal
	OutcomeError     Outcome = "error"     // the API failed after retries
)

// Outcomes lists every outcome in report order.
var Outcomes = []Outcome{OutcomeCorrect, OutcomeWrong, OutcomeUnparsed, OutcomeTruncated, OutcomeRefused, OutcomeError}

// Scored reports whether a sample with outcome o was graded. An error
// sample was not: the API failed, so there is no answer, and a resumed run
// asks it again.
func (o Outcome) Scored() bool { return o != OutcomeError }

// Accuracy is correct over scored samples, errors left out, from counts of
// outcomes; scored is how many samples that is, and ok is false when none
// was scored.
func Accuracy(counts map[Outcome]int) (acc float64, scored int, ok bool) {
	for o, n := range counts {
		if o.Scored() {
			scored += n
		}
	}
	if scored == 0 {
		return 0, 0, false
	}
	return float64(counts[OutcomeCorrect]) / float64(scored), scored, true
}

// ParseOutcome checks that s names an outcome.
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range Outcomes {
		if string(o) == s {
			return o, nil
		}
	}
	return "", fmt.Errorf("unknown outcome %q: use one of correct, wrong, unparsed, truncated, refused, error", s)
}

// Score is a scorer's verdict on one completion.
type Score struct {
	Outcome Outcome `json:"outcome"`
	// Extracted is the answer the scorer found in the completion, as written.
	Extracted string `json:"extracted,omitempty"`
	// Scorer and ScorerVersion name the grader, so re-scored runs can be told
	// apart from the original ones.
	Scorer        string `json:"scorer"`
	ScorerVersion string `json:"scorer_version"`
	// Detail is a short human-readable note on how the verdict was reached.
	Detail string `json:"detail,omitempty"`
}

// FinishOutcome returns the outcome forced by how the completion ended, if
// any: an API error, a refusal, or a cut-off before any answer. Scorers call
// it first and grade the text only when it returns ok == false. A completion
// that hit the token limit but still contains an answer is graded normally,
// which is why the scorer passes found.
func FinishOutcome(c Completion, found bool) (Outcome, bool) {
	switch {
	case c.Error != "":
		return OutcomeError, true
	case c.FinishReason == FinishContentFilter:
		return OutcomeRefused, true
	case c.FinishReason == FinishLength && !found:
		return OutcomeTruncated, true
	}
	return "", false
}
