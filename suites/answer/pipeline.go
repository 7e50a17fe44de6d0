package answer

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// The extraction pipeline (docs/scoring.md walks through it with examples):
//
//  1. cut: keep the solution part of a reasoning response and drop an
//     invented next question (stripThink);
//  2. final spans: explicit final-answer markers, JSON "answer" fields,
//     "####" lines, "A:"/"Answer:" lines and \boxed{} are one rank, and
//     the last of them whose span yields a value wins (finalSpans);
//  3. weaker spans, tried only when no final span yields a value, each
//     rank on its own with the last occurrence winning: "the answer is" /
//     答案是 phrases, a concluding sentence (therefore, so, 因此, 所以,
//     综上, 故, 结论), the whole response or its last line, and, where the
//     kind allows, the last number;
//  4. value: the answer is taken out of the chosen span (valueText,
//     answerNumber): words, units and trailing punctuation are dropped,
//     the last side of an equality chain is kept and an \approx tail is
//     ignored;
//  5. compare by kind (equivalent).
//
// Result.Detail names the span that decided ("final-answer", "boxed",
// "json", "####", "answer-line", "answer-is", "conclusion", ...) and,
// after a slash, how the values were compared.

// span is a candidate answer span: where its marker starts, which marker
// found it and the text it covers (the text after the marker, or a box's
// contents).
type span struct {
	pos   int
	how   string
	text  string
	boxes []string // for "boxed": the final run of joined boxes
}

var (
	// reFinalMarker finds explicit final-answer markers. The "A:" and
	// "Answer:" forms count only at the start of a line, where few-shot
	// prompts and instruct models put the final line.
	reFinalMarker = regexp.MustCompile(`(?im)(?:\*\*|##+\s*)?\bfinal\s+answer\b(?:\s*\*\*)?\s*(?:is\b|:|：)?(?:\s*\*\*)?\s*[:：]?|【\s*(?:最终)?答案\s*】\s*[:：]?|最终答案\s*(?:是|为|為)?\s*[:：]?|####|^[ \t>*#]*(?:\*\*)?(?:A|Answer|ANSWER|答案|答)(?:\*\*)?\s*[:：](?:\*\*)?`)
	// reJSONAnswer finds an "answer" field of a JSON object, quoted or
	// not; the JSON models write is often not valid JSON (raw newlines in
	// strings), so it is matched, not decoded.
	reJSONAnswer = regexp.MustCompile(`(?i)"(?:final[_ ]?answer|answer)"\s*:\s*("(?:[^"\\]|\\.)*"|-?[\d$][\d.,$]*)`)
	// reCalc removes GSM8K calculator annotations ("= $<<9*2=18>>18").
	reCalc = regexp.MustCompile(`<<[^<>\n]{0,200}>>`)
	// reEndTags removes end-of-answer tags some benchmarks prompt for
	// (GAOKAO's <eoe> and <eoa>, Sky-T1's solution tags).
	reEndTags = regexp.MustCompile(`<\|?/?(?:eoa|eoe|end_of_solution|begin_of_solution|im_end|endoftext|eot_id)\|?>`)
)

// prepare applies the cut step and the clean-ups every kind shares.
func prepare(response string) string {
	s, _ := stripThink(response)
	s = foldWidth(s)
	if strings.Contains(s, "<<") {
		s = reCalc.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "<") {
		s = reEndTags.ReplaceAllString(s, "")
	}
	return s
}

// finalSpans lists the rank-one spans of s in order of position.
func finalSpans(s string, boxLimit int) []span {
	var out []span
	if bodies, start := finalBoxRun(s, boxLimit); bodies != nil {
		out = append(out, span{pos: start, how: "boxed", text: strings.Join(bodies, ", "), boxes: bodies})
	}
	for _, loc := range reFinalMarker.FindAllStringIndex(s, -1) {
		how := "final-answer"
		m := s[loc[0]:loc[1]]
		switch {
		case m == "####":
			how = "####"
		case strings.ContainsAny(strings.ToLower(m), "f终") || strings.Contains(m, "【"):
		default:
			how = "answer-line"
		}
		out = append(out, span{pos: loc[0], how: how, text: afterMarker(s[loc[1]:])})
	}
	out = append(out, jsonAnswers(s)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// jsonAnswers lists the "answer" fields of JSON objects in s.
func jsonAnswers(s string) []span {
	if !strings.Contains(s, `nswer"`) && !strings.Contains(s, `NSWER"`) {
		return nil
	}
	var out []span
	for _, m := range reJSONAnswer.FindAllStringSubmatchIndex(s, -1) {
		raw := s[m[2]:m[3]]
		v := raw
		if strings.HasPrefix(raw, `"`) {
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				v = strings.Trim(raw, `"`)
			}
		}
		out = append(out, span{pos: m[0], how: "json", text: v})
	}
	return out
}

// afterMarker is the text a marker introduces: the rest of its line, or
// the next non-empty line when the marker ends its line (a "**Final
// Answer**" heading).
func afterMarker(rest string) string {
	line := rest
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		line = rest[:i]
	}
	if strings.Trim(line, " \t*:：#") != "" {
		return rest
	}
	for _, l := range strings.SplitN(rest, "\n", 8)[1:] {
		if strings.Trim(l, " \t*:：#") != "" {
			i := strings.Index(rest, l)
			return rest[i:]
		}
	}
	return ""
}

var (
	// reCopula finds the verb that links a description to its value in
	// a concluding sentence ("the largest $n$ is 34", "面积为 12").
	reCopula = regexp.MustCompile(`(?i)(?:\s(?:is|are|was|equals?|be|becomes?|gives?|yields?)\s+|\s=\s|为|是|等于|得)`)
	// reLeadWords drops words in front of a value ("should be 1", "is
	// approximately 3", "= 5").
	reLeadWords = regexp.MustCompile(`(?i)^\s*(?:(?:the\s+(?:final\s+)?answer\s+)?(?:is|are|was|should\s+be|would\s+be|must\s+be|will\s+be|equals?|approximately|about|exactly|roughly|then|therefore|thus|so|simply|just|indeed|:|=|为|是|约)\s*)+`)
	reApprox    = regexp.MustCompile(`\s*(?:\\approx|≈|\\sim(?:eq)?|\\simeq)\s*[^=]*$`)
	reRootZH    = regexp.MustCompile(`根号\s*(\d+|\([^()]*\))`)
)

// valueText takes the value out of a math answer span: what follows the
// last copula when that is a bare value ("the largest $n$ is 34", "所以
// 概率为 3/10", "5+5+1 = 7 = 11"); otherwise the first math span, or the
// sentence with leading words ("should be") dropped, or its only number.
// It returns "" when the span holds prose rather than a value. \approx tails are dropped, so
// "$x=1/3\approx 0.33$" answers 1/3.
func valueText(seg string) string {
	line := firstSentence(seg)
	if line == "" {
		return ""
	}
	line = reRootZH.ReplaceAllString(line, `\sqrt{$1}`)
	if locs := reCopula.FindAllStringIndex(line, -1); len(locs) > 0 {
		// A copula inside a formula ("$\frac{x^2}{4} - y^2 = 1$") is
		// part of the answer, not the verb before it.
		l := locs[len(locs)-1]
		head := line[:l[0]]
		inMath := strings.Count(strings.ReplaceAll(head, `\$`, ""), "$")%2 == 1 || strings.Count(head, `\(`) > strings.Count(head, `\)`)
		if t := trimValue(line[l[1]:]); t != "" && !inMath {
			return t
		}
	}
	v := cleanSegment(line)
	if v == "" {
		return ""
	}
	if loc := reApprox.FindStringIndex(v); loc != nil && loc[0] > 0 {
		v = strings.TrimSpace(v[:loc[0]])
	}
	if parses(v) && isShort(v) && !proseFirst(v) && !proseOnly(v) {
		return v
	}
	if t := trimValue(v); t != "" {
		return t
	}
	if ns := numbersIn(v); len(ns) == 1 && !strings.ContainsAny(v, `$\`) {
		return ns[0]
	}
	return ""
}

// trimValue drops leading words and a trailing full stop from a value
// and reports it when what is left reads as an answer.
func trimValue(t string) string {
	t = strings.TrimSpace(reLeadWords.ReplaceAllString(t, ""))
	if m, ok := mathSpan(t, false); ok && strings.HasPrefix(t, "$") || ok && strings.HasPrefix(t, `\`) {
		t = m
	}
	t = strings.TrimRight(t, " .,;:!")
	if loc := reApprox.FindStringIndex(t); loc != nil && loc[0] > 0 {
		t = strings.TrimSpace(t[:loc[0]])
	}
	if t == "" || !parses(t) || !isShort(t) || proseFirst(t) {
		return ""
	}
	return t
}

// proseFirst reports whether words come before the first number or
// formula of t ("the polygon has 15 sides", "to 0.15"): such text
// describes a value rather than being one. Text with no number at all
// (\text{east}) is left to the comparison.
func proseFirst(t string) bool {
	d := strings.IndexAny(t, "0123456789$\\")
	if d < 0 || !strings.ContainsAny(t, "0123456789") {
		return false
	}
	w := reProseWord.FindStringIndex(t[:d])
	return w != nil || reLeadTo.MatchString(t[:d])
}

var reLeadTo = regexp.MustCompile(`(?i)^\s*(?:to|of|as|at|by|be|me|in)\s`)

// firstSentence is the part of a span up to its end of line or sentence,
// without sign-off phrases ("I hope it is correct") and chat tokens.
func firstSentence(seg string) string {
	seg = reHope.ReplaceAllString(seg, "")
	seg = reTrailTalk.ReplaceAllString(seg, "")
	if i := strings.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	if loc := reSentEnd.FindStringIndex(seg); loc != nil {
		seg = seg[:loc[0]]
	}
	return strings.TrimSpace(seg)
}

// proseOnly reports whether t is words without a number or formula
// ("yes, it's a terminating decimal"); a single word (east) may be a
// text answer.
func proseOnly(t string) bool {
	return !strings.ContainsAny(t, "0123456789$\\") && len(reProseWord.FindAllString(t, 2)) >= 2
}
