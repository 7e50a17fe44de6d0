package answer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKind(t *testing.T) {
	for _, s := range []string{"number", "Math", " choice ", "TEXT"} {
		k, err := ParseKind(s)
		require.NoError(t, err)
		assert.Equal(t, strings.ToLower(strings.TrimSpace(s)), string(k))
	}
	_, err := ParseKind("latex")
	require.Error(t, err)
}

func TestLastBoxed(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\boxed{5}`, "5"},
		{`a \boxed{1} b \boxed{2}`, "2"},
		{`\boxed{\frac{1}{2}}`, `\frac{1}{2}`},
		{`\boxed{\{1,2\}}`, `\{1,2\}`},
		{`\fbox{7}`, "7"},
		{`\boxed 5 is it`, "5"},
		{`\boxed{{a}{b}}`, "{a}{b}"},
		{`\boxed{\boxed{3}}`, `\boxed{3}`},
		{`\boxed{x^{2}}.`, "x^{2}"},
	}
	for _, tc := range tests {
		got, ok := LastBoxed(tc.in)
		require.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"", "no box", `\boxed{unclosed`, `\boxed`} {
		_, ok := LastBoxed(in)
		assert.False(t, ok, in)
	}
}

// TestExtractMath covers where reasoning models put their answers.
func TestExtractMath(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"boxed", `so the result is \boxed{42}.`, "42"},
		{"last box wins", `first \boxed{1}, but wait, actually \boxed{2}`, "2"},
		{"restated in prose after box", "The answer is $\\boxed{7}$.\n\nSo the final answer is seven.", "7"},
		{"final answer heading", "blah\n\n**Final Answer**\n\\boxed{\\frac{3}{4}}", `\frac{3}{4}`},
		{"nested braces", `\boxed{\frac{\sqrt{3}}{2}}`, `\frac{\sqrt{3}}{2}`},
		{"fbox", `\fbox{12}`, "12"},
		{"boxed without braces", `thus \boxed 5`, "5"},
		{"boxes joined by and", `\boxed{1} and \boxed{2}`, "1, 2"},
		{"boxes joined by comma", `\boxed{3}, \boxed{4}`, "3, 4"},
		{"boxes separated by reasoning", `\boxed{10} and then \boxed{42}`, "42"},
		{"duplicate boxes collapse", `\boxed{5} and \boxed{5}`, "5"},
		{"think only box", "<think>try \\boxed{3}</think>\nThe answer is $4$.", "4"},
		{"box inside think ignored", "<think>\\boxed{1}</think>\n\\boxed{2}", "2"},
		{"unclosed leading think", "we guess \\boxed{9}</think>\n\nAnswer: 10", "10"},
		{"empty after think searches think", "<think>so \\boxed{6}</think>", "6"},
		{"unclosed think is not searched", "<think>maybe \\boxed{8}", ""},
		{"final answer minerva", "Final Answer: The final answer is $24$. I hope it is correct.", "24"},
		{"answer colon", "work\nAnswer: 3/4", "3/4"},
		{"last answer colon", "Answer: 1\nwait no\nAnswer: 2", "2"},
		{"the answer is", "Hence the answer is $\\sqrt{2}$.", `\sqrt{2}`},
		{"chinese answer is", "计算得到答案是 $12$。", "12"},
		{"chinese answer colon", "所以答案：\\frac{1}{2}", `\frac{1}{2}`},
		{"chinese full-width colon", "答案：１２", "12"},
		{"chinese so wei", "所以面积为 $36$。", "36"},
		{"chinese trailing unit", "答案：每份应该是 (\\frac{2}{5}) 吨。", `(\frac{2}{5})`},
		{"bare expression", "x^2+2x+1", "x^2+2x+1"},
		{"bare interval", "(-\\infty, 3]", "(-\\infty, 3]"},
		{"display math", "Answer $$ 9 $$", "9"},
		{"paren math", "Answer \\( (9+1) \\)", "(9+1)"},
		{"inline math across lines is not math", "Answer $ \n 9 \n $", ""},
		{"therefore sentence", "We have $a=1$. Therefore $x \\geq 5$ is the solution.", `x \geq 5`},
		{"last math span", "We compute $2+2$ and get $4$", "4"},
		{"percent in conclusion", "Many steps $$a$$. Therefore, the increase is 100%.", "100%"},
		{"no answer", "I don't know how to solve this problem at all", ""},
		{"empty", "   ", ""},
		{"last number only with option", "we had 3 apples and ate some leaving 2 apples", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Extract(Math, tc.in, Options{})
			assert.Equal(t, tc.want != "", ok)
			assert.Equal(t, tc.want, got)
		})
	}
	got, ok := Extract(Math, "we had 3 apples and ate some leaving 2 apples", Options{LastNumber: true})
	require.True(t, ok)
	assert.Equal(t, "2", got)
}

// TestEquivalentMath is the equivalence rule book, one line per rule.
func TestEquivalentMath(t *testing.T) {
	tests := []struct {
		pred, gold string
		want       bool
	}{
		// numbers
		{"0.5", `\frac12`, true}, {"1/2", `\frac{1}{2}`, true}, {`\dfrac{1}{2}`, `\tfrac12`, true},
		{"2/4", "1/2", true}, {"0.50", ".5", true}, {"1e3", "1000", true}, {"1.5e-3", "0.0015", true},
		{"3", "3.0", true}, {"-3", "3", false}, {"1,000", "1000", true}, {"1{,}000", "1000", true},
		{`1\,000\,000`, "1000000", true}, {"12345678901", "12345678902", false}, {"7", "8", false},
		{`1\frac{1}{2}`, "1.5", true}, {`2\frac34`, "11/4", true}, {`\frac{3}{4}`, "0.75", true},
		{"0.3333333", `\frac13`, true}, {"0.333", `\frac13`, true}, {"0.33", `\frac13`, true}, {"0.3", `\frac13`, false},
		{"0.67", `\frac{2}{3}`, true}, {"0.66", `\frac{2}{3}`, false}, {"0.29", `\frac27`, true},
		{"0.13", `\frac18`, false}, {"0.12", `\frac18`, false}, {"1.4", `\sqrt2`, false}, {"3.1", `\pi`, false},
		{"-0.33", `-\frac13`, true}, {"0.33", `\frac{2}{6}`, true}, {"0.25", `\frac14`, true},
		{"3.1416", `\pi`, true}, {"3.14", `\pi`, true}, {"3.15", `\pi`, false}, {"1.414", `\sqrt2`, true},
		{"0.1", "0.1000001", true}, {"0.1", "0.1001", false},
		// percent policy: X% equals X and X/100
		{`50\%`, "50", true}, {`50\%`, "0.5", true}, {"50%", "0.5", true}, {`50\%`, "5", false}, {"20 percent", "20", true},
		// latex forms
		{`\sqrt{12}`, `2\sqrt{3}`, true}, {`\sqrt[3]{8}`, "2", true}, {`\sqrt[3]{-8}`, "-2", true},
		{`\sqrt3`, `\sqrt{3}`, true}, {`\frac{\sqrt{2}}{2}`, `\frac{1}{\sqrt{2}}`, true},
		{`2\pi`, `\pi \cdot 2`, true}, {`\pi r^2`, `r^2\pi`, true}, {`2^{10}`, "1024", true}, {`2^10`, "1024", false},
		{`\left( 3, \frac{\pi}{2} \right)`, `(3,\frac{\pi}{2})`, true}, {`10\text{ cm}`, "10", true},
		{`5\mbox{ m}`, "5", true}, {`90^\circ`, "90", true}, {`90^{\circ}`, "90", true}, {"74°", `74^\circ`, true},
		{`\infty`, "oo", true}, {`-\infty`, `\infty`, false}, {`3 \times 4`, "12", true}, {`3\cdot 4`, "12", true},
		{`1\!000`, "1000", true}, {`$\$5$`, "5", true}, {`\$10`, "10", true}, {`\displaystyle\frac12`, "0.5", true},
		{`\mathbf{5}`, "5", true}, {`5!`, "120", true}, {`\binom{5}{2}`, "10", true}, {`|{-3}|`, "3", true},
		{`\log_2 8`, "3", true}, {`\ln e`, "1", true}, {`e^{i\pi}`, "-1", true}, {`\sin^2 x + \cos^2 x`, "1", true},
		// complex numbers
		{"3+4i", "4i+3", true}, {"3+4i", "3-4i", false}, {`\frac34i`, `\frac{3}{4}i`, true}, {"i^2", "-1", true},
		// algebra
		{"x^2+2x+1", "(x+1)^2", true}, {"x^2+2x+1", "(x+1)^3", false}, {"2x", "x+x", true}, {"x(y+1)", "xy+x", true},
		{`\frac{x}{7}+\frac{2}{7}`, `\frac{x+2}{7}`, true}, {"a+b", "b+a", true}, {"a-b", "b-a", false},
		{`\sin x`, `\sin(x)`, true}, {`\tan^2(y)+1`, `\sec^2(y)`, true}, {`\ln(x^2)`, `2\ln x`, true},
		{"x^2 - 4", "(x-2)(x+2)", true}, {`\sqrt{x^2}`, "x", true}, {"2**(1/4)", `\sqrt{\sqrt{2}}`, true},
		// plus-minus
		{`1 \pm \sqrt{19}`, `1\pm\sqrt{19}`, true}, {`1 \pm \sqrt{19}`, `1\mp\sqrt{19}`, true}, {"2021", `\pm 2021`, false},
		// equations
		{"x = 3", "3", true}, {"3", "x=3", true}, {"y = 2x+1", "2x+1", true}, {"x=3", "4", false},
		{"2x+4y-3=0", `y=-\frac12x+\frac34`, true}, {"x+y=1", "2x+2y=2", true}, {"x+y=1", "x-y=1", false},
		{"k = 1", "m = 1", true}, {"2x+z=1", "1", false}, {`x \approx 3.01`, "3.01", true},
		// inequalities and intervals
		{`x \geq 5`, "x >= 5", true}, {"5 > x", "x < 5", true}, {"-x > -1", "x < 1", true}, {"x < 5", "x > 5", false},
		{"x <= 5", "x < 5", false}, {`x \in [-2, 7]`, `-2 \le x \le 7`, true}, {"-1 < x < 3", "(-1, 3)", true},
		{"(1, 2]", "(1,2]", true}, {"(1,2]", "[1,2]", false}, {"[a,b)", "[a, b)", true}, {"(-3,2)", "[-3,2]", false},
		{`(-\infty,-8)\cup (8,\infty)`, `(8,\infty)\cup(-\infty,-8)`, true}, {`(-\infty,0)\cup(1,\infty)`, `(-\infty,0)`, false},
		{`x \geq 5`, `[5, \infty)`, true}, {"(0.6,2.6667]", `(\frac35,\frac83]`, true},
		// sets, tuples, lists
		{`\{1,2\}`, `\{2,1\}`, true}, {`\{1,2\}`, `\{1,3\}`, false}, {"(1,2)", "(2,1)", false}, {"(1,2)", "(1, 2)", true},
		{"1, 2", "2, 1", true}, {"1,2,3", "1,2", false}, {`\{1,2,3\}`, "1,2,3", true}, {"(6,31,-1)", "(6, 31, -1)", true},
		{"(1,2),(3,4)", "(3,4),(1,2)", true}, {"p=5,q=2;p=7,q=2", "(5,2),(7,2)", true}, {"a=1, b=2", "b=2, a=1", true},
		{"1 and 2", "1, 2", true}, {`6 \text{ and } 8`, "6, 8", true}, {`\emptyset`, `\{\}`, true},
		// matrices
		{`\begin{pmatrix}1 & 2\\3 & 4\end{pmatrix}`, `\begin{bmatrix}1&2\\3&4\end{bmatrix}`, true},
		{`\begin{pmatrix}1 & 2\\3 & 4\end{pmatrix}`, `\begin{pmatrix}1&2\\3&5\end{pmatrix}`, false},
		{`\begin{pmatrix}1\\2\end{pmatrix}`, `\begin{pmatrix}1&2\end{pmatrix}`, false},
		{`\begin{pmatrix}\frac12\\ \sqrt4\end{pmatrix}`, `\begin{pmatrix}0.5\\2\end{pmatrix}`, true},
		// text and misc
		{`\text{odd}`, "odd", true}, {`\text{oddd}`, "odd", false}, {`\text{(C)}`, `\text{C}`, true},
		{"204_5", "54", true}, {"4210_7", "4210_{7}", true}, {`2^{2025}`, `3^{2025}`, false}, {`2^{2025}`, `2^{2025}`, true},
		{`\text{Monday}`, "monday", true}, {"", "1", false}, {"1", "", false},
		// double-escaped input
		{`\\frac{1}{2}`, "0.5", true}, {`$\\sqrt{5}$`, `\sqrt5`, true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Equivalent(Math, tc.pred, tc.gold, Options{}), "%q vs %q", tc.pred, tc.gold)
		assert.Equal(t, tc.want, Equivalent(Math, tc.gold, tc.pred, Options{}), "reversed %q vs %q", tc.gold, tc.pred)
	}
}
