package suites

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// FewShot is a suite whose prompts put worked examples before the question,
// as earlier user/assistant turns. Each example is rendered with the same
// template as the question, and its assistant turn gives the example's
// explanation (Meta["explanation"], when the data has one) and its answer in
// the reply format. Examples come from the same subject as the question when
// the example set has that subject, else the first examples of the set.
//
// FewShot embeds the Builtin it extends, so Name, Subjects and Score are the
// Builtin's; Info differs only in a PromptHash that also covers the reply
// format and the number of shots.
type FewShot struct {
	*Builtin
	shots int
	reply string
	load  func() ([]parity.Item, error)

	once   sync.Once
	bySubj map[string][]parity.Item
	first  []parity.Item // the first examples regardless of subject
	err    error
}

// NewFewShot wraps b with k worked examples per prompt. load returns the
// example pool (a dev split) and runs at most once; reply is a fmt format
// with one %s for the gold answer.
func NewFewShot(b *Builtin, k int, reply string, load func() ([]parity.Item, error)) *FewShot {
	return &FewShot{Builtin: b, shots: k, reply: reply, load: load}
}

func (f *FewShot) loadShots() error {
	f.once.Do(func() {
		pool, err := f.load()
		if err != nil {
			f.err = fmt.Errorf("load %s few-shot examples: %w", f.Name(), err)
			return
		}
		f.bySubj = map[string][]parity.Item{}
		for _, it := range pool {
			if _, err := f.render(it); err != nil {
				f.err = fmt.Errorf("load %s few-shot example %s: %w", f.Name(), it.ID, err)
				return
			}
			if len(f.bySubj[it.Subject]) < f.shots {
				f.bySubj[it.Subject] = append(f.bySubj[it.Subject], it)
			}
			if len(f.first) < f.shots {
				f.first = append(f.first, it)
			}
		}
	})
	return f.err
}

// Info describes the suite; see FewShot for how PromptHash differs.
func (f *FewShot) Info() parity.SuiteInfo {
	info := f.Builtin.Info()
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d shots\x00%s", f.spec.Template, f.shots, f.reply))
	info.PromptHash = hex.EncodeToString(sum[:])
	return info
}

// Items returns the items, after checking that the examples load too, so a
// broken dev split fails the run before the first request rather than
// silently turning the prompts zero-shot.
func (f *FewShot) Items(ctx context.Context) ([]parity.Item, error) {
	if err := f.loadShots(); err != nil {
		return nil, err
	}
	return f.Builtin.Items(ctx)
}

// Examples returns the worked examples used for items of a subject.
func (f *FewShot) Examples(subject string) []parity.Item {
	if f.loadShots() != nil {
		return nil
	}
	if ex, ok := f.bySubj[subject]; ok {
		return ex
	}
	return f.first
}

// Prompt builds the conversation: the examples as earlier turns, then the
// item itself as the last user message.
func (f *FewShot) Prompt(it parity.Item) []parity.Message {
	var msgs []parity.Message
	for _, ex := range f.Examples(it.Subject) {
		msgs = append(msgs, f.Builtin.Prompt(ex)...)
		reply := fmt.Sprintf(f.reply, ex.Answer)
		if e := strings.TrimSpace(ex.Meta["explanation"]); e != "" {
			reply = e + "\n" + reply
		}
		msgs = append(msgs, parity.Message{Role: "assistant", Content: reply})
	}
	return append(msgs, f.Builtin.Prompt(it)...)
}

// fiveShot is the five-shot variant of the suite zero describes: named
// name and described by desc, hashing the example files (devPattern) after
// the question files, and asking each question after the first five
// examples of its subject, loaded by loadDev, as earlier chat turns with
// reply as the answer format.
func fiveShot(zero Spec, name, desc, devPattern, reply string, loadDev func() ([]parity.Item, error)) *FewShot {
	s := zero
	s.Name = name
	s.Description = desc
	s.Files = append(slices.Clone(zero.Files), mcGlob(zero.Data, devPattern)...)
	return NewFewShot(MustNew(s), 5, reply, loadDev)
}

// mcGlob lists the files matching patterns, each pattern's matches
// sorted, in pattern order. It panics on a bad pattern or an empty match
// because both mean the embed directive and the code disagree.
func mcGlob(fsys fs.FS, patterns ...string) []string {
	var out []string
	for _, p := range patterns {
		m, err := fs.Glob(fsys, p)
		if err != nil || len(m) == 0 {
			panic(fmt.Sprintf("suites: no embedded files match %s (err %v)", p, err))
		}
		out = append(out, m...)
	}
	return out
}

// mcRecord is one data row with the line it starts on, for error messages.
type mcRecord struct {
	line   int
	fields map[string]string
}

// mcReadCSV parses a CSV file with a header row into records keyed by column
// name. Multi-line quoted cells (C-Eval explanations) are allowed; rows with
// a different number of cells than the header are an error, since silently
// shifted columns would mean wrong gold answers.
func mcReadCSV(fsys fs.FS, name string) ([]mcRecord, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return mcParseCSV(data, name)
}

// mcParseCSV is mcReadCSV on bytes already in memory (GPQA's decrypted
// member, which never touches a file).
func mcParseCSV(data []byte, name string) ([]mcRecord, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	header = slices.Clone(header)
	var out []mcRecord
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		rec := mcRecord{line: line, fields: make(map[string]string, len(header))}
		for j, h := range header {
			rec.fields[h] = row[j]
		}
		out = append(out, rec)
	}
}

// mcLetterCSVs reads per-subject CSV files (one subject per file, named
// by mcSubject with the split suffix) whose options sit in columns A-D and
// whose answer is a letter, the layout C-Eval and CMMLU share. An
// explanation column (C-Eval's dev split) goes into Meta["explanation"].
func mcLetterCSVs(fsys fs.FS, pattern, suffix, idCol, questionCol, answerCol string) ([]parity.Item, error) {
	var items []parity.Item
	for _, name := range mcGlob(fsys, pattern) {
		subject := mcSubject(name, suffix)
		recs, err := mcReadCSV(fsys, name)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			it, err := mcLetterItem(r, subject, idCol, questionCol, answerCol)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if e := r.fields["explanation"]; e != "" {
				it.Meta = map[string]string{"explanation": e}
			}
			items = append(items, it)
		}
	}
	return items, nil
}

// mcLetterItem builds an item from a CSV row whose options sit in columns
// A-D and whose answer is a letter.
func mcLetterItem(r mcRecord, subject, idCol, questionCol, answerCol string) (parity.Item, error) {
	choices := []string{r.fields["A"], r.fields["B"], r.fields["C"], r.fields["D"]}
	gold := r.fields[answerCol]
	if mcLetterIndex(gold, len(choices)) < 0 {
		return parity.Item{}, fmt.Errorf("line %d: answer %q is not a letter A-D", r.line, gold)
	}
	id := r.fields[idCol]
	if id == "" {
		return parity.Item{}, fmt.Errorf("line %d: empty %s", r.line, idCol)
	}
	return parity.Item{
		ID:       subject + "/" + id,
		Subject:  subject,
		Question: r.fields[questionCol],
		Choices:  choices,
		Answer:   gold,
	}, nil
}

// mcSubject is the subject a per-subject CSV file holds: its base name
// without the split suffix and extension ("dev/anatomy_dev.csv" → "anatomy").
func mcSubject(name, suffix string) string {
	return strings.TrimSuffix(strings.TrimSuffix(path.Base(name), ".csv"), suffix)
}

// mcLetterIndex returns the zero-based index of an option letter, or -1.
func mcLetterIndex(s string, n int) int {
	s = strings.TrimSpace(s)
	if len(s) != 1 || s[0] < 'A' || int(s[0]-'A') >= n {
		return -1
	}
	return int(s[0] - 'A')
}

// mustReadEmbedded returns an embedded file the build guarantees exists.
func mustReadEmbedded(fsys fs.FS, name string) []byte {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(fmt.Sprintf("suites: embedded file %s: %v", name, err))
	}
	return data
}

// StopSequences returns answer.ContinuationStops: a base model continuing
// the examples would otherwise write the next question itself.
func (f *FewShot) StopSequences() []string { return answer.ContinuationStops }
