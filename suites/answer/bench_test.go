package answer

import "testing"

// mathBench mixes MATH-500-style answers: fractions, roots, intervals,
// expressions, tuples and text, each inside a short reasoning tail.
var mathBench = []struct{ resp, gold string }{
	{`Thus the probability is $\boxed{\frac{3}{8}}$.`, `\frac{3}{8}`},
	{`Simplifying, $\boxed{2\sqrt{3}}$`, `\sqrt{12}`},
	{`The solution set is $\boxed{(-\infty, -2) \cup (3, \infty)}$.`, `(-\infty,-2)\cup(3,\infty)`},
	{`Expanding gives $\boxed{x^2 + 5x + 6}$.`, `(x+2)(x+3)`},
	{`So $(a,b) = \boxed{(4, -1)}$.`, `(4,-1)`},
	{"Final Answer: The final answer is $\\frac{\\pi}{4}$. I hope it is correct.", `\frac{\pi}{4}`},
	{`The angle is $\boxed{90^\circ}$.`, `90`},
	{`<think>long thought</think> The answer is $\boxed{\dfrac{1}{2}}$`, `0.5`},
	{`Hence $\boxed{\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}}$.`, `\begin{pmatrix}1&2\\3&4\end{pmatrix}`},
	{`The roots are $\boxed{1 \pm \sqrt{5}}$`, `1\pm\sqrt5`},
}

func BenchmarkGradeMath(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := mathBench[i%len(mathBench)]
		if !Grade(Math, c.resp, c.gold, Options{}).Correct {
			b.Fatalf("benchmark case %d is not graded correct", i%len(mathBench))
		}
	}
}

var numberBench = []struct{ resp, gold string }{
	{"Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether.\n#### 72", "72"},
	{"She earns 12/60 = $0.2 per minute. The answer is $10.", "10"},
	{"In total 1,200 + 300 = 1,500 dollars. The answer is 1,500.", "1500"},
	{"so she has 5 + 3 = 8 apples left", "8"},
	{"答案是 42", "42"},
}

func BenchmarkGradeNumber(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := numberBench[i%len(numberBench)]
		if !Grade(Number, c.resp, c.gold, Options{LastNumber: true}).Correct {
			b.Fatalf("benchmark case %d is not graded correct", i%len(numberBench))
		}
	}
}

var choiceBench = []struct{ resp, gold string }{
	{"Let me think step by step. Paris is the capital.\n\nAnswer: B", "B"},
	{"经过分析，正确答案是C。", "C"},
	{`The answer is $\boxed{\text{D}}$.`, "D"},
	{"**A**", "A"},
	{"The answer is D, not A.", "D"},
}

func BenchmarkGradeChoice(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := choiceBench[i%len(choiceBench)]
		if !Grade(Choice, c.resp, c.gold, Options{}).Correct {
			b.Fatalf("benchmark case %d is not graded correct", i%len(choiceBench))
		}
	}
}

// optionBench is an MMLU-Pro-style item with ten long options and
// responses whose answer is only found, or not found at all, by matching
// option texts: the costly fallback of the choice kind.
var optionBench = struct {
	choices []string
	resps   []string
}{
	choices: []string{
		"The encoding-decoding process.", "Personal selling.", "The realm of understanding.",
		"The context of the message.", "Noise.", "The communication channel.", "Feedback.",
		"The use of jargon.", "The sender-receiver model.", "The use of technology.",
	},
	resps: []string{
		"We refer to Wikipedia articles on marketing for help. The answer concerns how well the source and receiver understand each other.\nAnswer: the realm of understanding",
		"Let's think. The sender and the receiver must share meaning. The correct answer is the one about shared understanding, which is the realm of understanding.",
		"Thinking about it, this is about communication between people. I am not sure which option fits best.\nIt depends on the context.",
	},
}

// BenchmarkGradeChoiceOptionText grades responses that fall back to
// option texts, with the options prepared once per item as the suites do.
func BenchmarkGradeChoiceOptionText(b *testing.B) {
	b.ReportAllocs()
	opt := Options{Choices: optionBench.choices}.Prepare()
	for i := 0; b.Loop(); i++ {
		Grade(Choice, optionBench.resps[i%len(optionBench.resps)], "C", opt)
	}
}

// BenchmarkGradeChoiceOptionTextUnprepared is the same without Prepare.
func BenchmarkGradeChoiceOptionTextUnprepared(b *testing.B) {
	b.ReportAllocs()
	opt := Options{Choices: optionBench.choices}
	for i := 0; b.Loop(); i++ {
		Grade(Choice, optionBench.resps[i%len(optionBench.resps)], "C", opt)
	}
}
