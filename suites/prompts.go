package suites

import "github.com/parity-bench/parity/suites/answer"

// The prompts more than one suite asks with, built-in and user suites
// alike. Each template's text is hashed into the PromptHash of every suite
// that uses it, so a change here changes those suites' runs: bump their
// Versions with it.

// The maths prompts ask for zero-shot chain of thought and the final
// answer in \boxed{}, which gives the grader an unambiguous answer.
const (
	mathPromptEN = `{{.Question}}

Please reason step by step, and put your final answer within \boxed{}.`

	mathPromptZH = `{{.Question}}

请逐步推理，并把最终答案写在 \boxed{} 中。`
)

// The multiple-choice prompts ask for zero-shot chain of thought and a boxed
// letter: reasoning models think anyway, and \boxed{} is the one answer
// marker every grader and every model family agrees on.
const (
	mcTemplateEN = `{{if .Meta.topic}}The following is a multiple-choice question about {{.Meta.topic}}.

{{end}}{{.Question}}

{{range $i, $c := .Choices}}{{letter $i}}. {{$c}}
{{end}}
Think step by step, then answer with the letter of the correct option in \boxed{}.`

	mcTemplateZH = `以下是一道单项选择题。

{{.Question}}

{{range $i, $c := .Choices}}{{letter $i}}. {{$c}}
{{end}}
请逐步思考，最后把正确选项的字母写在 \boxed{} 中。`
)

// The reply formats of worked examples in few-shot prompts. They end the way
// the zero-shot instruction asks the model to end, so the examples teach the
// answer format rather than contradict it.
const (
	shotReplyEN = `The answer is \boxed{%s}.`
	shotReplyZH = `答案是 \boxed{%s}。`
)

// The free-text prompts, for user suites of kind text.
const (
	textPromptEN = `{{.Question}}

Think step by step, then give your final answer within \boxed{}.`

	textPromptZH = `{{.Question}}

请逐步思考，并把最终答案写在 \boxed{} 中。`
)

// userDefaultPrompts are the templates a user suite gets when it gives none,
// by answer kind and by language (Chinese suites are asked in Chinese): the
// prompts of the built-in suites of that kind.
var userDefaultPrompts = map[answer.Kind][2]string{
	answer.Choice: {mcTemplateEN, mcTemplateZH},
	answer.Number: {mathPromptEN, mathPromptZH},
	answer.Math:   {mathPromptEN, mathPromptZH},
	answer.Text:   {textPromptEN, textPromptZH},
}
