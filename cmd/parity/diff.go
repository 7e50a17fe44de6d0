package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
)

func (a *app) diffCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "diff RUN_A RUN_B",
		Short: "Compare two runs item by item: the items whose result differs, with both answers and golds",
		Long: `Compare two runs on the items both scored: every item whose result differs,
with both runs' extracted answers and the gold answer, how many items run B
gains and loses against run A, and the paired test (McNemar's exact test for
one sample per item, else a sign-flip permutation test) with the accuracy
difference and its 95% interval. Runs of one suite in two languages
(mgsm:en and mgsm:zh) are paired on their aligned problems.`,
		Example: `  parity diff 3 7
  parity diff 3 7 --json | jq '.flips[] | select(.b.outcome=="wrong")'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ids := make([]int64, 2)
			for i, s := range args {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id < 1 {
					return usagef("diff takes two run ids (numbers from 'parity runs'), not %q", s)
				}
				ids[i] = id
			}
			if ids[0] == ids[1] {
				return usagef("diff needs two different runs, got run %d twice", ids[0])
			}
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			var sides [2]reports.DiffRun
			for i, id := range ids {
				if sides[i], err = diffRun(ctx, db, id); err != nil {
					return err
				}
			}
			if ra, rb := sides[0].Run, sides[1].Run; ra.Suite.Name != rb.Suite.Name {
				return usagef("run %d is on %s and run %d on %s, so no item pairs: diff two runs of one suite (one suite in two languages pairs too), e.g. from 'parity runs --suite %s'",
					ra.ID, reports.Flat(suiteAt(ra)), rb.ID, reports.Flat(suiteAt(rb)), reports.Flat(ra.Suite.Name))
			}
			d, err := reports.Diff(sides[0], sides[1], reports.Options{})
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(d)
			}
			return writeDiff(a.stdout, d, sides[0].Run, sides[1].Run, limit)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "list at most N differing items in text output (0: all)")
	return cmd
}

// diffRun reads one run and folds its samples, without their texts.
func diffRun(ctx context.Context, db *results.DB, id int64) (reports.DiffRun, error) {
	run, err := db.Run(ctx, id)
	if err != nil {
		return reports.DiffRun{}, err
	}
	var f reports.ItemFolder
	err = db.EachSample(ctx, id, results.SampleFilter{Light: true}, func(s parity.Sample) error {
		f.Add(&s)
		return nil
	})
	return reports.DiffRun{Run: *run, Items: f.Items()}, err
}

func writeDiff(out io.Writer, d reports.DiffResult, ra, rb parity.Run, limit int) error {
	// A bufio.Writer keeps the first write error and returns it from
	// Flush, so the table is written linearly and a closed pipe still
	// reported.
	w := bufio.NewWriter(out)
	name := func(r parity.Run) string {
		return reports.Flat(fmt.Sprintf("run %d: %s on %s", r.ID, r.Model.ID, suiteAt(r)))
	}
	fmt.Fprintf(w, "A = %s\nB = %s\n\n", name(ra), name(rb))
	fmt.Fprintf(w, "%d shared items: A %s%%, B %s%%; B gains %d, loses %d, net %+d\n",
		d.SharedItems, reports.Pct(d.A.Accuracy), reports.Pct(d.B.Accuracy), d.Gained, d.Lost, d.Net)
	fmt.Fprintf(w, "%s (%s)\n", d.Verdict, d.Method)
	if d.Excluded > 0 {
		fmt.Fprintf(w, "%d item(s) scored by only one run are left out\n", d.Excluded)
	}
	if len(d.Flips) == 0 {
		fmt.Fprintln(w, "\nno item differs")
		return w.Flush()
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tA\tA ANSWER\tB\tB ANSWER\tGOLD")
	for i, f := range d.Flips {
		if limit > 0 && i == limit {
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(f.A.ID), result(f.A), cell(f.A.Extracted), result(f.B), cell(f.B.Extracted), cell(f.A.Gold))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if limit > 0 && len(d.Flips) > limit {
		fmt.Fprintf(w, "... and %d more (--limit 0 lists all, --json for scripts)\n", len(d.Flips)-limit)
	}
	return w.Flush()
}

// result is an item's outcome, or its correct share when it drew several
// samples.
func result(r reports.ItemResult) string {
	if r.Total > 1 {
		return fmt.Sprintf("%d/%d correct", r.Correct, r.Scored)
	}
	return string(r.Outcome)
}

// cell keeps an untrusted answer on one line of a terminal table.
func cell(s string) string {
	r := []rune(reports.Flat(s))
	if len(r) > 40 {
		return string(r[:39]) + "…"
	}
	if len(r) == 0 {
		return "-"
	}
	return string(r)
}
