package answer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxResponse bounds the text scanned for think tags and maxRegion the
// answer region searched after them; answers live at the end, so longer
// text is cut from the front.
const (
	maxResponse = 4 << 20
	maxRegion   = 64 << 10
)

// foldWidth maps full-width ASCII forms and CJK punctuation to ASCII so
// "答案：Ｂ" and "答案: B" read alike.
func foldWidth(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		case r == '。':
			return '.'
		case r == '、':
			return ','
		case r == '−' || r == '–':
			return '-'
		case r == '\u00a0' || r == '\u202f' || r == '\u2009':
			// No-break, narrow no-break and thin spaces group thousands
			// in French and other locales ("70 000").
			return ' '
		case r > '9' && unicode.IsDigit(r):
			// Digits of other scripts (Bengali ১৮, Thai ๑๒, Devanagari १९):
			// every Unicode decimal digit block runs 0-9 in order.
			return '0' + digitValue(r)
		}
		return r
	}, s)
}

// digitValue returns the value of a Unicode decimal digit (category Nd).
// Unicode encodes every set of decimal digits as a run of ten from 0 to 9,
// and sets that touch (the mathematical digits) start on a zero, so the
// value is the distance from the start of the run, modulo ten.
func digitValue(r rune) rune {
	z := r
	for z > 0 && unicode.IsDigit(z-1) {
		z--
	}
	return (r - z) % 10
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Reasoning delimiters, in the forms models emit them: <think>…</think>
// (DeepSeek-R1, QwQ, Qwen3) and the SkyThought/Sky-T1 and
// still2 tags <|begin_of_thought|>…<|end_of_thought|> followed by
// <|begin_of_solution|>…<|end_of_solution|>.
var (
	thinkOpen  = []string{"<think>", "<|begin_of_thought|>"}
	thinkClose = []string{"</think>", "<|end_of_thought|>"}
)

const (
	solutionOpen  = "<|begin_of_solution|>"
	solutionClose = "<|end_of_solution|>"
)

// reContinuation finds where a base model, continuing a few-shot prompt,
// starts inventing the next question, or where an end-of-sequence token
// that leaked into the text ends the real output; everything from there
// on is not part of its answer. ContinuationStops are the same markers as stop
// sequences for the API.
var reContinuation = regexp.MustCompile(`<EOS_TOKEN>|<\|endoftext\|>|</s>|<\|im_end\|>|<\|eot_id\|>|<\|end_of_text\|>|<eos>|<\|end\|>|\n\s*\n\s*(?:\*\*)?(?:Question|Problem)\s*(?:\d+\s*)?(?:\*\*)?[:：]|\n\s*(?:Q|Problem)\s*[:：]|\n\s*问题\s*(?:\d+\s*)?[:：]`)

// reAnswerGiven tells that a text already states an answer, so what a
// continuation marker starts after it is not needed.
var reAnswerGiven = regexp.MustCompile(`(?i)answer|\\boxed|####|答案|答：|答:|result is|therefore|thus|所以|因此|故`)

// ContinuationStops are the stop sequences parity sends with few-shot
// prompts, so a base model served by vLLM or SGLang stops where it would
// start the next question of the pattern. The grader cuts at the same
// places (see Region), so a model that ignores them is graded alike.
var ContinuationStops = []string{"\n\nQuestion:", "\nQ:", "\nProblem:", "\n问题："}

// lastIndexAny returns the last position of any of the markers and the
// marker found there.
func lastIndexAny(s string, markers []string) (int, string) {
	best, which := -1, ""
	for _, m := range markers {
		if i := strings.LastIndex(s, m); i > best {
			best, which = i, m
		}
	}
	return best, which
}

func indexAny(s string, markers []string) int {
	best := -1
	for _, m := range markers {
		if i := strings.Index(s, m); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// stripThink is the cut step of the pipeline: it returns the part of a
// response that may hold the answer. A solution section
// (<|begin_of_solution|>) is taken when there is one. Otherwise reasoning
// inside <think>…</think> (or its thought-tag twin) is only searched when
// nothing follows it; an unclosed opening tag means the model never
// finished, so the thinking is not searched at all. Then an invented next
// question is cut off (see reContinuation).
func stripThink(s string) (string, bool) {
	if len(s) > maxResponse {
		s = s[len(s)-maxResponse:]
	}
	region, inThink := thinkRegion(s)
	for _, loc := range reContinuation.FindAllStringIndex(region, -1) {
		// Cut only after an answer was given: a chat model may restate
		// the problem under a "Problem:" heading before solving it.
		if before := region[:loc[0]]; reAnswerGiven.MatchString(before) || strings.HasPrefix(region[loc[0]:], "<") && strings.TrimSpace(before) != "" {
			region = before
			break
		}
	}
	return tail(region), inThink
}

func thinkRegion(s string) (string, bool) {
	if i := strings.LastIndex(s, solutionOpen); i >= 0 {
		sol := s[i+len(solutionOpen):]
		if j := strings.Index(sol, solutionClose); j >= 0 {
			sol = sol[:j]
		}
		if strings.TrimSpace(sol) != "" {
			return sol, false
		}
		s = s[:i]
	}
	if i, m := lastIndexAny(s, thinkClose); i >= 0 {
		after := s[i+len(m):]
		if strings.TrimSpace(after) != "" {
			return after, false
		}
		inner := s[:i]
		if j, m := lastIndexAny(inner, thinkOpen); j >= 0 {
			inner = inner[j+len(m):]
		}
		return inner, true
	}
	if i := indexAny(s, thinkOpen); i >= 0 {
		return s[:i], false
	}
	return s, false
}

func tail(s string) string {
	if len(s) <= maxRegion {
		return s
	}
	s = s[len(s)-maxRegion:]
	for i := 0; i < utf8.UTFMax && i < len(s); i++ {
		if utf8.RuneStart(s[i]) {
			return s[i:]
		}
	}
	return s
}

type box struct {
	start, end int // span of the whole \boxed{...}
	body       string
}

func findBoxes(s string, limit int) []box {
	var out []box
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], `\boxed`)
		k := strings.Index(s[i:], `\fbox`)
		n := len(`\boxed`)
		if j < 0 || (k >= 0 && k < j) {
			j, n = k, len(`\fbox`)
		}
		if j < 0 {
			break
		}
		start := i + j
		p := start + n
		for p < len(s) && (s[p] == ' ' || s[p] == '\t') {
			p++
		}
		switch {
		case p < len(s) && s[p] == '{':
			e := matchBrace(s, p)
			if e < 0 {
				i = p + 1
				continue
			}
			out = append(out, box{start, e + 1, s[p+1 : e]})
			// Nested boxes are inside this one; skip past it.
			i = e + 1
		case p > start+n: // "\boxed 5": one token
			q := p
			for q < len(s) && !strings.ContainsRune(" \t\n$.,;", rune(s[q])) {
				q++
			}
			if q > p {
				out = append(out, box{start, q, s[p:q]})
			}
			i = q
		default:
			i = p
		}
		if len(out) > limit {
			out = out[1:]
		}
	}
	return out
}

// LastBoxed returns the content of the last \boxed{…} or \fbox{…} in s,
// honouring nested braces.
func LastBoxed(s string) (string, bool) {
	b := findBoxes(s, 64)
	if len(b) == 0 {
		return "", false
	}
	return b[len(b)-1].body, true
}

var stopWords = map[string]bool{
	"then": true, "but": true, "thus": true, "no": true, "not": true, "so": true, "hence": true,
	"therefore": true, "wait": true, "however": true, "instead": true, "actually": true, "is": true,
}

var reConnectorNoise = regexp.MustCompile(`\\\(|\\\)|\\\[|\\\]|\$|\\quad|\\qquad|\\text\{([^{}]*)\}|[,;.&:]`)

// joinable reports whether the text between two boxes only connects them
// ("\boxed{1} and \boxed{2}", "\boxed{1}, \boxed{2}"), in which case both
// belong to the answer.
func joinable(between string) bool {
	t := reConnectorNoise.ReplaceAllString(between, " $1 ")
	words := strings.Fields(t)
	if len(words) > 3 || strings.Contains(between, "\n\n") {
		return false
	}
	for _, w := range words {
		if stopWords[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// allBoxed returns the final run of joined boxes (see joinable); most
// responses have one box and get a one-element slice.
func allBoxed(s string, limit int) []string {
	bodies, _ := finalBoxRun(s, limit)
	return bodies
}

// finalBoxRun returns the distinct bodies of the final run of joined boxes
// in s, in order, and the offset of the run's first box; with no box, nil
// and -1.
func finalBoxRun(s string, limit int) ([]string, int) {
	bs := findBoxes(s, limit)
	if len(bs) == 0 {
		return nil, -1
	}
	i := len(bs) - 1
	for i > 0 && joinable(s[bs[i-1].end:bs[i].start]) {
		i--
	}
	var out []string
	seen := map[string]bool{}
	for _, b := range bs[i:] {
		if !seen[b.body] {
			seen[b.body] = true
			out = append(out, b.body)
		}
	}
	return out, bs[i].start
}

var (
	reMathMarker = regexp.MustCompile(`(?i)(?:final answer\s*(?:is|:)?|the answer(?:\s*\([^()\n]{2,40}\))? is\s*:?|\banswers?\s*(?:is)?\s*:|\banswer\b|答案\s*(?:是|为|為|:)|最终答案\s*(?:是|为|:)?|所以[^.\n]{0,30}?(?:为|是|等于)|因此[^.\n]{0,30}?(?:为|是|等于))`)
	reConclude   = regexp.MustCompile(`(?i)(?:\btherefore\b|\bthus\b|\bhence\b|\bso\b|\bdonc\b|因此|所以|故|综上|结论|總之|总之|لذا|इसलिए)`)
	reMathSpan   = regexp.MustCompile(`(?s)\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$([^$\n]+?)\$|\\\(([^\n]+?)\\\)`)
	reHope       = regexp.MustCompile(`(?i)\.?\s*I hope it is correct.*$`)
	reCJK        = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}]+`)
	reProseWord  = regexp.MustCompile(`(?:^|[^\\a-zA-Z])[a-zA-Z]{3,}`)
	reSentence   = regexp.MustCompile(`\.\s+[A-Z]|\n`)
	reTrailTalk  = regexp.MustCompile(`<\|[a-z_]+\|>.*$`)
	reSentEnd    = regexp.MustCompile(`\.\s+[A-Z]`)
	reSentCut    = regexp.MustCompile(`[.!?]\s|[.!?]$|\n`)
	reBold       = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// escDollar stands in for an escaped dollar sign (\$) while math spans are
// delimited, so "$\$36$" is one span holding \$36, not an empty one.
const escDollar = "\x00"

// mathSpan returns the content of the first or last LaTeX math span in s.
func mathSpan(s string, last bool) (string, bool) {
	s = strings.ReplaceAll(s, `\$`, escDollar)
	ms := reMathSpan.FindAllStringSubmatch(s, -1)
	// Two prices ("$1 each is $18") are not a formula: a $…$ span that
	// starts with a digit and ends in a space with prose inside is skipped.
	kept := ms[:0]
	for _, m := range ms {
		if g := m[3]; g != "" && g[0] >= '0' && g[0] <= '9' && strings.HasSuffix(g, " ") && reProseWord.MatchString(g) {
			continue
		}
		kept = append(kept, m)
	}
	ms = kept
	if len(ms) == 0 {
		return "", false
	}
	m := ms[0]
	if last {
		m = ms[len(ms)-1]
	}
	for _, g := range m[1:] {
		if strings.TrimSpace(g) != "" {
			return strings.ReplaceAll(strings.TrimSpace(g), escDollar, `\$`), true
		}
	}
	return "", false
}

// reCJKList finds a Chinese "and" between two values.
var reCJKList = regexp.MustCompile(`([0-9A-Za-z})\]$])\s*(?:和|与|及|、)\s*([0-9A-Za-z\\$(\[{-])`)

// cleanSegment trims the text after an answer marker down to the answer.
func cleanSegment(seg string) string {
	seg = reHope.ReplaceAllString(seg, "")
	seg = reTrailTalk.ReplaceAllString(seg, "")
	if i := strings.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	if m, ok := mathSpan(seg, false); ok {
		return m
	}
	if reCJK.MatchString(seg) {
		// Values joined by a Chinese "and" ("1和3", "2 与 $\sqrt2$") are
		// one answer, a list, as equiv reads the gold's own list; the
		// split below would keep only the last of them.
		seg = reCJKList.ReplaceAllString(seg, "$1, $2")
		parts := reCJK.Split(seg, -1)
		seg = ""
		for i := len(parts) - 1; i >= 0; i-- {
			if t := strings.Trim(parts[i], " ,.:;"); t != "" {
				seg = t
				break
			}
		}
	}
	if loc := reSentEnd.FindStringIndex(seg); loc != nil {
		seg = seg[:loc[0]]
	}
	// Bold markup ("**Final Answer:** 9") is not part of the answer; a
	// leading point is when a digit follows (".35625").
	seg = strings.TrimRight(seg, " .,;:*")
	seg = strings.TrimLeft(seg, " ,;:*")
	if t := strings.TrimLeft(seg, " .,;:*"); !(strings.HasPrefix(seg, ".") && t != "" && t[0] >= '0' && t[0] <= '9' && len(seg)-len(t) == 1) {
		seg = t
	}
	return seg
}

// isShort reports whether a whole response is already just an answer.
func isShort(s string) bool {
	if strings.Contains(strings.TrimSpace(s), "\n") || len(s) > 300 {
		return false
	}
	outside := reMathSpan.ReplaceAllString(s, " ")
	words := 0
	for _, w := range reProseWord.FindAllString(outside, -1) {
		switch strings.ToLower(strings.TrimLeft(w, " ,;.(")) {
		case "and", "or", "the":
		default:
			words++
		}
	}
	limit := 3
	if outside != s {
		limit = 1 // prose around a formula means the formula is quoted, not the answer
	}
	return words <= limit && !reSentence.MatchString(outside)
}

// parses reports whether s reads as a math answer. Plain words alone
// ("no idea") are prose, not an answer, unless marked up as \text.
func parses(s string) bool {
	if !strings.ContainsAny(s, "0123456789\\$+-*/^=<>()[]{}|!%.,°πΠ√∞") {
		return false
	}
	_, err := parseAnswer(normMath(s))
	return err == nil
}

func extractMath(response string, opt Options) (string, string, bool) {
	s := prepare(response)
	spans := finalSpans(s, 64)
	for i := len(spans) - 1; i >= 0; i-- {
		sp := spans[i]
		if sp.how == "boxed" {
			return sp.text, "boxed", true
		}
		if v := valueText(sp.text); v != "" && parses(v) {
			return v, sp.how, true
		}
		// A final section that shows its working ends on its value.
		if last := lastLine(sp.text); last != "" {
			if v := valueText(last); v != "" && parses(v) {
				return v, sp.how, true
			}
		}
		// An explicit final answer may be a word or a letter ("【答案】A",
		// "【答案】分层抽样"), which the math parser does not read.
		if w := strings.Trim(firstSentence(sp.text), " .,;:*$"); w != "" && utf8.RuneCountInString(w) <= 12 && !strings.ContainsAny(w, " \t") &&
			(len(w) <= 2 || reCJK.MatchString(w)) {
			return w, sp.how, true
		}
	}
	// A response that ends on a concluding sentence ends on its answer,
	// whatever it said of "the answer" before.
	if t := strings.TrimSpace(s); t != "" {
		last := strings.TrimSpace(t[strings.LastIndex(t, "\n")+1:])
		if loc := reConclude.FindStringIndex(last); loc != nil && loc[0] == 0 {
			if v := valueText(last[loc[1]:]); v != "" && parses(v) {
				return v, "conclusion", true
			}
		}
	}
	if locs := reMathMarker.FindAllStringIndex(s, -1); len(locs) > 0 {
		for i := len(locs) - 1; i >= 0; i-- {
			if v := valueText(afterMarker(s[locs[i][1]:])); v != "" && parses(v) {
				return v, "answer-is", true
			}
		}
	}
	t := strings.TrimSpace(s)
	if isShort(t) && parses(t) {
		// A short sentence ("So the total is 20.", "Therefore, x = 5.")
		// is read for its value like any span; a bare formula as it is.
		if reProseWord.MatchString(reMathSpan.ReplaceAllString(t, " ")) {
			if v := valueText(t); v != "" && v != t && parses(v) {
				return v, "whole", true
			}
		}
		return t, "whole", true
	}
	if reCJK.MatchString(t) && !strings.Contains(t, "\n") {
		if c := cleanSegment(t); c != "" && isShort(c) && parses(c) {
			return c, "whole", true
		}
	}
	if locs := reConclude.FindAllStringIndex(s, -1); len(locs) > 0 {
		for i := len(locs) - 1; i >= 0 && i >= len(locs)-8; i-- {
			if v := valueText(s[locs[i][1]:]); v != "" {
				return v, "conclusion", true
			}
		}
		seg := s[locs[len(locs)-1][1]:]
		if m, ok := mathSpan(seg, true); ok {
			return m, "conclusion", true
		}
		if n, ok := lastNumber(sentence(seg)); ok {
			return n, "conclusion", true
		}
	}
	if m, ok := mathSpan(s, true); ok {
		return m, "last-math", true
	}
	lines := strings.Split(t, "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" && isShort(last) && parses(last) {
		return last, "last-line", true
	}
	if opt.LastNumber {
		if n, ok := lastNumber(s); ok {
			return n, "last-number", true
		}
	}
	return "", "", false
}

// sentence cuts s at the first sentence end.
func sentence(s string) string {
	if i := reSentCut.FindStringIndex(s); i != nil {
		return s[:i[0]]
	}
	return s
}

var (
	reNumber     = regexp.MustCompile(`-?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3}){2,}\b|\d{1,3}(?: \d{3})+\b|\d+)(?:[.,]\d+)?(?:[eE][-+]?\d+)?[½⅓⅔¼¾⅕⅛]?%?|-?[½⅓⅔¼¾⅕⅛]|-?\.\d+`)
	reHashes     = regexp.MustCompile(`####\s*`)
	reNumList    = regexp.MustCompile(`^-?\d+(?:\.\d+)?(?:\s*[,;]\s+-?\d+(?:\.\d+)?)+$`)
	reNumMarker  = regexp.MustCompile(`(?i)(?:final answer\s*(?:is|:)?|the answer(?:\s*\([^()\n]{2,40}\))? is\s*:?|\banswers?\s*(?:is)?\s*:|answer(?:\s*\([^()\n]{2,40}\))? is|\bresult\s*(?:is|:)|réponse\s*(?:est|:)|respuesta\s*(?:es|:)|antwort\s*(?:ist|:)|答案\s*(?:是|为|為|:)?|结果\s*(?:是|为|:))`)
	reChineseNum = regexp.MustCompile(`^[零〇一二两三四五六七八九十百千万亿]+$`)
)

// numbersIn finds number tokens, dropping a minus sign that is really a
// binary operator ("158-66").
func numbersIn(s string) []string {
	locs := reNumber.FindAllStringIndex(s, -1)
	out := make([]string, 0, len(locs))
	for _, l := range locs {
		tok := s[l[0]:l[1]]
		if l[0] > 0 {
			if prev, _ := utf8.DecodeLastRuneInString(s[:l[0]]); prev < utf8.RuneSelf && unicode.IsLetter(prev) && tok[0] != '-' {
				continue // part of an identifier such as "AZYUK2A" or "x2"
			}
		}
		if tok[0] == '-' && l[0] > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:l[0]])
			if unicode.IsDigit(prev) || unicode.IsLetter(prev) || prev == ')' {
				tok = tok[1:]
			}
		}
		out = append(out, strings.TrimRight(tok, ","))
	}
	return out
}

func lastNumber(s string) (string, bool) {
	ns := numbersIn(s)
	if len(ns) == 0 {
		return "", false
	}
	return ns[len(ns)-1], true
}

// answerNumber picks the number an answer segment states: the result
// after the last "=" if the segment shows its working, else the first.
func answerNumber(seg string) (string, bool) {
	seg = sentence(seg)
	if t := strings.Trim(strings.TrimSpace(seg), "*. "); reChineseNum.MatchString(t) {
		if v, ok := chineseNumber(t); ok {
			return v, true
		}
	}
	if b := reBold.FindAllStringSubmatch(seg, -1); len(b) > 0 {
		if ns := numbersIn(b[len(b)-1][1]); len(ns) > 0 {
			return ns[len(ns)-1], true
		}
	}
	if i := strings.LastIndex(seg, "="); i >= 0 {
		if ns := numbersIn(seg[i+1:]); len(ns) > 0 {
			return fractionAt(seg[i+1:], ns[0]), true
		}
	}
	ns := numbersIn(seg)
	if len(ns) > 0 {
		return fractionAt(seg, ns[0]), true
	}
	if len(ns) == 0 {
		return "", false
	}
	return ns[0], true
}

func extractNumber(response string, opt Options) (string, string, bool) {
	s := prepare(response)
	spans := finalSpans(s, 64)
	for i := len(spans) - 1; i >= 0; i-- {
		sp := spans[i]
		if sp.how == "boxed" {
			b := sp.text
			if _, ok := parseNumber(b); ok {
				return b, "boxed", true
			}
			if n, ok := lastNumber(b); ok && len(sp.boxes) == 1 && !strings.Contains(b, `\frac`) {
				return n, "boxed", true
			}
			return b, "boxed", true
		}
		if n, ok := answerNumber(sp.text); ok {
			return n, sp.how, true
		}
	}
	if locs := reNumMarker.FindAllStringIndex(s, -1); len(locs) > 0 {
		for i := len(locs) - 1; i >= 0; i-- {
			if n, ok := answerNumber(afterMarker(s[locs[i][1]:])); ok {
				return n, "answer-is", true
			}
		}
	}
	t := strings.TrimSpace(s)
	if _, ok := parseNumber(t); ok || reNumList.MatchString(t) {
		return t, "whole", true
	}
	if locs := reConclude.FindAllStringIndex(s, -1); len(locs) > 0 {
		seg := s[locs[len(locs)-1][1]:]
		if b := reBold.FindAllStringSubmatch(seg, -1); len(b) > 0 {
			if ns := numbersIn(b[len(b)-1][1]); len(ns) > 0 {
				return ns[len(ns)-1], "conclusion", true
			}
		}
		if n, ok := lastNumber(sentence(seg)); ok {
			return n, "conclusion", true
		}
	}
	ns := numbersIn(s)
	if len(ns) == 1 {
		return ns[0], "only-number", true
	}
	if opt.LastNumber && len(ns) > 0 {
		return ns[len(ns)-1], "last-number", true
	}
	if len(ns) == 0 && reChineseNum.MatchString(t) {
		if v, ok := chineseNumber(t); ok {
			return v, "whole", true
		}
	}
	if m := reLeadStatement.FindStringSubmatch(t); m != nil {
		return m[1], "lead", true
	}
	return "", "", false
}

// reLeadStatement is an answer-first response: its first sentence states
// a value ("The value of f(4) is 16.", "The smallest bar is **1**.").
// It is the last resort of the number kind, after the last number when
// Options.LastNumber asks for that.
var reLeadStatement = regexp.MustCompile(`^[^\n.:=]{3,120}?\s(?:is|are|was|were)\s+(?:about\s+|approximately\s+)?\**\$?(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?)\**(?:\s+[a-zA-Z]+){0,2}\s*(?:\.\s|\.?$|\n)`)

// reFracAnswer is a written fraction or mixed number ("3/4", "1 1/2").
var reFracAnswer = regexp.MustCompile(`-?\d+(?:\s+\d+)?\s*/\s*\d+\b`)

// fractionAt widens the first number of seg to the fraction or mixed
// number it starts ("1 1/2" rather than "1"), when it starts one.
func fractionAt(seg, first string) string {
	i := strings.Index(seg, first)
	if i < 0 {
		return first
	}
	if m := reFracAnswer.FindStringIndex(seg[i:]); m != nil && m[0] == 0 {
		return seg[i : i+m[1]]
	}
	return first
}

// lastLine is the last non-empty line of a final-answer section: the
// section runs to the next blank line.
func lastLine(sec string) string {
	if i := strings.Index(sec, "\n\n"); i >= 0 {
		sec = sec[:i]
	}
	lines := strings.Split(strings.TrimSpace(sec), "\n")
	if len(lines) < 2 {
		return ""
	}
	return strings.TrimSpace(lines[len(lines)-1])
}
