package answer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// formatCase is one response in a format real models write (issue 8's
// numbered list), with the answer parity must read from it.
type formatCase struct {
	name     string
	kind     Kind
	resp     string
	gold     string
	choices  []string
	want     bool   // graded correct
	detail   string // leading span name in Result.Detail, when it matters
	extracts string // the extracted answer, when it matters
}

func runFormats(t *testing.T, cases []formatCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Grade(c.kind, c.resp, c.gold, Options{Choices: c.choices})
			assert.Equal(t, c.want, r.Correct, "extracted %q detail %s", r.Extracted, r.Detail)
			if c.detail != "" {
				assert.Regexp(t, "^"+c.detail+"(/|$)", r.Detail)
			}
			if c.extracts != "" {
				assert.Equal(t, c.extracts, r.Extracted)
			}
		})
	}
}

// 1. Final "A:" / "Answer:" lines and GSM8K calculator annotations.
func TestFormatAnswerLines(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "A: line", kind: Number, resp: "She has 9 eggs and sells them at $2.\nA: 18", gold: "18", want: true, detail: "answer-line"},
		{name: "Answer: line beats earlier numbers", kind: Number, resp: "First 3 + 4 = 7.\nAnswer: 18", gold: "18", want: true, detail: "answer-line"},
		{name: "calculator annotation", kind: Number, resp: "She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18", gold: "18", want: true, detail: "####"},
		{name: "calculator annotation without ####", kind: Number, resp: "Total = $<<9*2=18>>18.\nAnswer: $18", gold: "18", want: true},
		{name: "答 line", kind: Number, resp: "每天剩下 16 - 7 = 9 个鸡蛋。\n答：18", gold: "18", want: true, detail: "answer-line"},
		{name: "A: inside a sentence is not a final line", kind: Number, resp: "Plan A: 5 apples. So the total is 7.", gold: "7", want: true},
	})
}

// 2. JSON answers, also inside a fenced ```json block.
func TestFormatJSONAnswers(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "json", kind: Number, resp: `{"reasoning": "9 eggs at $2 each", "answer": "18"}`, gold: "# 18", want: true, detail: "json"},
		{name: "fenced json with dollar and comma", kind: Number, resp: "```json\n{\n  \"reasoning\": \"80,000 + 120,000 - 130,000\",\n  \"answer\": \"$70,000\"\n}\n```", gold: "# 70000", want: true, detail: "json"},
		{name: "invalid json with raw newlines", kind: Number, resp: "```json\n{\"reasoning\": \"Step 1: 2 + 3 = 5\nStep 2: 5 * 4 = 20\", \"answer\": \"20\"}\n```", gold: "20", want: true, detail: "json"},
		{name: "json answer is a calculation", kind: Number, resp: `{"reasoning": "r", "answer": "4 * 15 * 12 = 720"}`, gold: "720", want: true},
		{name: "unquoted number", kind: Number, resp: `{"reasoning": "r", "answer": 42}`, gold: "42", want: true, detail: "json"},
		{name: "later json object corrects the first", kind: Number, resp: "```json\n{\"answer\": \"41 - (4 + 24)\"}\n```\n```json\n{\"answer\": \"13\"}\n```", gold: "13", want: true},
		{name: "chinese reasoning in json", kind: Number, resp: `{"reasoning": "一共 3 + 4 = 7 个", "answer": "7个"}`, gold: "7", want: true, detail: "json"},
		{name: "math json", kind: Math, resp: `{"answer": "\\frac{1}{2}"}`, gold: "0.5", want: true, detail: "json"},
	})
}

// 3. Minerva/Llama final-answer sentences; the last explicit marker wins
// over an earlier \boxed.
func TestFormatFinalAnswerSentences(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "minerva", kind: Math, resp: "We get $\\boxed{10}$ in the first step.\nFinal Answer: The final answer is $10,455$. I hope it is correct.", gold: "10455", want: true, detail: "final-answer"},
		{name: "final answer in prose", kind: Math, resp: "Checking n = 35 fails.\nFinal Answer: The largest $n$ is 34.", gold: "34", want: true, extracts: "34"},
		{name: "the answer is ... because", kind: Math, resp: "The answer is 42 because 6 times 7 is 42.", gold: "42", want: true},
		{name: "later box beats earlier marker", kind: Math, resp: "The final answer is 5. Wait, recheck: it is $\\boxed{6}$.", gold: "6", want: true, detail: "boxed"},
		{name: "bold final answer heading", kind: Math, resp: "Work.\n\n**Final Answer**\n\n\\[ \\boxed{\\frac{3}{8}} \\]", gold: "3/8", want: true},
		{name: "最终答案", kind: Math, resp: "计算得 x=2，所以 y=5。\n最终答案：$7$", gold: "7", want: true, detail: "final-answer"},
		{name: "【答案】 with end tag", kind: Math, resp: "【解析】……<eoe>\n【答案】$\\frac{2}{3}$<eoa>", gold: "\\frac{2}{3}", want: true, detail: "final-answer"},
		{name: "【答案】 on the next line", kind: Math, resp: "【解析】解得 n=8。<eoe>\n【答案】\n解方程得到n=8.<eoa>", gold: "8", want: true},
	})
}

// 4. Equality chains and approximations.
func TestFormatChainsAndApproximations(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "chain", kind: Math, resp: "So $x = 5+5+1 = 7 = 11$.", gold: "11", want: true},
		{name: "approx tail", kind: Math, resp: "The answer is $x=1/3\\approx 1.3$.", gold: "\\frac{1}{3}", want: true},
		{name: "approx tail is not the answer", kind: Math, resp: "The answer is $x=1/3\\approx 1.3$.", gold: "1.3", want: false},
		{name: "numeric chain", kind: Math, resp: "【答案】所以概率为3/9=1/3", gold: "\\frac13", want: true},
		{name: "value after copula", kind: Math, resp: "Therefore, the degree of \\( f(x) \\) is 3.", gold: "3", want: true},
		{name: "prices are not a formula", kind: Math, resp: "Cookies: 18 sets at $1 each is $18. Total: $18 + $40 = $58. So the profit is $58.", gold: "58", want: true},
		{name: "prose is not a value", kind: Math, resp: "Therefore, yes, it's a terminating decimal.", gold: "0.35625", want: false},
		{name: "answer should be", kind: Math, resp: "Therefore, the answer should be 3 units.", gold: "3", want: true},
		// A whole response of one short sentence is read for its value, as
		// a span is, not compared whole ("So the total is 20." is not a
		// formula in S, o, t, ...).
		{name: "one short sentence", kind: Math, resp: "So the total is 20.", gold: "20", want: true, extracts: "20"},
		{name: "one short sentence, chain", kind: Math, resp: "Therefore, a + b + c = 20.", gold: "20", want: true, extracts: "20"},
		{name: "one short sentence, sum", kind: Math, resp: "Thus, the sum is 11 + 9 = 20.", gold: "20", want: true},
		{name: "one short sentence, wrong", kind: Math, resp: "Therefore, x = 5.", gold: "20", want: false},
		{name: "a bare equation stays whole", kind: Math, resp: "y = 2x + 3", gold: "y=2x+3", want: true, extracts: "y = 2x + 3"},
		// A response ends on its answer: a closing "Therefore, …" line
		// outranks an earlier mention of "the answer".
		{name: "closing conclusion after a mention of the answer", kind: Math,
			resp: "Maybe I need to write the answer with c = 0 kept.\n\nTherefore, the sum is 11 + 9 + 0 = 20.",
			gold: "20", want: true, detail: "conclusion", extracts: "20"},
		{name: "closing conclusion, wrong value", kind: Math,
			resp: "The answer should be 20.\n\nSo the sum is 19.",
			gold: "20", want: false, detail: "conclusion"},
	})
}

// 5. Several boxes in one final answer form one answer.
func TestFormatSeveralBoxes(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "tuple of boxes", kind: Math, resp: "So $a = \\boxed{2}$ and $b = \\boxed{5}$.", gold: "2, 5", want: true},
		{name: "set order free", kind: Math, resp: "The roots are $\\boxed{3}$ and $\\boxed{-1}$.", gold: "-1, 3", want: true},
		{name: "boxes separated by reasoning", kind: Math, resp: "First $\\boxed{10}$. But then we fix it, so $\\boxed{42}$.", gold: "42", want: true},
		{name: "chinese boxes", kind: Math, resp: "所以 $x=\\boxed{1}$ 和 $y=\\boxed{2}$。", gold: "1,2", want: true},
		{name: "chinese and-list after 答案", kind: Math, resp: "所以甲的卡片上的数字是1和3。\n【答案】1和3", gold: "1 和 3", want: true, extracts: "1, 3"},
		{name: "chinese and-list with spaces", kind: Math, resp: "所以两个根分别是 2 与 5", gold: "2 与 5", want: true},
		{name: "chinese and-list is not a single value", kind: Math, resp: "【答案】1和3", gold: "3", want: false},
	})
}

// 6. Units, degrees, percent, digit groups, mixed numbers, times.
func TestFormatUnitsAndNumbers(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "text unit squared", kind: Math, resp: "$\\boxed{10\\text{ cm}^2}$", gold: "10", want: true},
		{name: "unit on the gold side", kind: Math, resp: "$\\boxed{864}$", gold: "864 \\mbox{ inches}^2", want: true},
		{name: "degrees", kind: Math, resp: "The angle is $\\boxed{74^\\circ}$.", gold: "74", want: true},
		{name: "percent", kind: Math, resp: "The area decreases by $\\boxed{10\\%}$.", gold: "10", want: true},
		{name: "thin-space groups", kind: Math, resp: "$\\boxed{11,\\!111,\\!100}$", gold: "11111100", want: true},
		{name: "mixed number", kind: Number, resp: "The answer is 1 1/2.", gold: "3/2", want: true},
		{name: "time", kind: Math, resp: "She arrives at $\\boxed{20:34}$.", gold: "20:34", want: true},
		{name: "plain unit words", kind: Math, resp: "So, the final answer is 28 different pizzas.", gold: "28", want: true},
		{name: "small quantities compare relatively", kind: Math, resp: "$\\boxed{1.02 \\times 10^{-10}}$", gold: "3.61e-10", want: false},
		{name: "square brackets that group", kind: Math, resp: "$\\boxed{\\frac{1}{4} \\left[\\cos(2t) + \\sin(2t)\\right]}$", gold: "\\frac{\\cos(2t)+\\sin(2t)}{4}", want: true},
		{name: "small quantities that match", kind: Math, resp: "$\\boxed{3.61 \\times 10^{-10}}$", gold: "3.61e-10", want: true},
	})
}

// 7. Chinese conclusions without 答案, with units and full-width digits.
func TestFormatChineseConclusions(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "结论", kind: Number, resp: "Haley 原来有 12 颗，又买了 87 颗。\n结论：Haley总共有99颗弹珠", gold: "99", want: true, detail: "conclusion"},
		{name: "所以 一共 元", kind: Number, resp: "每支笔 3 元，买 5 支。所以她一共花了15元。", gold: "15", want: true},
		{name: "因此 千克", kind: Number, resp: "每袋 25 千克，共 4 袋。因此总重 100 千克。", gold: "100", want: true},
		{name: "综上 个", kind: Number, resp: "第一天 3 个，第二天 5 个。综上，一共做了8个。", gold: "8", want: true},
		{name: "故 full-width digits", kind: Number, resp: "每人分 ３ 个，共 ４ 人。故共需１２个苹果。", gold: "12", want: true},
		{name: "math 根号", kind: Math, resp: "【答案】根号3", gold: "\\sqrt{3}", want: true},
	})
}

// 8. Reasoning delimiters: the thinking is never graded when a solution
// part exists.
func TestFormatReasoningDelimiters(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "thought and solution", kind: Math, resp: "<|begin_of_thought|>maybe \\boxed{4}<|end_of_thought|>\n\n<|begin_of_solution|>So the answer is $\\boxed{5}$.<|end_of_solution|>", gold: "5", want: true},
		{name: "solution wins over later thinking", kind: Math, resp: "<|begin_of_solution|>$\\boxed{5}$<|end_of_solution|> <|begin_of_thought|> \\boxed{4}", gold: "5", want: true},
		{name: "unfinished thought", kind: Math, resp: "<|begin_of_thought|>I think it is \\boxed{4} but", gold: "4", want: false},
		{name: "think tags", kind: Number, resp: "<think>maybe 4</think>The answer is 5.", gold: "5", want: true},
		{name: "final answer section", kind: Math, resp: "Long work with $x=4$.\n\n**Final Answer**\nThe value is $5$.", gold: "5", want: true},
		{name: "chinese solution", kind: Number, resp: "<|begin_of_thought|>也许是4<|end_of_thought|><|begin_of_solution|>答案是5<|end_of_solution|>", gold: "5", want: true},
	})
}

// 9. A base model continuing the few-shot pattern is cut at the invented
// next question.
func TestFormatContinuationCut(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "Question:", kind: Choice, resp: " The answer is (B).\n\nQuestion: Which gas...\nA. O2\nB. N2\nAnswer: Let's think. The answer is (A).", gold: "B", want: true},
		{name: "Q:", kind: Number, resp: "So she has 18 dollars. The answer is 18.\nQ: Tom has 3 apples. A: The answer is 3.", gold: "18", want: true},
		{name: "Problem:", kind: Math, resp: "Final Answer: The final answer is $4$.\nProblem: Find x.\nSolution: Final Answer: The final answer is $7$.", gold: "4", want: true},
		{name: "问题：", kind: Number, resp: "所以答案是 18。\n问题：小明有 3 个苹果？\n答案是 3。", gold: "18", want: true},
		{name: "leading Question: restatement is kept", kind: Number, resp: "Question: how many?\nThe answer is 18.", gold: "18", want: true},
		{name: "a restated problem before any answer is kept", kind: Math, resp: "Let me solve this.\n\nProblem: find $x$ with $2x = 10$.\n\nSolution: $x = \\boxed{5}$.", gold: "5", want: true},
		{name: "a repeated few-shot answer with a foreign label", kind: Choice, resp: "Role cultures divide roles clearly. The answer is (D).\n\nFinal Answer:\nThe answer is (F). Business ethics management.", gold: "D",
			choices: []string{"Power culture", "Clan culture", "Network culture", "Role culture", "Task culture", "People culture"}, want: true},
		{name: "a label that belongs to the question is kept", kind: Choice, resp: "The answer is (F). People culture.", gold: "F",
			choices: []string{"Power culture", "Clan culture", "Network culture", "Role culture", "Task culture", "People culture"}, want: true},
		{name: "numbered answers to several questions", kind: Choice, resp: "The answer is (C).\n\nAnswer:\n1. The answer is (F).\n2. The answer is (D).\n3. The answer is (H).", gold: "C", want: true},
		{name: "numbered working steps are not a list of answers", kind: Choice, resp: "1. Compute the rate.\n2. The answer is (B).", gold: "B", want: true},
		{name: "leaked end-of-sequence token", kind: Choice, resp: "The answer is (G).<EOS_TOKEN> Final answer: G, D, F, H, G.", gold: "G", want: true},
		{name: "im_end", kind: Number, resp: "答案是 7。<|im_end|>\n答案是 9。", gold: "7", want: true},
	})
}

// 10. Negated option mentions are not answers.
func TestFormatNegatedChoices(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "not A therefore B", kind: Choice, resp: "It's not A because the rate is wrong, therefore I think the answer is B.", gold: "B", want: true},
		{name: "issue's wording", kind: Choice, resp: "It's not A since the rate is wrong, therefore I think it's B.", gold: "B", want: true, detail: "conclusion"},
		{name: "ruled out in the conclusion", kind: Choice, resp: "Looking at the data, so A is wrong.", gold: "A", want: false},
		{name: "所以 conclusion", kind: Choice, resp: "A不对，所以我认为是B。", gold: "B", want: true},
		{name: "answer is D not A", kind: Choice, resp: "The answer is D, not A.", gold: "D", want: true},
		{name: "B不是A", kind: Choice, resp: "分析各选项后，答案是B，不是A。", gold: "B", want: true},
		{name: "la réponse est C, non A", kind: Choice, resp: "Donc la réponse est C, non A.", gold: "C", want: true},
		{name: "answer is not D but C", kind: Choice, resp: "So, the answer is not (D) but (C).", gold: "C", want: true, extracts: "C"},
		{name: "answer is not D", kind: Choice, resp: "The answer is (C).\n\nI checked again: the answer is not (D).", gold: "C", want: true},
		{name: "answer is not D, but two others", kind: Choice, resp: "So, the answer is not (D) but (A) and (B) considering the options.", gold: "D", want: false, detail: "hedge"},
		{name: "答案不是D而是C", kind: Choice, resp: "所以答案不是D，而是C。", gold: "C", want: true},
		{name: "hedge", kind: Choice, resp: "The answer is (B) or (E).", gold: "B", want: false},
		{name: "several letters for one answer", kind: Choice, resp: "【答案】A、B", gold: "B", want: false},
		{name: "option text gold", kind: Choice, resp: "The answer is B.", gold: "a trigonometric function", choices: []string{"a polynomial", "a trigonometric function"}, want: true},
	})
}

// JSON answers name options too.
func TestFormatJSONChoice(t *testing.T) {
	runFormats(t, []formatCase{
		{name: "letter", kind: Choice, resp: "```json\n{\"reasoning\": \"A is wrong, so\", \"answer\": \"C\"}\n```", gold: "C", want: true, detail: "json"},
		{name: "option text", kind: Choice, resp: `{"reasoning": "r", "answer": "Paris"}`, gold: "B", choices: []string{"London", "Paris"}, want: true, detail: "json-text"},
		{name: "key case", kind: Number, resp: `{"Reasoning": "r", "Answer": "12"}`, gold: "12", want: true, detail: "json"},
		{name: "chinese", kind: Choice, resp: `{"解析": "A不对", "answer": "B"}`, gold: "B", want: true, detail: "json"},
	})
}
