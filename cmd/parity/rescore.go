package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

// rescoreLine reports what re-scoring did to one run.
type rescoreLine struct {
	RunID       int64    `json:"run_id"`
	Model       string   `json:"model"`
	Suite       string   `json:"suite"`
	Samples     int      `json:"samples"`
	Changed     int      `json:"changed"`
	Missing     int      `json:"missing_items"`
	OldAccuracy *float64 `json:"old_accuracy"`
	NewAccuracy *float64 `json:"new_accuracy"`
	Scorer      string   `json:"scorer"`
	DataChanged bool     `json:"data_changed,omitempty"`
	// Flips counts the samples whose outcome changed, by direction
	// ("wrong->correct": 12), so a new grader's effect can be read.
	Flips  map[string]int `json:"flips,omitempty"`
	DryRun bool           `json:"dry_run,omitempty"`
}

func (a *app) rescoreCmd() *cobra.Command {
	var all, dryRun bool
	var suiteFiles []string
	cmd := &cobra.Command{
		Use:   "rescore RUN... | --all",
		Short: "Re-grade stored responses with the current graders",
		Long: `Re-grade the stored responses of runs with the graders of this parity, without
sending anything. Every sample keeps the grader name and version that scored
it, so reports can tell runs graded by different versions apart. Use
--dry-run to see what would change.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ids, err := parseRunIDs("rescore", args, all)
			if err != nil {
				return err
			}
			user, err := a.loadUserSuiteMap(suiteFiles)
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx, dbWrite)
			if err != nil {
				return err
			}
			defer db.Close()
			var runs []parity.Run
			if all {
				runs, err = db.Runs(ctx, results.RunFilter{})
			} else {
				for _, id := range ids {
					var r *parity.Run
					if r, err = db.Run(ctx, id); err != nil {
						return err
					}
					runs = append(runs, *r)
				}
			}
			if err != nil {
				return err
			}
			// Find every run's suite first, so a missing user suite stops
			// the command before any run is re-graded, not half-way.
			for _, r := range runs {
				if _, err := suiteOf(r, user); err != nil {
					return err
				}
			}
			out := []rescoreLine{}
			for _, r := range runs {
				line, err := a.rescoreRun(cmd, db, r, user, dryRun)
				if err != nil {
					return err
				}
				out = append(out, line)
			}
			return a.printRescore(out)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "re-grade every run in the database")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would change without saving")
	cmd.Flags().StringArrayVar(&suiteFiles, "suite-file", nil, "user suite files the runs were made with")
	cmd.Args = cobra.ArbitraryArgs
	return cmd
}

// suiteOf finds the suite a stored run was made with.
func suiteOf(r parity.Run, user map[string]parity.Suite) (parity.Suite, error) {
	if s, ok := user[r.Suite.Name]; ok {
		return s, nil
	}
	s, _, err := suites.Lookup(r.Suite.Name)
	if err != nil {
		return nil, parity.Errorf(parity.ErrNotFound, "run %d: suite %q is not built in: pass its file with --suite-file, or its directory with --suite-dir", r.ID, r.Suite.Name)
	}
	if rs, ok := s.(suites.Reseeder); ok {
		s = rs.WithSeed(shuffleSeed(r))
	}
	if strings.HasSuffix(r.Suite.Version, suites.CircularSuffix) {
		s = suites.Circular(s)
	}
	return s, nil
}

// shuffleSeed is the seed a run's options were shuffled with: the one its
// suite version records ("1+shuffle.20240909" for GPQA runs made before the
// shuffle followed --seed, whatever their run seed), else the run's seed.
func shuffleSeed(r parity.Run) int64 {
	v := strings.TrimSuffix(r.Suite.Version, suites.CircularSuffix)
	if _, after, ok := strings.Cut(v, "+shuffle."); ok {
		after, _, _ = strings.Cut(after, "+")
		if n, err := strconv.ParseInt(after, 10, 64); err == nil {
			return n
		}
	}
	return r.Seed
}

func (a *app) rescoreRun(cmd *cobra.Command, db *results.DB, r parity.Run, user map[string]parity.Suite, dryRun bool) (rescoreLine, error) {
	ctx := cmd.Context()
	line := rescoreLine{RunID: r.ID, Model: r.Model.ID, Suite: r.Suite.Name, DryRun: dryRun}
	s, err := suiteOf(r, user)
	if err != nil {
		return line, err
	}
	info := s.Info()
	line.Scorer = info.Scorer + "@" + info.ScorerVersion
	line.DataChanged = info.DataSHA256 != r.Suite.DataSHA256
	items, err := s.Items(ctx)
	if err != nil {
		return line, fmt.Errorf("rescore run %d: %w", r.ID, err)
	}
	byID := make(map[string]parity.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	oldCounts := map[parity.Outcome]int{}
	newCounts := map[parity.Outcome]int{}
	var updates []results.ScoreUpdate
	err = db.EachSample(ctx, r.ID, results.SampleFilter{}, func(smp parity.Sample) error {
		line.Samples++
		oldCounts[smp.Score.Outcome]++
		it, ok := byID[smp.ItemID]
		if !ok {
			line.Missing++
			newCounts[smp.Score.Outcome]++
			return nil
		}
		it.Answer = smp.Gold // grade against the gold the sample was asked with
		sc := s.Score(it, smp.Completion)
		newCounts[sc.Outcome]++
		if sc != smp.Score {
			if sc.Outcome != smp.Score.Outcome {
				line.Changed++
				if line.Flips == nil {
					line.Flips = map[string]int{}
				}
				line.Flips[string(smp.Score.Outcome)+"->"+string(sc.Outcome)]++
			}
			updates = append(updates, results.ScoreUpdate{Key: smp.Key(), Score: sc})
		}
		return nil
	})
	if err != nil {
		return line, err
	}
	if acc, _, ok := parity.Accuracy(oldCounts); ok {
		line.OldAccuracy = &acc
	}
	if acc, _, ok := parity.Accuracy(newCounts); ok {
		line.NewAccuracy = &acc
	}
	if line.DataChanged {
		fmt.Fprintf(a.stderr, "warning: run %d: the %s data changed since the run; samples were matched by item id\n", r.ID, r.Suite.Name)
	}
	if line.Missing > 0 {
		fmt.Fprintf(a.stderr, "warning: run %d: %d samples refer to items the suite no longer has; their scores were kept\n", r.ID, line.Missing)
	}
	if dryRun || len(updates) == 0 {
		return line, nil
	}
	return line, db.UpdateScores(ctx, r.ID, updates)
}

func (a *app) printRescore(lines []rescoreLine) error {
	if a.jsonOut {
		return a.printJSON(lines)
	}
	if len(lines) == 0 {
		fmt.Fprintln(a.stderr, "no runs to re-grade: start one with 'parity run'")
		return nil
	}
	pctp := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f", 100**p)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tMODEL\tSUITE\tSAMPLES\tCHANGED\tACC % BEFORE\tACC % AFTER\tGRADER\tCHANGES")
	for _, l := range lines {
		grader := l.Scorer
		if l.DryRun {
			grader += " (dry run, nothing saved)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", l.RunID, l.Model, l.Suite, l.Samples, l.Changed, pctp(l.OldAccuracy), pctp(l.NewAccuracy), grader, flipText(l.Flips))
	}
	return tw.Flush()
}

// flipText lists the outcome changes of a run, largest first, as
// "wrong->correct 12, correct->wrong 3"; "-" when nothing changed.
func flipText(flips map[string]int) string {
	if len(flips) == 0 {
		return "-"
	}
	keys := slices.Collect(maps.Keys(flips))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(flips[b], flips[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, flips[k])
	}
	return strings.Join(parts, ", ")
}
