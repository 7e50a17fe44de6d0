package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

// probeKind is one probe `parity probe` runs and its default suites.
type probeKind struct {
	kind     string
	defaults []string
}

// probeKinds are the probes `parity probe` runs, with the suites each
// uses when none is named: English and Chinese multiple choice for option
// guessing, math for question completion, and the built-in cutoff pairs.
var probeKinds = []probeKind{
	{suites.ProbeGuess, []string{"mmlu", "ceval"}},
	{suites.ProbeComplete, []string{"math500", "cmath"}},
	{"cutoff", nil},
}

// probeReference is the model that cannot have seen any benchmark: the
// offline mock, run beside every probe as its reference row.
const probeReference = reports.ProbeReference

func (a *app) probeCmd() *cobra.Command {
	var (
		o           runOptions
		kinds       []string
		cutoffs     []string
		noReference bool
	)
	cmd := &cobra.Command{
		Use:   "probe -m PROVIDER/MODEL...",
		Short: "Contamination probes: option guessing, question completion, before/after a cutoff",
		Long: `Ask models to reproduce benchmark text they could only know by having seen
it, and compare their accuracy before and after a training cutoff:

  guess     hide one wrong option of a multiple-choice item and ask for its text
            (TS-Guessing, Deng et al. 2023); suites: mmlu and ceval unless -s
  complete  give the first half of a math problem and ask for the rest verbatim;
            suites: math500 and cmath unless -s
  cutoff    run a benchmark from before a training cutoff and one from after
            (aime24 and aime25 unless --cutoff) and report each model's drop
            beside the others'

Probes are suites ("mmlu-guess", "math500-complete") with fixed, versioned
prompts, so their runs are stored, resumed and rescored like any other and show
in 'parity report' and snapshots. The offline mock runs beside them as the
reference, a model that has seen nothing. A probe is evidence, not proof: see
docs/measures.md before reading a number as contamination.`,
		Example: `  parity probe -m mock/oracle
  parity probe -m deepseek/deepseek-v4-pro -m openai/gpt-5.1 --kind guess --limit 300
  parity probe -m dashscope/qwen3-max --kind complete -s math500 -s cmath
  parity probe -m openai/gpt-5.1 --kind cutoff --cutoff aime24:aime25`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.probe(cmd, o, kinds, cutoffs, noReference)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.models, "model", "m", nil, "model as provider/model (repeatable)")
	f.StringSliceVar(&kinds, "kind", []string{suites.ProbeGuess, suites.ProbeComplete, "cutoff"}, "probes to run: guess, complete, cutoff (comma-separated or repeated)")
	f.StringArrayVarP(&o.suiteSpecs, "suite", "s", nil, "suite to probe, instead of the defaults (repeatable; multiple-choice for guess, math for complete)")
	f.StringArrayVar(&cutoffs, "cutoff", nil, "with --kind cutoff, a pair of suites BEFORE:AFTER split by date (repeatable; default aime24:aime25)")
	f.IntVar(&o.limit, "limit", 200, "probe a deterministic sample of N items per suite (0 = all)")
	f.Int64Var(&o.seed, "seed", 1, "seed that picks the --limit sample")
	o.addRequestFlags(f)
	f.BoolVar(&o.fresh, "fresh", false, "start new probe runs even if finished ones exist")
	f.BoolVar(&noReference, "no-reference", false, "do not run the offline mock beside the models as the reference row")
	// Probes decode greedily where the provider allows: a hidden flag so
	// that run's parameter rules apply.
	f.Float64Var(&o.temperature, "temperature", 0, "")
	_ = f.MarkHidden("temperature")
	return cmd
}

func (a *app) probe(cmd *cobra.Command, o runOptions, kinds, cutoffSpecs []string, noReference bool) error {
	ctx := cmd.Context()
	if len(o.models) == 0 {
		return usagef("probe needs at least one model: -m provider/model (try -m mock/oracle offline)")
	}
	cutoffs, err := parseCutoffs(cutoffSpecs)
	if err != nil {
		return err
	}
	named := o.suiteSpecs
	var specs []string
	// fits counts the requested guess and complete probes each named
	// suite fits, so one that fits none is refused rather than dropped.
	fits, why := map[string]int{}, map[string][]string{}
	suiteKinds := 0
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		i := slices.IndexFunc(probeKinds, func(p probeKind) bool { return p.kind == k })
		if i < 0 {
			return usagef("--kind %q is not a probe: use guess, complete or cutoff", k)
		}
		if k == "cutoff" {
			for _, c := range cutoffs {
				specs = append(specs, c.Before, c.After)
			}
			continue
		}
		suiteKinds++
		list := probeKinds[i].defaults
		if len(named) > 0 {
			list = nil
			for _, n := range named {
				name, subject, _ := strings.Cut(n, ":")
				s, _, err := suites.Lookup(name)
				if err != nil {
					return err
				}
				if _, err := suites.Probe(s, k); err != nil {
					why[n] = append(why[n], err.Error())
					continue // a math suite has no option to guess, and so on
				}
				fits[n]++
				spec := name + "-" + k
				if subject != "" {
					spec += ":" + subject
				}
				list = append(list, spec)
			}
			specs = append(specs, list...)
			continue
		}
		for _, n := range list {
			specs = append(specs, n+"-"+k)
		}
	}
	if len(cutoffSpecs) > 0 && !slices.ContainsFunc(kinds, func(k string) bool { return strings.TrimSpace(k) == "cutoff" }) {
		return usagef("--cutoff pairs are for the cutoff probe: add cutoff to --kind, e.g. --kind %s,cutoff", strings.Join(kinds, ","))
	}
	if len(named) > 0 && suiteKinds == 0 {
		return usagef("-s names suites for the guess and complete probes; the cutoff probe takes --cutoff BEFORE:AFTER instead")
	}
	for _, n := range named {
		if suiteKinds > 0 && fits[n] == 0 {
			return usagef("no suite to probe: %s fits no probe asked for (%s): give a multiple-choice suite for guess or a math suite for complete",
				n, strings.Join(why[n], "; "))
		}
	}
	if len(specs) == 0 {
		return usagef("no suite to probe: give a multiple-choice suite for guess or a math suite for complete")
	}
	o.suiteSpecs = slices.Compact(specs)
	if !noReference && !slices.Contains(o.models, probeReference) {
		o.reference = []string{probeReference}
	}
	o.samples, o.quiet = 1, true
	o.maxResponse = providers.DefaultMaxResponseBytes
	// Probes ask for text, not reasoning: greedy decoding where the
	// provider takes it, as the probe papers do.
	if err := cmd.Flags().Set("temperature", "0"); err != nil {
		return err
	}
	res, runErr := a.execute(cmd, o)
	if res == nil {
		return runErr
	}
	db, err := a.openDB(ctx, dbRead)
	if err != nil {
		return err
	}
	defer db.Close()
	var in []reports.Input
	for _, r := range res {
		if r.Run.ID == 0 {
			continue
		}
		ss, err := db.Samples(ctx, r.Run.ID, results.SampleFilter{Light: true})
		if err != nil {
			return err
		}
		in = append(in, reports.Input{Run: r.Run, Samples: ss})
	}
	lb, err := reports.Build(in, reports.Options{Now: a.now, Cutoffs: cutoffs})
	if err != nil {
		return err
	}
	if err := a.printProbes(lb); err != nil {
		return err
	}
	if slices.Contains(kinds, "cutoff") && len(lb.Cutoffs) == 0 && runErr == nil {
		a.noCutoffNote(lb, o.models)
	}
	return runErr
}

// noCutoffNote says why the cutoff probe showed nothing: the drop is not
// measured for the offline mock, which has no training cutoff.
func (a *app) noCutoffNote(lb *reports.Leaderboard, models []string) {
	var mocks []string
	for _, r := range lb.Rows {
		if r.Mock && slices.Contains(models, r.Model) && !slices.Contains(mocks, r.Model) {
			mocks = append(mocks, r.Model)
		}
	}
	if len(mocks) == len(slices.Compact(slices.Sorted(slices.Values(models)))) {
		fmt.Fprintf(a.stderr, "no cutoff drop to show: the offline mock (%s) has no training cutoff; probe a real model to see one\n", strings.Join(mocks, ", "))
		return
	}
	fmt.Fprintln(a.stderr, "no cutoff drop to show: no model scored both suites of a --cutoff pair")
}

// parseCutoffs reads --cutoff BEFORE:AFTER pairs of suite names.
func parseCutoffs(specs []string) ([]reports.Cutoff, error) {
	if len(specs) == 0 {
		return reports.DefaultCutoffs, nil
	}
	var out []reports.Cutoff
	for _, spec := range specs {
		before, after, ok := strings.Cut(spec, ":")
		before, after = strings.TrimSpace(before), strings.TrimSpace(after)
		if !ok || before == "" || after == "" || before == after {
			return nil, usagef("--cutoff %q is not valid: write two suites BEFORE:AFTER, e.g. aime24:aime25", spec)
		}
		for _, name := range []string{before, after} {
			if _, _, err := suites.Lookup(name); err != nil {
				return nil, err
			}
		}
		out = append(out, reports.Cutoff{Before: before, After: after})
	}
	return out, nil
}

// printProbes writes the probe and cutoff tables of lb.
func (a *app) printProbes(lb *reports.Leaderboard) error {
	if a.jsonOut {
		probes, cutoffs := lb.Probes, lb.Cutoffs
		if probes == nil {
			probes = []reports.ProbeResult{}
		}
		if cutoffs == nil {
			cutoffs = []reports.CutoffDrop{}
		}
		return a.printJSON(struct {
			Probes  []reports.ProbeResult `json:"probes"`
			Cutoffs []reports.CutoffDrop  `json:"cutoffs"`
		}{probes, cutoffs})
	}
	var keep []reports.Table
	for _, t := range reports.Tables(lb) {
		if t.Name == reports.TableProbes || t.Name == reports.TableCutoffs {
			keep = append(keep, t)
		}
	}
	w := a.stdout
	for i, t := range keep {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n%s\n", t.Title, t.Blurb)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
		for _, row := range t.Rows {
			cells := make([]string, len(row))
			for j, c := range row {
				cells[j] = reports.Flat(c)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
