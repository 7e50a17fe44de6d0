package answer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPathological checks that hostile input is answered (not hung or
// panicked on); the work is bounded by the depth and size caps.
func TestPathological(t *testing.T) {
	inputs := map[string]string{
		"nested braces":   `\boxed{` + strings.Repeat("{", 10000) + "1" + strings.Repeat("}", 10000) + "}",
		"unclosed braces": `\boxed{` + strings.Repeat("{", 10000),
		"megabyte digits": strings.Repeat("9", 1<<20),
		"deep parens":     strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"deep fracs":      strings.Repeat(`\frac{1}{`, 3000) + "2" + strings.Repeat("}", 3000),
		"many boxes":      strings.Repeat(`\boxed{1} and `, 5000),
		"huge power":      `2^{2^{2^{2^{99999}}}}`,
		"long sum":        strings.Repeat("x+", 20000) + "1",
		"many dollars":    strings.Repeat("$1$ ", 50000),
		"deep sqrt":       strings.Repeat(`\sqrt{`, 4000) + "2" + strings.Repeat("}", 4000),
		"think flood":     strings.Repeat("<think>", 10000) + "</think>",
		"choice flood":    strings.Repeat("A or ", 100000),
		"factorial tower": strings.Repeat("9!", 200),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, k := range []Kind{Math, Number, Choice, Text} {
				r := Grade(k, in, in, Options{LastNumber: true})
				if !r.Found {
					assert.Empty(t, r.Extracted, "kind %s", k)
				}
				assert.False(t, r.Correct && !r.Found, "kind %s: correct without an answer", k)
				assert.NotPanics(t, func() { Equivalent(k, in, "1", Options{}) })
			}
		})
	}
}

var fuzzSeeds = []string{
	`\boxed{\frac{1}{2}}`, `The answer is $x^2+1$.`, `<think>a</think>Answer: B`, `\boxed{`, `}}}{{{`,
	`(1,2]\cup[3,\infty)`, `\begin{pmatrix}1&2\\3&4\end{pmatrix}`, `\sqrt[3]{x}`, `1,000.5`, `答案是 C`,
	`\{1,2\}`, `x = 3`, `-x > -1`, `1 \pm \sqrt{2}`, `50\%`, `\frac`, `\sqrt[`, `\begin{pmatrix}`, `2^^2`,
	`a_{`, `\text{`, "\x00\xff", `\left(\right)`, `e^{i\pi}`, `\sum_{k=0}^{n} k`, `####`, `1/0`, `0^0`,
}

func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{Math, Number, Choice, Text} {
			got, ok := Extract(k, s, Options{LastNumber: true, Choices: []string{"x", "y", "z"}})
			if !ok && got != "" {
				t.Fatalf("kind %s: not found but extracted %q", k, got)
			}
		}
	})
}

func FuzzEquivalent(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, k := range []Kind{Math, Number} {
			ab := Equivalent(k, a, b, Options{})
			_ = Equivalent(k, b, a, Options{})
			if a == b && strings.TrimSpace(a) != "" && !ab && k == Math {
				t.Fatalf("%q is not equivalent to itself", a)
			}
		}
	})
}

func FuzzParseLatex(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseAnswer(normMath(s))
		if err != nil {
			return
		}
		// A parsed answer always prints and compares equal to itself.
		if !equal(n, n, 0) && n.String() != "" {
			t.Fatalf("%q: parsed tree not equal to itself", s)
		}
	})
}
