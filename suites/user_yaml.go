package suites

import (
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// This file reads and checks the YAML file of a user suite.

// userKeys are the top-level keys of a user suite file, in the order the
// error message lists them.
var userKeys = []string{"name", "version", "language", "license", "non_commercial", "publish_questions",
	"description", "data", "fields", "kind", "last_number", "prompt", "fewshot"}

var userFieldKeys = []string{"id", "question", "answer", "choices", "subject"}

var userFewShotKeys = []string{"file", "count"}

// userFile is a parsed suite file. line records where each key was found,
// so later checks (on the data, say) can still point at the right line.
type userFile struct {
	path          string
	name          string
	version       string
	language      string
	license       string
	nonCommercial bool
	publish       bool
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
	if slices.Contains(yamlParserProblems, m[2]) {
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
	texts := map[string]*string{"name": &f.name, "version": &f.version, "language": &f.language, "license": &f.license,
		"description": &f.description, "data": &f.data, "kind": &f.kind, "prompt": &f.prompt}
	flags := map[string]*bool{"non_commercial": &f.nonCommercial, "publish_questions": &f.publish, "last_number": &f.lastNumber}
	err := eachKey(path, root, "", userKeys, func(key string, v *yaml.Node) error {
		f.line[key] = v.Line
		var err error
		switch {
		case key == "fields":
			fieldsNode = v
		case key == "fewshot":
			fewNode = v
		case flags[key] != nil:
			*flags[key], err = yamlBool(path, key, v)
		case texts[key] != nil:
			*texts[key], err = yamlString(path, key, v)
		}
		return err
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
		if !slices.Contains(known, k.Value) {
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
	// Publishing questions is the licence's call, so the file must name
	// the licence it relies on.
	if f.publish && strings.TrimSpace(f.license) == "" {
		return userError(f.path, f.line["publish_questions"], "field \"publish_questions\" needs field \"license\": name the licence that lets reports quote the questions")
	}
	if f.license == "" {
		f.license = "unspecified"
	}
	if f.prompt == "" {
		lang := 0
		if isChinese(f.language) {
			lang = 1
		}
		f.prompt = userDefaultPrompts[answer.Kind(f.kind)][lang]
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
