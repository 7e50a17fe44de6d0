package suites

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"
	"text/template"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

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

// userKeys are the top-level keys of a user suite file, in the order the
// error message lists them.
var userKeys = []string{"name", "version", "language", "license", "non_commercial", "description",
	"data", "fields", "kind", "last_number", "prompt", "fewshot"}

var userFieldKeys = []string{"id", "question", "answer", "choices", "subject"}

var userFewShotKeys = []string{"file", "count"}

// userDefaultPrompts are the templates a user suite gets when it gives none,
// by answer kind and by language (Chinese suites are asked in Chinese).
var userDefaultPrompts = map[string][2]string{
	string(answer.Choice): {mcTemplateEN, mcTemplateZH},
	string(answer.Number): {"{{.Question}}\n\nPlease reason step by step, and put your final answer within \\boxed{}.",
		"{{.Question}}\n\n请逐步推理，并把最终答案写在 \\boxed{} 中。"},
	string(answer.Math): {"{{.Question}}\n\nPlease reason step by step, and put your final answer within \\boxed{}.",
		"{{.Question}}\n\n请逐步推理，并把最终答案写在 \\boxed{} 中。"},
	string(answer.Text): {"{{.Question}}\n\nThink step by step, then give your final answer within \\boxed{}.",
		"{{.Question}}\n\n请逐步思考，并把最终答案写在 \\boxed{} 中。"},
}

// userFile is a parsed suite file. line records where each key was found,
// so later checks (on the data, say) can still point at the right line.
type userFile struct {
	path          string
	name          string
	version       string
	language      string
	license       string
	nonCommercial bool
	description   string
	data          string
	fields        userFields
	kind          string
	lastNumber    bool
	prompt        string
	fewFile       string
	fewCount      int
	line          map[string]int
}

type userFields struct {
	id, question, answer, subject string
	choices                       []string // one list field, or several columns
	choiceList                    bool     // choices names one field holding a list
}

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
	path     string
	dataHash string
}

// Path is the YAML file the suite was read from.
func (u *UserSuite) Path() string { return u.path }

// Name returns the suite name without loading anything.
func (u *UserSuite) Name() string { return suiteName(u.Suite) }

// Info describes the suite; see UserSuite for DataSHA256.
func (u *UserSuite) Info() parity.SuiteInfo {
	info := u.Suite.Info()
	info.DataSHA256 = u.dataHash
	return info
}

// Subjects lists the subjects of the data, if its records name any.
func (u *UserSuite) Subjects() []string {
	if sj, ok := u.Suite.(Subjecter); ok {
		return sj.Subjects()
	}
	return nil
}

// LoadUserSuite reads a suite file and its data. Everything is read and
// checked here, so a malformed file fails before any request is sent, with
// a one-line error naming the file, line and field.
func LoadUserSuite(path string) (parity.Suite, error) {
	return loadUserSuite(path)
}

func loadUserSuite(path string) (*UserSuite, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "read suite file", Err: err}
	}
	f, err := parseUserFile(path, src)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	dataPath := resolvePath(dir, f.data)
	raw, err := os.ReadFile(dataPath)
	if err != nil {
		return nil, userError(path, f.line["data"], "field \"data\": cannot read %s: %v", dataPath, unwrapPathError(err))
	}
	items, err := parseUserData(dataPath, raw, f)
	if err != nil {
		return nil, err
	}
	mem := fstest.MapFS{"data": {Data: raw}}
	files := []string{"data"}
	sum := sha256.Sum256(raw)
	dataHash := hex.EncodeToString(sum[:])

	var shots []parity.Item
	if f.fewFile != "" {
		fewPath := resolvePath(dir, f.fewFile)
		fewRaw, err := os.ReadFile(fewPath)
		if err != nil {
			return nil, userError(path, f.line["fewshot.file"], "field \"fewshot.file\": cannot read %s: %v", fewPath, unwrapPathError(err))
		}
		if shots, err = parseUserData(fewPath, fewRaw, f); err != nil {
			return nil, err
		}
		mem["fewshot"] = &fstest.MapFile{Data: fewRaw}
		files = append(files, "fewshot")
		if dataHash, err = HashFiles(mem, files); err != nil {
			return nil, fmt.Errorf("load suite %s: %w", f.name, err)
		}
	}

	kind := answer.Kind(f.kind)
	b, err := New(Spec{
		Name:          f.name,
		Version:       f.version,
		Language:      f.language,
		License:       f.license,
		NonCommercial: f.nonCommercial,
		Description:   f.description,
		Kind:          kind,
		Options:       answer.Options{LastNumber: f.lastNumber},
		Template:      f.prompt,
		Data:          mem,
		Files:         files,
		Load:          func() ([]parity.Item, error) { return items, nil },
	})
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: path, Err: err}
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
		return nil, &parity.Error{Code: parity.ErrConfig, Message: path, Err: err}
	}
	return &UserSuite{Suite: s, path: path, dataHash: dataHash}, nil
}

// LoadUserSuites loads every *.yaml and *.yml file of a directory (not its
// subdirectories), sorted by file name. All broken files are reported, one
// line each, rather than only the first; two files declaring the same name
// are an error too.
func LoadUserSuites(dir string) ([]parity.Suite, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "read suites directory", Err: err}
	}
	var out []parity.Suite
	var errs []error
	seen := map[string]string{}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		s, err := loadUserSuite(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := seen[s.Name()]; dup {
			errs = append(errs, userError(path, 0, "suite name %q is already used by %s: rename one of them", s.Name(), prev))
			continue
		}
		seen[s.Name()] = path
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// resolvePath reads data paths relative to the suite file, so a suite folder
// can be moved or shared as a whole.
func resolvePath(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

func isChinese(lang string) bool {
	return lang == "zh" || strings.HasPrefix(lang, "zh-")
}

// unwrapPathError drops the path from an *os.PathError, which the message
// already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to
// its scanner). yaml.v3 numbers lines from 0 in these, and from 1 in
// scanner errors, so only these need one added.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// yamlError turns a yaml.v3 syntax error into a one-line user error with
// the 1-based line of the problem.
func yamlError(path string, err error) error {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return userError(path, 0, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	line, _ := strconv.Atoi(m[1])
	if contains(yamlParserProblems, m[2]) {
		line++
	}
	return userError(path, line, "invalid YAML: %s", m[2])
}

// parseUserFile decodes the YAML through yaml.Node rather than straight into
// a struct, because only the node tree knows the line of every key, and
// reports unknown keys instead of ignoring them (a misspelt "promt" would
// otherwise silently run the default prompt).
func parseUserFile(path string, src []byte) (*userFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	if len(doc.Content) == 0 {
		return nil, userError(path, 0, "empty suite file: give at least name, version, data and kind")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, userError(path, root.Line, "want a mapping of suite fields (name: …, data: …)")
	}
	f := &userFile{path: path, line: map[string]int{}, fewCount: 5}
	var fieldsNode, fewNode *yaml.Node
	err := eachKey(path, root, "", userKeys, func(key string, v *yaml.Node) error {
		f.line[key] = v.Line
		switch key {
		case "fields":
			fieldsNode = v
			return nil
		case "fewshot":
			fewNode = v
			return nil
		case "non_commercial", "last_number":
			b, err := yamlBool(path, key, v)
			if key == "last_number" {
				f.lastNumber = b
			} else {
				f.nonCommercial = b
			}
			return err
		}
		s, err := yamlString(path, key, v)
		if err != nil {
			return err
		}
		switch key {
		case "name":
			f.name = s
		case "version":
			f.version = s
		case "language":
			f.language = s
		case "license":
			f.license = s
		case "description":
			f.description = s
		case "data":
			f.data = s
		case "kind":
			f.kind = s
		case "prompt":
			f.prompt = s
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.fields = userFields{question: "question", answer: "answer"}
	if fieldsNode != nil {
		if err := parseUserFields(path, fieldsNode, f); err != nil {
			return nil, err
		}
	}
	if fewNode != nil {
		if err := parseUserFewShot(path, fewNode, f); err != nil {
			return nil, err
		}
	}
	return f, checkUserFile(f, root.Line)
}

// eachKey walks a mapping, rejecting unknown and repeated keys.
func eachKey(path string, m *yaml.Node, prefix string, known []string, fn func(string, *yaml.Node) error) error {
	if m.Kind != yaml.MappingNode {
		return userError(path, m.Line, "field %q: want a mapping of %s", strings.TrimSuffix(prefix, "."), strings.Join(known, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := prefix + k.Value
		if !contains(known, k.Value) {
			return userError(path, k.Line, "unknown field %q: use one of %s", key, strings.Join(known, ", "))
		}
		if seen[key] {
			return userError(path, k.Line, "field %q given twice", key)
		}
		seen[key] = true
		if err := fn(key, v); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func yamlString(path, key string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", userError(path, v.Line, "field %q: want a single value, not a %s", key, nodeKind(v))
	}
	return v.Value, nil
}

func yamlBool(path, key string, v *yaml.Node) (bool, error) {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		return false, userError(path, v.Line, "field %q: %q is not true or false", key, v.Value)
	}
	return b, nil
}

func nodeKind(v *yaml.Node) string {
	switch {
	case v.Kind == yaml.SequenceNode:
		return "list"
	case v.Kind == yaml.MappingNode:
		return "mapping"
	case v.Tag == "!!null":
		return "empty value"
	}
	return "value"
}

func parseUserFields(path string, n *yaml.Node, f *userFile) error {
	return eachKey(path, n, "fields.", userFieldKeys, func(key string, v *yaml.Node) error {
		f.line[key] = v.Line
		if key == "fields.choices" && v.Kind == yaml.SequenceNode {
			for _, c := range v.Content {
				s, err := yamlString(path, key, c)
				if err != nil {
					return err
				}
				f.fields.choices = append(f.fields.choices, s)
			}
			if len(f.fields.choices) < 2 {
				return userError(path, v.Line, "field %q: list at least two columns, or name one list field", key)
			}
			return nil
		}
		s, err := yamlString(path, key, v)
		if err != nil {
			return err
		}
		if s == "" {
			return userError(path, v.Line, "field %q is empty: name a field of the data", key)
		}
		switch key {
		case "fields.id":
			f.fields.id = s
		case "fields.question":
			f.fields.question = s
		case "fields.answer":
			f.fields.answer = s
		case "fields.subject":
			f.fields.subject = s
		case "fields.choices":
			f.fields.choices, f.fields.choiceList = []string{s}, true
		}
		return nil
	})
}

func parseUserFewShot(path string, n *yaml.Node, f *userFile) error {
	return eachKey(path, n, "fewshot.", userFewShotKeys, func(key string, v *yaml.Node) error {
		f.line[key] = v.Line
		s, err := yamlString(path, key, v)
		if err != nil {
			return err
		}
		if key == "fewshot.file" {
			f.fewFile = s
			return nil
		}
		c, err := strconv.Atoi(s)
		if err != nil || c < 1 {
			return userError(path, v.Line, "field %q: %q is not a positive whole number", key, s)
		}
		f.fewCount = c
		return nil
	})
}

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// checkUserFile validates the values and fills in defaults. rootLine is
// where a missing key is reported: the top of the mapping it belongs in.
func checkUserFile(f *userFile, rootLine int) error {
	for _, key := range []string{"name", "version", "data", "kind"} {
		if _, ok := f.line[key]; !ok {
			return userError(f.path, rootLine, "missing field %q", key)
		}
	}
	if !userNameRE.MatchString(f.name) {
		return userError(f.path, f.line["name"], "field \"name\": %q must be lowercase letters, digits, '.', '_' or '-' (no spaces or colons)", f.name)
	}
	if strings.TrimSpace(f.version) == "" {
		return userError(f.path, f.line["version"], "field \"version\" is empty: give a version such as \"1\"")
	}
	if _, err := answer.ParseKind(f.kind); err != nil || f.kind != strings.ToLower(strings.TrimSpace(f.kind)) {
		return userError(f.path, f.line["kind"], "field \"kind\": %q is not one of number, math, choice, text", f.kind)
	}
	if err := checkDataName(f, "data", f.data); err != nil {
		return err
	}
	if f.fewFile != "" {
		if err := checkDataName(f, "fewshot.file", f.fewFile); err != nil {
			return err
		}
	} else if _, ok := f.line["fewshot.count"]; ok {
		return userError(f.path, f.line["fewshot.count"], "field \"fewshot.file\" is missing: name the file the examples come from")
	}
	if f.kind == string(answer.Choice) && len(f.fields.choices) == 0 {
		return userError(f.path, f.line["kind"], "field \"fields.choices\" is required when kind is choice: name a list field or the option columns")
	}
	if f.kind != string(answer.Choice) && len(f.fields.choices) > 0 {
		return userError(f.path, f.line["fields.choices"], "field \"fields.choices\" is only used when kind is choice (kind is %s)", f.kind)
	}
	if f.fields.choiceList && strings.EqualFold(filepath.Ext(f.data), ".csv") {
		return userError(f.path, f.line["fields.choices"], "field \"fields.choices\": a CSV file cannot hold a list; list the option columns, e.g. [A, B, C, D]")
	}
	if f.language == "" {
		f.language = "en"
	}
	if f.license == "" {
		f.license = "unspecified"
	}
	if f.prompt == "" {
		lang := 0
		if isChinese(f.language) {
			lang = 1
		}
		f.prompt = userDefaultPrompts[f.kind][lang]
		return nil
	}
	return checkUserPrompt(f)
}

func checkDataName(f *userFile, key, name string) error {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".csv":
		return nil
	}
	return userError(f.path, f.line[key], "field %q: %q must end in .jsonl or .csv", key, name)
}

// checkUserPrompt parses and trial-runs the template here, where the error
// can point at the prompt's line; New would only say the template is bad.
func checkUserPrompt(f *userFile) error {
	t, err := template.New("prompt").Funcs(templateFuncs).Option("missingkey=zero").Parse(f.prompt)
	if err == nil {
		probe := parity.Item{ID: "probe", Question: "?", Choices: []string{"a", "b"}, Meta: map[string]string{}}
		err = t.Execute(io.Discard, probe)
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "template: ")
		return userError(f.path, f.line["prompt"], "field \"prompt\": %s", msg)
	}
	return nil
}

// userRecord is one data record: its line and a lookup of its fields.
type userRecord struct {
	line int
	get  func(field string) (value any, ok bool)
	keys []string
}

// parseUserData turns a data file into items, checking every record.
func parseUserData(path string, raw []byte, f *userFile) ([]parity.Item, error) {
	// Decoders would pass invalid bytes on as U+FFFD, and the model would
	// be asked a question the data never held.
	if !utf8.Valid(raw) {
		return nil, userError(path, invalidUTF8Line(raw), "invalid UTF-8: save the file as UTF-8")
	}
	var recs []userRecord
	var err error
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		recs, err = readUserCSV(path, raw, f)
	} else {
		recs, err = readUserJSONL(path, raw)
	}
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, userError(path, 0, "no records: the file is empty")
	}
	used := map[string]bool{f.fields.id: true, f.fields.question: true, f.fields.answer: true, f.fields.subject: true}
	for _, c := range f.fields.choices {
		used[c] = true
	}
	items := make([]parity.Item, 0, len(recs))
	ids := map[string]int{}
	for n, r := range recs {
		it := parity.Item{ID: strconv.Itoa(n + 1)}
		if it.Question, err = r.text(path, f.fields.question, true); err != nil {
			return nil, err
		}
		if it.Answer, err = r.text(path, f.fields.answer, true); err != nil {
			return nil, err
		}
		if f.fields.id != "" {
			if it.ID, err = r.text(path, f.fields.id, true); err != nil {
				return nil, err
			}
		}
		if prev, dup := ids[it.ID]; dup {
			return nil, userError(path, r.line, "duplicate id %q (first on line %d)", it.ID, prev)
		}
		ids[it.ID] = r.line
		if f.fields.subject != "" {
			if it.Subject, err = r.text(path, f.fields.subject, false); err != nil {
				return nil, err
			}
		}
		if f.kind == string(answer.Choice) {
			if it.Choices, err = r.choices(path, f.fields); err != nil {
				return nil, err
			}
			if it.Answer, err = choiceGold(path, r.line, f.fields.answer, it.Answer, it.Choices); err != nil {
				return nil, err
			}
		}
		for _, k := range r.keys {
			if used[k] {
				continue
			}
			if v, ok := r.get(k); ok {
				if s, ok := scalarText(v); ok {
					if it.Meta == nil {
						it.Meta = map[string]string{}
					}
					it.Meta[k] = s
				}
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// invalidUTF8Line returns the 1-based line of the first byte of raw that
// is not valid UTF-8.
func invalidUTF8Line(raw []byte) int {
	valid := raw
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			valid = raw[:i]
			break
		}
		i += size
	}
	return bytes.Count(valid, []byte("\n")) + 1
}

// choiceGold accepts an option letter (any case) or the exact text of one
// option, and returns the letter.
func choiceGold(path string, line int, field, gold string, choices []string) (string, error) {
	if i := mcLetterIndex(strings.ToUpper(gold), len(choices)); i >= 0 {
		return Letter(i), nil
	}
	for i, c := range choices {
		if strings.TrimSpace(c) == gold {
			return Letter(i), nil
		}
	}
	return "", userError(path, line, "field %q: %q is neither an option letter (A-%s) nor the text of an option",
		field, gold, Letter(len(choices)-1))
}

func (r userRecord) text(path, field string, required bool) (string, error) {
	v, ok := r.get(field)
	if !ok {
		if !required {
			return "", nil
		}
		return "", userError(path, r.line, "missing field %q", field)
	}
	s, ok := scalarText(v)
	if !ok {
		return "", userError(path, r.line, "field %q: want a string or number, not %s", field, jsonKind(v))
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", userError(path, r.line, "field %q is empty", field)
	}
	return s, nil
}

func (r userRecord) choices(path string, fields userFields) ([]string, error) {
	if !fields.choiceList {
		out := make([]string, len(fields.choices))
		for i, col := range fields.choices {
			s, err := r.text(path, col, true)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	name := fields.choices[0]
	v, ok := r.get(name)
	if !ok {
		return nil, userError(path, r.line, "missing field %q", name)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, userError(path, r.line, "field %q: want a list of options, not %s", name, jsonKind(v))
	}
	if len(list) < 2 {
		return nil, userError(path, r.line, "field %q: want at least two options, got %d", name, len(list))
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := scalarText(e)
		if !ok {
			return nil, userError(path, r.line, "field %q: option %d is %s, not a string", name, i+1, jsonKind(e))
		}
		out[i] = strings.TrimSpace(s)
	}
	return out, nil
}

// scalarText renders a JSON scalar as the dataset wrote it: numbers keep
// their digits (json.Number), so "0.10" is not turned into "0.1".
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

func readUserJSONL(path string, raw []byte) ([]userRecord, error) {
	var recs []userRecord
	for i, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if i == 0 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, userError(path, i+1, "invalid JSON: want one object per line (%v)", err)
		}
		if dec.More() {
			return nil, userError(path, i+1, "invalid JSON: more than one value on the line")
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		recs = append(recs, userRecord{line: i + 1, keys: keys, get: func(k string) (any, bool) {
			v, ok := obj[k]
			return v, ok
		}})
	}
	return recs, nil
}

func readUserCSV(path string, raw []byte, f *userFile) ([]userRecord, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, userError(path, 1, "invalid CSV header: %v", csvCause(err))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	need := append([]string{f.fields.question, f.fields.answer, f.fields.id, f.fields.subject}, f.fields.choices...)
	for _, n := range need {
		if _, ok := col[n]; n != "" && !ok {
			return nil, userError(path, 1, "missing column %q (header has %s)", n, strings.Join(header, ", "))
		}
	}
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = strings.TrimSpace(h)
	}
	var recs []userRecord
	for {
		row, err := r.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, userError(path, line, "invalid CSV: %v", csvCause(err))
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, userRecord{line: line, keys: keys, get: func(k string) (any, bool) {
			i, ok := col[k]
			if !ok {
				return nil, false
			}
			return row[i], true
		}})
	}
}

// csvCause strips encoding/csv's own "record on line N" prefix, since the
// message already starts with the file and line.
func csvCause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
