package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/parity-bench/parity"
)

// Formats lists the formats Render writes, in the order help texts show them.
// The HTML page and snapshot site are written by the reports/site package.
var Formats = []string{"text", "md", "csv", "json"}

// Render writes lb in format: "text" (aligned columns for a terminal),
// "md" (Markdown tables), "csv" (sections for runs, groups and notes),
// or "json". The HTML page is reports/site's.
func Render(w io.Writer, lb *Leaderboard, format string) error {
	if lb == nil {
		return fmt.Errorf("render %s: no leaderboard", format)
	}
	var err error
	switch format {
	case "text":
		err = renderText(w, lb)
	case "md", "markdown":
		err = renderMarkdown(w, lb)
	case "csv":
		err = renderCSV(w, lb)
	case "json":
		err = renderJSON(w, lb)
	default:
		return fmt.Errorf("unknown report format %q: use one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	return nil
}

// columns says which optional columns a table needs: the judge column when
// some run was checked by a judge, the circular one when some run used
// CircularEval.
type columns struct{ judge, circular bool }

func optionalColumns(lb *Leaderboard) columns {
	var c columns
	for _, r := range lb.Rows {
		c.judge = c.judge || r.JudgeChecked > 0
		c.circular = c.circular || r.CircularItems > 0
	}
	return c
}

// tableHeader names the columns of the text, Markdown and HTML tables.
func tableHeader(col columns) []string {
	h := []string{"RUN", "SUITE", "RANK", "MODEL", "ORIGIN", "THINKING", "K", "ITEMS", "ACC %", "95% CI"}
	if col.circular {
		h = append(h, "CIRCULAR %")
	}
	h = append(h, "PASS@K", "MAJ@K", "CORRECT", "WRONG", "UNPARSED", "TRUNCATED", "REFUSED", "ERROR",
		"OUT TOK", "REASON TOK", "P50", "P95", "COST", "SCORER")
	if col.judge {
		h = append(h, "JUDGE")
	}
	return h
}

func tableCells(r Row, col columns) []string {
	c := []string{
		strconv.FormatInt(r.RunID, 10),
		r.SuiteLabel(),
		rankCell(r),
		r.ModelLabel(),
		orDash(r.Origin),
		orDash(r.Thinking),
		strconv.Itoa(r.K),
		itemsCell(r),
		pct(r.Accuracy),
		interval(r.CILow, r.CIHigh),
	}
	if col.circular {
		c = append(c, pct(r.CircularAccuracy))
	}
	c = append(c,
		passCell(r),
		pct(r.MajAtK),
	)
	for _, o := range parity.Outcomes {
		c = append(c, strconv.Itoa(r.Outcomes[o]))
	}
	c = append(c, tokens(r, r.MeanCompletionTokens), tokens(r, r.MeanReasoningTokens),
		duration(r.LatencyP50), duration(r.LatencyP95), costCell(r), orDash(strings.Join(r.Scorers, " ")))
	if col.judge {
		c = append(c, judgeCell(r))
	}
	return c
}

// SuiteLabel names the suite with its subject and version, since scores on
// different versions of a suite are not comparable.
func (r Row) SuiteLabel() string {
	name := r.Suite
	if r.Subject != "" {
		name += ":" + r.Subject
	}
	if r.SuiteVersion == "" {
		return name
	}
	return name + "@" + r.SuiteVersion
}

// ModelLabel marks mock rows, and rows another model answered, in the model
// column itself, so a copied line cannot lose the label.
func (r Row) ModelLabel() string {
	label := r.Model
	if r.Substituted {
		label += " [answered by " + Flat(r.ModelReported) + "]"
	}
	if r.Mock {
		label += " [mock]"
	}
	return label
}

// itemsCell counts the original items of a CircularEval run, not its
// rotations, as a reader counts the questions asked.
func itemsCell(r Row) string {
	if r.CircularItems > 0 {
		return strconv.Itoa(r.CircularItems)
	}
	return strconv.Itoa(r.Items)
}

// rankCell shows the tie band; unranked rows (nothing scored) get a dash.
func rankCell(r Row) string {
	if r.Rank <= 0 {
		return "-"
	}
	return strconv.Itoa(r.Rank)
}

// parityHeader and parityCells lay out the parity-check table of the text,
// Markdown and HTML reports.
var parityHeader = []string{"BENCHMARK", "CN", "WEST", "SHARED", "CN %", "WEST %", "VERDICT"}

func parityCells(p Comparison, labels map[int64]string) []string {
	return []string{p.Benchmark, labels[p.A.Run], labels[p.B.Run], strconv.Itoa(p.SharedItems), pct(p.A.Accuracy), pct(p.B.Accuracy), p.Verdict}
}

// comparisonHeader and comparisonCells lay out the paired-comparison table.
var comparisonHeader = []string{"BENCHMARK", "A", "B", "SHARED", "EXCLUDED", "A %", "B %", "DIFF", "95% CI", "P", "METHOD", "VERDICT"}

func comparisonCells(c Comparison, labels map[int64]string) []string {
	verdict := "tie"
	if c.Ahead() {
		verdict = "A ahead"
	}
	return []string{c.Benchmark, labels[c.A.Run], labels[c.B.Run], strconv.Itoa(c.SharedItems), strconv.Itoa(c.Excluded),
		pct(c.A.Accuracy), pct(c.B.Accuracy), points(c.Diff), interval(c.CILow, c.CIHigh), strings.TrimPrefix(pText(c.PValue), "p="),
		c.Method, verdict}
}

// Table is one table of a report, laid out once as text cells and written
// by every human-readable renderer, the HTML site's included.
type Table struct {
	// Name tells renderers that place tables apart which one this is:
	// TableRuns, TableParity, TableLanguage, TableOrigin or TablePairs.
	Name         string
	Title, Blurb string
	Header       []string
	// Right marks the numeric columns, aligned right.
	Right []bool
	Rows  [][]string
	// Runs lists, per row, the runs the row is evidence of: the row's own
	// run, or both sides of a comparison, side A first.
	Runs [][]int64
	// Links says, per column, what its cells link to in renderers that
	// link each number to its evidence.
	Links []Link
}

// Link is what a table cell links to.
type Link int

// The links of a table cell: nothing, the row's first or second run, or
// the page of the comparison of the two.
const (
	LinkNone Link = iota
	LinkRunA
	LinkRunB
	LinkPair
)

// Names of the tables Tables lays out.
const (
	TableRuns     = "runs"
	TableParity   = "parity"
	TableLanguage = "language"
	TableHosts    = "hosts"
	TableOrigin   = "origin"
	TablePairs    = "pairs"
)

func newTable(name, title, blurb string, header []string) Table {
	t := Table{Name: name, Title: title, Blurb: blurb, Header: header, Right: rightAligned(header), Links: make([]Link, len(header))}
	for i, h := range header {
		switch h {
		case "RUN", "MODEL", "ACC %", "A", "CN":
			t.Links[i] = LinkRunA
		case "B", "WEST":
			t.Links[i] = LinkRunB
		case "VERDICT", "DIFF", "SHARED":
			t.Links[i] = LinkPair
		}
	}
	if name == TableLanguage {
		// Its MODEL names the model of both runs; the language column
		// opens the other language's run.
		t.Links[slices.Index(header, "LANGUAGE")] = LinkRunA
	}
	return t
}

func (t *Table) add(cells []string, runs ...int64) {
	t.Rows = append(t.Rows, cells)
	t.Runs = append(t.Runs, runs)
}

// groupsTitle heads the table of mean accuracy per origin.
const groupsTitle = "By origin"

// RunTable lays out the run table: one row per run.
func RunTable(lb *Leaderboard) Table {
	col := optionalColumns(lb)
	t := newTable(TableRuns, "Runs", "", tableHeader(col))
	for _, r := range lb.Rows {
		t.add(tableCells(r, col), r.RunID)
	}
	return t
}

// Tables lays out the tables after the run table, in reading order: the
// parity check, language gap, same model on different hosts, origin groups
// and paired comparisons; tables without rows are left out.
func Tables(lb *Leaderboard) []Table {
	labels := modelLabels(lb)
	parity := newTable(TableParity, parityTitle, parityBlurb, parityHeader)
	for _, p := range lb.ParityChecks {
		parity.add(parityCells(p, labels), p.A.Run, p.B.Run)
	}
	language := newTable(TableLanguage, languageTitle, languageBlurb, languageHeader)
	for _, g := range lb.LanguageGaps {
		language.add(languageCells(g, labels), g.A.Run, g.B.Run)
	}
	byRun := make(map[int64]Row, len(lb.Rows))
	for _, r := range lb.Rows {
		byRun[r.RunID] = r
	}
	hosts := newTable(TableHosts, hostTitle, hostBlurb, hostHeader)
	for _, g := range lb.HostGaps {
		hosts.add(hostCells(g, byRun), g.A.Run, g.B.Run)
	}
	origin := newTable(TableOrigin, groupsTitle, "", []string{"SUITE", "ORIGIN", "MODELS", "MEAN ACC %"})
	for _, g := range lb.Groups {
		origin.add([]string{g.Suite, g.Origin, strconv.Itoa(g.Models), pct(g.MeanAccuracy)})
	}
	compared := newTable(TablePairs, comparisonTitle, comparisonBlurb, comparisonHeader)
	for _, c := range lb.Comparisons {
		compared.add(comparisonCells(c, labels), c.A.Run, c.B.Run)
	}
	var out []Table
	for _, t := range []Table{parity, language, hosts, origin, compared} {
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	out = append(out, sweepTables(lb)...)
	return append(out, probeTables(lb)...)
}

// modelLabels maps run ids to model labels, so comparisons carry the mock
// marker the run table shows, and the setting of a model run at several
// (an effort sweep), which would otherwise be compared with itself.
func modelLabels(lb *Leaderboard) map[int64]string {
	settings := map[string]map[string]bool{}
	for _, r := range lb.Rows {
		if settings[r.Model] == nil {
			settings[r.Model] = map[string]bool{}
		}
		settings[r.Model][r.Setting] = true
	}
	m := make(map[int64]string, len(lb.Rows))
	for _, r := range lb.Rows {
		m[r.RunID] = r.ModelLabel()
		if len(settings[r.Model]) > 1 {
			setting := r.Setting
			if setting == "" {
				setting = "default setting"
			}
			m[r.RunID] += " (" + setting + ")"
		}
	}
	return m
}

// Section titles shared by the text, Markdown and HTML reports.
const (
	parityTitle     = "Parity check"
	parityBlurb     = "Best CN run against best West run of each benchmark, on the items both scored; differences and intervals in percentage points, CN − West."
	comparisonTitle = "Paired comparisons"
	comparisonBlurb = "Every two runs of a benchmark on the items both scored; DIFF = A − B in points with its paired bootstrap 95% CI; A ahead when p < 0.05. RANK in the run table is 1 + the number of runs significantly ahead, so equal ranks are statistically tied."
)

// Pct writes a share as a percentage with one decimal, "-" when unknown.
func Pct(x float64) string { return pct(x) }

func pct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x*100, 'f', 1, 64)
}

// Interval writes a confidence interval in percent, "-" when unknown.
func Interval(lo, hi float64) string { return interval(lo, hi) }

func interval(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "-"
	}
	return "[" + pct(lo) + ", " + pct(hi) + "]"
}

// passCell shows pass@k at the largest k measured; pass@1 is the accuracy
// column already.
func passCell(r Row) string {
	if r.KMax < 2 {
		return "-"
	}
	return fmt.Sprintf("%s (k=%d)", pct(r.PassAtK[r.KMax]), r.KMax)
}

func tokens(r Row, x float64) string {
	if r.Scored == 0 {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// Duration writes a latency the one way every parity output does: "-"
// for none, "<1ms", whole milliseconds below a second, else seconds with
// one decimal.
func Duration(d time.Duration) string { return duration(d) }

func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
}

func costCell(r Row) string {
	if r.Currency == "" && r.Cost == 0 {
		return "-"
	}
	s := strconv.FormatFloat(r.Cost, 'f', 4, 64) + " " + r.Currency
	if r.ConvertedCurrency != "" && r.ConvertedCurrency != r.Currency {
		s += " (~" + strconv.FormatFloat(r.CostConverted, 'f', 4, 64) + " " + r.ConvertedCurrency + ")"
	}
	return strings.TrimSpace(s)
}

func judgeCell(r Row) string {
	if r.JudgeChecked == 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%d/%d overturned)", pct(r.JudgeAccuracy), r.JudgeOverturned, r.JudgeChecked)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Flat keeps untrusted text on one printable line: a tab or newline in a
// model name would otherwise break the columns of a text or Markdown
// table, and a control character would reach the reader's terminal.
func Flat(s string) string {
	return Printable(strings.Join(strings.Fields(s), " "))
}

// Printable drops control characters other than newline and tab, and the
// bidirectional overrides, so text from an endpoint, a dataset or a user's
// file cannot move the cursor, recolour or retitle a terminal, or show its
// characters in another order than they are.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f),
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// Generated is the time the leaderboard was built, as reports print it.
func (lb *Leaderboard) Generated() string {
	return lb.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC")
}

// errWriter remembers the first write error, so the table writers can stay
// linear and still report a full disk or a closed pipe.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// TextOptions tune the text report.
type TextOptions struct {
	// Wide shows every column. Without it, columns whose value is the same
	// in every row fold into one line above the table, and the per-run
	// detail columns REASON TOK and P95 are left out, so the table fits a
	// terminal.
	Wide bool
	// AllPairs lists every paired comparison. Without it the text report
	// lists the ones a reader of parity looks for: each CN run against the
	// best West run of its benchmark.
	AllPairs bool
}

// wideOnly are the run table's columns only the wide text report shows.
var wideOnly = map[string]bool{"REASON TOK": true, "P95": true}

// neverFolded are the columns that identify a row or carry its result, kept
// even when every row has the same value.
var neverFolded = map[string]bool{"RUN": true, "SUITE": true, "RANK": true, "MODEL": true, "ACC %": true, "95% CI": true,
	"BENCHMARK": true, "A": true, "B": true, "DIFF": true, "VERDICT": true, "CN": true, "WEST": true}

// fold drops the columns of t whose cells are all equal (and, unless wide,
// the wide-only ones), and returns what was folded as "NAME value" notes.
func fold(t Table, wide bool) (Table, []string) {
	if wide || len(t.Rows) < 2 {
		return t, nil
	}
	var keep []int
	var folded []string
	for i, h := range t.Header {
		if t.Name == TableRuns && wideOnly[h] {
			continue
		}
		same := !neverFolded[h]
		for _, r := range t.Rows[1:] {
			same = same && r[i] == t.Rows[0][i]
		}
		if same {
			folded = append(folded, h+" "+Flat(t.Rows[0][i]))
			continue
		}
		keep = append(keep, i)
	}
	pick := func(cells []string) []string {
		out := make([]string, len(keep))
		for j, i := range keep {
			out[j] = cells[i]
		}
		return out
	}
	out := t
	out.Header = pick(t.Header)
	out.Rows = make([][]string, len(t.Rows))
	for r := range t.Rows {
		out.Rows[r] = pick(t.Rows[r])
	}
	return out, folded
}

// keyPairs keeps the comparisons of each CN run with the best West run of
// its benchmark (the offline demo's mock-cn and mock-west stand in where a
// benchmark has no real ones).
func keyPairs(lb *Leaderboard) []Comparison {
	origin := func(r Row) string {
		if r.Mock {
			return demoOrigin(r)
		}
		return r.Origin
	}
	byRun := map[string]Row{}
	bestWest := map[string]int64{}
	for _, r := range lb.Rows { // best first within a benchmark
		b := r.Benchmark()
		byRun[b+"\x00"+strconv.FormatInt(r.RunID, 10)] = r
		if _, ok := bestWest[b]; !ok && strings.EqualFold(origin(r), "West") && !math.IsNaN(r.Accuracy) {
			bestWest[b] = r.RunID
		}
	}
	isCN := func(b string, run int64) bool {
		r, ok := byRun[b+"\x00"+strconv.FormatInt(run, 10)]
		return ok && strings.EqualFold(origin(r), "CN")
	}
	var out []Comparison
	for _, c := range lb.Comparisons {
		w, ok := bestWest[c.Benchmark]
		if ok && (c.A.Run == w && isCN(c.Benchmark, c.B.Run) || c.B.Run == w && isCN(c.Benchmark, c.A.Run)) {
			out = append(out, c)
		}
	}
	return out
}

func renderText(out io.Writer, lb *Leaderboard) error {
	return RenderText(out, lb, TextOptions{})
}

// RenderText writes the text report: aligned columns for a terminal.
func RenderText(out io.Writer, lb *Leaderboard, opt TextOptions) error {
	if lb == nil {
		return fmt.Errorf("render text: no leaderboard")
	}
	w := &errWriter{w: out}
	fmt.Fprintf(w, "parity leaderboard, generated %s\n\n", lb.Generated())
	runs, folded := fold(RunTable(lb), opt.Wide)
	if len(folded) > 0 {
		fmt.Fprintf(w, "Same in every run: %s (--wide shows every column)\n", strings.Join(folded, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writeTabRow(tw, runs.Header)
	for _, r := range runs.Rows {
		writeTabRow(tw, r)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	view := *lb
	hidden := 0
	if !opt.AllPairs {
		view.Comparisons = keyPairs(lb)
		hidden = len(lb.Comparisons) - len(view.Comparisons)
	}
	for _, t := range Tables(&view) {
		blurb := t.Blurb
		if t.Name == TablePairs && !opt.AllPairs {
			blurb = strings.Replace(blurb, "Every two runs of a benchmark", "Each CN run against the best West run of its benchmark", 1)
		}
		t, folded := fold(t, opt.Wide)
		if blurb != "" {
			fmt.Fprintf(w, "\n%s\n%s\n", t.Title, blurb)
		} else {
			fmt.Fprintf(w, "\n%s\n", t.Title)
		}
		if len(folded) > 0 {
			fmt.Fprintf(w, "Same in every row: %s\n", strings.Join(folded, ", "))
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		writeTabRow(tw, t.Header)
		for _, r := range t.Rows {
			writeTabRow(tw, r)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if hidden > 0 {
		fmt.Fprintf(w, "\n%d other paired comparison(s) not shown: --all-pairs lists every pair\n", hidden)
	}
	if len(lb.Notes) > 0 {
		fmt.Fprint(w, "\nNotes\n")
		for _, n := range lb.Notes {
			fmt.Fprintf(w, "- %s\n", Flat(n))
		}
	}
	if w.err != nil {
		return fmt.Errorf("render text: %w", w.err)
	}
	return nil
}

func writeTabRow(w io.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			io.WriteString(w, "\t")
		}
		io.WriteString(w, Flat(c))
	}
	io.WriteString(w, "\n")
}

// mdEscape keeps a cell inside its table cell and keeps raw HTML out of
// Markdown, since many Markdown viewers pass HTML through; "](" is escaped
// so that no inline link or image ("[x](javascript:…)", a tracking
// picture) can be made from a model's text.
var mdEscape = strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "](", `\](`)

func renderMarkdown(out io.Writer, lb *Leaderboard) error {
	w := &errWriter{w: out}
	fmt.Fprintf(w, "# parity leaderboard\n\nGenerated %s.\n\n", lb.Generated())
	runs := RunTable(lb)
	writeMDTable(w, runs.Header, runs.Right)
	for _, r := range runs.Rows {
		writeMDRow(w, r)
	}
	for _, t := range Tables(lb) {
		fmt.Fprintf(w, "\n## %s\n\n", t.Title)
		if t.Blurb != "" {
			fmt.Fprintf(w, "%s\n\n", mdEscape.Replace(t.Blurb))
		}
		writeMDTable(w, t.Header, t.Right)
		for _, r := range t.Rows {
			writeMDRow(w, r)
		}
	}
	if len(lb.Notes) > 0 {
		fmt.Fprint(w, "\n## Notes\n\n")
		for _, n := range lb.Notes {
			fmt.Fprintf(w, "- %s\n", mdEscape.Replace(Flat(n)))
		}
	}
	return w.err
}

// rightAligned marks the numeric columns of a table.
func rightAligned(header []string) []bool {
	text := map[string]bool{"SUITE": true, "MODEL": true, "ORIGIN": true, "THINKING": true, "SCORER": true, "COST": true, "JUDGE": true,
		"BENCHMARK": true, "LANGUAGE": true, "CN": true, "WEST": true, "A": true, "B": true, "METHOD": true, "VERDICT": true,
		"SETTING": true, "PARETO": true, "PROBE": true, "BEFORE": true, "AFTER": true}
	right := make([]bool, len(header))
	for i, h := range header {
		right[i] = !text[h]
	}
	return right
}

func writeMDTable(w io.Writer, header []string, right []bool) {
	writeMDRow(w, header)
	sep := make([]string, len(header))
	for i := range header {
		sep[i] = "---"
		if right[i] {
			sep[i] = "--:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|"))
}

func writeMDRow(w io.Writer, cells []string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = mdEscape.Replace(Flat(c))
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(esc, " | "))
}

// CSVHeader is the column order of the run section of the CSV report. It is
// fixed whatever the data, so spreadsheets and scripts can rely on it.
var CSVHeader = []string{
	"run_id", "model", "model_reported", "provider", "origin", "mock", "suite", "suite_version",
	"language", "non_commercial", "status", "thinking", "items", "samples", "target", "k", "scored",
	"accuracy", "ci_low", "ci_high",
	"correct", "wrong", "unparsed", "truncated", "refused", "error",
	"pass_at_1", "pass_at_k", "pass_k", "maj_at_k",
	"mean_prompt_tokens", "mean_completion_tokens", "mean_reasoning_tokens",
	"latency_p50_ms", "latency_p95_ms", "cost", "currency", "price_as_of",
	"cost_converted", "converted_currency", "scorers",
	"judge_checked", "judge_overturned", "judge_accuracy",
	"circular_items", "circular_accuracy", "subject", "rank",
}

// renderCSV writes one plain table, a row per run, so any CSV reader takes
// it whole. Origin groups and notes are derived or prose; they are in the
// other formats.
func renderCSV(w io.Writer, lb *Leaderboard) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, r := range lb.Rows {
		t := csvText
		rec := []string{
			strconv.FormatInt(r.RunID, 10), t(r.Model), t(r.ModelReported), t(r.Provider), t(r.Origin),
			strconv.FormatBool(r.Mock), t(r.Suite), t(r.SuiteVersion), t(r.Language),
			strconv.FormatBool(r.NonCommercial), t(r.Status), t(r.Thinking),
			strconv.Itoa(r.Items), strconv.Itoa(r.Samples), strconv.Itoa(r.Target),
			strconv.Itoa(r.K), strconv.Itoa(r.Scored),
			num(r.Accuracy), num(r.CILow), num(r.CIHigh),
		}
		for _, o := range parity.Outcomes {
			rec = append(rec, strconv.Itoa(r.Outcomes[o]))
		}
		passK, passAt1, passAtK := "", "", ""
		if r.KMax > 0 {
			passK = strconv.Itoa(r.KMax)
			passAt1, passAtK = num(r.PassAtK[1]), num(r.PassAtK[r.KMax])
		}
		converted := ""
		if r.ConvertedCurrency != "" {
			converted = num(r.CostConverted)
		}
		rec = append(rec, passAt1, passAtK, passK, num(r.MajAtK),
			num(r.MeanPromptTokens), num(r.MeanCompletionTokens), num(r.MeanReasoningTokens),
			ms(r.LatencyP50), ms(r.LatencyP95), num(r.Cost), t(r.Currency), t(r.PriceAsOf),
			converted, t(r.ConvertedCurrency), t(strings.Join(r.Scorers, " ")),
			strconv.Itoa(r.JudgeChecked), strconv.Itoa(r.JudgeOverturned), num(r.JudgeAccuracy),
			strconv.Itoa(r.CircularItems), num(r.CircularAccuracy), t(r.Subject), strconv.Itoa(r.Rank))
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// csvText neutralises a text cell a spreadsheet would run as a formula:
// one starting with = + - @ tab or carriage return gets a leading single
// quote, as OWASP's "CSV Injection" page recommends, so Excel, LibreOffice
// and Google Sheets show it as text. The fullwidth forms of = + - @ are
// treated the same, since some spreadsheets normalise them. Only text cells
// pass through here: numbers parity formats itself (num, ms, counts) are
// data, so a negative number stays a number, while a text cell that merely
// looks like one ("-0.5" as a model name) is quoted like any other.
func csvText(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// num formats a float for machines: shortest exact form, empty for NaN.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}
