package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// The snapshot's pages are built like the leaderboard page: view models of
// ready-made strings, templates with no logic beyond loops, html/template
// escaping every value. No value from data reaches a script, a style or
// a URL: the only links are built here from run ids and fixed names, and
// the pages carry a Content-Security-Policy that forbids scripts outright.

// snapshotCSP allows the inline styles and SVG the pages use and nothing
// else: no script, no remote resource, so the pages work offline and stay
// inert even if an escaping bug let markup through. Forms may submit to
// their own origin, which only parity serve's search pages have.
const snapshotCSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'">`

// pageStart opens every page of the run viewer, the comparisons and the
// server: document type, character set, the policy above and viewport, up
// to the title.
const pageStart = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
` + snapshotCSP + `
<meta name="viewport" content="width=device-width, initial-scale=1">`

// setting is one line of a run's settings table.
type setting struct {
	Name, Value string
	Code        bool
}

// outcomeCount is one outcome's count on a run page.
type outcomeCount struct {
	Outcome string
	Class   string
	N       int
}

// runView is what every page of one run shows.
type runView struct {
	ID        int64
	Model     string
	Suite     string
	Mock      bool
	Redacted  bool
	Settings  []setting
	Reproduce string
	Counts    []outcomeCount
	Total     int
	Accuracy  string
	// Figures are the run's other headline numbers: pass@k, maj@k,
	// circular accuracy, when it has them.
	Figures []setting
	Data    string
	Pages   int
	// Lists link the pages of one outcome, for runs longer than a page.
	Lists []outcomeList
	// Home is the leaderboard, relative to the run's pages; Self is the
	// run's first page.
	Home, Self string
	// href names page n of the run's samples of one outcome (all samples
	// when empty): files in a snapshot, query strings on a server.
	href func(outcome parity.Outcome, n int) string
}

// outcomeList links the samples of one outcome.
type outcomeList struct {
	Outcome string
	N       int
	Href    string
}

// pageView is one page file of a run: of all its samples (Outcome empty)
// or of one outcome's.
type pageView struct {
	*runView
	Outcome    string
	Page       int
	Of         int
	Nav        []navLink
	Prev, Next string
}

type navLink struct {
	Label   string
	Href    string
	Current bool
}

// choiceView is one option of a multiple-choice question.
type choiceView struct {
	Letter, Text string
}

// sampleView is one sample on a page.
type sampleView struct {
	Anchor        string
	Class         string
	Outcome       string
	ItemID        string
	Index         int
	Extracted     string
	Gold          string
	Scorer        string
	Detail        string
	Judge         string
	FinishReason  string
	Tokens        string
	Latency       string
	Cost          string
	Error         string
	Warnings      []string
	Redacted      bool
	Question      string
	Choices       []choiceView
	Content       string
	Reasoning     string
	HasReasoning  bool
	ReasoningSize string
}

func outcomeClass(o parity.Outcome) string {
	for _, known := range parity.Outcomes {
		if o == known {
			return "o-" + string(o)
		}
	}
	return "o-other"
}

func newRunView(run parity.Run, row reports.Row, redact, userProvider bool, pages int) *runView {
	v := &runView{
		ID:        run.ID,
		Model:     run.Model.ID,
		Suite:     suiteName(run),
		Mock:      row.Mock,
		Redacted:  redact,
		Settings:  runSettings(run),
		Reproduce: reproduceCommand(run, userProvider),
		Total:     row.Samples,
		Accuracy:  percent(row.Accuracy),
		Data:      strconv.FormatInt(run.ID, 10) + ".jsonl",
		Pages:     pages,
		Home:      "../index.html",
		href:      func(o parity.Outcome, n int) string { return relRun(outcomePage(run.ID, o, n)) },
	}
	v.Self = v.href("", 1)
	if row.KMax > 1 {
		v.Figures = append(v.Figures, setting{Name: "pass@" + strconv.Itoa(row.KMax), Value: percent(row.PassAtK[row.KMax])})
	}
	if row.K > 1 {
		v.Figures = append(v.Figures, setting{Name: "maj@" + strconv.Itoa(row.K), Value: percent(row.MajAtK)})
	}
	if row.CircularItems > 0 && row.Items > row.CircularItems {
		for i := range v.Settings {
			if v.Settings[i].Name == "Selection" {
				v.Settings[i].Value += fmt.Sprintf("; CircularEval: %d original items, each asked in %d rotations of its options",
					row.CircularItems, row.Items/row.CircularItems)
			}
		}
	}
	if row.CircularItems > 0 {
		v.Figures = append(v.Figures, setting{Name: "CircularEval accuracy", Value: percent(row.CircularAccuracy) +
			" of " + strconv.Itoa(row.CircularItems) + " items, right in every rotation of their options"})
	}
	if !math.IsNaN(row.Accuracy) && !math.IsNaN(row.CILow) && !math.IsNaN(row.CIHigh) {
		v.Accuracy += " (95% CI " + percent(row.CILow) + " – " + percent(row.CIHigh) + ")"
	}
	for _, o := range parity.Outcomes {
		v.Counts = append(v.Counts, outcomeCount{Outcome: string(o), Class: outcomeClass(o), N: row.Outcomes[o]})
	}
	return v
}

// page is page n of of, of all samples or of one outcome's.
func (v *runView) page(outcome parity.Outcome, n, of int) pageView {
	p := pageView{runView: v, Outcome: string(outcome), Page: n, Of: of}
	href := func(i int) string { return v.href(outcome, i) }
	if of > 1 {
		for i := 1; i <= of; i++ {
			p.Nav = append(p.Nav, navLink{Label: strconv.Itoa(i), Href: href(i), Current: i == n})
		}
	}
	if n > 1 {
		p.Prev = href(n - 1)
	}
	if n < of {
		p.Next = href(n + 1)
	}
	return p
}

func newSampleView(n int, s SnapshotSample) sampleView {
	v := sampleView{
		Anchor:       "s" + strconv.Itoa(n),
		Class:        outcomeClass(s.Outcome),
		Outcome:      string(s.Outcome),
		ItemID:       s.ItemID,
		Index:        s.Index,
		Extracted:    s.Extracted,
		Gold:         s.Gold,
		Scorer:       s.Scorer + "@" + s.ScorerVersion,
		Detail:       s.Detail,
		FinishReason: s.FinishReason,
		Error:        s.Error,
		Warnings:     s.Warnings,
		Redacted:     s.Redacted,
		Latency:      reports.Duration(time.Duration(s.LatencyMS) * time.Millisecond),
		Tokens: fmt.Sprintf("%d in, %d out (%d reasoning)", s.Usage.PromptTokens,
			s.Usage.CompletionTokens, s.Usage.ReasoningTokens),
		Cost: strconv.FormatFloat(s.Cost, 'f', -1, 64),
	}
	if s.TTFTMS > 0 {
		v.Latency += ", first token " + reports.Duration(time.Duration(s.TTFTMS)*time.Millisecond)
	}
	if s.Judge != nil {
		v.Judge = string(s.Judge.Outcome)
		if s.Judge.Scorer != "" {
			v.Judge += " (" + s.Judge.Scorer + "@" + s.Judge.ScorerVersion + ")"
		}
		if s.Judge.Detail != "" {
			v.Judge += ": " + s.Judge.Detail
		}
	}
	if s.Content != nil {
		v.Content = *s.Content
	}
	v.Question = s.Question
	for i, c := range s.Choices {
		letter := string(rune('A' + i))
		if i >= 26 {
			letter = strconv.Itoa(i + 1)
		}
		v.Choices = append(v.Choices, choiceView{letter, c})
	}
	if s.Reasoning != nil && *s.Reasoning != "" {
		v.Reasoning = *s.Reasoning
		v.HasReasoning = true
		v.ReasoningSize = strconv.Itoa(len([]rune(v.Reasoning))) + " characters"
	}
	return v
}

func suiteName(run parity.Run) string {
	if run.Subject != "" {
		return run.Suite.Name + ":" + run.Subject
	}
	return run.Suite.Name
}

func percent(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format(time.RFC3339)
}

// runSettings lists everything a run recorded about how it was made.
func runSettings(run parity.Run) []setting {
	or := func(s, dflt string) string {
		if s == "" {
			return dflt
		}
		return s
	}
	params, _ := json.Marshal(run.Params) // plain struct: cannot fail
	limit := "all items"
	if run.Limit > 0 {
		limit = strconv.Itoa(run.Limit) + " items, picked with seed " + strconv.FormatInt(run.Seed, 10)
	}
	parityVersion := run.ParityVersion
	if run.GitRevision != "" {
		parityVersion += " (revision " + run.GitRevision + ")"
	}
	out := []setting{
		{Name: "Run", Value: strconv.FormatInt(run.ID, 10) + " (" + string(run.Status) + ")"},
		{Name: "Model asked for", Value: run.Model.ID, Code: true},
		{Name: "Model the API reported", Value: or(run.ModelReported, "not reported"), Code: run.ModelReported != ""},
		{Name: "Provider / origin", Value: or(run.Model.Provider, "–") + " / " + or(run.Model.Origin, "–")},
		{Name: "API base URL", Value: or(run.BaseURL, "the catalog's default for the provider"), Code: run.BaseURL != ""},
		{Name: "Suite", Value: suiteLabel(run), Code: true},
		{Name: "Language / licence", Value: or(reports.RunLanguage(run), "–") + " / " + or(run.Suite.License, "–")},
		{Name: "Data sha256", Value: or(run.Suite.DataSHA256, "–"), Code: true},
		{Name: "Prompt template hash", Value: or(run.Suite.PromptHash, "–"), Code: true},
		{Name: "Scorer", Value: run.Suite.Scorer + "@" + run.Suite.ScorerVersion + " (" + or(run.Suite.Kind, "–") + " answers)", Code: true},
		{Name: "Selection", Value: limit + "; " + strconv.Itoa(run.Items) + " of " + strconv.Itoa(run.Suite.Items) + " items, " + strconv.Itoa(run.Samples) + " sample(s) each"},
		{Name: "Generation parameters", Value: string(params), Code: true},
		{Name: "parity version", Value: or(parityVersion, "–"), Code: true},
		{Name: "Started / finished", Value: stamp(run.StartedAt) + " / " + stamp(run.FinishedAt)},
		{Name: "Price card", Value: priceText(run.Price)},
		{Name: "Fingerprint", Value: run.Fingerprint, Code: true},
	}
	for _, w := range run.Warnings {
		out = append(out, setting{Name: "Warning", Value: w})
	}
	if run.Note != "" {
		out = append(out, setting{Name: "Note", Value: run.Note})
	}
	return out
}

func priceText(p *parity.Price) string {
	if p == nil {
		return "none recorded, so no cost"
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	s := fmt.Sprintf("%s input, %s cached input, %s output %s per million tokens, as of %s",
		f(p.Input), f(p.CachedInput), f(p.Output), p.Currency, p.AsOf)
	if p.Source != "" {
		s += " (" + p.Source + ")"
	}
	for _, w := range p.Windows {
		s += fmt.Sprintf("; %s %s–%s UTC: %s / %s / %s", w.Name, w.Start, w.End, f(w.Input), f(w.CachedInput), f(w.Output))
	}
	return s
}

// reproduceCommand is the parity run command line that asks the same
// questions with the same settings. --fresh keeps it from resuming the
// original run when run against the same database.
func reproduceCommand(run parity.Run, userProvider bool) string {
	args := []string{"parity", "run", "-m", run.Model.ID, "-s", suiteName(run)}
	if strings.HasSuffix(run.Suite.Version, "+circular") {
		args = append(args, "--circular")
	}
	if run.Limit > 0 {
		args = append(args, "--limit", strconv.Itoa(run.Limit), "--seed", strconv.FormatInt(run.Seed, 10))
	}
	if run.Samples > 1 {
		args = append(args, "--samples", strconv.Itoa(run.Samples))
	}
	p := run.Params
	if p.MaxTokens > 0 {
		args = append(args, "--max-tokens", strconv.Itoa(p.MaxTokens))
	}
	if p.Temperature != nil {
		args = append(args, "--temperature", strconv.FormatFloat(*p.Temperature, 'g', -1, 64))
	}
	if p.TopP != nil {
		args = append(args, "--top-p", strconv.FormatFloat(*p.TopP, 'g', -1, 64))
	}
	if p.Seed != nil {
		args = append(args, "--sampling-seed", strconv.Itoa(*p.Seed))
	}
	if p.Stream {
		args = append(args, "--stream")
	}
	if p.Thinking != "" {
		args = append(args, "--thinking", p.Thinking)
	}
	if p.Effort != "" {
		args = append(args, "--effort", p.Effort)
	}
	if p.ThinkingBudget > 0 {
		args = append(args, "--thinking-budget", strconv.Itoa(p.ThinkingBudget))
	}
	// Catalog providers find their endpoint themselves (--base-url would
	// replace it, and the provider's transport with it); endpoints given
	// on the command line are recorded with the path the client adds.
	custom := run.Model.Origin == "custom" || run.Model.Origin == "local"
	if run.BaseURL != "" && custom {
		args = append(args, "--base-url", strings.TrimSuffix(run.BaseURL, "/chat/completions"))
	}
	args = append(args, "--fresh")
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	cmd := strings.Join(args, " ")
	switch {
	case userProvider:
		cmd += "\n# " + run.Model.Provider + " is not in parity's built-in catalog: add --providers with the YAML file that defines it"
	case custom:
		cmd += "\n# add --api-key-env VAR if the endpoint needs a key"
	}
	return cmd
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@+,%-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// indexRun is one run in the index page's list.
type indexRun struct {
	ID       int64
	Page     string
	Data     string
	Model    string
	Suite    string
	Status   string
	Samples  int
	Accuracy string
	Redacted bool
}

type indexView struct {
	Generated     string
	ParityVersion string
	Database      string
	Runs          []indexRun
	// Subjects says the snapshot has a per-subject leaderboard.
	Subjects bool
}

// writeIndex writes the leaderboard page Render makes, with the
// snapshot's own section (runs, files, how to audit) added before the end
// of its body and the snapshot's security policy added to its head.
func writeIndex(w io.Writer, lb *reports.Leaderboard, man Manifest, subjects bool) error {
	var board bytes.Buffer
	if err := renderHTML(&board, lb, withPairs(snapshotLinks, lb, comparePage)); err != nil {
		return err
	}
	rows := make(map[int64]reports.Row, len(lb.Rows))
	for _, r := range lb.Rows {
		rows[r.RunID] = r
	}
	v := indexView{Generated: stamp(man.GeneratedAt), ParityVersion: man.ParityVersion, Database: man.Database, Subjects: subjects}
	if man.GitRevision != "" {
		v.ParityVersion += " (revision " + man.GitRevision + ")"
	}
	for _, r := range man.Runs {
		suite := r.Suite
		if r.Subject != "" {
			suite += ":" + r.Subject
		}
		v.Runs = append(v.Runs, indexRun{
			ID: r.ID, Page: r.Page, Data: r.Data, Model: r.Model, Suite: suite + "@" + r.SuiteVersion,
			Status: r.Status, Samples: r.Samples, Accuracy: percent(rows[r.ID].Accuracy), Redacted: r.Redacted,
		})
	}
	var section bytes.Buffer
	if err := viewerTemplate.ExecuteTemplate(&section, "index", v); err != nil {
		return err
	}
	return withSection(w, board.Bytes(), section.Bytes())
}

// withSection writes the leaderboard page with a section added before the
// end of its body and the site's security policy added to its head.
func withSection(w io.Writer, page, section []byte) error {
	if i := bytes.Index(page, []byte("<head>")); i >= 0 {
		i += len("<head>")
		page = append(page[:i:i], append([]byte("\n"+snapshotCSP), page[i:]...)...)
	}
	end := bytes.LastIndex(page, []byte("</body>"))
	if end < 0 {
		end = len(page)
	}
	for _, part := range [][]byte{page[:end], section, page[end:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

var viewerTemplate = template.Must(template.New("viewer").Funcs(template.FuncMap{"sample": sampleHTML}).Parse(`
{{- define "style" -}}
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
table { border-collapse: collapse; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f5f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
td code { overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f9; border: 1px solid #e3e3e3; padding: .5rem .7rem; margin: .4rem 0; }
.withheld { background: #fff6e0; border: 1px solid #f0d890; padding: .5rem .7rem; }
nav.pages a, nav.pages strong { margin-right: .5rem; }
.filter label { margin-right: .9rem; cursor: pointer; }
.filter input { margin-right: .2rem; }
details.s { border-bottom: 1px solid #e3e3e3; padding: .25rem 0; }
details.s > summary { cursor: pointer; }
details.s > div { margin: .3rem 0 .6rem 1.2rem; }
.badge { display: inline-block; min-width: 5.5rem; font-weight: 600; }
.o-correct .badge { color: #2a7a2a; } .o-wrong .badge { color: #b52a2a; } .o-unparsed .badge, .o-truncated .badge { color: #9a6a00; }
.o-refused .badge, .o-error .badge, .o-other .badge { color: #555; }
dl { display: grid; grid-template-columns: max-content auto; gap: .15rem .8rem; margin: .3rem 0; }
dt { color: #666; } dd { margin: 0; overflow-wrap: anywhere; }
form.search { margin: .8rem 0 1.2rem; display: flex; flex-wrap: wrap; gap: .4rem; }
form.search input[type=search] { min-width: 18rem; }
.side { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
.side section { border: 1px solid #e3e3e3; padding: .2rem .8rem; }
p.hit { margin: 1rem 0 0; }
ul.figures { margin: .2rem 0 .6rem; }
ol.choices { list-style: none; padding-left: .5rem; margin: .3rem 0; }
#f-correct:checked ~ .samples .s:not(.o-correct),
#f-wrong:checked ~ .samples .s:not(.o-wrong),
#f-unparsed:checked ~ .samples .s:not(.o-unparsed),
#f-truncated:checked ~ .samples .s:not(.o-truncated),
#f-refused:checked ~ .samples .s:not(.o-refused),
#f-error:checked ~ .samples .s:not(.o-error) { display: none; }
</style>
{{- end}}

{{- define "nav"}}{{if .Nav}}
<nav class="pages">Pages: {{if .Prev}}<a href="{{.Prev}}">‹ previous</a>{{end}}
{{- range .Nav}}{{if .Current}} <strong>{{.Label}}</strong>{{else}} <a href="{{.Href}}">{{.Label}}</a>{{end}}{{end}}
{{- if .Next}} <a href="{{.Next}}">next ›</a>{{end}}</nav>
{{- end}}{{end}}

{{- define "head" -}}
` + pageStart + `
<title>run {{.ID}}: {{.Model}} on {{.Suite}}{{if .Outcome}}, {{.Outcome}} samples{{end}}{{if gt .Page 1}} (page {{.Page}}){{end}}</title>
{{template "style"}}
</head>
<body>
<p><a href="{{.Home}}">← leaderboard</a>{{if .Outcome}} · <a href="{{.Self}}">run {{.ID}}</a>{{end}}</p>
<h1>Run {{.ID}}: <code>{{.Model}}</code> on <code>{{.Suite}}</code>{{if .Mock}} [mock]{{end}}</h1>
{{- if .Mock}}
<p>This run was answered by the offline mock provider: it demonstrates the pipeline and says nothing about any model.</p>
{{- end}}
{{- if and (eq .Page 1) (not .Outcome)}}
<h2>Settings</h2>
<table>
<tbody>
{{- range .Settings}}
<tr><th>{{.Name}}</th><td>{{if .Code}}<code>{{.Value}}</code>{{else}}{{.Value}}{{end}}</td></tr>
{{- end}}
</tbody>
</table>
<p>Rerun it with the same parity version:</p>
<pre>{{.Reproduce}}</pre>
<h2>Outcomes</h2>
<p>Accuracy (pass@1 over scored samples): {{.Accuracy}}.</p>
{{- if .Figures}}
<ul class="figures">
{{- range .Figures}}
<li>{{.Name}}: {{.Value}}</li>
{{- end}}
</ul>
{{- end}}
<table>
<thead><tr><th>OUTCOME</th><th>SAMPLES</th></tr></thead>
<tbody>
{{- range .Counts}}
<tr class="{{.Class}}"><td><span class="badge">{{.Outcome}}</span></td><td class="num">{{.N}}</td></tr>
{{- end}}
<tr><td>all</td><td class="num">{{.Total}}</td></tr>
</tbody>
</table>
{{- end}}
{{- if .Lists}}
<p class="lists">Every sample of one outcome on its own pages:
{{- range .Lists}} <a href="{{.Href}}">{{.Outcome}} ({{.N}})</a>{{end}}</p>
{{- end}}
{{- if .Redacted}}
<p class="withheld">The answers of this run are withheld: its suite's data must not be published in plain text, and models quote the questions in their answers. Outcomes, extracted answers and gold answers are shown; the answer text, the reasoning and the scorers' notes are not.</p>
{{- end}}
<h2>{{if .Outcome}}Samples with outcome {{.Outcome}}{{else}}Samples{{end}}{{if gt .Of 1}}, page {{.Page}} of {{.Of}}{{end}}</h2>
<p>{{if .Outcome}}The {{.Outcome}} samples of the run{{else}}Every sample of the run{{end}}, ordered by item, {{if gt .Of 1}}split into pages; {{end}}all samples also in <a href="{{.Data}}">{{.Data}}</a>, one JSON object a line. Click a sample to open it.</p>
{{- template "nav" .}}
<div class="filter">
<span>Show:</span>
<input type="radio" name="f" id="f-all" checked><label for="f-all">all</label>
{{- range .Counts}}
<input type="radio" name="f" id="f-{{.Outcome}}"><label for="f-{{.Outcome}}">{{.Outcome}}</label>
{{- end}}
<div class="samples">
{{end}}

{{- define "sample" -}}{{sample .}}{{end}}

{{- define "foot" -}}
</div>
</div>
{{- template "nav" .}}
<p><a href="{{.Home}}">← leaderboard</a></p>
</body>
</html>
{{end}}

{{- define "list-head" -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
` + snapshotCSP + `
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>run {{.ID}}: {{.Model}} on {{.Suite}}, {{.Outcome}} samples</title>
{{template "style"}}
</head>
<body>
<p><a href="{{.Home}}">← leaderboard</a> · <a href="{{.Self}}">run {{.ID}}</a></p>
<h1>Run {{.ID}}: <code>{{.Model}}</code> on <code>{{.Suite}}</code>{{if .Mock}} [mock]{{end}}</h1>
<h2>Samples with outcome {{.Outcome}} ({{.N}})</h2>
<p>Each links to the sample on the run's pages, where its answer{{if not .Redacted}} and reasoning{{end}} can be read.</p>
<table>
<thead><tr><th>ITEM</th><th class="num">#</th><th>EXTRACTED</th><th>GOLD</th></tr></thead>
<tbody>{{end}}

{{- define "list-foot"}}
</tbody>
</table>
<p><a href="{{.Home}}">← leaderboard</a></p>
</body>
</html>
{{end}}

{{- define "index" -}}
{{- if .Subjects}}
<h2>By subject</h2>
<p><a href="subjects.html">The leaderboard by subject</a>: a row per run and subject (MMLU subject, BBH task, C-Eval and CMMLU subject, MGSM language) for the runs over a whole suite; also as <a href="subjects.json">JSON</a>, <a href="subjects.csv">CSV</a> and <a href="subjects.md">Markdown</a>.</p>
{{- end}}
<h2>Runs in this snapshot</h2>
<p>Each run has a page with its exact settings and every sample, and a samples file with one JSON object a line.</p>
<div class="scroll"><table>
<thead><tr><th class="num">RUN</th><th>MODEL</th><th>SUITE</th><th>STATUS</th><th class="num">SAMPLES</th><th class="num">ACC %</th><th>DATA</th></tr></thead>
<tbody>
{{- range .Runs}}
<tr><td class="num"><a href="{{.Page}}">{{.ID}}</a></td><td><a href="{{.Page}}">{{.Model}}</a></td><td>{{.Suite}}</td><td>{{.Status}}</td><td class="num">{{.Samples}}</td><td class="num">{{.Accuracy}}</td><td><a href="{{.Data}}">{{.Data}}</a>{{if .Redacted}} (answers withheld){{end}}</td></tr>
{{- end}}
</tbody>
</table></div>
<h2>Files</h2>
<ul>
<li><a href="leaderboard.json">leaderboard.json</a>, <a href="leaderboard.csv">leaderboard.csv</a>, <a href="leaderboard.md">leaderboard.md</a>: this leaderboard.</li>
<li><a href="runs.json">runs.json</a>: how every run was made: suite version and data sha256, prompt hash, model asked for and reported, parameters, scorer, parity version and revision, times, price card.</li>
<li><code>runs/&lt;id&gt;.jsonl</code>: every sample: item, outcome, extracted and gold answer, verdicts, tokens, latency, cost and the model's answer. Prompts are not included: they follow from the suite, the item id and the prompt hash.</li>
<li><a href="MANIFEST.json">MANIFEST.json</a>: when and from what this snapshot was made.</li>
<li><a href="SHA256SUMS">SHA256SUMS</a>: the checksum of every file.</li>
</ul>
<h2>How to audit</h2>
<ol>
<li>Check that no file changed since it was published and that every verdict holds: <code>parity verify DIR</code> re-checks every checksum and re-grades every published answer with the grader version its run recorded. Without parity, in this folder run <code>sha256sum -c SHA256SUMS</code> (on macOS <code>shasum -a 256 -c SHA256SUMS</code>).</li>
<li>Re-grade by hand: the samples files hold each answer with the answer the scorer extracted, the gold answer and the verdict, so every verdict can be checked line by line; each comparison page lists the items two runs answered differently.</li>
<li>Rerun: each run page shows the settings the run recorded and the <code>parity run</code> command that asks the same questions again. Install the same parity version, check that <code>parity suites --json</code> reports the same suite version, data sha256 and prompt hash, rerun, and compare with <code>parity report</code>: accuracies should agree within their confidence intervals.</li>
</ol>
<p class="meta">Snapshot generated {{.Generated}} by parity {{.ParityVersion}}{{if .Database}} from the database {{.Database}}{{end}}.</p>
{{end}}
`))

// The samples of a page are written by hand rather than by the template
// engine: a snapshot writes one per sample, a million for a large run, and
// executing a template costs several times more than appending strings.
// Every value from data goes through appendEscaped, which escapes exactly
// as html/template does in text and quoted-attribute context, so the pages
// are the same byte for byte; the "sample" template calls sampleHTML, so
// parity serve's pages share this one writer.

// sampleHTML is one sample as it appears on a page, for templates.
func sampleHTML(v sampleView) template.HTML {
	return template.HTML(appendSample(nil, v))
}

// appendSample appends sample v, opening tag included, to b.
func appendSample(b []byte, v sampleView) []byte {
	return appendSampleBody(appendSampleOpen(b, v.Class, v.Anchor), v)
}

// appendSampleOpen appends the tag that opens a sample, which carries its
// outcome's class and its anchor on the page.
func appendSampleOpen(b []byte, class, anchor string) []byte {
	b = append(b, `<details class="s `...)
	b = appendEscaped(b, class)
	b = append(b, `" id="`...)
	b = appendEscaped(b, anchor)
	return append(b, `">`...)
}

// appendSampleBody appends what follows a sample's opening tag; it does not
// depend on where the sample sits on its page, so a snapshot renders it
// before knowing the page.
func appendSampleBody(b []byte, v sampleView) []byte {
	b = append(b, `<summary><span class="badge">`...)
	b = appendEscaped(b, v.Outcome)
	b = append(b, `</span> <code>`...)
	b = appendEscaped(b, v.ItemID)
	b = append(b, `</code> #`...)
	b = strconv.AppendInt(b, int64(v.Index), 10)
	b = append(b, " — "...)
	if v.Extracted != "" {
		b = append(b, `extracted <code>`...)
		b = appendEscaped(b, v.Extracted)
		b = append(b, `</code>`...)
	} else {
		b = append(b, `no answer extracted`...)
	}
	b = append(b, `, gold <code>`...)
	b = appendEscaped(b, v.Gold)
	b = append(b, "</code></summary>\n<div>\n<dl>\n<dt>scorer</dt><dd><code>"...)
	b = appendEscaped(b, v.Scorer)
	b = append(b, `</code>`...)
	if v.Detail != "" {
		b = append(b, ": "...)
		b = appendEscaped(b, v.Detail)
	}
	b = append(b, `</dd>`...)
	b = appendField(b, "judge", v.Judge)
	finish := "–"
	if v.FinishReason != "" {
		finish = v.FinishReason
	}
	b = appendLine(b, "finish", finish)
	b = appendLine(b, "tokens", v.Tokens)
	b = appendLine(b, "latency", v.Latency)
	b = appendLine(b, "cost", v.Cost)
	b = appendField(b, "error", v.Error)
	for _, w := range v.Warnings {
		b = appendLine(b, "warning", w)
	}
	b = append(b, "\n</dl>"...)
	if v.Question != "" {
		b = append(b, "\n<details class=\"q\"><summary>question</summary>\n<pre>"...)
		b = appendEscaped(b, v.Question)
		b = append(b, `</pre>`...)
		if len(v.Choices) > 0 {
			b = append(b, "\n<ol class=\"choices\">"...)
			for _, c := range v.Choices {
				b = append(b, `<li><b>`...)
				b = appendEscaped(b, c.Letter)
				b = append(b, `.</b> `...)
				b = appendEscaped(b, c.Text)
				b = append(b, `</li>`...)
			}
			b = append(b, `</ol>`...)
		}
		b = append(b, "\n</details>"...)
	}
	if v.Redacted {
		b = append(b, "\n<p class=\"withheld\">Answer withheld.</p>"...)
	} else {
		if v.HasReasoning {
			b = append(b, "\n<details><summary>reasoning ("...)
			b = appendEscaped(b, v.ReasoningSize)
			b = append(b, ")</summary>\n<pre>"...)
			b = appendEscaped(b, v.Reasoning)
			b = append(b, "</pre>\n</details>"...)
		}
		b = append(b, "\n<pre>"...)
		b = appendEscaped(b, v.Content)
		b = append(b, `</pre>`...)
	}
	return append(b, "\n</div>\n</details>\n"...)
}

// appendField appends one line of a sample's details unless value is
// empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendLine(b, name, value)
}

// appendLine appends one line of a sample's details.
func appendLine(b []byte, name, value string) []byte {
	b = append(b, "\n<dt>"...)
	b = append(b, name...)
	b = append(b, "</dt><dd>"...)
	b = appendEscaped(b, value)
	return append(b, `</dd>`...)
}

// htmlEscapes is html/template's replacement table for text and quoted
// attributes: NUL becomes U+FFFD, and the five characters that can end a
// text or an attribute, and +, become character references. Bytes of
// multi-byte UTF-8 sequences and invalid bytes pass unchanged, as there.
var htmlEscapes = [256]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// appendEscaped appends s to b escaped as html/template escapes a value
// in text or a quoted attribute.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			b = append(b, s[last:i]...)
			b = append(b, r...)
			last = i + 1
		}
	}
	return append(b, s[last:]...)
}
