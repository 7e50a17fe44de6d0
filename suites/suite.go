// Package suites holds parity's benchmark suites: the registry every suite
// joins from its init function, the shared implementation most suites are
// built from (Spec and Builtin), and the embedded data under data/<suite>/.
//
// Adding a suite is one Go file plus one data folder: the file embeds the
// data, writes a loader that turns it into parity.Items, fills in a Spec
// (with the item count and first item ID the data hold) and calls
// MustRegister(MustNew(spec)) in init. The registry test then checks the
// suite from its Spec and data folder alone; `go test ./suites -update`
// writes its golden prompt. Prompts that several suites share, user suites
// included, live in prompts.go.
package suites

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// Scorer is the scorer name recorded with every suite built from a Spec. The
// grading rules themselves are versioned by answer.Version.
const Scorer = "parity-answer"

// Spec describes a suite built on the shared implementation. Everything a
// run must record about the suite is derived from it, so two binaries with
// the same Spec and data produce the same SuiteInfo.
type Spec struct {
	// Name is the registry name users type ("gsm8k"); lowercase, no colon.
	Name string
	// Version is the suite's own version. Bump it whenever the prompt, the
	// loader's gold answers, the answer kind or the grading options change;
	// PromptHash and DataSHA256 make silent changes visible anyway.
	Version string
	// Language is a BCP 47 tag ("en", "zh"), or "mul" for a suite whose
	// items span several languages.
	Language string
	// License names the data licence as the provenance gives it.
	License string
	// NonCommercial marks data whose licence forbids commercial use.
	NonCommercial bool
	// Description is one or two sentences for `parity suites`.
	Description string
	// Sealed marks data whose authors ask that the questions never appear
	// in plain text (GPQA): nothing that quotes them is published or kept
	// in the repository, not even a golden prompt.
	Sealed bool
	// PublishQuestions says the data licence lets a published report (a
	// snapshot, the pages of parity serve) quote each question and its
	// options beside the answers, so a reader can audit a verdict. Set it
	// in the suite's own file, next to a comment naming the licence, only
	// when that licence allows redistribution; it has no effect on Sealed
	// data, whose questions are never published.
	PublishQuestions bool

	// Kind is how answers are extracted and compared.
	Kind answer.Kind
	// Options tune extraction. For answer.Choice the item's own Choices
	// replace Options.Choices at scoring time, so leave it empty there.
	Options answer.Options

	// Template is a text/template executed on the parity.Item to build the
	// single user message. Besides the built-in functions it may call
	// letter (0 → "A"), inc (0 → 1) and trim (strings.TrimSpace). Missing
	// Meta keys render as "", so a template can test optional fields with
	// {{if .Meta.key}}. Its text is hashed into SuiteInfo.PromptHash.
	Template string

	// Data holds the suite's data files and Files lists the ones the items
	// come from. DataSHA256 hashes them in this order, so keep it fixed.
	Data  fs.FS
	Files []string
	// DataSHA256, when set, is the data's hash as the caller computed it
	// from files it has read already (user suites); Data and Files are
	// then not needed.
	DataSHA256 string
	// Load turns the data into items in a deterministic order. It runs at
	// most once, the first time anything needs the items.
	Load func() ([]parity.Item, error)
	// Count and FirstID are what Load must return: how many items, and
	// the ID of the first. Loading fails otherwise, so a truncated,
	// reordered or wrongly copied data file never runs, and the suite's
	// tests take both from here. Zero values check nothing (user suites).
	Count   int
	FirstID string

	// Subjects optionally lists the valid subjects in display order. When
	// nil, the distinct non-empty Item.Subject values are used, sorted.
	Subjects []string
	// Grade optionally replaces answer.Grade for suites whose gold answers
	// need more than one comparison (several blanks, several letters). It
	// must be pure, like Suite.Score.
	Grade func(it parity.Item, response string) answer.Result
	// FewShot marks prompts that hold worked examples in the question
	// text ("Q: … A: …"), so runs send answer.ContinuationStops.
	FewShot bool
}

// Builtin is a parity.Suite built from a Spec. Its data are loaded and
// hashed lazily, once, so registering dozens of suites costs nothing until
// one of them is used.
type Builtin struct {
	spec       Spec
	tmpl       *template.Template
	promptHash string

	once     sync.Once
	items    []parity.Item
	subjects []string
	dataHash string
	err      error

	prepared sync.Map // item id → answer.Options with the item's options prepared
}

var templateFuncs = template.FuncMap{
	"letter": Letter,
	"inc":    func(i int) int { return i + 1 },
	"trim":   strings.TrimSpace,
}

// Letter returns the option letter for a zero-based choice index: 0 → "A".
// Past "Z" it continues with "AA", "AB", … so it never returns garbage.
func Letter(i int) string {
	if i < 0 {
		return "?"
	}
	s := ""
	for {
		s = string(rune('A'+i%26)) + s
		i = i/26 - 1
		if i < 0 {
			return s
		}
	}
}

// New checks a Spec and builds the suite. The template is parsed and run on
// a probe item here so a typo in a field name fails at start-up, not in the
// middle of a paid run.
func New(s Spec) (*Builtin, error) {
	switch {
	case s.Name == "" || strings.ContainsAny(s.Name, ": \t") || s.Name != strings.ToLower(s.Name):
		return nil, fmt.Errorf("new suite %q: name must be non-empty lowercase without spaces or colons", s.Name)
	case s.Version == "":
		return nil, fmt.Errorf("new suite %s: version is empty", s.Name)
	case s.Load == nil:
		return nil, fmt.Errorf("new suite %s: no loader", s.Name)
	case s.DataSHA256 == "" && (s.Data == nil || len(s.Files) == 0):
		return nil, fmt.Errorf("new suite %s: no data files to hash", s.Name)
	}
	if _, err := answer.ParseKind(string(s.Kind)); err != nil {
		return nil, fmt.Errorf("new suite %s: %w", s.Name, err)
	}
	t, err := template.New(s.Name).Funcs(templateFuncs).Option("missingkey=zero").Parse(s.Template)
	if err != nil {
		return nil, fmt.Errorf("new suite %s: parse prompt template: %w", s.Name, err)
	}
	probe := parity.Item{ID: "probe", Question: "?", Choices: []string{"a", "b", "c", "d"}, Meta: map[string]string{}}
	if err := t.Execute(&bytes.Buffer{}, probe); err != nil {
		return nil, fmt.Errorf("new suite %s: prompt template: %w", s.Name, err)
	}
	sum := sha256.Sum256([]byte(s.Template))
	return &Builtin{spec: s, tmpl: t, promptHash: hex.EncodeToString(sum[:])}, nil
}

// MustNew is New for built-in suites registered from init, where a bad Spec
// is a programming error that every test run would catch.
func MustNew(s Spec) *Builtin {
	b, err := New(s)
	if err != nil {
		panic(err)
	}
	return b
}

// load reads, hashes and validates the data exactly once. Every item is
// rendered here so that Prompt cannot fail later for an item of this suite.
func (b *Builtin) load() {
	b.once.Do(func() {
		b.dataHash = b.spec.DataSHA256
		if b.dataHash == "" {
			b.dataHash, b.err = HashFiles(b.spec.Data, b.spec.Files)
		}
		if b.err != nil {
			b.err = fmt.Errorf("load %s: %w", b.spec.Name, b.err)
			return
		}
		items, err := b.spec.Load()
		if err != nil {
			b.err = fmt.Errorf("load %s: %w", b.spec.Name, err)
			return
		}
		if err := b.spec.checkShape(items); err != nil {
			b.err = fmt.Errorf("load %s: %w", b.spec.Name, err)
			return
		}
		seen := make(map[string]bool, len(items))
		subjects := map[string]bool{}
		for _, it := range items {
			if it.ID == "" || seen[it.ID] {
				b.err = fmt.Errorf("load %s: empty or duplicate item id %q", b.spec.Name, it.ID)
				return
			}
			seen[it.ID] = true
			if it.Subject != "" {
				subjects[it.Subject] = true
			}
			if _, err := b.render(it); err != nil {
				b.err = fmt.Errorf("load %s: item %s: %w", b.spec.Name, it.ID, err)
				return
			}
		}
		b.items = items
		b.subjects = b.spec.Subjects
		if b.subjects == nil {
			for s := range subjects {
				b.subjects = append(b.subjects, s)
			}
			sort.Strings(b.subjects)
		}
	})
}

// checkShape compares loaded items with Count and FirstID.
func (s *Spec) checkShape(items []parity.Item) error {
	if s.Count > 0 && len(items) != s.Count {
		return fmt.Errorf("the data hold %d items where %d were expected: the embedded data are incomplete or changed", len(items), s.Count)
	}
	if s.FirstID != "" && (len(items) == 0 || items[0].ID != s.FirstID) {
		first := ""
		if len(items) > 0 {
			first = items[0].ID
		}
		return fmt.Errorf("the first item is %q where %q was expected: the embedded data are reordered or changed", first, s.FirstID)
	}
	return nil
}

// HashFiles returns the sha256 of a SHA256SUMS-style listing of the files
// ("<sha256>  <name>\n" per file, in the order given). Hashing the listing
// rather than the concatenation keeps file boundaries significant, and lets
// anyone reproduce the value with sha256sum on the data folder.
func HashFiles(fsys fs.FS, names []string) (string, error) {
	files := make([]namedData, len(names))
	for i, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", fmt.Errorf("hash data: %w", err)
		}
		files[i] = namedData{name, data}
	}
	return hashListing(files), nil
}

// namedData is a file's contents under the name its listing line gives.
type namedData struct {
	name string
	data []byte
}

// hashListing is HashFiles on contents already read.
func hashListing(files []namedData) string {
	var listing strings.Builder
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&listing, "%s  %s\n", hex.EncodeToString(sum[:]), f.name)
	}
	sum := sha256.Sum256([]byte(listing.String()))
	return hex.EncodeToString(sum[:])
}

// Sealed reports whether the suite's questions must never appear in plain
// text; see Spec.Sealed.
func (b *Builtin) Sealed() bool { return b.spec.Sealed }

// PublishQuestions reports whether the suite's licence lets a published
// report quote its questions; see Spec.PublishQuestions.
func (b *Builtin) PublishQuestions() bool { return b.spec.PublishQuestions && !b.spec.Sealed }

// Name returns the registry name without loading any data.
func (b *Builtin) Name() string { return b.spec.Name }

// Info describes the suite. It loads the data to count the items; should the
// embedded data be unreadable, Items stays 0 and Items() reports the error.
func (b *Builtin) Info() parity.SuiteInfo {
	b.load()
	return parity.SuiteInfo{
		Name:          b.spec.Name,
		Version:       b.spec.Version,
		Language:      b.spec.Language,
		License:       b.spec.License,
		Description:   b.spec.Description,
		NonCommercial: b.spec.NonCommercial,
		Items:         len(b.items),
		DataSHA256:    b.dataHash,
		PromptHash:    b.promptHash,
		Scorer:        Scorer,
		ScorerVersion: answer.Version,
		Kind:          string(b.spec.Kind),
	}
}

// Items returns every item in the suite's order. The slice and the items'
// Choices and Meta are copies, so a caller may modify them freely without
// corrupting the suite for the next run in the same process.
func (b *Builtin) Items(ctx context.Context) ([]parity.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.load()
	if b.err != nil {
		return nil, b.err
	}
	out := make([]parity.Item, len(b.items))
	for i, it := range b.items {
		it.Choices = slices.Clone(it.Choices)
		if it.Meta != nil {
			m := make(map[string]string, len(it.Meta))
			for k, v := range it.Meta {
				m[k] = v
			}
			it.Meta = m
		}
		out[i] = it
	}
	return out, nil
}

// Subjects lists the valid subjects, for Lookup's "name:subject" form.
func (b *Builtin) Subjects() []string {
	b.load()
	return slices.Clone(b.subjects)
}

func (b *Builtin) render(it parity.Item) (string, error) {
	var buf bytes.Buffer
	if err := b.tmpl.Execute(&buf, it); err != nil {
		return "", fmt.Errorf("render prompt: %w", err)
	}
	return strings.TrimSpace(buf.String()), nil
}

// Prompt builds the single user message for an item. Every item of the
// suite was rendered once at load time, so rendering cannot fail for them;
// for a foreign item that breaks the template the bare question is sent
// rather than nothing, and the PromptHash still names the template.
func (b *Builtin) Prompt(it parity.Item) []parity.Message {
	text, err := b.render(it)
	if err != nil {
		text = it.Question
	}
	return []parity.Message{{Role: "user", Content: text}}
}

// Score grades a completion. Only the answer part (Content) is searched,
// never the reasoning: a model that thinks its way to the answer but never
// states it has not answered, and searching the reasoning would reward
// half-finished thoughts. So an empty Content is unparsed when the model
// stopped, and truncated when it hit the token limit.
func (b *Builtin) Score(it parity.Item, c parity.Completion) parity.Score {
	res := b.grade(it, c.Content)
	s := parity.Score{Scorer: Scorer, ScorerVersion: answer.Version, Extracted: res.Extracted, Detail: res.Detail}
	if o, ok := parity.FinishOutcome(c, res.Found); ok {
		s.Outcome = o
		if o == parity.OutcomeError {
			s.Detail = "api error"
		}
		return s
	}
	switch {
	case !res.Found:
		s.Outcome = parity.OutcomeUnparsed
		if strings.TrimSpace(c.Content) == "" && c.Reasoning != "" {
			s.Detail = "empty answer; reasoning is not graded"
		}
	case res.Correct:
		s.Outcome = parity.OutcomeCorrect
	default:
		s.Outcome = parity.OutcomeWrong
	}
	return s
}

func (b *Builtin) grade(it parity.Item, content string) answer.Result {
	if b.spec.Grade != nil {
		return b.spec.Grade(it, content)
	}
	opt := b.spec.Options
	if b.spec.Kind == answer.Choice {
		opt = b.optionsFor(it)
	}
	return answer.Grade(b.spec.Kind, content, it.Answer, opt)
}

// optionsFor returns the grading options of a choice item with its
// option texts prepared once (answer.Options.Prepare) and reused for the
// item's later samples and re-scoring.
func (b *Builtin) optionsFor(it parity.Item) answer.Options {
	if v, ok := b.prepared.Load(it.ID); ok {
		if o := v.(answer.Options); slices.Equal(o.Choices, it.Choices) {
			return o
		}
	}
	opt := b.spec.Options
	opt.Choices = it.Choices
	opt = opt.Prepare()
	b.prepared.Store(it.ID, opt)
	return opt
}

// StopSequences returns the stop sequences a run of the suite sends: the
// grader's continuation markers for few-shot prompts, none otherwise.
func (b *Builtin) StopSequences() []string {
	if !b.spec.FewShot {
		return nil
	}
	return answer.ContinuationStops
}
