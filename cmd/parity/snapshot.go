package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/site"
	"github.com/parity-bench/parity/results"
)

// snapshotSummary is what 'parity snapshot --json' prints.
type snapshotSummary struct {
	Dir   string  `json:"dir"`
	Files int     `json:"files"`
	Runs  []int64 `json:"runs"`
}

func (a *app) snapshotCmd() *cobra.Command {
	var (
		sel        boardSelection
		suiteFiles []string
	)
	cmd := &cobra.Command{
		Use:   "snapshot DIR",
		Short: "Publish the leaderboard and its runs as a static site anyone can audit",
		Long: `Write the leaderboard and every sample behind it into a new directory: an
index.html that opens from the folder with no network, one page per run with
its exact settings and every answer, the leaderboard as JSON, CSV and
Markdown, runs.json with how each run was made, one JSONL file of samples per
run, a MANIFEST.json and SHA256SUMS to verify it all.

Runs are selected as 'parity report' selects them: by default the newest run
of each model × suite. Prompts and raw responses are not published; each
answer is shown with its question and options only when the suite's licence
allows it (a user suite says so with publish_questions: true); for suites
whose data must stay out of plain text (GPQA) the answers' text is withheld
too. DIR must not exist or be empty.`,
		Example: `  parity snapshot site/2026-11
  parity snapshot board --suite gsm8k --all
  cd site/2026-11 && sha256sum -c SHA256SUMS`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := args[0]
			// Refuse a taken directory before any work; WriteSnapshot
			// checks again when it moves the finished site into place.
			if err := site.CheckSnapshotDir(dir); err != nil {
				return err
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			currency := strings.ToUpper(cfg.Report.Currency)
			if len(cfg.Report.Rates) > 0 && currency == "" {
				return parity.Errorf(parity.ErrConfig, "report.rates in the config file needs report.currency, the currency to convert into")
			}
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, lb, err := a.leaderboard(ctx, db, sel.selection(), reports.Options{Now: a.now, Currency: currency, Rates: cfg.Report.Rates, RatesDate: cfg.Report.RatesDate})
			if err != nil {
				return err
			}
			rules, err := a.publishRules(ctx, suiteFiles)
			if err != nil {
				return err
			}
			subjects, err := a.subjectLeaderboard(ctx, db, runs, reports.Options{Now: a.now, Currency: currency, Rates: cfg.Report.Rates, RatesDate: cfg.Report.RatesDate})
			if err != nil {
				return err
			}
			published := make([]site.SnapshotRun, 0, len(runs))
			for _, r := range runs {
				id := r.ID
				published = append(published, site.SnapshotRun{Run: r, Each: func(ctx context.Context, fn func(parity.Sample) error) error {
					// The snapshot never publishes request messages or raw
					// bodies, so they are not read (nor decoded). Samples are
					// read on another core while the pages are written.
					return reports.Prefetch(ctx, 256, func(ctx context.Context, yield func(parity.Sample) error) error {
						return db.EachSample(ctx, id, results.SampleFilter{Fields: results.PublishedFields}, yield)
					}, fn)
				}})
			}
			snap, err := site.WriteSnapshot(ctx, dir, lb, published, site.SnapshotOptions{
				Now:          a.now,
				Database:     filepath.Base(a.databasePath()),
				Redact:       rules.redact,
				Subjects:     subjects,
				Questions:    rules.questions,
				UserProvider: rules.userProvider,
			})
			if err != nil {
				return err
			}
			if a.jsonOut {
				sum := snapshotSummary{Dir: snap.Dir, Files: len(snap.Files)}
				for _, r := range snap.Manifest.Runs {
					sum.Runs = append(sum.Runs, r.ID)
				}
				return a.printJSON(sum)
			}
			fmt.Fprintf(a.stdout, "%s\n", snap.Dir)
			fmt.Fprintf(a.stderr, "wrote %d files for %d runs into %s; open %s, verify with: cd %s && sha256sum -c SHA256SUMS\n",
				len(snap.Files), len(runs), snap.Dir, filepath.Join(snap.Dir, "index.html"), snap.Dir)
			return nil
		},
	}
	fl := cmd.Flags()
	sel.addFlags(fl)
	fl.StringArrayVar(&suiteFiles, "suite-file", nil, "user suite files the runs were made with, for their questions where the file allows publishing them")
	return cmd
}
