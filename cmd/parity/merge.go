package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity/results"
)

// mergeLine is what merging one shard did, as `parity merge --json` prints it.
type mergeLine struct {
	Shard   string `json:"shard"`
	Runs    int    `json:"runs"`    // runs copied
	Samples int    `json:"samples"` // samples copied with them
	Skipped int    `json:"skipped"` // runs already present
	// Joined counts shard runs (run --shard) joined into their whole run.
	Joined int `json:"joined"`
}

func (a *app) mergeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge SHARD.db...",
		Short: "Merge result databases from other machines into this one",
		Long: `Copy the runs and samples of other parity databases (shards run on other
machines) into the database named by --db. Each shard is merged in one
transaction; merging the same shard twice copies nothing the second time.

Runs made with 'parity run --shard INDEX/COUNT' are joined: the samples of
every shard go into one run, which is complete once all shards are merged
and is then the run done in one place (same report row; the same command
without --shard resumes it).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// A mistyped shard path stops the merge before anything is
			// merged or a new database is created.
			for _, p := range args {
				if err := results.CheckShard(p); err != nil {
					return err
				}
			}
			db, err := a.openDB(ctx, dbCreate)
			if err != nil {
				return err
			}
			defer db.Close()
			// A shard that fails stops the merge, but the shards merged
			// before it are committed, so they are reported all the same.
			var all []mergeLine
			var mergeErr error
			for _, p := range args {
				st, err := db.Merge(ctx, p)
				if err != nil {
					mergeErr = err
					break
				}
				all = append(all, mergeLine{Shard: p, Runs: st.Runs, Samples: st.Samples, Skipped: st.Skipped, Joined: st.Joined})
				if !a.jsonOut {
					fmt.Fprintf(a.stdout, "%s: %d runs, %d samples merged; %d runs already present", p, st.Runs, st.Samples, st.Skipped)
					if st.Joined > 0 {
						fmt.Fprintf(a.stdout, "; %d shard runs joined into their whole runs", st.Joined)
					}
					fmt.Fprintln(a.stdout)
				}
			}
			if a.jsonOut {
				if all == nil {
					all = []mergeLine{}
				}
				if err := a.printJSON(all); err != nil {
					return err
				}
			}
			return mergeErr
		},
	}
	return cmd
}
