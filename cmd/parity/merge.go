package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity/results"
)

func (a *app) mergeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge SHARD.db...",
		Short: "Merge result databases from other machines into this one",
		Long: `Copy the runs and samples of other parity databases (shards run on other
machines) into the database named by --db. Each shard is merged in one
transaction; merging the same shard twice copies nothing the second time.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx, true)
			if err != nil {
				return err
			}
			defer db.Close()
			var all []results.MergeStats
			for _, p := range args {
				st, err := db.Merge(ctx, p)
				if err != nil {
					return err
				}
				all = append(all, st)
				if !a.jsonOut {
					fmt.Fprintf(a.stdout, "%s: %d runs, %d samples merged; %d runs already present\n", p, st.Runs, st.Samples, st.Skipped)
				}
			}
			if a.jsonOut {
				return a.printJSON(all)
			}
			return nil
		},
	}
	return cmd
}
