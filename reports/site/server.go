package site

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// Source is what Server reads, at every request, so its pages stay live.
type Source interface {
	// Leaderboard builds the leaderboard of the runs to show, with the
	// runs.
	Leaderboard(ctx context.Context) (*reports.Leaderboard, []parity.Run, error)
	// Samples calls fn for the samples of a run that q selects, in key
	// order.
	Samples(ctx context.Context, runID int64, q SampleQuery, fn func(parity.Sample) error) error
}

// SubjectSource is a Source that can also split runs by subject (see
// reports.BySubject); the server then has a leaderboard by subject.
type SubjectSource interface {
	Source
	// Subjects builds the leaderboard with a row per run and subject, nil
	// when no run covers several subjects.
	Subjects(ctx context.Context) (*reports.Leaderboard, error)
}

// SampleQuery narrows the samples Source.Samples reads; zero fields select
// everything.
type SampleQuery struct {
	Outcome parity.Outcome
	ItemID  string
	// KeysOnly says the caller reads only each sample's key and outcome,
	// so a source may leave the rest out (results.ScoreFields).
	KeysOnly bool
	// NoTexts says the caller reads no answer text (content, reasoning,
	// raw response), so a source may leave those out (results.LightFields).
	NoTexts bool
	// Items, when not empty, keeps the samples of these items only; the
	// server asks for at most one page's worth.
	Items []string
}

// ServerOptions tune NewServer. The zero value is usable.
type ServerOptions struct {
	// Redact, UserProvider and Questions are as in SnapshotOptions.
	Redact       func(parity.Run) bool
	UserProvider func(parity.Run) bool
	Questions    func(parity.Run) QuestionFunc
	// PageSize caps the samples of one run page; zero means
	// DefaultPageSize.
	PageSize int
	// MaxHits caps the samples a search lists; zero means 200.
	MaxHits int
}

// server serves the snapshot's pages live from a Source, plus what a
// static site cannot do: search across samples, filters, and one item side
// by side across every model.
type server struct {
	src Source
	opt ServerOptions
}

// NewServer returns the handler of 'parity serve'. Its pages are the
// snapshot's, linked by path instead of by file, and like them run no
// script: filters are links and forms the server answers.
func NewServer(src Source, opt ServerOptions) http.Handler {
	if opt.PageSize <= 0 {
		opt.PageSize = DefaultPageSize
	}
	if opt.MaxHits <= 0 {
		opt.MaxHits = 200
	}
	s := &server{src: src, opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /runs/{id}", s.run)
	mux.HandleFunc("GET /runs/{id}/samples.jsonl", s.data)
	mux.HandleFunc("GET /compare/{pair}", s.compare)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /item", s.item)
	mux.HandleFunc("GET /subjects", s.subjects)
	return secureHeaders(mux)
}

// secureHeaders sends the pages' policy as headers too, so it holds for
// every response, errors included.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// serverLinks link the live leaderboard to the server's run pages;
// withPairs adds its comparison pages.
var serverLinks = linker{run: func(id int64) string { return "/runs/" + strconv.FormatInt(id, 10) }}

func serverComparePage(a, b int64) string {
	return "/compare/" + strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(b, 10)
}

// questions finds the questions of run, nil when they are withheld.
func (s *server) questions(run parity.Run) QuestionFunc {
	if s.opt.Questions == nil {
		return nil
	}
	return s.opt.Questions(run)
}

func (s *server) fail(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	if parity.CodeOf(err) == parity.ErrNotFound {
		code = http.StatusNotFound
	}
	http.Error(w, err.Error(), code)
}

func notFound(format string, args ...any) error {
	return parity.Errorf(parity.ErrNotFound, format, args...)
}

// board reads the leaderboard and its runs by id.
func (s *server) board(ctx context.Context) (*reports.Leaderboard, map[int64]parity.Run, error) {
	lb, runs, err := s.src.Leaderboard(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]parity.Run, len(runs))
	for _, r := range runs {
		byID[r.ID] = r
	}
	return lb, byID, nil
}

// filters are the choices of the search form, from the runs shown.
type filters struct {
	// BySubject shows the link to the leaderboard by subject.
	BySubject                         bool
	Q, Model, Suite, Subject, Outcome string
	Models, Suites, Subjects          []string
	Outcomes                          []string
}

func (s *server) filters(runs map[int64]parity.Run, q url.Values) filters {
	f := filters{Q: q.Get("q"), Model: q.Get("model"), Suite: q.Get("suite"), Subject: q.Get("subject"), Outcome: q.Get("outcome")}
	set := func(list []string, v string) []string {
		if v == "" || slices.Contains(list, v) {
			return list
		}
		return append(list, v)
	}
	for _, r := range runs {
		f.Models = set(f.Models, r.Model.ID)
		f.Suites = set(f.Suites, r.Suite.Name)
		f.Subjects = set(f.Subjects, r.Subject)
	}
	slices.Sort(f.Models)
	slices.Sort(f.Suites)
	slices.Sort(f.Subjects)
	for _, o := range parity.Outcomes {
		f.Outcomes = append(f.Outcomes, string(o))
	}
	return f
}

func (s *server) index(w http.ResponseWriter, r *http.Request) {
	lb, runs, err := s.board(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	var board, section bytes.Buffer
	if err := renderHTML(&board, lb, withPairs(serverLinks, lb, serverComparePage)); err != nil {
		s.fail(w, err)
		return
	}
	f := s.filters(runs, nil)
	_, f.BySubject = s.src.(SubjectSource)
	if err := serverTemplate.ExecuteTemplate(&section, "search-form", f); err != nil {
		s.fail(w, err)
		return
	}
	// The search form belongs at the top, where a reader starts.
	page := board.Bytes()
	if i := bytes.Index(page, []byte("<h1>parity leaderboard</h1>")); i >= 0 {
		i += len("<h1>parity leaderboard</h1>")
		page = slices.Concat(page[:i], []byte("\n"), section.Bytes(), page[i:])
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	withSection(w, page, nil)
}

// boardRun reads the leaderboard and the run on it that the path's {id}
// names.
func (s *server) boardRun(r *http.Request) (*reports.Leaderboard, parity.Run, error) {
	lb, runs, err := s.board(r.Context())
	if err != nil {
		return nil, parity.Run{}, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	run, ok := runs[id]
	if err != nil || !ok {
		return nil, parity.Run{}, notFound("no run %q on this leaderboard", r.PathValue("id"))
	}
	return lb, run, nil
}

func (s *server) rowOf(lb *reports.Leaderboard, id int64) reports.Row {
	for _, row := range lb.Rows {
		if row.RunID == id {
			return row
		}
	}
	return reports.Row{}
}

func (s *server) run(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lb, run, err := s.boardRun(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	q := r.URL.Query()
	outcome, item := parity.Outcome(q.Get("outcome")), q.Get("item")
	if outcome != "" && !slices.Contains(parity.Outcomes, outcome) {
		http.Error(w, fmt.Sprintf("unknown outcome %q", outcome), http.StatusBadRequest)
		return
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	redact := s.opt.Redact != nil && s.opt.Redact(run)
	user := s.opt.UserProvider != nil && s.opt.UserProvider(run)
	row := s.rowOf(lb, run.ID)
	// The page's samples, in counting order, without holding the run: a
	// first read takes only the keys, to sort them and find the page's
	// samples, and a second keeps those alone.
	query := SampleQuery{Outcome: outcome, ItemID: item}
	var keys []parity.SampleKey
	keysOnly := query
	keysOnly.KeysOnly = true
	err = s.src.Samples(ctx, run.ID, keysOnly, func(smp parity.Sample) error {
		keys = append(keys, smp.Key())
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	slices.SortFunc(keys, func(a, b parity.SampleKey) int {
		return cmp.Or(reports.CompareIDs(a.ItemID, b.ItemID), cmp.Compare(a.Index, b.Index))
	})
	pages := max(1, (len(keys)+s.opt.PageSize-1)/s.opt.PageSize)
	page = min(page, pages)
	first := (page - 1) * s.opt.PageSize
	keys = keys[first:min(len(keys), first+s.opt.PageSize)]
	slot := make(map[parity.SampleKey]int, len(keys))
	for i, k := range keys {
		slot[k] = i
	}
	list := make([]*SnapshotSample, len(keys))
	questions := s.questions(run)
	for _, k := range keys {
		if n := len(query.Items); n == 0 || query.Items[n-1] != k.ItemID {
			query.Items = append(query.Items, k.ItemID)
		}
	}
	if len(keys) > 0 { // an empty page has nothing to read
		err = s.src.Samples(ctx, run.ID, query, func(smp parity.Sample) error {
			if i, ok := slot[smp.Key()]; ok {
				pub := publish(smp, redact, questions)
				list[i] = &pub
			}
			return nil
		})
		if err != nil {
			s.fail(w, err)
			return
		}
	}
	view := newRunView(publicRun(run), row, redact, user, pages)
	base := "/runs/" + strconv.FormatInt(run.ID, 10)
	view.Home, view.Data = "/", base+"/samples.jsonl"
	view.href = func(o parity.Outcome, n int) string {
		v := url.Values{}
		if o != "" {
			v.Set("outcome", string(o))
		}
		if item != "" {
			v.Set("item", item)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	view.Self = base
	for _, o := range parity.Outcomes {
		if o != parity.OutcomeCorrect && row.Outcomes[o] > 0 {
			view.Lists = append(view.Lists, outcomeList{Outcome: string(o), N: row.Outcomes[o], Href: view.href(o, 1)})
		}
	}
	pv := view.page(outcome, page, pages)
	if item != "" {
		pv.Outcome = ""
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := viewerTemplate.ExecuteTemplate(w, "head", pv); err != nil {
		return
	}
	for i, smp := range list {
		if smp == nil {
			continue // changed between the two reads (a failure retried since)
		}
		if err := viewerTemplate.ExecuteTemplate(w, "sample", newSampleView(first+i+1, *smp)); err != nil {
			return
		}
	}
	viewerTemplate.ExecuteTemplate(w, "foot", pv)
}

func (s *server) subjects(w http.ResponseWriter, r *http.Request) {
	src, ok := s.src.(SubjectSource)
	if !ok {
		s.fail(w, notFound("this server has no leaderboard by subject"))
		return
	}
	lb, err := src.Subjects(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	if lb == nil {
		s.fail(w, notFound("no run on this leaderboard covers several subjects"))
		return
	}
	var board bytes.Buffer
	if err := renderHTML(&board, lb, serverLinks); err != nil {
		s.fail(w, err)
		return
	}
	page := bytes.Replace(board.Bytes(), []byte("<h1>parity leaderboard</h1>"),
		[]byte(`<p><a href="/">← leaderboard</a></p>`+"\n<h1>parity leaderboard by subject</h1>"), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	withSection(w, page, nil)
}

func (s *server) data(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, run, err := s.boardRun(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	redact := s.opt.Redact != nil && s.opt.Redact(run)
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	enc := json.NewEncoder(w)
	questions := s.questions(run)
	s.src.Samples(ctx, run.ID, SampleQuery{}, func(smp parity.Sample) error {
		return enc.Encode(publish(smp, redact, questions))
	})
}

func (s *server) compare(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lb, runs, err := s.board(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	a, b, _ := strings.Cut(r.PathValue("pair"), "-")
	ia, errA := strconv.ParseInt(a, 10, 64)
	ib, errB := strconv.ParseInt(b, 10, 64)
	i := slices.IndexFunc(pairPages(lb), func(c reports.Comparison) bool { return c.A.Run == ia && c.B.Run == ib })
	if errA != nil || errB != nil || i < 0 {
		s.fail(w, notFound("no comparison %q on this leaderboard", r.PathValue("pair")))
		return
	}
	c := pairPages(lb)[i]
	var items [2][]itemRec
	for k, id := range [2]int64{ia, ib} {
		var f reports.ItemFolder
		err := s.src.Samples(ctx, id, SampleQuery{NoTexts: true}, func(smp parity.Sample) error {
			f.Add(&smp)
			return nil
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		for _, it := range f.Items() {
			items[k] = append(items[k], itemRec{ItemResult: it, first: -1})
		}
	}
	links := compareLinks{
		home: "/",
		run:  serverLinks.run,
		// An item's samples are listed on the run's page filtered to it.
		item: func(side int, r *itemRec) string {
			return serverLinks.run([2]int64{ia, ib}[side]) + "?" + url.Values{"item": {r.ID}}.Encode() + "#s1"
		},
	}
	var page bytes.Buffer
	if err := writeCompare(&page, c, runs[ia], runs[ib], sliceItems(items[0]), sliceItems(items[1]), links); err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page.Bytes())
}

// hit is one search result: a sample with the run it belongs to.
type hit struct {
	Run      int64
	RunHref  string
	ItemHref string
	Model    string
	Suite    string
	Sample   sampleView
}

type searchView struct {
	Filters   filters
	Hits      []hit
	Capped    bool
	Searched  int
	MaxHits   int
	Hint      string
	RunsShown int
}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, runs, err := s.board(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	v := searchView{Filters: s.filters(runs, r.URL.Query()), MaxHits: s.opt.MaxHits}
	f := v.Filters
	outcome := parity.Outcome(f.Outcome)
	if outcome != "" && !slices.Contains(parity.Outcomes, outcome) {
		http.Error(w, fmt.Sprintf("unknown outcome %q", outcome), http.StatusBadRequest)
		return
	}
	needle := strings.ToLower(strings.TrimSpace(f.Q))
	ids := make([]int64, 0, len(runs))
	for id, run := range runs {
		if (f.Model == "" || run.Model.ID == f.Model) && (f.Suite == "" || run.Suite.Name == f.Suite) && (f.Subject == "" || run.Subject == f.Subject) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	v.RunsShown = len(ids)
	errStop := fmt.Errorf("enough hits")
	for _, id := range ids {
		run := runs[id]
		redact := s.opt.Redact != nil && s.opt.Redact(run)
		questions := s.questions(run)
		err := s.src.Samples(ctx, id, SampleQuery{Outcome: outcome}, func(smp parity.Sample) error {
			v.Searched++
			pub := publish(smp, redact, questions)
			if needle != "" && !matches(pub, needle) {
				return nil
			}
			if len(v.Hits) == s.opt.MaxHits {
				v.Capped = true
				return errStop
			}
			v.Hits = append(v.Hits, hit{
				Run: id, RunHref: serverLinks.run(id), Model: run.Model.ID, Suite: suiteLabel(run),
				ItemHref: "/item?" + url.Values{"suite": {run.Suite.Name}, "id": {smp.ItemID}}.Encode(),
				Sample:   newSampleView(len(v.Hits)+1, pub),
			})
			return nil
		})
		if err == errStop {
			break
		}
		if err != nil {
			s.fail(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	serverTemplate.ExecuteTemplate(w, "search", v)
}

// matches reports whether a published sample mentions needle (lower case)
// in its item id, answers or texts. Withheld texts are not searched.
func matches(s SnapshotSample, needle string) bool {
	fields := []string{s.ItemID, s.Extracted, s.Gold, s.Error, s.Question}
	if s.Content != nil {
		fields = append(fields, *s.Content)
	}
	if s.Reasoning != nil {
		fields = append(fields, *s.Reasoning)
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// itemView is one item side by side across every run that answered it.
type itemView struct {
	Suite, ID string
	Columns   []itemColumn
}

type itemColumn struct {
	Run     int64
	RunHref string
	Model   string
	Suite   string
	Samples []sampleView
}

func (s *server) item(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, runs, err := s.board(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	q := r.URL.Query()
	v := itemView{Suite: q.Get("suite"), ID: q.Get("id")}
	if v.Suite == "" || v.ID == "" {
		http.Error(w, "name an item: /item?suite=gsm8k&id=ITEM", http.StatusBadRequest)
		return
	}
	ids := make([]int64, 0, len(runs))
	for id, run := range runs {
		if run.Suite.Name == v.Suite {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		run := runs[id]
		redact := s.opt.Redact != nil && s.opt.Redact(run)
		col := itemColumn{Run: id, RunHref: serverLinks.run(id), Model: run.Model.ID, Suite: suiteLabel(run)}
		questions := s.questions(run)
		err := s.src.Samples(ctx, id, SampleQuery{ItemID: v.ID}, func(smp parity.Sample) error {
			col.Samples = append(col.Samples, newSampleView(len(col.Samples)+1, publish(smp, redact, questions)))
			return nil
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		if len(col.Samples) > 0 {
			v.Columns = append(v.Columns, col)
		}
	}
	if len(v.Columns) == 0 {
		s.fail(w, notFound("no run on this leaderboard answered item %q of %s", v.ID, v.Suite))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	serverTemplate.ExecuteTemplate(w, "item", v)
}

var serverTemplate = template.Must(template.Must(viewerTemplate.Clone()).Parse(`
{{- define "search-form" -}}
<form class="search" method="get" action="/search">
<input type="search" name="q" value="{{.Q}}" placeholder="search answers, items, golds" aria-label="search">
<select name="model" aria-label="model"><option value="">all models</option>{{$m := .Model}}{{range .Models}}<option{{if eq . $m}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="suite" aria-label="suite"><option value="">all suites</option>{{$s := .Suite}}{{range .Suites}}<option{{if eq . $s}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="subject" aria-label="subject"><option value="">all subjects</option>{{$j := .Subject}}{{range .Subjects}}<option{{if eq . $j}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="outcome" aria-label="outcome"><option value="">all outcomes</option>{{$o := .Outcome}}{{range .Outcomes}}<option{{if eq . $o}} selected{{end}}>{{.}}</option>{{end}}</select>
<button type="submit">Search</button>
</form>
{{- if .BySubject}}
<p><a href="/subjects">Leaderboard by subject</a> (a row per MMLU subject, BBH task, C-Eval/CMMLU subject and MGSM language of whole-suite runs)</p>
{{- end}}
{{- end}}

{{- define "page-head" -}}
` + pageStart + `
<title>{{.}}</title>
{{template "style"}}
</head>
<body>
<p><a href="/">← leaderboard</a></p>
{{- end}}

{{- define "search" -}}
{{template "page-head" "search samples"}}
<h1>Search samples</h1>
{{template "search-form" .Filters}}
<p>{{len .Hits}} sample(s) found in {{.Searched}} read from {{.RunsShown}} run(s){{if .Capped}}; the first {{.MaxHits}} are shown, narrow the search to see others{{end}}.</p>
{{- range .Hits}}
<p class="hit"><a href="{{.RunHref}}">run {{.Run}}</a> <code>{{.Model}}</code> on <code>{{.Suite}}</code> · <a href="{{.ItemHref}}">this item across models</a></p>
{{template "sample" .Sample}}
{{- end}}
</body>
</html>
{{end}}

{{- define "item" -}}
{{template "page-head" "item"}}
<h1>Item <code>{{.ID}}</code> of <code>{{.Suite}}</code> across models</h1>
<div class="side">
{{- range .Columns}}
<section>
<h2><a href="{{.RunHref}}">run {{.Run}}</a>: <code>{{.Model}}</code></h2>
<p><code>{{.Suite}}</code></p>
{{- range .Samples}}
{{template "sample" .}}
{{- end}}
</section>
{{- end}}
</div>
</body>
</html>
{{end}}
`))
