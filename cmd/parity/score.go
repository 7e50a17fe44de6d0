package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
	"github.com/parity-bench/parity/suites/answer"
)

// scoreLine is one input line of `parity score`.
type scoreLine struct {
	Prediction *string  `json:"prediction"`
	Gold       *string  `json:"gold"`
	Choices    []string `json:"choices,omitempty"`
	// Expected is a verdict from another grader, if the input carries one;
	// parity then reports how often it agrees.
	Expected *bool `json:"expected,omitempty"`
}

// scoreResult is one output line: the input fields plus parity's verdict.
type scoreResult struct {
	Line       int            `json:"line"`
	Prediction string         `json:"prediction"`
	Gold       string         `json:"gold"`
	Extracted  string         `json:"extracted"`
	Correct    bool           `json:"correct"`
	Outcome    parity.Outcome `json:"outcome"`
	Detail     string         `json:"detail,omitempty"`
	Expected   *bool          `json:"expected,omitempty"`
	Agree      *bool          `json:"agree,omitempty"`
}

func (a *app) scoreCmd() *cobra.Command {
	var suiteName, kindName string
	var lastNumber bool
	cmd := &cobra.Command{
		Use:   "score [FILE]",
		Short: "Grade predictions made elsewhere (JSONL in, JSONL out)",
		Long: `Grade model outputs produced by another tool. Each input line is a JSON object
{"prediction": "...", "gold": "..."} (plus "choices": [...] for multiple choice,
and optionally "expected": true|false, another grader's verdict to compare with).
Each output line adds "extracted", "correct" and "outcome". A summary goes to stderr.
Grade with a suite's own rules (--suite gsm8k) or with an answer kind
(--kind number|math|choice|text). Reads standard input when FILE is omitted.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (suiteName == "") == (kindName == "") {
				return usagef("score needs exactly one of --suite NAME or --kind number|math|choice|text")
			}
			grade, err := a.grader(suiteName, kindName, lastNumber)
			if err != nil {
				return err
			}
			in, name := a.stdin, "stdin"
			if len(args) == 1 {
				f, err := os.Open(args[0])
				if err != nil {
					return parity.Errorf(parity.ErrUsage, "score: %v", err)
				}
				defer f.Close()
				in, name = f, args[0]
			}
			lines, err := readScoreLines(in, name)
			if err != nil {
				return err
			}
			return a.writeScores(lines, grade)
		},
	}
	cmd.Flags().StringVar(&suiteName, "suite", "", "grade with this suite's extraction and equivalence rules")
	cmd.Flags().StringVar(&kindName, "kind", "", "answer kind: number, math, choice or text")
	cmd.Flags().BoolVar(&lastNumber, "last-number", false, "with --kind number: fall back to the last number in the text")
	return cmd
}

// grader returns a function grading one prediction against one gold answer.
func (a *app) grader(suiteName, kindName string, lastNumber bool) (func(scoreLine) parity.Score, error) {
	if suiteName != "" {
		s, _, err := suites.Lookup(suiteName)
		if err != nil {
			return nil, err
		}
		return func(l scoreLine) parity.Score {
			it := parity.Item{ID: "score", Answer: *l.Gold, Choices: l.Choices}
			return s.Score(it, parity.Completion{Content: *l.Prediction, FinishReason: parity.FinishStop})
		}, nil
	}
	kind, err := answer.ParseKind(kindName)
	if err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "%v", err)
	}
	return func(l scoreLine) parity.Score {
		r := answer.Grade(kind, *l.Prediction, *l.Gold, answer.Options{Choices: l.Choices, LastNumber: lastNumber})
		out := parity.OutcomeUnparsed
		switch {
		case r.Correct:
			out = parity.OutcomeCorrect
		case r.Found:
			out = parity.OutcomeWrong
		}
		return parity.Score{Outcome: out, Extracted: r.Extracted, Detail: r.Detail, Scorer: suites.Scorer, ScorerVersion: answer.Version}
	}, nil
}

// readScoreLines reads and checks the whole input before anything is
// graded, so a bad line 900 does not leave 899 results behind.
func readScoreLines(r io.Reader, name string) ([]scoreLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var out []scoreLine
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var l scoreLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, parity.Errorf(parity.ErrUsage, "%s:%d: not a JSON object: %v", name, n, err)
		}
		if l.Prediction == nil || l.Gold == nil {
			return nil, parity.Errorf(parity.ErrUsage, `%s:%d: each line needs "prediction" and "gold" string fields`, name, n)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "read %s: %v", name, err)
	}
	return out, nil
}

func (a *app) writeScores(lines []scoreLine, grade func(scoreLine) parity.Score) error {
	w := bufio.NewWriter(a.stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	counts := map[parity.Outcome]int{}
	compared, agreed := 0, 0
	for i, l := range lines {
		s := grade(l)
		res := scoreResult{Line: i + 1, Prediction: *l.Prediction, Gold: *l.Gold, Extracted: s.Extracted,
			Correct: s.Outcome == parity.OutcomeCorrect, Outcome: s.Outcome, Detail: s.Detail, Expected: l.Expected}
		counts[s.Outcome]++
		if l.Expected != nil {
			agree := *l.Expected == res.Correct
			res.Agree = &agree
			compared++
			if agree {
				agreed++
			}
		}
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write scores: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write scores: %w", err)
	}
	total := len(lines)
	fmt.Fprintf(a.stderr, "scored %d: correct %d (%s), wrong %d, unparsed %d\n", total,
		counts[parity.OutcomeCorrect], pct(counts[parity.OutcomeCorrect], total), counts[parity.OutcomeWrong], counts[parity.OutcomeUnparsed])
	if compared > 0 {
		fmt.Fprintf(a.stderr, "agreement with \"expected\": %d of %d (%s)\n", agreed, compared, pct(agreed, compared))
	}
	return nil
}

func pct(n, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
}
