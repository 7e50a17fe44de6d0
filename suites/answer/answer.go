// Package answer extracts final answers from model responses and decides
// whether they match a reference answer. It is versioned so that every run
// can record exactly which grading rules produced its scores.
package answer

import (
	"fmt"
	"regexp"
	"strings"
)

// Version identifies the extraction and equivalence rules. Bump it on any
// rule change so that stored scores can be traced to the grader that made them.
const Version = "1.2.1"

// Kind selects how an answer is extracted and compared.
type Kind string

// The answer kinds a suite can ask for.
const (
	Number Kind = "number"
	Math   Kind = "math"
	Choice Kind = "choice"
	Text   Kind = "text"
)

// ParseKind turns a user-supplied kind name into a Kind, so flags and YAML
// suites fail early on a typo rather than grading everything as text.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Number, Math, Choice, Text:
		return k, nil
	}
	return "", fmt.Errorf("unknown answer kind %q: want number, math, choice or text", s)
}

// Options tunes extraction for a suite.
type Options struct {
	Choices    []string // option texts for Choice, lettered A, B, C... in order
	LastNumber bool     // allow the last number in the text as a last resort (GSM8K-style suites)
	// DotThousands reads "1.234" and "1.234.567" as thousands groups, for
	// languages that write numbers so (German, Spanish, French answers in
	// MGSM); elsewhere "1.234" is a decimal.
	DotThousands bool

	keys *optionKeys // Choices normalised once, see Prepare
}

// Prepare returns opt with its option texts normalised once, for grading
// many responses to one item (samples, re-scoring, a suite's scorer that
// keeps options per item): matching a response against option texts
// then costs no re-normalisation of the options.
func (o Options) Prepare() Options {
	if len(o.Choices) > 0 && (o.keys == nil || len(o.keys.exact) != len(o.Choices)) {
		o.keys = newOptionKeys(o.Choices)
	}
	return o
}

// Result is the outcome of grading one response.
type Result struct {
	Extracted string // the answer as found in the response ("" when none)
	Found     bool   // an answer was found
	Correct   bool
	Detail    string // short note on how it was found/compared, e.g. "boxed", "answer-is", "last-number", "symbolic", "numeric"
}

// Grade extracts the final answer of kind from a model response and compares it with gold.
// For Choice, gold is the correct letter ("C").
func Grade(kind Kind, response, gold string, opt Options) Result {
	if kind == Choice {
		opt = opt.Prepare()
	}
	ext, how, ok := extract(kind, response, opt)
	if !ok {
		d := "none"
		if how != "" {
			d = how
		}
		return Result{Detail: d}
	}
	eq, cmp := equivalent(kind, ext, gold, opt)
	return Result{Extracted: ext, Found: true, Correct: eq, Detail: how + "/" + cmp}
}

// Extract finds the final answer of kind in a model response.
func Extract(kind Kind, response string, opt Options) (string, bool) {
	s, _, ok := extract(kind, response, opt)
	return s, ok
}

// Region returns the part of a response an answer is looked for in: the
// text after the last </think>, or the thinking only when nothing follows
// it; an unclosed <think> is never searched. Suites that extract answers
// of their own (several blanks, several letters) must search only this.
func Region(response string) string {
	s, _ := stripThink(response)
	return s
}

// Equivalent reports whether an already-extracted answer pred matches gold.
func Equivalent(kind Kind, pred, gold string, opt Options) bool {
	ok, _ := equivalent(kind, pred, gold, opt)
	return ok
}

func extract(kind Kind, response string, opt Options) (string, string, bool) {
	if strings.TrimSpace(response) == "" {
		return "", "", false
	}
	switch kind {
	case Number:
		return extractNumber(response, opt)
	case Choice:
		return extractChoice(response, opt)
	case Text:
		return extractText(response)
	}
	return extractMath(response, opt)
}

func equivalent(kind Kind, pred, gold string, opt Options) (bool, string) {
	if len(pred) > maxRegion || len(gold) > maxRegion {
		// Nothing this long is a real answer; only exact text can match.
		return strings.TrimSpace(pred) == strings.TrimSpace(gold), "oversize"
	}
	switch kind {
	case Choice:
		p := goldLetter(pred, opt)
		return p != "" && p == goldLetter(gold, opt), "letter"
	case Text:
		return normText(pred) == normText(gold) && normText(gold) != "", "text"
	case Number:
		if opt.DotThousands && reDotGroups.MatchString(strings.TrimSpace(pred)) {
			pred = strings.ReplaceAll(pred, ".", "")
		}
		if p, ok := parseNumber(pred); ok {
			g, ok := parseNumber(gold)
			if !ok {
				if ge, _, found := extractNumber(gold, Options{LastNumber: true}); found {
					g, ok = parseNumber(ge)
				}
			}
			if ok {
				return numberEqual(p, g), "numeric"
			}
		}
	}
	// Gold answers that list accepted alternatives ("\frac{3}{10} \# \#
	// 0.3", GAOKAO-Bench's form) match any of them.
	if !strings.Contains(gold, "#") {
		return mathEqual(pred, goldAnswer(gold, opt))
	}
	if alts := reGoldAlt.Split(gold, -1); len(alts) > 1 {
		for _, g := range alts {
			if ok, how := mathEqual(pred, goldAnswer(g, opt)); ok {
				return ok, how
			}
		}
	}
	return mathEqual(pred, goldAnswer(gold, opt))
}

var reGoldRemark = regexp.MustCompile(`\s*[(（][^()（）]*\p{Han}[^()（）]*[)）]\s*$`)

var reGoldAlt = regexp.MustCompile(`\s*\\?#\s*\\?#\s*`)

// goldAnswer extracts the reference answer when the gold is a full worked
// solution (MATH-style, with \boxed) rather than a bare answer.
func goldAnswer(gold string, opt Options) string {
	g := strings.TrimSpace(gold)
	// A remark in brackets after the gold ("2 (满足 ... 皆可)", "答案不唯一")
	// is for human markers, not part of the answer.
	if !isASCII(g) {
		if loc := reGoldRemark.FindStringIndex(g); loc != nil && loc[0] > 0 {
			g = strings.TrimSpace(g[:loc[0]])
		}
	}
	if strings.Contains(g, `\boxed`) || strings.Contains(g, `\fbox`) || !(isShort(g) && parses(g)) {
		if e, _, ok := extractMath(g, Options{}); ok {
			return e
		}
	}
	return g
}

func extractText(response string) (string, string, bool) {
	s, _ := stripThink(response)
	s = foldWidth(s)
	if b, ok := LastBoxed(s); ok {
		return strings.TrimSpace(reTextCmd.ReplaceAllString(b, "$1")), "boxed", true
	}
	if locs := reMathMarker.FindAllStringIndex(s, -1); len(locs) > 0 {
		if seg := strings.TrimSpace(sentence(s[locs[len(locs)-1][1]:])); seg != "" {
			return strings.Trim(seg, " *\"'"), "answer-is", true
		}
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "", false
	}
	return t, "whole", true
}

// normText is the comparison key for free-text answers: case, width,
// surrounding punctuation and inner spacing do not matter.
func normText(s string) string {
	s = reTextCmd.ReplaceAllString(foldWidth(s), "$1")
	return strings.Join(strings.Fields(strings.ToLower(strings.Trim(s, " .,;:!?\"'*$"))), " ")
}
