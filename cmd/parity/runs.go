package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
)

// runLine is one line of `parity runs`.
type runLine struct {
	parity.Run
	Done     int                    `json:"done"`
	Target   int                    `json:"target"`
	Accuracy *float64               `json:"accuracy"`
	Outcomes map[parity.Outcome]int `json:"outcomes"`
	// Live says, for a run marked running, whether a process still works on
	// it; a run whose process was killed is resumable at once.
	Live *bool `json:"live,omitempty"`
}

// runSelection is the run filter the listing and publishing commands share,
// read from flags that accept every name the tool prints: a suite with its
// subject (mgsm:zh), a repeated --model, and the "stopped" status parity runs
// shows for a running run whose process died.
type runSelection struct {
	ids    []int64
	models []string
	suites []string
	status string
	latest bool
}

// addFlags declares the filter flags; --run and --latest or --all differ
// between commands and are declared by each.
func (s *runSelection) addFlags(fl *pflag.FlagSet) {
	fl.StringArrayVar(&s.models, "model", nil, "only runs of this model (repeatable)")
	fl.StringArrayVar(&s.suites, "suite", nil, "only runs of this suite, or suite:subject such as mgsm:zh (repeatable)")
	fl.StringVar(&s.status, "status", "", "only runs with this status: running, stopped (running but its process ended), partial or complete")
}

// boardSelection is the run selection of the commands that show a
// leaderboard (report, snapshot, serve): the filters, --run and --all.
// Without --run or --all they show the newest run of each model × suite.
type boardSelection struct {
	runSelection
	all bool
}

// addFlags declares the filter flags, --run and --all.
func (b *boardSelection) addFlags(fl *pflag.FlagSet) {
	fl.Int64SliceVar(&b.ids, "run", nil, "only these runs (repeatable or comma-separated)")
	b.runSelection.addFlags(fl)
	fl.BoolVar(&b.all, "all", false, "every run, not only the newest per model × suite")
}

// selection is the runSelection the flags describe.
func (b *boardSelection) selection() *runSelection {
	s := b.runSelection
	s.latest = !b.all && len(s.ids) == 0
	return &s
}

// filtered reports whether any filter narrows the selection.
func (s *runSelection) filtered() bool {
	return len(s.ids) > 0 || len(s.models) > 0 || len(s.suites) > 0 || s.status != ""
}

// runs reads the selected runs, oldest first. The store filters what it
// can; suites with subjects, several models and "stopped" are applied here,
// after Latest, which keeps model × suite × subject apart and so picks the
// same runs either way.
func (s *runSelection) runs(ctx context.Context, db *results.DB) ([]parity.Run, error) {
	f := results.RunFilter{IDs: s.ids, Latest: s.latest}
	stopped := false
	switch st := parity.RunStatus(s.status); st {
	case "":
	case parity.RunRunning, parity.RunPartial, parity.RunComplete:
		f.Status = st
	case "stopped":
		f.Status, stopped = parity.RunRunning, true
	default:
		return nil, usagef("--status %q is not valid: use running, stopped, partial or complete", s.status)
	}
	if len(s.models) == 1 {
		f.Model = s.models[0]
	}
	type suiteSubject struct{ name, subject string }
	var suites []suiteSubject
	for _, v := range s.suites {
		name, subject, _ := strings.Cut(strings.TrimSpace(v), ":")
		if name == "" {
			return nil, usagef("--suite %q is not valid: name a suite, e.g. gsm8k or mgsm:zh", v)
		}
		suites = append(suites, suiteSubject{name, subject})
	}
	if len(suites) == 1 {
		f.Suite = suites[0].name
	}
	all, err := db.Runs(ctx, f)
	if err != nil {
		return nil, err
	}
	// An id asked for by --run that the database does not hold is named,
	// not dropped: the other filters may narrow runs that exist, but a
	// typo in an id is a mistake to report.
	for _, id := range s.ids {
		if !slices.ContainsFunc(all, func(r parity.Run) bool { return r.ID == id }) {
			if _, err := db.Run(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	out := all[:0]
	for _, r := range all {
		if len(s.models) > 1 && !slices.Contains(s.models, r.Model.ID) {
			continue
		}
		if len(suites) > 0 && !slices.ContainsFunc(suites, func(x suiteSubject) bool {
			return x.name == r.Suite.Name && (x.subject == "" || x.subject == r.Subject)
		}) {
			continue
		}
		if stopped {
			held, err := db.Held(ctx, parity.RunLockName(r.ID))
			if err != nil || held {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (a *app) runsCmd() *cobra.Command {
	var sel runSelection
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs in the database with status, progress and accuracy",
		Example: `  parity runs --suite mgsm:zh
  parity runs --status stopped
  parity runs --model deepseek/deepseek-v4-pro --model openai/gpt-6.1-sol`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := sel.runs(ctx, db)
			if err != nil {
				return err
			}
			lines := make([]runLine, 0, len(runs))
			for _, r := range runs {
				c, err := db.Progress(ctx, r.ID)
				if err != nil {
					return err
				}
				l := runLine{Run: r, Done: c.Done, Target: r.Target(), Outcomes: c.ByOutcome}
				if r.Status == parity.RunRunning {
					if held, err := db.Held(ctx, parity.RunLockName(r.ID)); err == nil {
						l.Live = &held
					}
				}
				if acc, _, ok := parity.Accuracy(c.ByOutcome); ok {
					l.Accuracy = &acc
				}
				lines = append(lines, l)
			}
			if a.jsonOut {
				return a.printJSON(lines)
			}
			if len(lines) == 0 {
				if sel.filtered() {
					fmt.Fprintln(a.stderr, "no runs match these filters: drop --model, --suite or --status to see every run")
				} else {
					fmt.Fprintln(a.stderr, "no runs yet: start one with 'parity run'")
				}
				return nil
			}
			// Runs of a sweep differ only in their setting: name it
			// when any run has one.
			swept := slices.ContainsFunc(lines, func(l runLine) bool { return l.Params.Setting() != "" })
			header := "RUN\tSTATUS\tMODEL\tSUITE\tDONE\tACC %\tERRORS\tSTARTED\tNOTE"
			if swept {
				header = strings.Replace(header, "SUITE\t", "SUITE\tSETTING\t", 1)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, header)
			for _, l := range lines {
				acc := "-"
				if l.Accuracy != nil {
					acc = fmt.Sprintf("%.1f", 100**l.Accuracy)
				}
				suite := suiteAt(l.Run)
				if l.Model.Origin == "mock" {
					suite += " [mock]"
				}
				status, note := string(l.Status), l.Note
				if l.Live != nil && !*l.Live {
					status, note = "stopped", "its process ended: run the same command to resume"
				}
				suite = reports.Flat(suite)
				if swept {
					suite += "\t" + cmp.Or(l.Params.Setting(), "-")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%d\t%s\t%s\n", l.ID, status, reports.Flat(l.Model.ID), suite, l.Done, l.Target,
					acc, l.Outcomes[parity.OutcomeError], l.StartedAt.Local().Format(time.DateTime), reports.Flat(note))
			}
			return tw.Flush()
		},
	}
	sel.addFlags(cmd.Flags())
	cmd.Flags().BoolVar(&sel.latest, "latest", false, "only the newest run of each model × suite")
	return cmd
}
