package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// User suites let people benchmark their own data without writing Go: a
// YAML file names the suite, points at a JSONL or CSV file beside it and
// says which fields hold the question, the answer and the options. Example:
//
//	name: mymath
//	version: "1"
//	language: en
//	license: CC BY 4.0
//	publish_questions: true     # the licence lets reports quote the questions
//	description: Our internal word problems.
//	data: mymath.jsonl          # .jsonl or .csv, relative to this file
//	fields:
//	  id: id                    # optional; default: the record number
//	  question: question        # default "question"
//	  answer: answer            # default "answer"
//	  choices: options          # a list field, or columns: [A, B, C, D]
//	  subject: topic            # optional
//	kind: number                # number, math, choice or text
//	last_number: true           # grade the last number if nothing is boxed
//	prompt: |                   # optional Go text/template on the item
//	  {{.Question}}
//	  Put the final answer in \boxed{}.
//	fewshot:                    # optional worked examples, same field mapping
//	  file: mymath-dev.jsonl
//	  count: 3
//
// Fields of a record that the mapping does not use go into Item.Meta, so a
// prompt can say {{.Meta.source}}. A choice answer is an option letter or
// the exact text of an option. Every mistake is reported on one line as
// "file:line: what is wrong", so it can be fixed without reading code.

// userError is a one-line, user-facing error about a suite or data file.
func userError(file string, line int, format string, args ...any) error {
	loc := file
	if line > 0 {
		loc += ":" + strconv.Itoa(line)
	}
	return &parity.Error{Code: parity.ErrConfig, Message: loc + ": " + fmt.Sprintf(format, args...)}
}

// UserSuite is a suite declared in a YAML file. It behaves like a built-in
// suite; its DataSHA256 is the sha256 of the data file itself (so
// `sha256sum data.jsonl` reproduces it), or, with a few-shot file, the
// sha256 of a SHA256SUMS-style listing of both files, as for built-in suites.
type UserSuite struct {
	parity.Suite
	path string
}

// Path is the YAML file the suite was read from, as LoadUserSuite was told
// to call it.
func (u *UserSuite) Path() string { return u.path }

// Name returns the suite name without loading anything.
func (u *UserSuite) Name() string { return suiteName(u.Suite) }

// Subjects lists the subjects of the data, if its records name any.
func (u *UserSuite) Subjects() []string {
	if sj, ok := u.Suite.(Subjecter); ok {
		return sj.Subjects()
	}
	return nil
}

// PublishQuestions reports whether the file lets published reports quote
// the questions (publish_questions: true, beside the licence that allows it).
func (u *UserSuite) PublishQuestions() bool { return PublishesQuestions(u.Suite) }

// LoadUserSuite reads the suite file name (a path in fsys) and the data
// files it names. Data paths are relative to the suite file; one that
// starts with "/" is read from the root of fsys. shown is what people call
// the suite file (the path they typed): messages name it, and the data
// files relative to it, that way. Everything is read and checked here, so
// a malformed file fails before any request is sent, with a one-line error
// naming the file, line and field.
func LoadUserSuite(fsys fs.FS, name, shown string) (parity.Suite, error) {
	return loadUserSuite(fsys, name, shown)
}

func loadUserSuite(fsys fs.FS, name, shown string) (*UserSuite, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "read suite file " + shown, Err: unwrapPathError(err)}
	}
	f, err := parseUserFile(shown, src)
	if err != nil {
		return nil, err
	}
	files := []namedData{{name: "data"}}
	var items, shots []parity.Item
	if files[0].data, items, err = readUserData(fsys, name, f, "data", f.data); err != nil {
		return nil, err
	}
	dataHash := hashOf(files[0].data)
	if f.fewFile != "" {
		few := namedData{name: "fewshot"}
		if few.data, shots, err = readUserData(fsys, name, f, "fewshot.file", f.fewFile); err != nil {
			return nil, err
		}
		files = append(files, few)
		dataHash = hashListing(files)
	}

	b, err := New(Spec{
		Name:          f.name,
		Version:       f.version,
		Language:      f.language,
		License:       f.license,
		NonCommercial: f.nonCommercial,
		Description:   f.description,
		Kind:          answer.Kind(f.kind),
		Options:       answer.Options{LastNumber: f.lastNumber},
		Template:      f.prompt,
		DataSHA256:    dataHash,
		Load:          func() ([]parity.Item, error) { return items, nil },

		// Questions stay out of published reports unless the file says
		// its licence allows them (publish_questions: true).
		PublishQuestions: f.publish,
	})
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: shown, Err: err}
	}
	var s parity.Suite = b
	if len(shots) > 0 {
		reply := shotReplyEN
		if isChinese(f.language) {
			reply = shotReplyZH
		}
		s = NewFewShot(b, f.fewCount, reply, func() ([]parity.Item, error) { return shots, nil })
	}
	if _, err := s.Items(context.Background()); err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: shown, Err: err}
	}
	return &UserSuite{Suite: s, path: shown}, nil
}

// readUserData reads and parses the data file a suite file's field key
// names, resolved against the suite file at name in fsys.
func readUserData(fsys fs.FS, name string, f *userFile, key, file string) ([]byte, []parity.Item, error) {
	shown := f.shownData(file)
	raw, err := fs.ReadFile(fsys, dataPath(name, file))
	if err != nil {
		return nil, nil, userError(f.path, f.line[key], "field %q: cannot read %s: %v", key, shown, unwrapPathError(err))
	}
	items, err := parseUserData(shown, raw, f)
	return raw, items, err
}

// dataPath resolves a data file named in the suite file at name: relative
// to its folder, or from the root of the file system when it starts with
// "/".
func dataPath(name, file string) string {
	file = filepath.ToSlash(file)
	if strings.HasPrefix(file, "/") {
		return path.Clean(strings.TrimLeft(file, "/"))
	}
	return path.Join(path.Dir(name), file)
}

// shownData names a data file the way the person who wrote the suite file
// knows it: relative to the suite file as they called it, or as written
// when absolute.
func (f *userFile) shownData(file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(f.path), file)
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// LoadUserSuites loads every *.yaml and *.yml file of the folder dir of
// fsys (not its subfolders), sorted by file name; shownDir is what people
// call that folder, for messages. All broken files are reported, one line
// each, rather than only the first; two files declaring the same name are
// an error too.
func LoadUserSuites(fsys fs.FS, dir, shownDir string) ([]parity.Suite, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "read suites directory " + shownDir, Err: unwrapPathError(err)}
	}
	var out []parity.Suite
	var errs []error
	seen := map[string]string{}
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		shown := filepath.Join(shownDir, e.Name())
		s, err := loadUserSuite(fsys, path.Join(dir, e.Name()), shown)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := seen[s.Name()]; dup {
			errs = append(errs, userError(shown, 0, "suite name %q is already used by %s: rename one of them", s.Name(), prev))
			continue
		}
		seen[s.Name()] = shown
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func isChinese(lang string) bool {
	return lang == "zh" || strings.HasPrefix(lang, "zh-")
}

// unwrapPathError drops the path from an *fs.PathError, which the message
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
