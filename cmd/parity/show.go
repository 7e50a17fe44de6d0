package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
)

func (a *app) showCmd() *cobra.Command {
	var outcome string
	var f results.SampleFilter
	var raw bool
	cmd := &cobra.Command{
		Use:   "show RUN",
		Short: "Show the samples of a run: prompt, reasoning, answer, extracted, gold, outcome",
		Example: `  parity show 3 --outcome wrong
  parity show 3 --item 1028 --raw   # one item, with the request body as sent and the raw response
  parity show 3 --json | jq '.[] | select(.score.outcome=="unparsed")'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return usagef("show takes a run id (a number from 'parity runs'), not %q", args[0])
			}
			if outcome != "" {
				o, err := parity.ParseOutcome(outcome)
				if err != nil {
					return parity.Errorf(parity.ErrUsage, "--outcome: %v", err)
				}
				f.Outcome = o
			}
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			run, err := db.Run(ctx, id)
			if err != nil {
				return err
			}
			if f.ItemID != "" {
				if err := checkItem(ctx, db, id, f.ItemID); err != nil {
					return err
				}
			}
			if a.jsonOut {
				samples, err := db.Samples(ctx, id, f)
				if err != nil {
					return err
				}
				if !raw {
					for i := range samples {
						samples[i].Completion.Raw, samples[i].Completion.Request = "", ""
					}
				}
				if samples == nil {
					samples = []parity.Sample{}
				}
				return a.printJSON(samples)
			}
			// A database may come from elsewhere (a shard, a colleague's
			// file): even its names are printed as text.
			fmt.Fprintf(a.stdout, "run %d: %s on %s (%s)\n", run.ID, reports.Flat(run.Model.ID), reports.Flat(suiteAt(*run)), run.Status)
			if parity.ModelSubstituted(run.Model.Name, run.ModelReported) {
				fmt.Fprintf(a.stdout, "  ANSWERED BY %s: the API reported another model than the one asked for\n", reports.Flat(run.ModelReported))
			}
			// What the provider could not honour as asked, and what was
			// sent instead, as recorded when the run was planned.
			for _, w := range run.Warnings {
				fmt.Fprintf(a.stdout, "  warning: %s\n", reports.Flat(w))
			}
			n := 0
			err = db.EachSample(ctx, id, f, func(s parity.Sample) error {
				n++
				writeSample(a.stdout, s, raw)
				return nil
			})
			if err != nil {
				return err
			}
			if n == 0 {
				fmt.Fprintln(a.stderr, "no samples match")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&outcome, "outcome", "", "only samples with this outcome (correct, wrong, unparsed, truncated, refused, error)")
	cmd.Flags().StringVar(&f.ItemID, "item", "", "only this item")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "show at most N samples")
	cmd.Flags().BoolVar(&raw, "raw", false, "include the request body as sent and the raw response body")
	return cmd
}

// checkItem refuses an --item the run has no sample of: a typo in an id
// would otherwise look like a filter that matched nothing.
func checkItem(ctx context.Context, db *results.DB, runID int64, item string) error {
	got, err := db.Samples(ctx, runID, results.SampleFilter{ItemID: item, Limit: 1, Light: true})
	if err != nil || len(got) > 0 {
		return err
	}
	example := ""
	if first, err := db.Samples(ctx, runID, results.SampleFilter{Limit: 1, Light: true}); err == nil && len(first) > 0 {
		example = fmt.Sprintf(", e.g. --item %s", reports.Flat(first[0].ItemID))
	}
	return parity.Errorf(parity.ErrNotFound, "run %d has no item %q: give an id as 'parity show %d' prints it after ===%s", runID, reports.Flat(item), runID, example)
}

func writeSample(w io.Writer, s parity.Sample, raw bool) {
	c := s.Completion
	fmt.Fprintf(w, "\n=== %s #%d  %s", reports.Flat(s.ItemID), s.Index, strings.ToUpper(string(s.Score.Outcome)))
	fmt.Fprintf(w, "  extracted %q  gold %q\n", s.Score.Extracted, s.Gold) // %q escapes control characters
	if s.Score.Detail != "" {
		fmt.Fprintf(w, "grader: %s@%s (%s)\n", s.Score.Scorer, s.Score.ScorerVersion, reports.Flat(s.Score.Detail))
	}
	if s.Judge != nil {
		fmt.Fprintf(w, "judge: %s %q (%s@%s)\n", s.Judge.Outcome, s.Judge.Extracted, s.Judge.Scorer, s.Judge.ScorerVersion)
	}
	fmt.Fprintf(w, "tokens: prompt %d, completion %d (reasoning %d)  latency %s  attempts %d  finish %s\n",
		c.Usage.PromptTokens, c.Usage.CompletionTokens, c.Usage.ReasoningTokens, reports.Duration(c.Latency), c.Attempts, reports.Flat(c.FinishReason))
	if c.Error != "" {
		fmt.Fprintf(w, "error (%s): %s\n", c.ErrorCode, reports.Flat(c.Error))
	}
	for _, m := range s.Messages {
		section(w, "prompt ("+m.Role+")", m.Content)
	}
	section(w, "reasoning", c.Reasoning)
	section(w, "answer", c.Content)
	if raw {
		section(w, "request (as sent)", c.Request)
		section(w, "raw", c.Raw)
	}
}

func section(w io.Writer, title, body string) {
	if strings.TrimSpace(body) == "" {
		return
	}
	fmt.Fprintf(w, "--- %s\n%s\n", title, strings.TrimRight(reports.Printable(body), "\n"))
}

// suiteAt names a run's suite as every parity output does:
// name[:subject]@version.
func suiteAt(r parity.Run) string {
	s := r.Suite.Name
	if r.Subject != "" {
		s += ":" + r.Subject
	}
	return s + "@" + r.Suite.Version
}
