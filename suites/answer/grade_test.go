package answer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGradeNumber covers GSM8K-style responses in English and Chinese.
func TestGradeNumber(t *testing.T) {
	gsm := Options{LastNumber: true}
	tests := []struct {
		name, resp, gold string
		opt              Options
		found, correct   bool
	}{
		{"hashes", "3 + 4 = 7 apples\n#### 7", "7", gsm, true, true},
		{"hashes thousands", "#### 1,234", "1234", gsm, true, true},
		{"answer is", "So in total 32 + 42 = 74. The answer is 74.", "74", gsm, true, true},
		{"answer is dollars", "The answer is $1,250.", "1250", gsm, true, true},
		{"answer is with units", "The answer is 18 apples.", "18", gsm, true, true},
		{"final answer is", "The final answer is 6", "6", gsm, true, true},
		{"last answer wins", "The answer is 5.\nWait.\nThe answer is 6.", "6", gsm, true, true},
		{"answer with working", "Answer: 20 + 5 = 25", "25", gsm, true, true},
		{"boxed", "so \\boxed{42} cookies", "42", gsm, true, true},
		{"boxed with dollar", "\\boxed{\\$18}", "18", gsm, true, true},
		{"boxed comma", "\\boxed{1,000}", "1000", gsm, true, true},
		{"decimal", "The answer is 2.50", "2.5", gsm, true, true},
		{"trailing period", "The answer is 12.", "12", gsm, true, true},
		{"negative", "The answer is -3", "-3", gsm, true, true},
		{"wrong", "The answer is 41.", "42", gsm, true, false},
		{"last number fallback", "She has 5 then buys 3 so has 8", "8", gsm, true, true},
		{"conclusion", "First 5, then 7. Therefore she has 12 left.", "12", Options{}, true, true},
		{"only number", "the value is 1000", "1e3", Options{}, true, true},
		{"no last number without option", "She had 5 and bought 3 more, 8 in all", "8", Options{}, false, false},
		{"no number", "I cannot answer", "3", gsm, false, false},
		{"think stripped", "<think>maybe 5</think>The answer is 6", "6", gsm, true, true},
		{"think only fallback", "<think>so it is 9</think>", "9", gsm, true, true},
		{"chinese answer", "小明一共有 5 + 3 = 8 个苹果。答案是 8", "8", gsm, true, true},
		{"chinese answer colon", "答案：１２０元", "120", gsm, true, true},
		{"chinese conclusion", "他有 10 个，吃了 3 个，因此还剩 7 个。", "7", Options{}, true, true},
		{"chinese numeral", "result: 三", "3", Options{}, true, true},
		{"chinese numeral tens", "答案是十二", "12", Options{}, true, true},
		{"full-width digits", "the answer is １２３", "123", Options{}, true, true},
		{"vulgar fraction", "the result is ½", "0.5", Options{}, true, true},
		{"negative vulgar", "got -½ as the result", "-0.5", Options{}, true, true},
		{"percent", "The answer is 50%", "50", gsm, true, true},
		{"percent as fraction", "The answer is 50%", "0.5", gsm, true, true},
		{"space thousands", "The answer is 1 000", "1000", gsm, true, true},
		{"decimal comma", "Answer: 1000,99", "1000.99", gsm, true, true},
		{"identifier digits ignored", "AZYUK2A", "2", Options{}, false, false},
		{"subtraction is not negative", "Answer: 158-66", "158", gsm, true, true},
		{"scientific", "The answer is 1.5e3", "1500", gsm, true, true},
		{"big integers exact", "The answer is 12345678901", "12345678902", gsm, true, false},
		{"gold with hashes", "The answer is 72", "She sold 48/2 = 24 clips.\n#### 72", gsm, true, true},
		{"bold answer", "Total: **15** apples", "15", Options{}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Grade(Number, tc.resp, tc.gold, tc.opt)
			assert.Equal(t, tc.found, r.Found, "found: %+v", r)
			assert.Equal(t, tc.correct, r.Correct, "correct: %+v", r)
			if !r.Found {
				assert.Empty(t, r.Extracted)
			}
		})
	}
}

func TestNormalizeNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1,234", "1234"}, {"1 000", "1000"}, {"$5.00", "5"}, {"50%", "50%"}, {"-½", "-1/2"}, {"2½", "5/2"},
		{"3/4", "3/4"}, {"12 apples", "12"}, {"0,111", "111/1000"}, {"1e3", "1000"}, {"7.", "7"},
		{`\frac{1}{2}`, "1/2"}, {"1 1/2", "3/2"}, {"一百零五", "105"}, {"两千", "2000"}, {"三万", "30000"},
		{"１２", "12"}, {"10 m²", "10"},
	}
	for _, tc := range tests {
		got, ok := NormalizeNumber(tc.in)
		assert.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"", "abc", "1, 2", "1.2.3", "0x10", "+-", "1/0"} {
		_, ok := NormalizeNumber(in)
		assert.False(t, ok, in)
	}
}

// TestGradeChoice covers letter habits in English and Chinese.
func TestGradeChoice(t *testing.T) {
	four := Options{Choices: []string{"Paris", "London", "Berlin", "Madrid"}}
	tests := []struct {
		name, resp, gold string
		opt              Options
		want             string // extracted letter, "" when unparsed
	}{
		{"answer colon", "Answer: B", "B", Options{}, "B"},
		{"ANSWER upper", "ANSWER: C", "C", Options{}, "C"},
		{"answers", "ANSWERS: A", "A", Options{}, "A"},
		{"last answer wins", "ANSWER: A\nWait, that is wrong.\nANSWER: B", "B", Options{}, "B"},
		{"answer is then answer", "The answer is C.\n\nAnswer: A", "C", Options{}, "A"},
		{"parenthesised", "(B)", "B", Options{}, "B"},
		{"letter dot", "B. London", "B", Options{}, "B"},
		{"bold", "After checking, **D**", "D", Options{}, "D"},
		{"bold with paren", "The best choice is clear: **(C)**", "C", Options{}, "C"},
		{"answer is quoted", `So the answer is "C".`, "C", Options{}, "C"},
		{"answer is with option text", "So the answer is C (Red).", "C", Options{}, "C"},
		{"option word", "The correct option is D", "D", Options{}, "D"},
		{"boxed", `\boxed{B}`, "B", Options{}, "B"},
		{"boxed text", `\boxed{\text{B}}`, "B", Options{}, "B"},
		{"boxed paren text", `$\boxed{\text{(C)}}$.`, "C", Options{}, "C"},
		{"full width", "答案：Ｂ", "B", Options{}, "B"},
		{"chinese answer is", "经过分析，答案是B。", "B", Options{}, "B"},
		{"chinese colon", "答案：C", "C", Options{}, "C"},
		{"chinese choose", "因此选B", "B", Options{}, "B"},
		{"chinese choose option", "综上，应选择 D 项。", "D", Options{}, "D"},
		{"chinese not", "B。 不是 A", "B", Options{}, "B"},
		{"chinese correct answer", "正确答案是 A", "A", Options{}, "A"},
		{"hedge or", "The answer is A or B", "A", Options{}, ""},
		{"hedge either", "Answer: either C or D", "C", Options{}, ""},
		{"hedge slash", "Answer: A/B", "A", Options{}, ""},
		{"hedge leading", "A or B", "A", Options{}, ""},
		{"hedge chinese", "答案是A或B", "A", Options{}, ""},
		{"rules out others", "The answer is for sure D, it can't be A or B", "D", Options{}, "D"},
		{"leading rules out", "D. it can't be A or B", "D", Options{}, "D"},
		{"not others", "The answer is D, not A", "D", Options{}, "D"},
		{"wrong letter", "Answer: A", "C", Options{}, "A"},
		{"gold with text", "D", "(D) Alina", Options{}, "D"},
		{"letter beyond choices", "Answer: E", "A", four, ""},
		{"letter within choices", "Answer: D", "D", four, "D"},
		{"option text", "Paris", "A", four, "A"},
		{"option text after marker", "The answer is Berlin.", "C", four, "C"},
		{"option text last line", "Thinking...\nMadrid", "D", four, "D"},
		{"think ignored", "<think>Answer: A</think>\nAnswer: C", "C", Options{}, "C"},
		{"letter J allowed", "Answer: J", "J", Options{}, "J"},
		{"letter K not a choice", "Answer: K", "K", Options{}, ""},
		{"no letter", "I am not sure.", "A", Options{}, ""},
		{"pronoun I skipped", "Answer: I think B", "B", Options{}, "B"},
		{"lower case is not a choice", "Answer: c", "C", Options{}, ""},
		{"hedge comma", "Answer: A, B", "A", Options{}, ""},
		{"hedge chinese list", "答案：A、C", "A", Options{}, ""},
		{"article is not a choice", "A cat sat on the mat.", "A", Options{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Grade(Choice, tc.resp, tc.gold, tc.opt)
			assert.Equal(t, tc.want, r.Extracted, "%+v", r)
			assert.Equal(t, tc.want != "", r.Found)
			assert.Equal(t, tc.want != "" && tc.want == goldLetter(tc.gold, tc.opt), r.Correct)
		})
	}
}

func TestGradeText(t *testing.T) {
	tests := []struct {
		resp, gold string
		want       bool
	}{
		{"The answer is Paris.", "paris", true},
		{`\boxed{\text{Monday}}`, "Monday", true},
		{"Final answer: New  York", "new york", true},
		{"Berlin", "Paris", false},
		{"<think>Paris?</think>London", "London", true},
		{"", "x", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Grade(Text, tc.resp, tc.gold, Options{}).Correct, tc.resp)
	}
}

func TestGradeMathDetail(t *testing.T) {
	r := Grade(Math, `so \boxed{\frac{1}{2}}`, "0.5", Options{})
	assert.Equal(t, Result{Extracted: `\frac{1}{2}`, Found: true, Correct: true, Detail: "boxed/numeric"}, r)
	r = Grade(Math, `\boxed{x+1}`, "1+x", Options{})
	assert.True(t, r.Correct)
	assert.Equal(t, "boxed/symbolic", r.Detail)
	r = Grade(Math, `\boxed{2x+2}`, "2(x+1)", Options{})
	assert.Equal(t, "boxed/symbolic", r.Detail)
	r = Grade(Math, "no idea", "1", Options{})
	assert.Equal(t, Result{Detail: "none"}, r)
	r = Grade(Math, `\boxed{3}`, `The area is \boxed{3}.`, Options{})
	assert.True(t, r.Correct, "gold given as a worked solution is extracted too")
}
