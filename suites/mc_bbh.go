package suites

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/bbh
var bbhFS embed.FS

var bbhData = dataFolder(bbhFS, "data/bbh")

// bbhTemplate is the published BIG-Bench Hard chain-of-thought format: the
// task's three worked examples, then "Q: … A: Let's think step by step.".
// The examples end with "So the answer is X.", which is how the model is
// expected to end too. Multiple-choice options are rendered from Choices in
// the exact "Options:\n(A) …" layout of the data (the loader checks the
// rendering reproduces every input byte for byte), so rotated options under
// --circular read like the original ones.
const bbhTemplate = `{{.Meta.cot}}

Q: {{.Question}}{{if .Choices}}
Options:{{range $i, $c := .Choices}}
({{letter $i}}) {{$c}}{{end}}{{end}}
A: Let's think step by step.`

// bbhNumberTasks have integer targets; every other free-form task is graded
// as text (True/False, Yes/No, valid/invalid, bracket sequences, word lists).
var bbhNumberTasks = map[string]bool{"multistep_arithmetic_two": true, "object_counting": true}

// BBH is BIG-Bench Hard: 6,511 items over 27 tasks, asked with each task's
// published 3-shot chain-of-thought prompt. The answer kind is per item,
// in Meta["kind"]: "choice" for tasks with lettered options (gold is the
// letter), "number" for arithmetic and counting, "text" otherwise. Three
// items (one movie_recommendation, two ruin_names) have a target that is not
// an option letter upstream; they are kept as text items with that target.
var BBH = MustNew(Spec{
	Name:        "bbh",
	Version:     "1",
	Language:    "en",
	License:     "MIT",
	Description: "BIG-Bench Hard (27 tasks, 6,511 items) with the published 3-shot chain-of-thought prompts; letters, numbers or text per task.",
	Kind:        answer.Text,
	Template:    bbhTemplate,
	Data:        bbhData,
	Files:       mcGlob(bbhData, "bbh/*.json", "cot-prompts/*.txt"),
	Load:        loadBBH,
	Count:       6511,
	FirstID:     "boolean_expressions/0",
	Grade:       gradeBBH,
	FewShot:     true,

	// MIT allows redistribution, so reports may quote the questions.
	PublishQuestions: true,
})

func init() { MustRegister(BBH) }

var bbhLetterTarget = regexp.MustCompile(`^\(([A-Z])\)$`)

var bbhOption = regexp.MustCompile(`^\(([A-Z])\) (.*)$`)

func loadBBH() ([]parity.Item, error) {
	var items []parity.Item
	for _, name := range mcGlob(bbhData, "bbh/*.json") {
		task := strings.TrimSuffix(strings.TrimPrefix(name, "bbh/"), ".json")
		cot, err := bbhCoT(task)
		if err != nil {
			return nil, err
		}
		data, err := fs.ReadFile(bbhData, name)
		if err != nil {
			return nil, err
		}
		var file struct {
			Examples []struct {
				Input  string `json:"input"`
				Target string `json:"target"`
			} `json:"examples"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i, ex := range file.Examples {
			it := parity.Item{
				ID:       task + "/" + strconv.Itoa(i),
				Subject:  task,
				Question: ex.Input,
				Answer:   strings.TrimSpace(ex.Target),
				Meta:     map[string]string{"cot": cot, "kind": string(answer.Text)},
			}
			if bbhNumberTasks[task] {
				it.Meta["kind"] = string(answer.Number)
			}
			if m := bbhLetterTarget.FindStringSubmatch(it.Answer); m != nil {
				q, choices, err := bbhSplitOptions(ex.Input)
				if err != nil {
					return nil, fmt.Errorf("%s example %d: %w", name, i, err)
				}
				if mcLetterIndex(m[1], len(choices)) < 0 {
					return nil, fmt.Errorf("%s example %d: target %s is not one of %d options", name, i, ex.Target, len(choices))
				}
				it.Question, it.Choices, it.Answer = q, choices, m[1]
				it.Meta["kind"] = string(answer.Choice)
			}
			items = append(items, it)
		}
	}
	return items, nil
}

// bbhSplitOptions separates a multiple-choice input into the question and
// its option texts, and checks that re-rendering them gives the input back.
func bbhSplitOptions(input string) (string, []string, error) {
	q, opts, ok := strings.Cut(input, "\nOptions:\n")
	if !ok {
		return "", nil, fmt.Errorf("lettered target but no options in input")
	}
	var choices []string
	var rebuilt strings.Builder
	rebuilt.WriteString(q + "\nOptions:")
	for i, line := range strings.Split(opts, "\n") {
		m := bbhOption.FindStringSubmatch(line)
		if m == nil || m[1] != Letter(i) {
			return "", nil, fmt.Errorf("option line %q is not (%s) <text>", line, Letter(i))
		}
		choices = append(choices, m[2])
		fmt.Fprintf(&rebuilt, "\n(%s) %s", m[1], m[2])
	}
	if rebuilt.String() != input {
		return "", nil, fmt.Errorf("options do not re-render to the original input")
	}
	return q, choices, nil
}

// bbhCoT returns a task's published 3-shot prompt without the BIG-bench
// canary header, which marks the file as eval data but is not part of the
// prompt (the paper's prompts start at the task description).
func bbhCoT(task string) (string, error) {
	data, err := fs.ReadFile(bbhData, "cot-prompts/"+task+".txt")
	if err != nil {
		return "", err
	}
	_, body, ok := strings.Cut(string(data), "\n-----\n")
	if !ok {
		return "", fmt.Errorf("cot-prompts/%s.txt: no canary separator", task)
	}
	return strings.TrimSpace(body), nil
}

// gradeBBH grades each item with its own answer kind.
func gradeBBH(it parity.Item, response string) answer.Result {
	kind := answer.Kind(it.Meta["kind"])
	if kind == "" {
		// An item built outside the suite (parity score --suite bbh) has no
		// Meta: infer the kind from what it carries.
		switch _, isNumber := answer.NormalizeNumber(it.Answer); {
		case len(it.Choices) > 0:
			kind = answer.Choice
		case isNumber:
			kind = answer.Number
		default:
			kind = answer.Text
		}
	}
	opt := answer.Options{}
	if kind == answer.Choice {
		opt.Choices = it.Choices
	}
	return answer.Grade(kind, response, it.Answer, opt)
}
