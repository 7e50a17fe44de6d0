package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/site"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

func (a *app) reportCmd() *cobra.Command {
	var (
		format   string
		sel      boardSelection
		currency string
		rates    []string
		rateDate string
		outFile  string
		bySubj   bool
		text     reports.TextOptions
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the leaderboard: one row per model × suite",
		Long: `Print the leaderboard from the runs in the database: per model × suite the
samples, accuracy with its 95% confidence interval, pass@k and maj@k when more
than one sample was drawn per item, counts per outcome, mean tokens, latency
p50/p95 and cost, then the mean accuracy of CN and West models per suite.
By default the newest run of each model × suite is shown; --all shows every run.`,
		Example: `  parity report
  parity report --format md > leaderboard.md
  parity report --format html --out leaderboard.html
  parity report --by-subject --suite mmlu
  parity report --currency USD --rate CNY=0.1404 --rate-date 2026-11-01

The currency and rates may also live in ~/.config/parity/config.yaml:
  report:
    currency: USD
    rates: {CNY: 0.1404}
    rates_date: "2026-11-01"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if a.jsonOut {
				if f := cmd.Flags().Lookup("format"); f.Changed && format != "json" {
					return usagef("--json and --format %s ask for two formats: give one", format)
				}
				format = "json"
			}
			if !validFormat(format) {
				return usagef("--format %q is not valid: use one of %s", format, strings.Join(site.Formats, ", "))
			}
			if outFile != "" {
				if err := checkOutFile(outFile); err != nil {
					return err
				}
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rateMap, err := parseRates(rates)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("currency") {
				currency = cfg.Report.Currency
			}
			if len(rates) == 0 {
				rateMap = cfg.Report.Rates
			}
			if !cmd.Flags().Changed("rate-date") && len(rates) == 0 {
				rateDate = cfg.Report.RatesDate
			}
			currency = strings.ToUpper(currency)
			if len(rateMap) > 0 && currency == "" {
				return usagef("--rate needs --currency, the currency to convert into")
			}
			// Either may come from the config file; the message names where.
			from := func(flag, key string) string {
				if cmd.Flags().Changed(flag) {
					return "--" + flag
				}
				return key + " in the config file"
			}
			if currency != "" && !isCurrencyCode(currency) {
				return usagef("%s %q is not valid: give a three-letter code, e.g. USD or CNY", from("currency", "report.currency"), currency)
			}
			if _, err := time.Parse(time.DateOnly, rateDate); rateDate != "" && err != nil {
				return usagef("%s %q is not valid: give the date the rates were read as YYYY-MM-DD, e.g. 2026-11-01", from("rate-date", "report.rates_date"), rateDate)
			}
			db, err := a.openDB(ctx, dbRead)
			if err != nil {
				return err
			}
			defer db.Close()
			opt := reports.Options{Now: a.now, Currency: currency, Rates: rateMap, RatesDate: rateDate}
			runs, lb, err := a.leaderboard(ctx, db, sel.selection(), opt)
			if err != nil {
				return err
			}
			if bySubj {
				split, err := a.subjectLeaderboard(ctx, db, runs, opt)
				if err != nil {
					return err
				}
				if split == nil {
					fmt.Fprintln(a.stderr, "no run covers several subjects: the leaderboard is the same by subject")
				} else {
					lb = split
				}
			}
			render := func(w io.Writer) error {
				if format == "text" {
					return reports.RenderText(w, lb, text)
				}
				return site.Render(w, lb, format)
			}
			if outFile == "" {
				return render(a.stdout)
			}
			return writeFileAtomic(outFile, func(f *os.File) error { return render(f) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "text", "output format: "+strings.Join(site.Formats, ", "))
	sel.addFlags(fl)
	fl.StringVar(&currency, "currency", "", "also show costs converted to this currency")
	fl.StringArrayVar(&rates, "rate", nil, "exchange rate into --currency, e.g. CNY=0.1404 (repeatable)")
	fl.StringVar(&rateDate, "rate-date", "", "the date the --rate values were read, shown beside converted costs")
	fl.StringVar(&outFile, "out", "", "write to this file instead of stdout")
	fl.BoolVar(&text.Wide, "wide", false, "text: every column, without folding the ones that are the same in every row into a header line")
	fl.BoolVar(&text.AllPairs, "all-pairs", false, "text: every paired comparison, not only each CN run against the best West run")
	fl.BoolVar(&bySubj, "by-subject", false, "a row per subject (MMLU subject, BBH task, C-Eval/CMMLU subject, MGSM language) of each run over a whole suite")
	return cmd
}

func validFormat(f string) bool {
	for _, v := range site.Formats {
		if f == v {
			return true
		}
	}
	return f == "markdown"
}

// leaderboard selects runs as report and snapshot do and builds their
// leaderboard, folding each run's samples as they stream from the database
// (see foldRuns).
func (a *app) leaderboard(ctx context.Context, db *results.DB, sel *runSelection, opt reports.Options) ([]parity.Run, *reports.Leaderboard, error) {
	runs, err := sel.runs(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	if len(runs) == 0 {
		return nil, nil, parity.Errorf(parity.ErrNotFound, "no runs match: start one with 'parity run' or check 'parity runs'")
	}
	accs, err := foldRuns(ctx, db, runs)
	if err != nil {
		return nil, nil, err
	}
	if opt.Canonical == nil {
		cat, err := a.catalog()
		if err != nil {
			return nil, nil, err
		}
		opt.Canonical = canonicalNames(cat)
	}
	lb, err := reports.BuildFrom(accs, opt)
	return runs, lb, err
}

// subjectLeaderboard builds the leaderboard of runs with a row per run and
// subject: whole-suite runs of suites whose items have subjects (MMLU, BBH,
// C-Eval, CMMLU, MGSM's languages) are split by subject, other runs stay
// whole. It returns nil, having read nothing, when no run splits; else it
// reads the runs' samples again, without their texts.
func (a *app) subjectLeaderboard(ctx context.Context, db *results.DB, runs []parity.Run, opt reports.Options) (*reports.Leaderboard, error) {
	subjects := map[string]map[string]string{} // suite -> item id -> subject
	subjectsOf := func(suite string) (map[string]string, error) {
		if m, ok := subjects[suite]; ok {
			return m, nil
		}
		m := map[string]string{}
		subjects[suite] = m
		s, _, err := suites.Lookup(suite)
		if err != nil {
			return m, nil // a user suite: its runs stay whole
		}
		items, err := s.Items(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Subject != "" {
				m[it.ID] = it.Subject
			}
		}
		return m, nil
	}
	split := false
	for _, r := range runs {
		m, err := subjectsOf(r.Suite.Name)
		if err != nil {
			return nil, err
		}
		split = split || (r.Subject == "" && len(m) > 0)
	}
	if !split {
		return nil, nil
	}
	var in []reports.Input
	for _, r := range runs {
		samples, err := db.Samples(ctx, r.ID, results.SampleFilter{Light: true})
		if err != nil {
			return nil, err
		}
		in = append(in, reports.Input{Run: r, Samples: samples})
	}
	in = reports.BySubject(in, func(r parity.Run, s *parity.Sample) string {
		return subjects[r.Suite.Name][cmp.Or(s.RotationOf, s.ItemID)]
	})
	return reports.Build(in, opt)
}

// foldRuns folds every run's samples into an accumulator as they are read,
// taking only the columns a leaderboard row needs (results.ScoreFields),
// several runs at once.
func foldRuns(ctx context.Context, db *results.DB, runs []parity.Run) ([]*reports.Accumulator, error) {
	return reports.FoldRuns(ctx, runs, func(ctx context.Context, runID int64, fn func(parity.Sample) error) error {
		return db.EachSample(ctx, runID, results.SampleFilter{Fields: results.ScoreFields}, fn)
	})
}

// canonicalNames tells reports which open model a run's model id serves and
// whether the id is on the maker's own API, so one model's runs on several
// hosts are paired.
func canonicalNames(cat *providers.Catalog) func(string) (string, bool) {
	return func(id string) (string, bool) {
		m, p, err := cat.Resolve(id)
		if err != nil {
			return "", false
		}
		c := p.Canonical(m.Name)
		return c, c != "" && !p.Host
	}
}

// parseRates reads CUR=RATE pairs.
// isCurrencyCode reports whether s looks like an ISO 4217 code: three
// letters.
func isCurrencyCode(s string) bool {
	return len(s) == 3 && strings.IndexFunc(s, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }) < 0
}

func parseRates(list []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, s := range list {
		cur, val, ok := strings.Cut(s, "=")
		rate, err := strconv.ParseFloat(val, 64)
		cur = strings.ToUpper(strings.TrimSpace(cur))
		if !ok || err != nil || rate <= 0 || !isCurrencyCode(cur) {
			return nil, usagef("--rate %q is not valid: write CURRENCY=RATE, e.g. CNY=0.1404", s)
		}
		out[cur] = rate
	}
	return out, nil
}

// checkOutFile catches an --out path that cannot be written before any
// work is done, with a message that names the path the user gave rather
// than the temporary file the write goes through.
func checkOutFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("--out %s is a directory: name a file, e.g. %s", path, filepath.Join(path, "leaderboard.html"))
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("--out %s: directory %s does not exist: create it first or name a file in an existing directory", path, dir)
	}
	return nil
}

// writeFileAtomic writes through a temporary file and renames it into
// place, so an error half-way never leaves a truncated report behind.
func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".parity-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private; a report is for sharing.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
