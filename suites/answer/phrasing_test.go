package answer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGradePhrasings pins answers written the way reasoning models really
// write them, each of which an earlier grader got wrong.
func TestGradePhrasings(t *testing.T) {
	gsm := Options{LastNumber: true}
	de := Options{LastNumber: true, DotThousands: true}
	mc := Options{Choices: []string{"Rr", "rr", "A tree removes a gas from the air.", "Both jars contain mixtures."}}
	zh := Options{Choices: []string{"甲", "税务机关按法定程序依法征税，可以自由做出减征、停征或免征税款的决定", "丙", "丁"}}
	tests := []struct {
		name           string
		kind           Kind
		resp, gold     string
		opt            Options
		found, correct bool
	}{
		// Unicode digits of other scripts (MGSM bn, th, te answers).
		{"bengali digits boxed", Number, `\boxed{১৮}`, "18", gsm, true, true},
		{"bengali digits answer", Number, "উত্তর: ১৮", "18", gsm, true, true},
		{"thai digits", Number, "คำตอบคือ ๑๒๕", "125", gsm, true, true},
		{"devanagari digits wrong", Number, `\boxed{१९}`, "18", gsm, true, false},
		// No-break and narrow no-break spaces group thousands in French.
		{"nbsp thousands", Number, "La réponse est 70\u00a0000.", "70000", gsm, true, true},
		{"narrow nbsp thousands", Number, "La réponse est 1\u202f430 €.", "1430", gsm, true, true},
		{"thin space thousands", Number, `\boxed{25` + "\u2009" + `000}`, "25000", gsm, true, true},
		// Dot thousands only where the suite says the language writes them.
		{"dot thousands de", Number, `\boxed{70.000}`, "70000", de, true, true},
		{"dot thousands de answer", Number, "Die Antwort ist 1.430 Euro.", "1430", de, true, true},
		{"dot thousands two groups", Number, `\boxed{1.234.567}`, "1234567", de, true, true},
		{"dot thousands de wrong", Number, `\boxed{70.001}`, "70000", de, true, false},
		{"dot decimal stays decimal en", Number, `\boxed{1.430}`, "1430", gsm, true, false},
		{"de decimal comma", Number, "Die Antwort ist 18,5.", "18.5", de, true, true},
		// Bold markers around a math answer.
		{"bold final answer math", Math, "3 + 4 = 7\n\n**Final Answer:** 9", "9", Options{}, true, true},
		{"bold final answer math wrong", Math, "**Final Answer:** 10", "9", Options{}, true, false},
		{"answer is bold math", Math, "The answer is **\\frac{1}{2}**.", `\frac12`, Options{}, true, true},
		// A leading decimal point belongs to the number.
		{"leading point", Math, "The answer is .35625.", ".35625", Options{}, true, true},
		{"leading point dollars", Math, "The answer is $.0000672$.", ".0000672", Options{}, true, true},
		// Option text that starts with a capital word is the option, not a letter.
		{"option text starting with A", Choice, "The answer is A tree removes a gas from the air.", "C", mc, true, true},
		{"option text starting with Both", Choice, "The answer is Both jars contain mixtures.", "D", mc, true, true},
		{"letter still wins", Choice, "The answer is A.", "A", mc, true, true},
		{"letter with text wins", Choice, "The answer is B. rr", "B", mc, true, true},
		{"option text case exact", Choice, "Rr", "A", mc, true, true},
		{"option text case exact 2", Choice, "rr", "B", mc, true, true},
		{"cjk option text", Choice, "税务机关按法定程序依法征税，可以自由做出减征、停征或免征税款的决定", "B", zh, true, true},
		{"escaped dollar in math span", Math, `The answer is $\$36$.`, `\$36`, Options{}, true, true},
		{"escaped dollar in conclusion", Math, `故答案为 $\$18.90$`, `\$18.90`, Options{}, true, true},
		{"escaped dollar wrong", Math, `The answer is $\$37$.`, `\$36`, Options{}, true, false},
		{"short option text", Choice, "The answer is B超.", "C", Options{Choices: []string{"CT", "X光", "B超", "MRI"}}, true, true},
		{"option text that is a letter", Choice, "The answer is D.", "D", Options{Choices: []string{"A", "B", "D", "E"}}, true, true},
		// "Option B" as the answer.
		{"bare option", Choice, "Option B", "B", Options{}, true, true},
		{"option is correct", Choice, "A is tempting but fails.\n\nOption C is correct.", "C", Options{}, true, true},
		{"option is the correct answer", Choice, "So **Option (D)** is the correct answer.", "D", Options{}, true, true},
		{"option is wrong", Choice, "Option C is correct.", "B", Options{}, true, false},
		{"option hedge", Choice, "Option B or C", "B", Options{}, false, false},
		{"option not correct", Choice, "Option C is not correct.", "C", Options{}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Grade(tc.kind, tc.resp, tc.gold, tc.opt)
			assert.Equal(t, tc.found, r.Found, "found (extracted %q, %s)", r.Extracted, r.Detail)
			assert.Equal(t, tc.correct, r.Correct, "correct (extracted %q, %s)", r.Extracted, r.Detail)
		})
	}
}
