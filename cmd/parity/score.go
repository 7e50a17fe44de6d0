package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
	"github.com/parity-bench/parity/suites/answer"
)

// scoreLine is one input line of `parity score`.
type scoreLine struct {
	Prediction *string  `json:"prediction"`
	Gold       *string  `json:"gold"`
	Choices    []string `json:"choices,omitempty"`
	// Expected is a verdict from another grader, if the input carries one;
	// parity then reports how often it agrees.
	Expected *bool `json:"expected,omitempty"`
	// ID and Kind are optional: an item id for reports, and the answer
	// kind of this line, used when neither --kind nor --suite is given.
	ID   string `json:"id,omitempty"`
	Kind string `json:"kind,omitempty"`
}

// scoreResult is one output line: the input fields plus parity's verdict.
type scoreResult struct {
	Line       int            `json:"line"`
	Prediction string         `json:"prediction"`
	Gold       string         `json:"gold"`
	Extracted  string         `json:"extracted"`
	Correct    bool           `json:"correct"`
	Outcome    parity.Outcome `json:"outcome"`
	Detail     string         `json:"detail,omitempty"`
	Expected   *bool          `json:"expected,omitempty"`
	Agree      *bool          `json:"agree,omitempty"`
}

func (a *app) scoreCmd() *cobra.Command {
	var suiteName, kindName, reviewedFile string
	var lastNumber, markdown bool
	var top int
	cmd := &cobra.Command{
		Use:   "score [FILE...]",
		Short: "Grade predictions made elsewhere (JSONL in, JSONL out)",
		Args:  cobra.ArbitraryArgs,
		Long: `Grade model outputs produced by another tool. Each input line is a JSON object
{"prediction": "...", "gold": "..."} (plus "choices": [...] for multiple choice,
and optionally "expected": true|false, another grader's verdict to compare with).
Each output line adds "extracted", "correct", "outcome" and "detail" (which
answer span and comparison decided). A summary goes to stderr; when the lines
carry "expected" it also gives the agreement, both accuracies and the largest
disagreement classes (outcome × detail) with an example each.

Grade with a suite's own rules (--suite gsm8k) or with an answer kind
(--kind number|math|choice|text); with neither, every line must carry its own
"kind". Reads standard input when no FILE is given; files ending in .gz are
decompressed. --markdown writes the agreement report of every file as Markdown
to stdout instead of the graded lines (make agreement uses it); --source-errors
names reviewed disagreement classes where the other grader is wrong
(tab-separated: set, outcome, detail, expected, reason).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if suiteName != "" && kindName != "" {
				return usagef("score takes one of --suite NAME or --kind number|math|choice|text, not both")
			}
			if markdown && a.jsonOut {
				return usagef("--markdown and --json ask for two outputs: give one (the graded lines are JSON already)")
			}
			if lastNumber && (suiteName != "" || kindName != "" && !strings.EqualFold(kindName, string(answer.Number))) {
				return usagef("--last-number applies to number answers only: use it with --kind number, or with lines whose kind is number")
			}
			grade, err := a.grader(suiteName, kindName, lastNumber)
			if err != nil {
				return err
			}
			reviewed, err := readSourceErrors(reviewedFile)
			if err != nil {
				return err
			}
			inputs := args
			if len(inputs) == 0 {
				inputs = []string{"-"}
			}
			var sums []answer.Agreement
			for _, name := range inputs {
				sum, counts, err := a.scoreFile(name, suiteName == "" && kindName == "", grade, reviewed, !markdown)
				if err != nil {
					return err
				}
				a.printScoreSummary(counts, sum, top)
				sums = append(sums, sum)
			}
			if markdown {
				return writeAgreementMarkdown(a.stdout, sums)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&suiteName, "suite", "", "grade with this suite's extraction and equivalence rules")
	cmd.Flags().StringVar(&kindName, "kind", "", `answer kind: number, math, choice or text (default: each line's "kind")`)
	cmd.Flags().BoolVar(&lastNumber, "last-number", false, "with --kind number: fall back to the last number in the text")
	cmd.Flags().BoolVar(&markdown, "markdown", false, "write the agreement report as Markdown instead of graded lines")
	cmd.Flags().StringVar(&reviewedFile, "source-errors", "", "file of reviewed disagreement classes where the other grader is wrong")
	cmd.Flags().IntVar(&top, "classes", 5, "how many disagreement classes the stderr summary shows")
	return cmd
}

func readSourceErrors(path string) ([]answer.SourceError, error) {
	if path == "" {
		return nil, nil
	}
	f, err := openInput(path)
	if err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "score: cannot read --source-errors %s (%v): name the tab-separated file of reviewed disagreement classes", path, err)
	}
	defer f.Close()
	out, err := answer.ParseSourceErrors(f)
	if err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "%s: %v", path, err)
	}
	return out, nil
}

// setName is the name a file's agreement is reported under.
func setName(path string) string {
	if path == "-" {
		return "stdin"
	}
	b := strings.TrimSuffix(filepath.Base(path), ".gz")
	return strings.TrimSuffix(b, ".jsonl")
}

// scoreChunk is how many lines are graded at a time: enough to keep every
// core busy, few enough that memory stays flat however long the input.
const scoreChunk = 4096

// scoreFile grades one input as it streams, a chunk of lines at a time on
// every core, writing each chunk's results (when write is set) before the
// next is read. A file is checked whole first, so a bad line 900 leaves no
// results behind; standard input cannot be read twice, so there a bad line
// stops the grading where it is.
func (a *app) scoreFile(name string, needKind bool, grade func(scoreLine) parity.Score, reviewed []answer.SourceError, write bool) (answer.Agreement, map[parity.Outcome]int, error) {
	set := setName(name)
	counts := map[parity.Outcome]int{}
	sum := answer.Agreement{Set: set}
	if name != "-" {
		err := a.eachScoreChunk(name, needKind, func([]scoreLine, int) error { return nil })
		if err != nil {
			return sum, nil, err
		}
	}
	var w *bufio.Writer
	if write {
		w = bufio.NewWriter(a.stdout)
	}
	err := a.eachScoreChunk(name, needKind, func(lines []scoreLine, first int) error {
		results := gradeAll(lines, grade)
		for _, r := range results {
			counts[r.Outcome]++
		}
		addAgreement(&sum, answer.Summarise(set, verdicts(lines, results, first), reviewed))
		if w == nil {
			return nil
		}
		return writeScores(w, lines, results, first)
	})
	if err != nil {
		return sum, nil, err
	}
	answer.SortClasses(sum.Classes)
	if w != nil {
		if err := w.Flush(); err != nil {
			return sum, nil, fmt.Errorf("write scores: %w", err)
		}
	}
	return sum, counts, nil
}

// addAgreement adds the agreement of a later chunk of a set to the set's
// total; a class keeps the example it was first seen with.
func addAgreement(total *answer.Agreement, part answer.Agreement) {
	total.Items += part.Items
	total.Agreed += part.Agreed
	total.ParityCorrect += part.ParityCorrect
	total.SourceCorrect += part.SourceCorrect
	total.SourceWrongCount += part.SourceWrongCount
next:
	for _, c := range part.Classes {
		for i := range total.Classes {
			if t := &total.Classes[i]; t.Class == c.Class && (t.Reason != "") == (c.Reason != "") {
				t.Count += c.Count
				continue next
			}
		}
		total.Classes = append(total.Classes, c)
	}
}

// openInput opens a file score reads, refusing a directory; its error is
// the bare reason (no such file or directory), for a message that names
// the file and the flag once.
func openInput(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil && st.IsDir() {
			err = errors.New("it is a directory")
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err
	}
	return nil, err
}

// eachScoreChunk reads the input named (standard input for "-", gunzipped
// for .gz) and calls fn with each chunk of checked lines and the number of
// lines before it.
func (a *app) eachScoreChunk(name string, needKind bool, fn func(lines []scoreLine, before int) error) error {
	if name == "-" {
		return readScoreLines(a.stdin, "stdin", needKind, fn)
	}
	f, err := openInput(name)
	if err != nil {
		return parity.Errorf(parity.ErrUsage, "score: cannot read %s (%v): give a JSONL file of predictions (.jsonl or .jsonl.gz), or - for standard input", name, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return parity.Errorf(parity.ErrUsage, "score: %s: %v", name, err)
		}
		defer gz.Close()
		r = gz
	}
	return readScoreLines(r, name, needKind, fn)
}

// gradeAll grades every line on all cores; grading is pure, so each
// result lands at its line's index.
func gradeAll(lines []scoreLine, grade func(scoreLine) parity.Score) []parity.Score {
	out := make([]parity.Score, len(lines))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(lines); i += workers {
				out[i] = grade(lines[i])
			}
		}(w)
	}
	wg.Wait()
	return out
}

func verdicts(lines []scoreLine, results []parity.Score, before int) []answer.Verdict {
	var out []answer.Verdict
	for i, l := range lines {
		if l.Expected == nil {
			continue
		}
		id := l.ID
		if id == "" {
			id = fmt.Sprintf("line %d", before+i+1)
		}
		out = append(out, answer.Verdict{ID: id, Outcome: string(results[i].Outcome), Detail: results[i].Detail,
			Expected: *l.Expected, Example: excerpt(*l.Prediction, 160), Gold: excerpt(*l.Gold, 80), Prediction: *l.Prediction})
	}
	return out
}

// excerpt keeps the end of a long text, where an answer is, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return "…" + string(r[len(r)-n:])
	}
	return s
}

// grader returns a function grading one prediction against one gold answer.
func (a *app) grader(suiteName, kindName string, lastNumber bool) (func(scoreLine) parity.Score, error) {
	if suiteName != "" {
		s, _, err := suites.Lookup(suiteName)
		if err != nil {
			return nil, err
		}
		return func(l scoreLine) parity.Score {
			it := parity.Item{ID: "score", Answer: *l.Gold, Choices: l.Choices}
			return s.Score(it, parity.Completion{Content: *l.Prediction, FinishReason: parity.FinishStop})
		}, nil
	}
	var kind answer.Kind
	if kindName != "" {
		k, err := answer.ParseKind(kindName)
		if err != nil {
			return nil, parity.Errorf(parity.ErrUsage, "%v", err)
		}
		kind = k
	}
	return func(l scoreLine) parity.Score {
		k := kind
		if k == "" {
			k = answer.Kind(l.Kind) // checked when the line was read
		}
		r := answer.Grade(k, *l.Prediction, *l.Gold, answer.Options{Choices: l.Choices, LastNumber: lastNumber})
		out := parity.OutcomeUnparsed
		switch {
		case r.Correct:
			out = parity.OutcomeCorrect
		case r.Found:
			out = parity.OutcomeWrong
		}
		return parity.Score{Outcome: out, Extracted: r.Extracted, Detail: r.Detail, Scorer: suites.Scorer, ScorerVersion: answer.Version}
	}, nil
}

// readScoreLines reads and checks the input, calling fn with each chunk of
// up to scoreChunk lines and the number of lines before it; fn's error
// stops the reading and is returned as it is.
func readScoreLines(r io.Reader, name string, needKind bool, fn func(lines []scoreLine, before int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := make([]scoreLine, 0, scoreChunk)
	n, before := 0, 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var l scoreLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return parity.Errorf(parity.ErrUsage, "%s:%d: not a JSON object: %v", name, n, err)
		}
		if l.Prediction == nil || l.Gold == nil {
			return parity.Errorf(parity.ErrUsage, `%s:%d: each line needs "prediction" and "gold" string fields`, name, n)
		}
		if needKind {
			k, err := answer.ParseKind(l.Kind)
			if err != nil {
				return parity.Errorf(parity.ErrUsage, "%s:%d: %v (give --kind or --suite, or a \"kind\" on every line)", name, n, err)
			}
			l.Kind = string(k)
		}
		out = append(out, l)
		if len(out) == scoreChunk {
			if err := fn(out, before); err != nil {
				return err
			}
			before += len(out)
			out = out[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return parity.Errorf(parity.ErrUsage, "read %s: %v", name, err)
	}
	if len(out) == 0 {
		return nil
	}
	return fn(out, before)
}

func writeScores(w io.Writer, lines []scoreLine, results []parity.Score, before int) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, l := range lines {
		s := results[i]
		res := scoreResult{Line: before + i + 1, Prediction: *l.Prediction, Gold: *l.Gold, Extracted: s.Extracted,
			Correct: s.Outcome == parity.OutcomeCorrect, Outcome: s.Outcome, Detail: s.Detail, Expected: l.Expected}
		if l.Expected != nil {
			agree := *l.Expected == res.Correct
			res.Agree = &agree
		}
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write scores: %w", err)
		}
	}
	return nil
}

// printScoreSummary tells people on stderr how the grading went and, when
// the lines carry another grader's verdicts, where the two disagree.
func (a *app) printScoreSummary(counts map[parity.Outcome]int, sum answer.Agreement, top int) {
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(a.stderr, "%s: scored %d: correct %d (%s), wrong %d, unparsed %d\n", sum.Set, total,
		counts[parity.OutcomeCorrect], pct(counts[parity.OutcomeCorrect], total), counts[parity.OutcomeWrong], counts[parity.OutcomeUnparsed])
	if sum.Items == 0 {
		return
	}
	fmt.Fprintf(a.stderr, "agreement with \"expected\": %d of %d (%s); parity accuracy %s, source accuracy %s\n",
		sum.Agreed, sum.Items, pct(sum.Agreed, sum.Items), pct(sum.ParityCorrect, sum.Items), pct(sum.SourceCorrect, sum.Items))
	if sum.SourceWrongCount > 0 {
		fmt.Fprintf(a.stderr, "with the %d reviewed source errors counted for parity: %s\n", sum.SourceWrongCount, pct(sum.Agreed+sum.SourceWrongCount, sum.Items))
	}
	for i, c := range sum.Classes {
		if i >= top {
			fmt.Fprintf(a.stderr, "  ... %d more classes\n", len(sum.Classes)-top)
			break
		}
		fmt.Fprintf(a.stderr, "  %5d  %s  e.g. %s: gold %q, prediction %q\n", c.Count, c.Class, c.Example.ID, c.Example.Gold, c.Example.Example)
	}
}

// writeAgreementMarkdown writes the agreement report docs/agreement.md is
// made of: a table of every set, then each set's disagreement classes
// with an example and, where the source is wrong, why.
func writeAgreementMarkdown(w io.Writer, sums []answer.Agreement) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# Agreement with the sources' own graders\n\n")
	fmt.Fprintf(b, "Generated by `make agreement` (grader %s): `parity score --markdown` over every set in\n", answer.Version)
	fmt.Fprintf(b, "`../shared/scoring/real/`, each line graded with its own `kind`. \"source wrong\" counts the\n")
	fmt.Fprintf(b, "disagreements in classes reviewed as the source's error (`suites/answer/testdata/source-errors.tsv`);\n")
	fmt.Fprintf(b, "\"adjusted\" counts those for parity. Do not edit by hand.\n\n")
	fmt.Fprintf(b, "| set | items | agreement | parity acc | source acc | source wrong | adjusted |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range sums {
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %d | %s |\n", s.Set, s.Items, pct(s.Agreed, s.Items),
			pct(s.ParityCorrect, s.Items), pct(s.SourceCorrect, s.Items), s.SourceWrongCount, pct(s.Agreed+s.SourceWrongCount, s.Items))
	}
	for _, s := range sums {
		fmt.Fprintf(b, "\n## %s\n\n%d items, %d disagreements", s.Set, s.Items, s.Items-s.Agreed)
		if len(s.Classes) == 0 {
			b.WriteString(".\n")
			continue
		}
		b.WriteString(":\n\n| count | class (parity outcome × detail) | example | source wrong because |\n|---:|---|---|---|\n")
		for _, c := range s.Classes {
			ex := fmt.Sprintf("`%s`: gold `%s`; `%s`", mdCode(c.Example.ID), mdCode(c.Example.Gold), mdCode(c.Example.Example))
			fmt.Fprintf(b, "| %d | %s | %s | %s |\n", c.Count, mdCell(c.Class), ex, mdCell(c.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell makes text safe inside a Markdown table cell.
// mdCode makes text safe inside a code span in a Markdown table cell;
// the span shows model output as written, markup and all.
func mdCode(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func pct(n, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
}
