package site

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// DefaultPageSize is the number of samples one viewer page shows when
// SnapshotOptions.PageSize is zero: enough to scroll through, few enough
// that a browser opens the page at once even with long reasoning texts.
const DefaultPageSize = 2000

// SnapshotFormat names the layout of a snapshot directory, recorded in its
// MANIFEST.json so tools reading snapshots can tell layouts apart.
const SnapshotFormat = "parity-snapshot/1"

// SnapshotRun is one run to publish with a way to read its samples.
type SnapshotRun struct {
	Run parity.Run
	// Each calls fn for every sample of the run, one at a time, in item
	// order (item id, then sample index), and stops at fn's first error,
	// returning it. Streaming keeps memory bounded however large the run
	// is; results.DB.EachSample fits. The samples must be the ones the
	// leaderboard was built from: WriteSnapshot fails when their number or
	// outcomes differ from the run's row.
	Each func(ctx context.Context, fn func(parity.Sample) error) error
}

// SnapshotOptions tune WriteSnapshot. The zero value is usable.
type SnapshotOptions struct {
	// Now stamps MANIFEST.json; injected so snapshots are reproducible.
	// Nil means time.Now.
	Now func() time.Time
	// Database is the name of the database file the runs come from,
	// recorded in the manifest. Pass a base name: a path would publish
	// the layout of the publisher's disk.
	Database string
	// Redact reports whether a run's answers must be withheld because its
	// suite's data may not appear in plain text (GPQA asks this): the
	// model's content and reasoning, which often quote the question, and
	// the scorers' free-text details are left out; outcomes, extracted
	// answers and gold answers stay. Nil withholds nothing.
	Redact func(parity.Run) bool
	// PageSize caps the samples of one viewer page; zero means
	// DefaultPageSize.
	PageSize int
	// Questions, when set, finds the question text and options of a run's
	// items, for suites whose licence allows publishing them; it returns
	// nil for a run whose questions stay withheld. Nil withholds all.
	Questions func(parity.Run) QuestionFunc
	// Subjects, when set, is the leaderboard with a row per run and
	// subject (see reports.BySubject), published beside the main one.
	Subjects *reports.Leaderboard
	// UserProvider reports whether a run's provider came from a user's
	// providers file rather than the built-in catalog, so its rerun
	// command says the file is needed. Nil means built-in.
	UserProvider func(parity.Run) bool
}

// Manifest is the content of a snapshot's MANIFEST.json.
type Manifest struct {
	Format        string        `json:"format"`
	GeneratedAt   time.Time     `json:"generated_at"`
	ParityVersion string        `json:"parity_version"`
	GitRevision   string        `json:"git_revision,omitempty"`
	Database      string        `json:"database,omitempty"`
	Runs          []ManifestRun `json:"runs"`
}

// ManifestRun lists one published run and where its files are.
type ManifestRun struct {
	ID           int64  `json:"id"`
	Model        string `json:"model"`
	Suite        string `json:"suite"`
	SuiteVersion string `json:"suite_version"`
	Subject      string `json:"subject,omitempty"`
	Status       string `json:"status"`
	Samples      int    `json:"samples"`
	// Redacted is true when the answers' text was withheld.
	Redacted bool `json:"redacted,omitempty"`
	// Page is the run's viewer page; Pages counts its page files.
	Page  string `json:"page"`
	Pages int    `json:"pages"`
	// Data is the run's samples file, one JSON object a line.
	Data string `json:"data"`
}

// Snapshot is what WriteSnapshot wrote.
type Snapshot struct {
	// Dir is the snapshot directory.
	Dir string
	// Files are the paths of every file written, relative to Dir with
	// forward slashes, sorted; SHA256SUMS is among them.
	Files    []string
	Manifest Manifest
}

// SnapshotSample is one line of a run's samples file. It leaves out the
// prompt messages, which can be rebuilt from the suite, the item id and the
// prompt hash and which would publish benchmark text, and the raw response
// body, which repeats the answer in a provider's wire format.
type SnapshotSample struct {
	ItemID        string         `json:"item_id"`
	Index         int            `json:"index"`
	Outcome       parity.Outcome `json:"outcome"`
	Extracted     string         `json:"extracted"`
	Gold          string         `json:"gold"`
	Scorer        string         `json:"scorer"`
	ScorerVersion string         `json:"scorer_version"`
	Detail        string         `json:"detail,omitempty"`
	// Judge is the LLM judge's verdict, when one was asked.
	Judge         *parity.Score `json:"judge,omitempty"`
	FinishReason  string        `json:"finish_reason,omitempty"`
	ModelReported string        `json:"model_reported,omitempty"`
	Usage         parity.Usage  `json:"usage"`
	LatencyMS     int64         `json:"latency_ms"`
	TTFTMS        int64         `json:"ttft_ms,omitempty"`
	Attempts      int           `json:"attempts"`
	// Cost is in the currency of the run's price card.
	Cost      float64          `json:"cost"`
	StartedAt time.Time        `json:"started_at,omitzero"`
	Error     string           `json:"error,omitempty"`
	ErrorCode parity.ErrorCode `json:"error_code,omitempty"`
	Warnings  []string         `json:"warnings,omitempty"`
	// Content and Reasoning are the model's answer; both are absent, and
	// Redacted is true, for runs whose answers are withheld.
	Content   *string `json:"content,omitempty"`
	Reasoning *string `json:"reasoning,omitempty"`
	Redacted  bool    `json:"redacted,omitempty"`
	// Question and Choices are the item's text and options, published for
	// suites whose licence allows it.
	Question string   `json:"question,omitempty"`
	Choices  []string `json:"choices,omitempty"`
}

// Question is an item's text as published beside its samples, so a reader
// can audit a verdict without the dataset.
type Question struct {
	Text    string
	Choices []string
}

// QuestionFunc finds the question of an item by id.
type QuestionFunc func(itemID string) (Question, bool)

// publish converts a sample to its published form with its question, when
// q has it and the run's answers are not withheld.
func publish(s parity.Sample, redact bool, q QuestionFunc) SnapshotSample {
	out := NewSnapshotSample(s, redact)
	if q != nil && !redact {
		if it, ok := q(s.ItemID); ok {
			out.Question, out.Choices = it.Text, it.Choices
		}
	}
	return out
}

// NewSnapshotSample converts a stored sample to its published form,
// withholding the answer text when redact is set.
func NewSnapshotSample(s parity.Sample, redact bool) SnapshotSample {
	c := s.Completion
	out := SnapshotSample{
		ItemID:        s.ItemID,
		Index:         s.Index,
		Outcome:       s.Score.Outcome,
		Extracted:     s.Score.Extracted,
		Gold:          s.Gold,
		Scorer:        s.Score.Scorer,
		ScorerVersion: s.Score.ScorerVersion,
		Detail:        s.Score.Detail,
		FinishReason:  c.FinishReason,
		ModelReported: c.ModelReported,
		Usage:         c.Usage,
		LatencyMS:     c.Latency.Milliseconds(),
		TTFTMS:        c.TTFT.Milliseconds(),
		Attempts:      c.Attempts,
		Cost:          s.Cost,
		StartedAt:     s.StartedAt.UTC(),
		Error:         parity.ScrubSecrets(c.Error),
		ErrorCode:     c.ErrorCode,
		Warnings:      scrubAll(c.Warnings),
	}
	if s.Judge != nil {
		j := *s.Judge
		out.Judge = &j
	}
	if redact {
		out.Redacted = true
		out.Detail = ""
		if out.Judge != nil {
			out.Judge.Detail = ""
		}
		return out
	}
	content, reasoning := c.Content, c.Reasoning
	out.Content, out.Reasoning = &content, &reasoning
	return out
}

// WriteSnapshot publishes a leaderboard and the runs behind it as a static
// site anyone can audit, in dir, which must not exist or be empty:
//
//	index.html                 the leaderboard, links to every run and file, how to audit
//	leaderboard.{json,csv,md}  the leaderboard as Render writes it
//	runs.json                  every run's full self-description
//	runs/<id>.jsonl            one line per sample (see SnapshotSample)
//	runs/<id>.html             the run's settings, outcome counts and samples,
//	runs/<id>-2.html …         continued PageSize samples a page, in item order
//	runs/<id>-wrong.html …     for runs longer than a page, a list of the
//	                           samples of each outcome other than correct
//	compare/<a>-<b>.html       each paired comparison, parity check and
//	                           language gap with the items answered differently
//	subjects.{html,json,csv,md} with SnapshotOptions.Subjects, the leaderboard
//	                           by subject
//	MANIFEST.json              what, when, from which database (see Manifest)
//	SHA256SUMS                 checksums of every other file, for sha256sum -c
//
// Every run must have a row in lb. The site is written into a temporary
// directory beside dir and renamed into place at the end, so a failed
// snapshot leaves nothing behind. Pages need no network and run no script.
func WriteSnapshot(ctx context.Context, dir string, lb *reports.Leaderboard, runs []SnapshotRun, opt SnapshotOptions) (*Snapshot, error) {
	if lb == nil {
		return nil, errors.New("write snapshot: no leaderboard")
	}
	if opt.PageSize < 0 {
		return nil, fmt.Errorf("write snapshot: page size %d: must not be negative", opt.PageSize)
	}
	if opt.PageSize == 0 {
		opt.PageSize = DefaultPageSize
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	if err := CheckSnapshotDir(dir); err != nil {
		return nil, err
	}
	// "site/" is the directory "site": without the slash its parent is
	// where the temporary copy goes, not the directory itself.
	dir = filepath.Clean(dir)
	rows := make(map[int64]reports.Row, len(lb.Rows))
	for _, r := range lb.Rows {
		rows[r.RunID] = r
	}
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b SnapshotRun) int { return cmp.Compare(a.Run.ID, b.Run.ID) })
	for i, r := range runs {
		if i > 0 && runs[i-1].Run.ID == r.Run.ID {
			return nil, fmt.Errorf("write snapshot: run %d is listed twice", r.Run.ID)
		}
		if _, ok := rows[r.Run.ID]; !ok {
			return nil, fmt.Errorf("write snapshot: run %d has no row on the leaderboard: build the leaderboard from the runs you publish", r.Run.ID)
		}
		if r.Each == nil {
			return nil, fmt.Errorf("write snapshot: run %d has no way to read its samples", r.Run.ID)
		}
	}

	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".parity-snapshot-*")
	if err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmp)
		}
	}()
	site := &siteDir{root: tmp, sums: map[string]string{}}
	if err := os.Mkdir(filepath.Join(tmp, "runs"), 0o755); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}

	man := Manifest{
		Format:        SnapshotFormat,
		GeneratedAt:   now().UTC(),
		ParityVersion: parity.Version,
		GitRevision:   parity.GitRevision,
		Runs:          []ManifestRun{},
	}
	if opt.Database != "" {
		man.Database = filepath.Base(opt.Database)
	}
	published := make([]parity.Run, 0, len(runs))
	written := make(map[int64]runFiles, len(runs))
	defer func() {
		for _, f := range written {
			f.items.remove()
		}
	}()
	for _, r := range runs {
		run := publicRun(r.Run)
		redact := opt.Redact != nil && opt.Redact(r.Run)
		user := opt.UserProvider != nil && opt.UserProvider(r.Run)
		var questions QuestionFunc
		if opt.Questions != nil {
			questions = opt.Questions(r.Run)
		}
		files, err := writeRunFiles(ctx, site, r, run, rows[r.Run.ID], redact, user, questions, opt.PageSize)
		if err != nil {
			return nil, fmt.Errorf("write snapshot: run %d: %w", r.Run.ID, err)
		}
		written[run.ID] = files
		pages := files.pages
		published = append(published, run)
		man.Runs = append(man.Runs, ManifestRun{
			ID: run.ID, Model: run.Model.ID, Suite: run.Suite.Name, SuiteVersion: run.Suite.Version,
			Subject: run.Subject, Status: string(run.Status), Samples: rows[run.ID].Samples,
			Redacted: redact, Page: runPage(run.ID, 1), Pages: pages, Data: runData(run.ID),
		})
	}

	if err := site.writeJSON("runs.json", published); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, format string }{
		{"leaderboard.json", "json"}, {"leaderboard.csv", "csv"}, {"leaderboard.md", "md"},
	} {
		if err := site.write(f.name, func(w io.Writer) error { return Render(w, lb, f.format) }); err != nil {
			return nil, err
		}
	}
	if err := writeComparePages(ctx, site, lb, published, written); err != nil {
		return nil, err
	}
	// The item files are scratch, not part of the site.
	for id, f := range written {
		f.items.remove()
		f.items = nil
		written[id] = f
	}
	if sub := opt.Subjects; sub != nil {
		for _, f := range []struct{ name, format string }{
			{"subjects.json", "json"}, {"subjects.csv", "csv"}, {"subjects.md", "md"},
		} {
			if err := site.write(f.name, func(w io.Writer) error { return Render(w, sub, f.format) }); err != nil {
				return nil, err
			}
		}
		if err := site.write("subjects.html", func(w io.Writer) error {
			var board bytes.Buffer
			if err := renderHTML(&board, sub, linker{run: snapshotLinks.run}); err != nil {
				return err
			}
			page := bytes.Replace(board.Bytes(), []byte("<h1>parity leaderboard</h1>"),
				[]byte(`<p><a href="index.html">← leaderboard</a></p>`+"\n<h1>parity leaderboard by subject</h1>"), 1)
			return withSection(w, page, nil)
		}); err != nil {
			return nil, err
		}
	}
	if err := site.write("index.html", func(w io.Writer) error { return writeIndex(w, lb, man, opt.Subjects != nil) }); err != nil {
		return nil, err
	}
	if err := site.writeJSON("MANIFEST.json", man); err != nil {
		return nil, err
	}
	if err := site.writeSums(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	// An empty directory the user made in advance gives way to the
	// finished one; anything else in the way stops the rename.
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, snapshotDirTaken(dir)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("write snapshot: move into place: %w", err)
	}
	renamed = true
	return &Snapshot{Dir: dir, Files: slices.Sorted(maps.Keys(site.sums)), Manifest: man}, nil
}

// CheckSnapshotDir refuses a directory that exists and is not empty, and a
// path that is not a directory, with an ErrUsage error: a snapshot is never
// written over another. WriteSnapshot checks too; commands call it first to
// fail before any work.
func CheckSnapshotDir(dir string) error {
	if strings.TrimSpace(dir) == "" {
		return parity.Errorf(parity.ErrUsage, "no snapshot directory given: name a new directory, e.g. snapshot-2026-11")
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if !st.IsDir() {
		return parity.Errorf(parity.ErrUsage, "%s exists and is not a directory: name a new directory for the snapshot", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if len(entries) > 0 {
		return snapshotDirTaken(dir)
	}
	return nil
}

func snapshotDirTaken(dir string) error {
	return parity.Errorf(parity.ErrUsage, "%s already exists and is not empty: name a new directory for the snapshot (one is never written over another) or remove this one first", dir)
}

func runPage(id int64, page int) string { return outcomePage(id, "", page) }

// outcomePage names page n of a run's samples of one outcome, or of all its
// samples when outcome is empty.
func outcomePage(id int64, outcome parity.Outcome, page int) string {
	name := "runs/" + strconv.FormatInt(id, 10)
	if outcome != "" {
		name += "-" + string(outcome)
	}
	if page > 1 {
		name += "-" + strconv.Itoa(page)
	}
	return name + ".html"
}

func runData(id int64) string { return "runs/" + strconv.FormatInt(id, 10) + ".jsonl" }

// sampleRef is where a reader finds an item's first sample.
type sampleRef struct {
	page   string // relative to the snapshot root
	anchor string
}

// runFiles is what writing one run's files leaves for the rest of the site.
type runFiles struct {
	id, pageSize int64
	pages        int
	// items are the run's items in counting order of their ids, in a
	// temporary file, for the comparison pages.
	items *itemFile
}

// ref is where a reader finds the first sample of an item, given its
// position in the run's pages.
func (f runFiles) ref(first int64) sampleRef {
	return sampleRef{page: runPage(f.id, int(first/f.pageSize)+1), anchor: "s" + strconv.FormatInt(first+1, 10)}
}

// writeRunFiles streams one run's samples into its JSONL file and, with
// each sample's HTML rendered as it passes, into a spooler that gives them
// back in item order as people count (item 2 before item 10) to write the
// viewer pages. Runs longer than one page also get a list per outcome
// other than correct, linking each sample, so the wrong answers of a large
// run can be read together, and its items go to a file for the
// comparison pages. Memory stays the same however many samples the run
// has.
func writeRunFiles(ctx context.Context, s *siteDir, r SnapshotRun, run parity.Run, row reports.Row, redact, userProvider bool, questions QuestionFunc, pageSize int) (runFiles, error) {
	total := row.Samples
	data, err := s.create(runData(run.ID))
	if err != nil {
		return runFiles{}, err
	}
	defer data.abort()
	enc := json.NewEncoder(data)

	var (
		n      int
		prev   *parity.SampleKey
		counts = map[parity.Outcome]int{}
		sp     = &spooler{dir: s.root}
		body   []byte
	)
	defer sp.remove()
	err = r.Each(ctx, func(smp parity.Sample) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if smp.RunID != 0 && smp.RunID != run.ID {
			return fmt.Errorf("sample %s#%d belongs to run %d", smp.ItemID, smp.Index, smp.RunID)
		}
		key := smp.Key()
		if prev != nil && !keyLess(*prev, key) {
			return fmt.Errorf("sample %s#%d is out of item order or repeated: read samples ordered by item id and index", smp.ItemID, smp.Index)
		}
		prev = &key
		if n >= total {
			return changedRun(run.ID, total)
		}
		n++
		counts[smp.Score.Outcome]++
		pub := publish(smp, redact, questions)
		if err := enc.Encode(pub); err != nil {
			return err
		}
		body = appendSampleBody(body[:0], newSampleView(n, pub))
		return sp.add(spoolRec{item: smp.ItemID, pair: smp.Pair, index: smp.Index, outcome: smp.Score.Outcome,
			extracted: smp.Score.Extracted, gold: smp.Gold, html: body})
	})
	if err != nil {
		return runFiles{}, err
	}
	if n != total {
		return runFiles{}, changedRun(run.ID, total)
	}
	for _, o := range parity.Outcomes {
		if counts[o] != row.Outcomes[o] {
			return runFiles{}, changedRun(run.ID, total)
		}
	}
	if err := data.Close(); err != nil {
		return runFiles{}, err
	}

	pages := max(1, (total+pageSize-1)/pageSize)
	view := newRunView(run, row, redact, userProvider, pages)
	lists := map[parity.Outcome]*siteFile{}
	defer func() {
		for _, f := range lists {
			f.abort()
		}
	}()
	if pages > 1 {
		for _, o := range parity.Outcomes {
			if o != parity.OutcomeCorrect && counts[o] > 0 {
				view.Lists = append(view.Lists, outcomeList{Outcome: string(o), N: counts[o], Href: view.href(o, 1)})
				f, err := s.create(outcomePage(view.ID, o, 1))
				if err != nil {
					return runFiles{}, err
				}
				lists[o] = f
				if err := viewerTemplate.ExecuteTemplate(f, "list-head", listView{runView: view, Outcome: string(o), N: counts[o]}); err != nil {
					return runFiles{}, err
				}
			}
		}
	}
	out := runFiles{id: run.ID, pageSize: int64(pageSize), pages: pages}
	items, err := newItemWriter(s.root)
	if err != nil {
		return runFiles{}, err
	}
	keep := false
	defer func() {
		if !keep {
			items.remove()
		}
	}()
	pw := pageWriter{site: s, view: view}
	defer pw.abort()
	var (
		i    int
		line []byte
	)
	err = sp.merge(func(rec *spoolRec) error {
		if i%pageSize == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := pw.next(); err != nil {
				return err
			}
		}
		anchor := "s" + strconv.Itoa(i+1)
		if err := items.add(rec, i); err != nil {
			return err
		}
		line = appendSampleOpen(line[:0], outcomeClass(rec.outcome), anchor)
		if _, err := pw.f.Write(line); err != nil {
			return err
		}
		if _, err := pw.f.Write(rec.html); err != nil {
			return err
		}
		if f := lists[rec.outcome]; f != nil {
			line = appendListRow(line[:0], view.href("", pw.n)+"#"+anchor, rec)
			if _, err := f.Write(line); err != nil {
				return err
			}
		}
		i++
		return nil
	})
	if err != nil {
		return runFiles{}, err
	}
	if pw.n == 0 { // a run without samples still has its page
		if err := pw.next(); err != nil {
			return runFiles{}, err
		}
	}
	if err := pw.close(); err != nil {
		return runFiles{}, err
	}
	for _, l := range view.Lists {
		o := parity.Outcome(l.Outcome)
		f := lists[o]
		if err := viewerTemplate.ExecuteTemplate(f, "list-foot", view); err != nil {
			return runFiles{}, err
		}
		delete(lists, o)
		if err := f.Close(); err != nil {
			return runFiles{}, err
		}
	}
	if out.items, err = items.finish(); err != nil {
		return runFiles{}, err
	}
	keep = true
	return out, nil
}

// pageWriter writes a run's pages one after another.
type pageWriter struct {
	site *siteDir
	view *runView
	f    *siteFile
	n    int // the page being written; 0 before the first
}

// next ends the page being written, if any, and starts the next.
func (p *pageWriter) next() error {
	if err := p.close(); err != nil {
		return err
	}
	p.n++
	f, err := p.site.create(outcomePage(p.view.ID, "", p.n))
	if err != nil {
		return err
	}
	p.f = f
	return viewerTemplate.ExecuteTemplate(f, "head", p.view.page("", p.n, p.view.Pages))
}

// close ends the page being written.
func (p *pageWriter) close() error {
	if p.f == nil {
		return nil
	}
	f := p.f
	p.f = nil
	if err := viewerTemplate.ExecuteTemplate(f, "foot", p.view.page("", p.n, p.view.Pages)); err != nil {
		f.abort()
		return err
	}
	return f.Close()
}

func (p *pageWriter) abort() {
	if p.f != nil {
		p.f.abort()
	}
}

// listView is the head of the page listing a long run's samples of one
// outcome, each linked to where it sits on the run's pages.
type listView struct {
	*runView
	Outcome string
	N       int
}

// appendListRow appends the line of an outcome's list that links one
// sample, escaped as the rest of the page is.
func appendListRow(b []byte, href string, rec *spoolRec) []byte {
	b = append(b, "\n<tr><td><a href=\""...)
	b = appendEscaped(b, href)
	b = append(b, `"><code>`...)
	b = appendEscaped(b, rec.item)
	b = append(b, `</code></a></td><td class="num">`...)
	b = strconv.AppendInt(b, int64(rec.index), 10)
	b = append(b, `</td><td>`...)
	if rec.extracted != "" {
		b = append(b, `<code>`...)
		b = appendEscaped(b, rec.extracted)
		b = append(b, `</code>`...)
	} else {
		b = append(b, "–"...)
	}
	b = append(b, `</td><td><code>`...)
	b = appendEscaped(b, rec.gold)
	return append(b, `</code></td></tr>`...)
}

// relRun makes a path under runs/ relative to a run page.
func relRun(p string) string { return strings.TrimPrefix(p, "runs/") }

func changedRun(id int64, total int) error {
	return fmt.Errorf("the samples of run %d differ from the %d the leaderboard counted: the run changed while the snapshot was written; try again once no 'parity run', 'rescore' or 'judge' is writing to it", id, total)
}

func keyLess(a, b parity.SampleKey) bool {
	return a.ItemID < b.ItemID || (a.ItemID == b.ItemID && a.Index < b.Index)
}

// publicRun is the run as published: credentials that may hide in a base
// URL or in free text are masked.
func publicRun(r parity.Run) parity.Run {
	r.BaseURL = publicURL(r.BaseURL)
	r.Warnings = scrubAll(r.Warnings)
	r.Note = parity.ScrubSecrets(r.Note)
	r.StartedAt = r.StartedAt.UTC()
	if !r.FinishedAt.IsZero() {
		r.FinishedAt = r.FinishedAt.UTC()
	}
	if r.Price != nil {
		p := *r.Price
		r.Price = &p
	}
	return r
}

// publicURL drops the user information and query of a base URL, the two
// places a key can be put into one.
func publicURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return parity.ScrubSecrets(s)
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	u.Fragment = ""
	return parity.ScrubSecrets(u.String())
}

func scrubAll(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = parity.ScrubSecrets(s)
	}
	return out
}

// siteDir writes files under root and remembers their checksums.
type siteDir struct {
	root string
	sums map[string]string
}

// siteFile is one file being written, hashed as it goes.
type siteFile struct {
	*bufio.Writer
	site *siteDir
	rel  string
	f    *os.File
	h    hash.Hash
}

func (s *siteDir) create(rel string) (*siteFile, error) {
	f, err := os.OpenFile(filepath.Join(s.root, filepath.FromSlash(rel)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", rel, err)
	}
	h := sha256.New()
	return &siteFile{Writer: bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10), site: s, rel: rel, f: f, h: h}, nil
}

// Close flushes the file and records its checksum.
func (f *siteFile) Close() error {
	if f.f == nil {
		return nil
	}
	err := f.Flush()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	f.f = nil
	if err != nil {
		return fmt.Errorf("write %s: %w", f.rel, err)
	}
	f.site.sums[f.rel] = hex.EncodeToString(f.h.Sum(nil))
	return nil
}

// abort closes a file left open by an error; the whole temporary
// directory is removed afterwards.
func (f *siteFile) abort() {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
}

func (s *siteDir) write(rel string, fn func(io.Writer) error) error {
	f, err := s.create(rel)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.abort()
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return f.Close()
}

func (s *siteDir) writeJSON(rel string, v any) error {
	return s.write(rel, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// writeSums writes SHA256SUMS in the format sha256sum -c reads.
func (s *siteDir) writeSums() error {
	var b bytes.Buffer
	for _, rel := range slices.Sorted(maps.Keys(s.sums)) {
		fmt.Fprintf(&b, "%s  %s\n", s.sums[rel], rel)
	}
	return s.write("SHA256SUMS", func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	})
}

// mkdir makes a directory under root.
func (s *siteDir) mkdir(rel string) error {
	if err := os.Mkdir(filepath.Join(s.root, filepath.FromSlash(rel)), 0o755); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}
