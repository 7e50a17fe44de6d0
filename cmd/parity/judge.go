package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/runners"
)

// judgeLine reports what the judge did to one run.
type judgeLine struct {
	RunID      int64  `json:"run_id"`
	Model      string `json:"model"`
	Suite      string `json:"suite"`
	Judge      string `json:"judge"`
	Candidates int    `json:"candidates"` // samples the rules marked wrong or unparsed
	Judged     int    `json:"judged"`     // verdicts stored by this invocation
	Overturned int    `json:"overturned"` // of those, judged correct
	Failed     int    `json:"failed"`     // judge requests that failed or gave no verdict
}

func (a *app) judgeCmd() *cobra.Command {
	var (
		judgeID     string
		all, redo   bool
		concurrency int
		suiteFiles  []string
	)
	cmd := &cobra.Command{
		Use:   "judge RUN... --judge PROVIDER/MODEL",
		Short: "Ask an LLM judge about the answers the rules marked wrong or unparsed",
		Long: `Second-stage grading. The rule grader has decided every sample; only those it
marked wrong or unparsed go to the judge, with a fixed, versioned prompt that
shows the question, the reference answer and the end of the model's answer.
Judge verdicts are stored beside the rule verdicts, never instead of them, and
'parity report' shows how often the judge overturned the rules.
Samples already judged by the same judge and prompt version are skipped
unless --redo is given.`,
		Example: `  parity judge 3 4 --judge openai/gpt-4.1
  parity run -m deepseek/deepseek-v4-pro -s math500 --judge openai/gpt-4.1`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if judgeID == "" {
				return usagef("judge needs --judge provider/model, the model that judges")
			}
			ids, err := parseRunIDs("judge", args, all)
			if err != nil {
				return err
			}
			user, err := a.loadUserSuiteMap(suiteFiles)
			if err != nil {
				return err
			}
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			j, err := a.newJudge(cat, judgeID, concurrency)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx, dbWrite)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := db.Runs(ctx, results.RunFilter{IDs: ids})
			if err != nil {
				return err
			}
			if len(ids) > 0 && len(runs) != len(ids) {
				for _, id := range ids {
					if _, err := db.Run(ctx, id); err != nil {
						return err
					}
				}
			}
			lines, err := a.judgeRuns(ctx, db, j, runs, user, redo)
			if perr := a.printJudge(lines); perr != nil {
				return perr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&judgeID, "judge", "", "the judge model, provider/model")
	cmd.Flags().BoolVar(&all, "all", false, "judge every run in the database")
	cmd.Flags().BoolVar(&redo, "redo", false, "ask again about samples this judge already graded")
	cmd.Flags().IntVar(&concurrency, "concurrency", runners.DefaultConcurrency, "judge requests in flight at once")
	cmd.Flags().StringArrayVar(&suiteFiles, "suite-file", nil, "user suite files the runs were made with")
	return cmd
}

// parseRunIDs reads the run ids of commands that take "RUN... | --all".
func parseRunIDs(command string, args []string, all bool) ([]int64, error) {
	if all == (len(args) > 0) {
		return nil, usagef("%s takes run ids or --all, not both and not neither", command)
	}
	var ids []int64
	for _, s := range args {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return nil, usagef("%s takes run ids (numbers from 'parity runs'), not %q", command, s)
		}
		if slices.Contains(ids, id) {
			continue // a run named twice is handled once
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// newJudge resolves the judge model and checks its key before anything is
// sent, like run does for the models under test.
func (a *app) newJudge(cat *providers.Catalog, id string, concurrency int) (*runners.Judge, error) {
	m, p, err := cat.Resolve(id)
	if err != nil {
		return nil, err
	}
	zero := 0.0
	// A retired judge is refused before its key is looked for, as a
	// retired model under test is.
	if _, err := p.Adapt(m.Name, parity.Params{Temperature: &zero}, a.now()); err != nil {
		return nil, err
	}
	if p.NeedsKey() && a.getenv(p.KeyEnv) == "" {
		return nil, parity.Errorf(parity.ErrCredentials, "API key not set: %s (for the judge %s); export the variable", p.KeyEnv, m.ID)
	}
	client := providers.New(cat, providers.Options{HTTPClient: a.httpClient, Getenv: a.getenv})
	return &runners.Judge{Client: client, Model: m, Concurrency: concurrency, Params: parity.Params{Temperature: &zero}}, nil
}

// judgeRuns sends the rule-rejected samples of each run to the judge and
// stores the verdicts. Verdicts already gathered are stored even when the
// judging stops early.
func (a *app) judgeRuns(ctx context.Context, db *results.DB, j *runners.Judge, runs []parity.Run, user map[string]parity.Suite, redo bool) ([]judgeLine, error) {
	// Find every run's suite before paying for any judge request.
	for _, r := range runs {
		if _, err := suiteOf(r, user); err != nil {
			return nil, err
		}
	}
	var lines []judgeLine
	for _, r := range runs {
		line := judgeLine{RunID: r.ID, Model: r.Model.ID, Suite: r.Suite.Name, Judge: j.Model.ID}
		s, err := suiteOf(r, user)
		if err != nil {
			return lines, err
		}
		items, err := s.Items(ctx)
		if err != nil {
			return lines, fmt.Errorf("judge run %d: %w", r.ID, err)
		}
		byID := make(map[string]parity.Item, len(items))
		for _, it := range items {
			byID[it.ID] = it
		}
		var tasks []runners.JudgeTask
		err = db.EachSample(ctx, r.ID, results.SampleFilter{}, func(smp parity.Sample) error {
			if !runners.NeedsJudge(smp.Score) {
				return nil
			}
			line.Candidates++
			if !redo && smp.Judge != nil && smp.Judge.Scorer == j.Scorer() && smp.Judge.ScorerVersion == runners.JudgeVersion &&
				smp.Judge.Outcome.Scored() {
				return nil
			}
			it := byID[smp.ItemID]
			tasks = append(tasks, runners.JudgeTask{Key: smp.Key(), Question: it.Question, Choices: it.Choices,
				Gold: smp.Gold, Response: smp.Completion.Content})
			return nil
		})
		if err != nil {
			return lines, err
		}
		verdicts, judgeErr := j.Grade(ctx, tasks)
		ups := make([]results.JudgeUpdate, 0, len(verdicts))
		for _, v := range verdicts {
			score := v.Score
			ups = append(ups, results.JudgeUpdate{Key: v.Key, Judge: &score})
			line.Judged++
			switch score.Outcome {
			case parity.OutcomeCorrect:
				line.Overturned++
			case parity.OutcomeError, parity.OutcomeUnparsed:
				line.Failed++
			}
		}
		if len(ups) > 0 {
			if err := db.SetJudges(context.WithoutCancel(ctx), r.ID, ups); err != nil {
				return lines, err
			}
		}
		lines = append(lines, line)
		if judgeErr != nil {
			return lines, judgeErr
		}
	}
	return lines, nil
}

func (a *app) printJudge(lines []judgeLine) error {
	if a.jsonOut {
		if lines == nil {
			lines = []judgeLine{}
		}
		return a.printJSON(lines)
	}
	if len(lines) == 0 {
		fmt.Fprintln(a.stderr, "no runs to judge: start one with 'parity run'")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tMODEL\tSUITE\tJUDGE\tREJECTED BY RULES\tJUDGED NOW\tOVERTURNED\tNO VERDICT")
	for _, l := range lines {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", l.RunID, l.Model, l.Suite, l.Judge, l.Candidates, l.Judged, l.Overturned, l.Failed)
	}
	return tw.Flush()
}

// loadUserSuiteMap loads the --suite-dir suites and --suite-file suites by
// name, for commands that revisit stored runs.
func (a *app) loadUserSuiteMap(files []string) (map[string]parity.Suite, error) {
	m, err := a.userSuites()
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		s, err := suitesLoadUser(p)
		if err != nil {
			return nil, err
		}
		m[s.Info().Name] = s
	}
	return m, nil
}
