package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
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

func (a *app) runsCmd() *cobra.Command {
	var f results.RunFilter
	var status string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs in the database with status, progress and accuracy",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if status != "" {
				switch s := parity.RunStatus(status); s {
				case parity.RunRunning, parity.RunPartial, parity.RunComplete:
					f.Status = s
				default:
					return usagef("--status %q is not valid: use running, partial or complete", status)
				}
			}
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := db.Runs(ctx, f)
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
				if f.Model != "" || f.Suite != "" || f.Status != "" {
					fmt.Fprintln(a.stderr, "no runs match these filters: drop --model, --suite or --status to see every run")
				} else {
					fmt.Fprintln(a.stderr, "no runs yet: start one with 'parity run'")
				}
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTATUS\tMODEL\tSUITE\tDONE\tACC %\tERRORS\tSTARTED\tNOTE")
			for _, l := range lines {
				acc := "-"
				if l.Accuracy != nil {
					acc = fmt.Sprintf("%.1f", 100**l.Accuracy)
				}
				suite := l.Suite.Name
				if l.Subject != "" {
					suite += ":" + l.Subject
				}
				if l.Model.Origin == "mock" {
					suite += " [mock]"
				}
				status, note := string(l.Status), l.Note
				if l.Live != nil && !*l.Live {
					status, note = "stopped", "its process ended: run the same command to resume"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%d\t%s\t%s\n", l.ID, status, l.Model.ID, suite, l.Done, l.Target,
					acc, l.Outcomes[parity.OutcomeError], l.StartedAt.Local().Format(time.DateTime), note)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&f.Model, "model", "", "only runs of this model")
	cmd.Flags().StringVar(&f.Suite, "suite", "", "only runs of this suite")
	cmd.Flags().StringVar(&status, "status", "", "only runs with this status: running, partial or complete")
	cmd.Flags().BoolVar(&f.Latest, "latest", false, "only the newest run of each model × suite")
	return cmd
}
