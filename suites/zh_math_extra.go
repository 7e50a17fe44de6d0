package suites

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// The four Chinese math sets Qwen2.5-Math evaluates on are separate suites
// named as upstream names them, so scores line up with published numbers.
// They are not one suite with subjects because their answer kinds differ:
// two mix multiple-choice and open questions, one is fill-in-the-blank with
// several blanks per question, one is multiple choice with a few
// multiple-answer questions.

//go:embed data/zh_math_extra
var zhMathExtraFS embed.FS

var zhMathExtraData = dataFolder(zhMathExtraFS, "data/zh_math_extra")

const zhMathExtraLicense = "MIT (Qwen2.5-Math harness; research use, see PROVENANCE)"

// zhMathExtraPublish keeps the four sets' questions out of published
// reports. The MIT licence covers the Qwen2.5-Math harness that collected
// them, not the exam papers the questions come from; two sets state no
// licence of their own, and PROVENANCE treats all four as research use.
const zhMathExtraPublish = false

// zhMixedPrompt tells choice items (options inline in the question) to box
// the letter, and open items with several parts to box all of them in order.
const zhMixedPrompt = `{{.Question}}

请逐步推理，并把最终答案写在 \boxed{} 中。
{{- if .Meta.choice}}这是一道选择题，请在 \boxed{} 中只写正确选项的字母。
{{- else}}如果题目有多问，请按顺序把各问的答案用逗号隔开，写在同一个 \boxed{} 中。
{{- end}}`

// zhClozePrompt: fill-in-the-blank; several blanks go into one box,
// separated by semicolons, which is how the gold answers separate them.
const zhClozePrompt = `{{.Question}}

这是一道填空题。请逐步推理，并把最终答案写在 \boxed{} 中；如果有多个空，请按顺序把各空的答案用分号隔开，写在同一个 \boxed{} 中。`

// zhChoicePrompt: multiple choice with separate options. Multiple-answer
// questions are announced, as the exam paper announces them.
const zhChoicePrompt = `{{.Question}}
{{range $i, $c := .Choices}}
{{letter $i}}. {{$c}}
{{- end}}

请逐步推理，并把正确选项的字母写在 \boxed{} 中。
{{- if .Meta.multi}}本题为多选题，可能有多个正确选项，请把所有正确选项的字母都写在同一个 \boxed{} 中（例如 \boxed{AC}）。{{end}}`

// CNMiddleSchool is 101 Chinese middle-school exam questions, 40 with
// inline options A-D and 61 open.
var CNMiddleSchool = MustNew(zhMixedSpec("cn_middle_school", "cn_middle_school.test.jsonl", 101,
	"Chinese middle-school math exam questions (101, from the Qwen2.5-Math harness): inline "+
		"multiple choice graded by letter, open questions graded as LaTeX math. Chinese prompt, \\boxed{} answer."))

// Gaokao2024Mix is 91 questions from the 2024 gaokao mathematics papers,
// mixing inline multiple choice with open questions.
var Gaokao2024Mix = MustNew(zhMixedSpec("gaokao2024_mix", "gaokao2024_mix.test.jsonl", 91,
	"Gaokao 2024 math questions (91, from the Qwen2.5-Math harness): inline multiple choice "+
		"graded by letter, open questions graded as LaTeX math. Chinese prompt, \\boxed{} answer."))

// GaokaoMathCloze is AGIEval's 118 gaokao fill-in-the-blank math questions.
var GaokaoMathCloze = MustNew(Spec{
	Name:     "gaokao_math_cloze",
	Version:  "2",
	Language: "zh",
	License:  zhMathExtraLicense,
	Description: "AGIEval gaokao math cloze (118 fill-in-the-blank questions, some with several " +
		"blanks, each blank graded as LaTeX math). Chinese prompt, \\boxed{} answer, blanks separated by ';'.",
	Kind:     answer.Math,
	Template: zhClozePrompt,
	Data:     zhMathExtraData,
	Files:    []string{"gaokao_math_cloze.test.jsonl"},
	Load:     loadGaokaoCloze,
	Count:    118,
	FirstID:  "1",
	Grade:    gradeBlanks,

	PublishQuestions: zhMathExtraPublish,
})

// GaokaoMathQA is AGIEval's 351 gaokao multiple-choice math questions.
var GaokaoMathQA = MustNew(Spec{
	Name:     "gaokao_math_qa",
	Version:  "2",
	Language: "zh",
	License:  zhMathExtraLicense,
	Description: "AGIEval gaokao math multiple choice (351 questions, options A-D; 7 have several " +
		"correct options and need exactly that set). Chinese prompt, letter(s) in \\boxed{}.",
	Kind:     answer.Choice,
	Template: zhChoicePrompt,
	Data:     zhMathExtraData,
	Files:    []string{"gaokao_math_qa.test.jsonl"},
	Load:     loadGaokaoQA,
	Count:    351,
	FirstID:  "1",
	Grade:    gradeChoiceSet,

	PublishQuestions: zhMathExtraPublish,
})

func init() {
	MustRegister(CNMiddleSchool)
	MustRegister(Gaokao2024Mix)
	MustRegister(GaokaoMathCloze)
	MustRegister(GaokaoMathQA)
}

func zhMixedSpec(name, file string, count int, desc string) Spec {
	return Spec{
		Name:        name,
		Version:     "1",
		Language:    "zh",
		License:     zhMathExtraLicense,
		Description: desc,
		Kind:        answer.Math,
		Template:    zhMixedPrompt,
		Data:        zhMathExtraData,
		Files:       []string{file},
		Load:        func() ([]parity.Item, error) { return loadZhMixed(file) },
		Count:       count,
		FirstID:     "0",
		Grade:       gradeMixed,
		// "choice" and "open" let a run look at either half alone.
		Subjects: []string{"choice", "open"},

		PublishQuestions: zhMathExtraPublish,
	}
}

// loadZhMixed reads the idx/question/answer/choice_answer files. A choice
// item's gold is its letter (the answer field then holds the option text,
// kept in Meta["value"]); an open item's gold is the answer field.
func loadZhMixed(file string) ([]parity.Item, error) {
	type row struct {
		Idx          int    `json:"idx"`
		Question     string `json:"question"`
		Answer       string `json:"answer"`
		ChoiceAnswer string `json:"choice_answer"`
	}
	rows, err := readJSONL[row](zhMathExtraData, file)
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		r.Question, r.Answer = repairNeq(r.Question), repairNeq(r.Answer)
		it := parity.Item{
			ID:       strconv.Itoa(r.Idx),
			Question: r.Question,
			Meta:     map[string]string{"value": strings.TrimSpace(r.Answer)},
		}
		if letter := strings.TrimSpace(r.ChoiceAnswer); letter != "" {
			it.Subject, it.Answer, it.Meta["choice"] = "choice", letter, "true"
		} else {
			it.Subject, it.Answer = "open", strings.TrimSpace(r.Answer)
		}
		if it.Answer == "" {
			return nil, fmt.Errorf("%s line %d: no answer", file, i+1)
		}
		items[i] = it
	}
	return items, nil
}

// repairNeq undoes a JSON escaping accident in cn_middle_school: upstream
// wrote "\neq" unescaped, so the file holds a newline followed by "eq" (in
// two questions and one gold answer). No question starts a line with "eq",
// so restoring the command is safe; left alone, the gold answer could never
// match.
func repairNeq(s string) string {
	return strings.ReplaceAll(s, "\neq", `\neq`)
}

// gradeMixed grades choice items by letter and open items as math.
func gradeMixed(it parity.Item, response string) answer.Result {
	// Items built outside the suite (parity score --suite) carry no Meta: a
	// lone option letter as gold marks a choice item there.
	letterGold := len(it.Answer) == 1 && it.Answer[0] >= 'A' && it.Answer[0] <= 'J'
	if it.Meta["choice"] != "" || (it.Meta == nil && letterGold) {
		return answer.Grade(answer.Choice, response, it.Answer, answer.Options{})
	}
	return answer.Grade(answer.Math, response, it.Answer, answer.Options{})
}

type agievalRow struct {
	Question string            `json:"question"`
	Options  map[string]string `json:"options"`
	Label    *string           `json:"label"`
	Answer   *string           `json:"answer"`
}

func loadGaokaoCloze() ([]parity.Item, error) {
	const file = "gaokao_math_cloze.test.jsonl"
	rows, err := readJSONL[agievalRow](zhMathExtraData, file)
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		if r.Answer == nil || strings.TrimSpace(*r.Answer) == "" {
			return nil, fmt.Errorf("%s line %d: no answer", file, i+1)
		}
		blanks := splitBlanks(*r.Answer)
		for j, b := range blanks {
			blanks[j] = strings.TrimSpace(strings.Trim(strings.TrimSpace(b), "$"))
		}
		items[i] = parity.Item{
			ID:       strconv.Itoa(i + 1),
			Question: r.Question,
			Answer:   strings.Join(blanks, "; "),
			Meta:     map[string]string{"blanks": strconv.Itoa(len(blanks))},
		}
	}
	return items, nil
}

func loadGaokaoQA() ([]parity.Item, error) {
	const file = "gaokao_math_qa.test.jsonl"
	rows, err := readJSONL[agievalRow](zhMathExtraData, file)
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		choices := make([]string, len(r.Options))
		for j := range choices {
			opt, ok := r.Options[Letter(j)]
			if !ok {
				return nil, fmt.Errorf("%s line %d: options are not lettered A, B, C, ...", file, i+1)
			}
			choices[j] = strings.TrimSpace(opt)
		}
		if r.Label == nil {
			return nil, fmt.Errorf("%s line %d: no label", file, i+1)
		}
		gold, ok := letterSet(*r.Label, len(choices))
		if !ok {
			return nil, fmt.Errorf("%s line %d: bad label %q", file, i+1, *r.Label)
		}
		it := parity.Item{ID: strconv.Itoa(i + 1), Question: r.Question, Choices: choices, Answer: gold}
		if len(gold) > 1 {
			it.Meta = map[string]string{"multi": "true"}
		}
		items[i] = it
	}
	return items, nil
}

// splitBlanks splits a multi-blank answer on ASCII or full-width semicolons.
func splitBlanks(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' })
}

// gradeBlanks grades a cloze answer blank by blank: every blank must be
// equivalent, in order. A single-blank item is an ordinary math answer.
// Only the answer region is searched (not the thinking, see answer.Region).
// The blanks are read from the last \boxed{} (split on semicolons, or on
// top-level commas when that gives exactly as many blanks as the gold);
// models that box each blank separately are still understood: the last n
// boxes are taken; with no box, the line after the last answer marker
// ("答案为 5; 10", "Answer: 5; 10") is split on semicolons.
func gradeBlanks(it parity.Item, response string) answer.Result {
	gold := splitBlanks(it.Answer)
	if len(gold) <= 1 {
		return answer.Grade(answer.Math, response, it.Answer, answer.Options{})
	}
	region := answer.Region(response)
	var pred []string
	how := "boxed-blanks"
	if boxes := boxedAll(region); len(boxes) > 0 {
		pred = splitBlanks(boxes[len(boxes)-1])
		if len(pred) == 1 && len(boxes) >= len(gold) {
			pred, how = boxes[len(boxes)-len(gold):], "boxed-each"
		} else if len(pred) == 1 {
			if parts := splitTopCommas(pred[0]); len(parts) == len(gold) {
				pred, how = parts, "boxed-commas"
			}
		}
	} else if locs := reBlankMarker.FindAllStringIndex(region, -1); len(locs) > 0 {
		line, _, _ := strings.Cut(region[locs[len(locs)-1][1]:], "\n")
		line = strings.TrimRight(strings.TrimSpace(line), "。.")
		pred, how = splitBlanks(line), "answer-is-blanks"
		for i := range pred {
			pred[i] = strings.Trim(strings.TrimSpace(pred[i]), "$ ")
		}
		if len(pred) != len(gold) || slices.Contains(pred, "") {
			return answer.Result{Detail: "none"}
		}
	} else {
		return answer.Result{Detail: "none"}
	}
	for i := range pred {
		pred[i] = strings.TrimSpace(pred[i])
	}
	res := answer.Result{Extracted: strings.Join(pred, "; "), Found: true, Detail: how + "/blanks"}
	if len(pred) != len(gold) {
		res.Detail = fmt.Sprintf("%s/%d of %d blanks", how, len(pred), len(gold))
		return res
	}
	res.Correct = true
	for i := range gold {
		if !answer.Equivalent(answer.Math, pred[i], gold[i], answer.Options{}) {
			res.Correct = false
		}
	}
	return res
}

// reBlankMarker finds a stated answer when a cloze response has no box.
var reBlankMarker = regexp.MustCompile(`(?i)(?:final answer\s*(?:is|:)?|the answers? (?:is|are)\s*:?|\banswers?\s*:|答案\s*(?:是|为|為|:|：)|答案\s*分别\s*(?:是|为)\s*[:：]?)[\s*]*`)

// splitTopCommas splits s on commas outside brackets, so "(3,0), \sqrt{3}"
// is two blanks and "(3,0)" one.
func splitTopCommas(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',', '，':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + len(string(r))
			}
		}
	}
	return append(parts, s[start:])
}

// gradeChoiceSet grades single-answer items with the shared choice grader
// and multiple-answer items by comparing letter sets from the last \boxed{}
// (or, with no box, after a final 选/答案/answer marker), since the shared
// grader looks for one letter. Only the answer region is searched.
func gradeChoiceSet(it parity.Item, response string) answer.Result {
	if len(it.Answer) == 1 {
		return answer.Grade(answer.Choice, response, it.Answer, answer.Options{Choices: it.Choices})
	}
	region := foldLetters(answer.Region(response))
	var cand string
	how := "boxed/letter-set"
	if boxes := boxedAll(region); len(boxes) > 0 {
		cand = boxes[len(boxes)-1]
	} else if ms := reLetterSetMarker.FindAllStringSubmatch(region, -1); len(ms) > 0 {
		cand, how = ms[len(ms)-1][1], "answer-is/letter-set"
	} else {
		return answer.Result{Detail: "none"}
	}
	pred, ok := letterSet(cand, len(it.Choices))
	if !ok {
		return answer.Result{Detail: "boxed/not letters"}
	}
	return answer.Result{Extracted: pred, Found: true, Correct: pred == it.Answer, Detail: how}
}

// reLetterSetMarker reads "故选 ABD", "答案为 A、C", "Answer: AC" at the end
// of a line.
var reLetterSetMarker = regexp.MustCompile(`(?i:选|选择|答案\s*(?:是|为|:|：)|answer\s*(?:is|:))\s*[:：]?\s*([A-Z](?:[\s,，、和]*[A-Z])*)\s*[.。]?\s*(?:\n|$)`)

// foldLetters maps full-width capital letters to ASCII ("ＡＢ" → "AB").
func foldLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'Ａ' && r <= 'Ｚ' {
			return r - 'Ａ' + 'A'
		}
		return r
	}, s)
}

// letterSet reads a set of option letters written as "AD", "A B D", "A, C",
// "A、C" or "\text{A}, \text{C}" and returns it sorted without duplicates.
// Anything that is not a letter among the first n options spoils it.
func letterSet(s string, n int) (string, bool) {
	for _, w := range []string{`\text`, `\mathrm`, `\textbf`, `\mathbf`, "和", "and"} {
		s = strings.ReplaceAll(s, w, " ")
	}
	seen := map[rune]bool{}
	for _, r := range s {
		switch {
		case strings.ContainsRune(" \t{}(),，、;；", r):
		case r >= 'A' && r < 'A'+rune(n):
			seen[r] = true
		default:
			return "", false
		}
	}
	if len(seen) == 0 {
		return "", false
	}
	letters := make([]string, 0, len(seen))
	for r := range seen {
		letters = append(letters, string(r))
	}
	sort.Strings(letters)
	return strings.Join(letters, ""), true
}

// boxedAll returns the contents of every \boxed{...} (and \fbox{...}) in
// order, matching nested braces.
func boxedAll(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], `\boxed{`)
		k := strings.Index(s[i:], `\fbox{`)
		start, skip := j, len(`\boxed{`)
		if k >= 0 && (j < 0 || k < j) {
			start, skip = k, len(`\fbox{`)
		}
		if start < 0 {
			break
		}
		open := i + start + skip
		depth, end := 1, -1
		for p := open; p < len(s) && end < 0; p++ {
			switch s[p] {
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					end = p
				}
			}
		}
		if end < 0 {
			break
		}
		out = append(out, s[open:end])
		i = end + 1
	}
	return out
}
