package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/site"
)

// verifyReport is what 'parity verify --json' prints.
type verifyReport struct {
	Dir        string        `json:"dir"`
	OK         bool          `json:"ok"`
	Files      int           `json:"files_checked"`
	Mismatches []string      `json:"mismatches"`
	Runs       []verifiedRun `json:"runs"`
	Against    *snapshotDiff `json:"against,omitempty"`
}

// verifiedRun says how far one published run was checked.
type verifiedRun struct {
	ID        int64  `json:"id"`
	Samples   int    `json:"samples"`
	Regraded  int    `json:"regraded"`
	Grader    string `json:"grader"`
	NotGraded string `json:"not_regraded,omitempty"`
}

// snapshotDiff lists what changed between an older snapshot and this one.
type snapshotDiff struct {
	Old            string   `json:"old"`
	RankChanges    []string `json:"rank_changes"`
	NewRuns        []string `json:"new_runs"`
	RemovedRuns    []string `json:"removed_runs"`
	ScorerChanges  []string `json:"scorer_changes"`
	AccuracyShifts []string `json:"accuracy_changes"`
}

func (a *app) verifyCmd() *cobra.Command {
	var against string
	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Check a published snapshot: checksums, and every verdict re-graded",
		Long: `Check a snapshot written by 'parity snapshot': every file against SHA256SUMS
(and no file missing or added), then every published sample re-read and
re-graded with the grader of the version its run recorded, and every run's
outcome counts against the leaderboard. Prints what differs and exits non-zero
on any mismatch. Runs graded by a grader version this parity does not have,
and runs whose answers were withheld, are checked for counts only and say so.

--against OLD_DIR also lists what changed since an older snapshot: rank
changes, new and removed runs, and scorer-version changes.`,
		Example: `  parity verify site/2026-11
  parity verify site/2026-12 --against site/2026-11`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := verifySnapshot(cmd, args[0])
			if err != nil {
				return err
			}
			if against != "" {
				if rep.Against, err = compareSnapshots(against, args[0]); err != nil {
					return err
				}
			}
			if a.jsonOut {
				if err := a.printJSON(rep); err != nil {
					return err
				}
			} else {
				writeVerify(a.stdout, rep)
			}
			if !rep.OK {
				return fmt.Errorf("verify %s: %d mismatch(es): the snapshot is not as published", args[0], len(rep.Mismatches))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&against, "against", "", "an older snapshot to list rank, run and scorer changes against")
	return cmd
}

func verifySnapshot(cmd *cobra.Command, dir string) (*verifyReport, error) {
	rep := &verifyReport{Dir: dir, Mismatches: []string{}, Runs: []verifiedRun{}}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "%s has no readable SHA256SUMS (%v): name a directory written by 'parity snapshot'", dir, err)
	}
	bad := func(format string, args ...any) {
		rep.Mismatches = append(rep.Mismatches, fmt.Sprintf(format, args...))
	}
	listed := map[string]bool{"SHA256SUMS": true}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for n := 1; sc.Scan(); n++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
			bad("SHA256SUMS line %d is not a checksum line: %q", n, sc.Text())
			continue
		}
		listed[name] = true
		got, err := fileSum(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			bad("%s is listed in SHA256SUMS but missing", name)
		case err != nil:
			bad("%s: %v", name, err)
		case got != sum:
			bad("%s changed: its sha256 is %s, SHA256SUMS says %s", name, got, sum)
		default:
			rep.Files++
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err == nil && !listed[filepath.ToSlash(rel)] {
			bad("%s is not in SHA256SUMS: it was added after publishing", filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	var man site.Manifest
	var runs []parity.Run
	var board leaderboardJSON
	for name, v := range map[string]any{"MANIFEST.json": &man, "runs.json": &runs, "leaderboard.json": &board} {
		if err := readJSONFile(filepath.Join(dir, name), v); err != nil {
			bad("%s: %v", name, err)
		}
	}
	rows := map[int64]leaderboardRow{}
	for _, r := range board.Rows {
		rows[r.RunID] = r
	}
	for _, r := range runs {
		v, problems := verifyRun(cmd, dir, r, rows[r.ID])
		rep.Runs = append(rep.Runs, v)
		rep.Mismatches = append(rep.Mismatches, problems...)
	}
	if len(runs) != len(man.Runs) {
		bad("runs.json lists %d runs, MANIFEST.json %d", len(runs), len(man.Runs))
	}
	rep.OK = len(rep.Mismatches) == 0
	return rep, nil
}

// verifyRun re-reads one run's samples file, re-grades each answer where
// it can and checks the outcome counts against the leaderboard row.
func verifyRun(cmd *cobra.Command, dir string, r parity.Run, row leaderboardRow) (verifiedRun, []string) {
	v := verifiedRun{ID: r.ID, Grader: r.Suite.Scorer + "@" + r.Suite.ScorerVersion}
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("run %d: ", r.ID)+fmt.Sprintf(format, args...))
	}
	grade, why := regrader(cmd, r)
	v.NotGraded = why
	f, err := openPlain(filepath.Join(dir, "runs", fmt.Sprintf("%d.jsonl", r.ID)))
	if err != nil {
		bad("samples file: %v", err)
		return v, problems
	}
	defer f.Close()
	counts := map[parity.Outcome]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<30)
	withheld := 0
	for n := 1; sc.Scan(); n++ {
		var s site.SnapshotSample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			bad("runs/%d.jsonl line %d: %v", r.ID, n, err)
			continue
		}
		v.Samples++
		counts[s.Outcome]++
		if s.Content == nil {
			withheld++
			continue
		}
		if grade == nil || s.Outcome == parity.OutcomeError {
			continue
		}
		got, err := grade(s)
		if err != nil {
			bad("%s#%d: %v", s.ItemID, s.Index, err)
			continue
		}
		v.Regraded++
		if got.Outcome != s.Outcome || got.Extracted != s.Extracted {
			bad("%s#%d is published as %s (extracted %q) but re-grades as %s (extracted %q)", s.ItemID, s.Index, s.Outcome, s.Extracted, got.Outcome, got.Extracted)
		}
	}
	if err := sc.Err(); err != nil {
		bad("runs/%d.jsonl: %v", r.ID, err)
	}
	if withheld > 0 && v.NotGraded == "" {
		v.NotGraded = fmt.Sprintf("%d answer(s) withheld from publication; their counts are checked only", withheld)
	}
	if row.RunID == 0 {
		bad("no row on leaderboard.json")
		return v, problems
	}
	if v.Samples != row.Samples {
		bad("runs/%d.jsonl has %d samples, the leaderboard counts %d", r.ID, v.Samples, row.Samples)
	}
	for _, o := range parity.Outcomes {
		if counts[o] != row.Outcomes[string(o)] {
			bad("%d %s sample(s) published, the leaderboard counts %d", counts[o], o, row.Outcomes[string(o)])
		}
	}
	return v, problems
}

// regrader returns a function grading a published sample with the run's
// own suite and grader, or why it cannot: a suite that is not built in, or
// a grader version other than this parity's.
func regrader(cmd *cobra.Command, r parity.Run) (func(site.SnapshotSample) (parity.Score, error), string) {
	s, err := suiteOf(r, nil)
	if err != nil {
		return nil, fmt.Sprintf("suite %s is not built into this parity", r.Suite.Name)
	}
	info := s.Info()
	if info.Scorer != r.Suite.Scorer || info.ScorerVersion != r.Suite.ScorerVersion {
		return nil, fmt.Sprintf("graded by %s@%s; this parity grades with %s@%s: verify with parity %s to re-grade",
			r.Suite.Scorer, r.Suite.ScorerVersion, info.Scorer, info.ScorerVersion, r.ParityVersion)
	}
	items, err := s.Items(cmd.Context())
	if err != nil {
		return nil, fmt.Sprintf("suite %s: %v", r.Suite.Name, err)
	}
	byID := make(map[string]parity.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	return func(smp site.SnapshotSample) (parity.Score, error) {
		it, ok := byID[smp.ItemID]
		if !ok {
			return parity.Score{}, fmt.Errorf("item %q is not in suite %s", smp.ItemID, r.Suite.Name)
		}
		it.Answer = smp.Gold
		c := parity.Completion{Content: *smp.Content, FinishReason: smp.FinishReason}
		if smp.Reasoning != nil {
			c.Reasoning = *smp.Reasoning
		}
		// Compared with the grade's own grader, not the run's: a mixed
		// suite (the canary set) grades each item with its own suite's.
		sc := s.Score(it, c)
		if smp.Scorer != sc.Scorer || smp.ScorerVersion != sc.ScorerVersion {
			return parity.Score{}, fmt.Errorf("graded by %s@%s, not the %s@%s this parity grades it with", smp.Scorer, smp.ScorerVersion, sc.Scorer, sc.ScorerVersion)
		}
		return sc, nil
	}, ""
}

// openPlain opens a file of a snapshot, which may come from anyone: a link
// or a device in its place (to /dev/zero, or to a file of the reader's) is
// refused, not followed.
func openPlain(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a plain file (%s): a snapshot holds plain files only", filepath.Base(path), fi.Mode().Type())
	}
	return os.Open(path)
}

func fileSum(path string) (string, error) {
	f, err := openPlain(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readJSONFile(path string, v any) error {
	f, err := openPlain(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// leaderboardJSON is the part of leaderboard.json verify reads.
type leaderboardJSON struct {
	Rows []leaderboardRow `json:"rows"`
}

type leaderboardRow struct {
	RunID        int64          `json:"run_id"`
	Model        string         `json:"model"`
	Suite        string         `json:"suite"`
	Subject      string         `json:"subject"`
	SuiteVersion string         `json:"suite_version"`
	Thinking     string         `json:"thinking"`
	Rank         int            `json:"rank"`
	Samples      int            `json:"samples"`
	Accuracy     *float64       `json:"accuracy"`
	Outcomes     map[string]int `json:"outcomes"`
	Scorers      []string       `json:"scorers"`
	Circular     int            `json:"circular_items"`
}

// key names what a row measured, so rows of two snapshots pair up even
// when their run ids differ (a merged database renumbers runs).
func (r leaderboardRow) key() string {
	s := r.Model + " on " + r.Suite
	if r.Subject != "" {
		s += ":" + r.Subject
	}
	if r.Circular > 0 {
		s += " (circular)"
	}
	if r.Thinking != "" {
		s += " [" + r.Thinking + "]"
	}
	return s
}

func compareSnapshots(oldDir, newDir string) (*snapshotDiff, error) {
	var before, after leaderboardJSON
	if err := readJSONFile(filepath.Join(oldDir, "leaderboard.json"), &before); err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "--against %s: %v: name a directory written by 'parity snapshot'", oldDir, err)
	}
	if err := readJSONFile(filepath.Join(newDir, "leaderboard.json"), &after); err != nil {
		return nil, err
	}
	d := &snapshotDiff{Old: oldDir, RankChanges: []string{}, NewRuns: []string{}, RemovedRuns: []string{}, ScorerChanges: []string{}, AccuracyShifts: []string{}}
	old := map[string]leaderboardRow{}
	for _, r := range before.Rows {
		old[r.key()] = r
	}
	seen := map[string]bool{}
	for _, r := range after.Rows {
		k := r.key()
		seen[k] = true
		o, ok := old[k]
		if !ok {
			d.NewRuns = append(d.NewRuns, fmt.Sprintf("%s (run %d, %s@%s)", k, r.RunID, r.Suite, r.SuiteVersion))
			continue
		}
		if o.Rank != r.Rank {
			d.RankChanges = append(d.RankChanges, fmt.Sprintf("%s: rank %d -> %d", k, o.Rank, r.Rank))
		}
		if !slices.Equal(o.Scorers, r.Scorers) || o.SuiteVersion != r.SuiteVersion {
			d.ScorerChanges = append(d.ScorerChanges, fmt.Sprintf("%s: %s@%s graded by %s -> %s@%s graded by %s",
				k, o.Suite, o.SuiteVersion, strings.Join(o.Scorers, " "), r.Suite, r.SuiteVersion, strings.Join(r.Scorers, " ")))
		}
		if acc := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100**p)
		}; acc(o.Accuracy) != acc(r.Accuracy) {
			d.AccuracyShifts = append(d.AccuracyShifts, fmt.Sprintf("%s: %s -> %s", k, acc(o.Accuracy), acc(r.Accuracy)))
		}
	}
	for _, r := range before.Rows {
		if k := r.key(); !seen[k] {
			d.RemovedRuns = append(d.RemovedRuns, fmt.Sprintf("%s (run %d)", k, r.RunID))
		}
	}
	return d, nil
}

func writeVerify(out io.Writer, rep *verifyReport) {
	w := bufio.NewWriter(out)
	defer w.Flush()
	// Each line is flattened: a snapshot may come from anyone, and a name
	// of its own with a line break could forge an "OK" line.
	fmt.Fprintf(w, "%s: %d file(s) match SHA256SUMS\n", rep.Dir, rep.Files)
	for _, r := range rep.Runs {
		line := fmt.Sprintf("run %d: %d sample(s), %d re-graded with %s", r.ID, r.Samples, r.Regraded, r.Grader)
		if r.NotGraded != "" {
			line += "; not re-graded: " + r.NotGraded
		}
		fmt.Fprintln(w, reports.Flat(line))
	}
	if rep.OK {
		fmt.Fprintln(w, "OK: every file and every verdict is as published")
	} else {
		fmt.Fprintf(w, "MISMATCH (%d):\n", len(rep.Mismatches))
		for _, m := range rep.Mismatches {
			fmt.Fprintf(w, "- %s\n", reports.Flat(m))
		}
	}
	if d := rep.Against; d != nil {
		fmt.Fprintf(w, "\nChanges since %s:\n", d.Old)
		for _, sec := range []struct {
			title string
			lines []string
		}{{"rank changes", d.RankChanges}, {"new runs", d.NewRuns}, {"removed runs", d.RemovedRuns},
			{"scorer or suite version changes", d.ScorerChanges}, {"accuracy changes", d.AccuracyShifts}} {
			if len(sec.lines) == 0 {
				fmt.Fprintf(w, "%s: none\n", sec.title)
				continue
			}
			fmt.Fprintf(w, "%s:\n", sec.title)
			for _, l := range sec.lines {
				fmt.Fprintf(w, "  %s\n", reports.Flat(l))
			}
		}
	}
}
