package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/runners"
	"github.com/parity-bench/parity/suites"
)

// canaryLine is what `parity canary` reports for one model.
type canaryLine struct {
	Model string `json:"model"`
	// Status is "baseline recorded", "no drift", "drifted" or "failed".
	Status string               `json:"status"`
	Check  *reports.CanaryCheck `json:"check,omitempty"`
	Error  string               `json:"error,omitempty"`
}

func (a *app) canaryCmd() *cobra.Command {
	var (
		o        runOptions
		baseline bool
	)
	cmd := &cobra.Command{
		Use:   "canary MODEL...",
		Short: "Check that each model still answers its fixed canary set as it did (drift detection)",
		Long: `Ask each model a small fixed canary set (items of gsm8k, math500, mmlu, arc,
cmath and mgsm:zh, at temperature 0 with a fixed sampling seed) and compare the
answers with the model's baseline: the model id the API reports, verdicts,
extracted answers, answer text, completion tokens and latency, each tested
against the run-to-run noise the baseline measured (it asks every item twice).

The first run for a model records its baseline; --baseline records a new one.
Every check is stored as a run of its own, so the history stays in the
database. The exit code is 5 when a model has drifted, so a cron job can
alert on it. Keep canaries in their own database (--db canaries.db) if they
should not appear on the leaderboard. See docs/measures.md.`,
		Example: `  parity canary mock/oracle
  parity --db canaries.db canary deepseek/deepseek-v4-pro dashscope/qwen3-max --baseline
  parity --db canaries.db canary deepseek/deepseek-v4-pro dashscope/qwen3-max || notify "drift"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.models = args
			return a.canary(cmd, o, baseline)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&baseline, "baseline", false, "record a new baseline for the models instead of checking against the old one")
	o.addRequestFlags(f)
	// The canary's sampling settings are fixed: these flags exist so that
	// run's parameter rules apply to them, and are not shown.
	f.Float64Var(&o.temperature, "temperature", 0, "")
	f.IntVar(&o.sampleSeed, "sampling-seed", suites.CanarySeed, "")
	_ = f.MarkHidden("temperature")
	_ = f.MarkHidden("sampling-seed")
	return cmd
}

func (a *app) canary(cmd *cobra.Command, o runOptions, newBaseline bool) error {
	ctx := cmd.Context()
	fl := cmd.Flags()
	if err := fl.Set("temperature", "0"); err != nil {
		return err
	}
	if err := fl.Set("sampling-seed", strconv.Itoa(suites.CanarySeed)); err != nil {
		return err
	}
	set, err := suites.CanarySet()
	if err != nil {
		return err
	}
	info := set.Info()
	o.mixed = []selectedSuite{{suite: set}}
	o.seed, o.fresh, o.quiet = suites.CanarySeed, true, true
	o.maxResponse = providers.DefaultMaxResponseBytes

	// Which models have a baseline for this very set and settings. The
	// database is only read here: one that does not exist yet holds none,
	// and is created by the run once every model has passed its checks.
	baselines := map[string]*parity.Run{}
	if _, err := os.Stat(a.databasePath()); err == nil && !newBaseline {
		db, err := a.openDB(ctx, dbRead)
		if err != nil {
			return err
		}
		for _, id := range o.models {
			b, err := latestBaseline(ctx, db, id, info, o.maxTokens)
			if err != nil {
				db.Close()
				return err
			}
			baselines[id] = b
		}
		db.Close()
	}

	var record, check []string
	for _, id := range o.models {
		if baselines[id] == nil {
			record = append(record, id)
		} else {
			check = append(check, id)
		}
	}
	lines := map[string]*canaryLine{}
	var runErr error
	if len(record) > 0 {
		ro := o
		ro.models, ro.samples = record, 2
		ro.announce = fmt.Sprintf("recording the canary baseline of %s: %d items asked twice", strings.Join(record, ", "), info.Items)
		res, err := a.execute(cmd, ro)
		if res == nil && err != nil {
			return err
		}
		runErr = err
		for _, r := range res {
			l := &canaryLine{Model: r.Run.Model.ID, Status: "baseline recorded"}
			if r.Status == runners.StatusPartial {
				l.Status, l.Error = "failed", "the baseline run is partial: run the same command again to finish it"
			}
			lines[l.Model] = l
		}
	}
	if len(check) > 0 {
		co := o
		co.models, co.samples = check, 1
		res, err := a.execute(cmd, co)
		if res == nil && err != nil {
			return err
		}
		if runErr == nil {
			runErr = err
		}
		db, err := a.openDB(ctx, dbRead)
		if err != nil {
			return err
		}
		defer db.Close()
		for _, r := range res {
			l := &canaryLine{Model: r.Run.Model.ID}
			lines[l.Model] = l
			if r.Status == runners.StatusPartial {
				l.Status, l.Error = "failed", "the check run is partial, so nothing was compared: run the same command again"
				continue
			}
			c, err := compareCanary(ctx, db, baselines[l.Model], &r.Run)
			if err != nil {
				l.Status, l.Error = "failed", err.Error()
				continue
			}
			l.Check = &c
			l.Status = "no drift"
			if c.Drifted {
				l.Status = "drifted"
			}
		}
	}

	out := make([]canaryLine, 0, len(o.models))
	var drifted []string
	seen := map[string]bool{}
	for _, id := range o.models {
		if l := lines[id]; l != nil && !seen[id] {
			seen[id] = true
			out = append(out, *l)
			if l.Status == "drifted" {
				drifted = append(drifted, id+" ("+strings.Join(l.Check.What, ", ")+")")
			}
		}
	}
	if err := a.printCanary(out); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if len(drifted) > 0 {
		return parity.Errorf(parity.ErrDrift, "drift: %s changed since the baseline; see the report above, and record a new baseline with --baseline once explained",
			strings.Join(drifted, "; "))
	}
	return nil
}

// latestBaseline is the newest complete baseline run (two samples per
// item) of the canary set for model, with the same token limit, or nil.
func latestBaseline(ctx context.Context, db *results.DB, model string, info parity.SuiteInfo, maxTokens int) (*parity.Run, error) {
	runs, err := db.Runs(ctx, results.RunFilter{Model: model, Suite: info.Name, Status: parity.RunComplete})
	if err != nil {
		return nil, err
	}
	var best *parity.Run
	for i := range runs {
		r := &runs[i]
		if r.Samples != 2 || r.Suite.DataSHA256 != info.DataSHA256 || r.Suite.Version != info.Version || r.Params.MaxTokens != maxTokens {
			continue
		}
		if best == nil || r.StartedAt.After(best.StartedAt) || (r.StartedAt.Equal(best.StartedAt) && r.ID > best.ID) {
			best = r
		}
	}
	return best, nil
}

func compareCanary(ctx context.Context, db *results.DB, base, check *parity.Run) (reports.CanaryCheck, error) {
	load := func(r *parity.Run) (reports.Input, error) {
		ss, err := db.Samples(ctx, r.ID, results.SampleFilter{})
		return reports.Input{Run: *r, Samples: ss}, err
	}
	b, err := load(base)
	if err != nil {
		return reports.CanaryCheck{}, err
	}
	c, err := load(check)
	if err != nil {
		return reports.CanaryCheck{}, err
	}
	return reports.Canary(b, c, suites.CanarySeed)
}

// printCanary writes one block per model: its status and, for a check,
// each signal and the items whose answers changed.
func (a *app) printCanary(lines []canaryLine) error {
	if a.jsonOut {
		return a.printJSON(lines)
	}
	w := a.stdout
	for i, l := range lines {
		if i > 0 {
			fmt.Fprintln(w)
		}
		c := l.Check
		switch {
		case l.Error != "":
			fmt.Fprintf(w, "%s: %s: %s\n", l.Model, l.Status, reports.Flat(l.Error))
			continue
		case c == nil:
			fmt.Fprintf(w, "%s: %s\n", l.Model, l.Status)
			continue
		case c.Drifted:
			fmt.Fprintf(w, "%s: DRIFTED (%s): run %d against baseline run %d of %s, %d items\n", l.Model, strings.Join(c.What, ", "),
				c.Check, c.Baseline, c.BaselineStarted.UTC().Format("2006-01-02 15:04 UTC"), c.Items)
		default:
			fmt.Fprintf(w, "%s: no drift: run %d against baseline run %d of %s, %d items\n", l.Model,
				c.Check, c.Baseline, c.BaselineStarted.UTC().Format("2006-01-02 15:04 UTC"), c.Items)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SIGNAL\tBASELINE\tNOW\tP\tVERDICT\tDETAIL")
		for _, s := range c.Signals {
			verdict := "same"
			switch {
			case s.Drift:
				verdict = "DRIFT"
			case s.Changed:
				verdict = "changed (not counted)"
			}
			detail := s.Detail
			if s.Noise != "" {
				detail = strings.TrimPrefix(strings.Join([]string{detail, "noise: " + s.Noise}, "; "), "; ")
			}
			p := "-"
			if s.P == s.P { // not NaN
				p = strconv.FormatFloat(s.P, 'g', 2, 64)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", s.Name, reports.Flat(s.Baseline), reports.Flat(s.Now), p, verdict, reports.Flat(detail))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(c.Changes) > 0 {
			fmt.Fprintf(w, "  changed items (answer before -> now):\n")
			for _, ch := range c.Changes {
				fmt.Fprintf(w, "    %s: %s (%s) -> %s (%s)\n", reports.Flat(ch.Item), dashIfEmpty(reports.Flat(ch.Before)), ch.BeforeOut, dashIfEmpty(reports.Flat(ch.After)), ch.AfterOut)
			}
		}
	}
	return nil
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
