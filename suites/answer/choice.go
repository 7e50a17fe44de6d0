package answer

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	reChoiceMarker = regexp.MustCompile(`(?i)(?:r[ée]ponse\s+(?:correcte\s+)?(?:est|:)|respuesta\s+(?:correcta\s+)?(?:es|:)|antwort\s+(?:ist|:)|\banswers?\s*(?:is)?\s*[:：]|(?:correct|final|best|right)\s+(?:answer|option|choice)\s*(?:is|:)?|\b(?:answer|option|choice)(?:\s*\([^()\n]{2,40}\))?\s+is\b|\bis\s+option\b|答案\s*(?:应该|应)?\s*(?:是|为|為|選|选)?\s*[:：]?|正确(?:答案|选项)\s*(?:是|为)?\s*[:：]?|选择|选项|選|选)`)
	reLeadLetter   = regexp.MustCompile(`^[\s*"'“‘\[(]*\(?([A-Z])\)?(?:[\s*"'”’\]).:,;!]|$)`)
	reGoldLetter   = regexp.MustCompile(`^\s*[(\[]?([A-Za-z])(?:[)\].:\s]|$)`)
	reAltLetter    = regexp.MustCompile(`^[\s*"'”’)\].]*(?:or|/|,|and|或|和|与|还是|&)\s*[*"'“(\[]*[A-Z](?:[^A-Za-z]|$)`)
	reEither       = regexp.MustCompile(`(?i)^[\s*]*(?:either|both|maybe|possibly|或者|可能是)\b`)
	reBoldLetter   = regexp.MustCompile(`\*\*\s*\(?([A-Z])\)?\s*[.:)]?\s*\*\*`)
	reWordLetter   = regexp.MustCompile(`(?:^|[^A-Za-z])([A-Z])(?:[^A-Za-z']|$)`)
	reLeadWord     = regexp.MustCompile(`^[a-z]`) // "I am", "A cat": a word, not a choice
	// "Option C is correct", "**Option (D)** is the correct answer"; a
	// verdict on one option, read only when no answer marker gave a letter.
	reOptionVerdict = regexp.MustCompile(`(?:\b[Oo]ption|\b[Cc]hoice|\bOPTION)\s*\**\s*\(?([A-Z])\)?\s*\**\s+is\s+(?:the\s+|an?\s+)?(?:correct|right|best|true)\b`)
	// "Option B" as the whole response.
	reBareLetter  = regexp.MustCompile(`^[(\[]?[A-Za-z][)\]]?[.:]?$`)
	reOptionAlone = regexp.MustCompile(`^[\s*]*(?:[Oo]ption|[Cc]hoice|OPTION)\s*\(?([A-Z])\)?[\s*.:)]*$`)
	// reNumberedList is a numbered list of answers ("1. **F** …\n2. **A** …").
	reNumberedList = regexp.MustCompile(`^\s*1[.)][^\n]*\n\s*2[.)]`)
	reTextCmd      = regexp.MustCompile(`\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}`)
)

func maxLetter(opt Options) byte {
	if n := len(opt.Choices); n > 0 && n <= 26 {
		return byte('A' + n - 1)
	}
	return 'J'
}

// letterAt finds the chosen letter at the start of an answer segment.
// The first capital letter standing alone (within a short window) is the
// choice, unless it is immediately offered with an alternative ("A or B",
// "A/B"), which is a hedge and not an answer.
func letterAt(seg string, opt Options) (string, bool, bool) {
	if len(seg) > 200 {
		seg = seg[:200]
	}
	if reEither.MatchString(seg) {
		return "", false, true
	}
	top := maxLetter(opt)
	for _, m := range reWordLetter.FindAllStringSubmatchIndex(seg, -1) {
		c := seg[m[2]]
		if m[2] > 60 {
			break
		}
		if c == 'I' && (strings.HasPrefix(seg[m[3]:], " think") || strings.HasPrefix(seg[m[3]:], "'")) {
			continue
		}
		if c < 'A' || c > top {
			continue
		}
		if reAltLetter.MatchString(seg[m[3]:]) {
			return "", false, true
		}
		return string(c), true, false
	}
	return "", false, false
}

// normOption is the comparison key of an option text: width-folded (the
// response is folded too), trimmed, spacing collapsed and, unless exact,
// lower-cased.
func normOption(s string, exact bool) string {
	s = strings.Join(strings.Fields(strings.Trim(foldWidth(s), " .。*\"'")), " ")
	if !exact {
		s = strings.ToLower(s)
	}
	return s
}

// optionKeys are the comparison keys of an item's options (normOption),
// exact and case-folded, in option order.
type optionKeys struct {
	exact, loose []string
	longest      int // bytes of the longest key
}

func newOptionKeys(choices []string) *optionKeys {
	k := &optionKeys{exact: make([]string, len(choices)), loose: make([]string, len(choices))}
	for i, c := range choices {
		k.exact[i] = normOption(c, true)
		k.loose[i] = strings.ToLower(k.exact[i])
		k.longest = max(k.longest, len(k.exact[i]), len(k.loose[i]))
	}
	return k
}

// tooLong reports whether seg cannot be any whole option: it holds more
// non-space bytes than twice the longest option (normalising never
// removes more than spacing and a few trimmed marks), so a long
// response is not normalised just to be compared.
func (k *optionKeys) tooLong(seg string) bool {
	if len(seg) <= 2*k.longest+16 {
		return false
	}
	n := 0
	for i := 0; i < len(seg); i++ {
		switch seg[i] {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n > 2*k.longest+16
}

// keysOf returns the prepared keys of opt, computing them when opt was
// not prepared.
func keysOf(opt Options) *optionKeys {
	if opt.keys != nil && len(opt.keys.exact) == len(opt.Choices) {
		return opt.keys
	}
	return newOptionKeys(opt.Choices)
}

// wholeOption reports the option whose whole text the segment is. Case
// decides between options that differ only in case ("Rr", "rr"); a
// case-insensitive match must be unique.
func wholeOption(seg string, opt Options) (string, bool) {
	if len(opt.Choices) == 0 {
		return "", false
	}
	keys := keysOf(opt)
	if keys.tooLong(seg) {
		return "", false
	}
	for _, exact := range []bool{true, false} {
		t := normOption(seg, exact)
		if t == "" {
			return "", false
		}
		found := -1
		ks := keys.loose
		if exact {
			ks = keys.exact
		}
		for i, c := range ks {
			if c == t {
				if found >= 0 {
					found = -2
					break
				}
				found = i
			}
		}
		if found >= 0 {
			return string(rune('A' + found)), true
		}
	}
	return "", false
}

// longOption is wholeOption for segments that are not a bare letter:
// "A tree removes a gas from the air." is option C, not the letter A, and
// "B超" is the option that says so; "D" or "(D)" alone stays a letter even
// when some option's text is "D".
func longOption(seg string, opt Options) (string, bool) {
	if len(opt.Choices) == 0 || keysOf(opt).tooLong(seg) {
		return "", false
	}
	if reBareLetter.MatchString(normOption(seg, true)) {
		return "", false
	}
	return wholeOption(seg, opt)
}

// optionText matches a segment against the option texts themselves.
func optionText(seg string, opt Options) (string, bool) {
	t := normOption(seg, false)
	if t == "" {
		return "", false
	}
	found := -1
	if l, ok := wholeOption(seg, opt); ok {
		return l, true
	}
	for i, c := range keysOf(opt).loose {
		if len(c) >= 3 && strings.Contains(t, c) {
			if found >= 0 {
				return "", false
			}
			found = i
		}
	}
	if found >= 0 {
		return string(rune('A' + found)), true
	}
	return "", false
}

func extractChoice(response string, opt Options) (string, string, bool) {
	s, _ := stripThink(response)
	s = foldWidth(s)
	if bs := allBoxed(s, 16); len(bs) > 0 {
		b := reTextCmd.ReplaceAllString(bs[len(bs)-1], "$1")
		if l, ok := longOption(b, opt); ok {
			return l, "boxed-text", true
		}
		if l, ok, hedge := letterAt(b, opt); ok || hedge {
			return l, "boxed", ok
		}
		if l, ok := optionText(b, opt); ok {
			return l, "boxed-text", true
		}
	}
	if js := jsonAnswers(s); len(js) > 0 {
		v := strings.TrimSpace(js[len(js)-1].text)
		if l, ok := longOption(v, opt); ok {
			return l, "json-text", true
		}
		if l, ok, hedge := letterAt(v, opt); ok || hedge {
			return l, "json", ok
		}
	}
	// Markers are tried last first; the tail of a long response is
	// scanned on its own first, since the answer is nearly always there.
	tail := tailStart(s, 2048)
	for pass := 0; pass < 2; pass++ {
		from := tail
		if pass == 1 {
			if tail == 0 {
				break
			}
			from = 0
		}
		locs := choiceMarkers(s, from)
		for i := len(locs) - 1; i >= 0; i-- {
			if pass == 1 && locs[i][0] >= tail {
				continue // tried in the first pass
			}
			if l, how, ok, stop := choiceAt(s, locs[i], opt); stop {
				return l, how, ok
			}
		}
	}
	if ms := reOptionVerdict.FindAllStringSubmatch(s, -1); len(ms) > 0 {
		if c := ms[len(ms)-1][1]; c[0] <= maxLetter(opt) {
			return c, "option-verdict", true
		}
	}
	// A concluding clause naming one letter ("therefore I think it's B"),
	// unless that letter is being ruled out ("so A is wrong").
	if end, ok := lastConclusion(s); ok {
		seg := sentence(s[end:])
		if m := reConcludeLetter.FindStringSubmatchIndex(seg); m != nil {
			l := seg[m[2]:m[3]]
			if l[0] <= maxLetter(opt) && !reRuledOut.MatchString(seg[m[3]:]) && !reAltLetter.MatchString(seg[m[3]:]) {
				return l, "conclusion", true
			}
		}
	}
	t := strings.TrimSpace(s)
	if m := reOptionAlone.FindStringSubmatch(t); m != nil && m[1][0] <= maxLetter(opt) {
		return m[1], "option", true
	}
	if l, ok := longOption(t, opt); ok {
		return l, "option-text", true
	}
	if m := reLeadLetter.FindStringSubmatch(t); m != nil && m[1][0] <= maxLetter(opt) && !reLeadWord.MatchString(t[len(m[0]):]) {
		if reAltLetter.MatchString(t[len(m[0]):]) || reAltLetter.MatchString(strings.TrimLeft(t, "*([ ")[1:]) {
			return "", "hedge", false
		}
		return m[1], "leading-letter", true
	}
	if bs := reBoldLetter.FindAllStringSubmatch(s, -1); len(bs) > 0 {
		if c := bs[len(bs)-1][1]; c[0] <= maxLetter(opt) {
			return c, "bold", true
		}
	}
	if len(opt.Choices) > 0 {
		lines := strings.Split(t, "\n")
		if l, ok := optionText(lines[len(lines)-1], opt); ok {
			return l, "option-text", true
		}
	}
	return "", "", false
}

// goldLetter reads the correct letter from a gold answer that may carry
// the option text ("(D) Alina", "C Cecile").
func goldLetter(gold string, opt Options) string {
	g := foldWidth(strings.TrimSpace(gold))
	// A gold that is an option's whole text ("a trigonometric function",
	// "(b)" among options "(a)".."(e)") names that option, whatever
	// letter it happens to start with.
	if len(g) > 1 {
		if l, ok := wholeOption(g, opt); ok {
			return l
		}
	}
	if m := reGoldLetter.FindStringSubmatch(g); m != nil {
		return strings.ToUpper(m[1])
	}
	if l, ok := optionText(g, opt); ok {
		return l
	}
	return strings.ToUpper(g)
}

var (
	// reNegatedClause is an answer clause that opens by ruling out.
	reNegatedClause = regexp.MustCompile(`(?i)^\s*(?:not\b|never\b|n't\b|不是|并非|並非|不为|不為)`)
	// reButClause is where the clause says what the answer is instead.
	reButClause = regexp.MustCompile(`(?i)\b(?:but|rather|instead)\b|而是|应是|應是|应为|應為`)
)

// choiceAt reads the answer clause after one marker. stop reports that
// the clause decided (a letter, an option text or a hedge).
func choiceAt(s string, loc []int, opt Options) (letter, how string, ok, stop bool) {
	if inAnswerList(s, loc[0]) {
		return "", "", false, false // one of several numbered answers
	}
	seg := afterMarker(s[loc[1]:])
	if reNumberedList.MatchString(seg) {
		return "", "", false, false // answers to several questions, none of them this one's
	}
	if j := strings.IndexByte(seg, '\n'); j >= 0 {
		seg = seg[:j]
	}
	if strings.TrimSpace(seg) == "" {
		return "", "", false, false
	}
	// "the answer is not (D) but (A)": the letter ruled out is no answer;
	// what follows "but" is the clause, and without one the marker says
	// nothing.
	if reNegatedClause.MatchString(seg) {
		k := reButClause.FindStringIndex(seg)
		if k == nil {
			return "", "", false, false
		}
		seg = seg[k[1]:]
	}
	seg = reTextCmd.ReplaceAllString(strings.ReplaceAll(seg, "$", ""), "$1")
	if l, ok := longOption(seg, opt); ok {
		return l, "answer-text", true, true
	}
	if l, ok := longOption(sentence(seg), opt); ok {
		return l, "answer-text", true, true
	}
	l, ok, hedge := letterAt(seg, opt)
	if hedge {
		return "", "hedge", false, true
	}
	if ok && foreignLabel(seg, l, opt) {
		return "", "", false, false
	}
	if ok {
		return l, "answer-is", true, true
	}
	if l, ok := optionText(sentence(seg), opt); ok {
		return l, "answer-text", true, true
	}
	return "", "", false, false
}

// tailStart is where the last n bytes of s begin, moved forward to a
// space so no word is cut; 0 when s is short.
func tailStart(s string, n int) int {
	if len(s) <= n {
		return 0
	}
	i := len(s) - n
	if j := strings.IndexAny(s[i:], " \n\t"); j >= 0 {
		return i + j
	}
	return 0
}

// choiceKeywords are words every reChoiceMarker match contains, in
// ASCII lower case.
var choiceKeywords = []string{"answer", "option", "choice", "ponse", "respuesta", "antwort", "答案", "正确", "选", "選"}

// choiceMarkers is reChoiceMarker.FindAllStringIndex(s[from:], -1), with
// positions in s, run only from the word before the first keyword: scanning a whole long response
// with the marker expression is the costliest step of choice grading,
// and no match can start earlier.
func choiceMarkers(s string, from int) [][]int {
	lower := []byte(s[from:])
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	ls := string(lower)
	first := -1
	for _, k := range choiceKeywords {
		if i := strings.Index(ls, k); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return nil
	}
	// "correct   answer", "is option": back over the spacing and the
	// word before the keyword, and over the rest of the keyword's word.
	start := from + first
	for start > from && (s[start-1] == ' ' || s[start-1] == '\t' || s[start-1] == '\n' || s[start-1] == '\r') {
		start--
	}
	for start > from && isWordByte(s[start-1]) {
		start--
	}
	for start > from && s[start-1] >= utf8.RuneSelf {
		start-- // letters such as the é of "réponse"
	}
	for start > from && isWordByte(s[start-1]) {
		start--
	}
	locs := reChoiceMarker.FindAllStringIndex(s[start:], -1)
	for _, l := range locs {
		l[0] += start
		l[1] += start
	}
	return locs
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// reRuledOut follows a letter that is being ruled out ("A is wrong").
var reRuledOut = regexp.MustCompile(`(?i)^\W{0,3}(?:is\s+(?:not|incorrect|wrong|false|ruled out)|isn't|can't|cannot|不对|不正确|错误|是错|不是)`)

// reConcludeLetter is a letter named as the choice in a concluding
// clause: "(B)", "it's B", "is option C", "是B", "选B". A bare capital
// in the reasoning ("10^-10 J", "H2", "G_R") is not one.
var reConcludeLetter = regexp.MustCompile(`(?:\b(?:is|it's|it is|be|option|choice|answer)\s+\(?|[选是为]\s*\(?|\()([A-Z])\)?(?:[\s.,;:!?。，、)]|$)`)

// reAfterLetter is the text that follows a chosen letter in an answer
// clause ("(F). Business ethics management." → "Business ethics
// management").
var reAfterLetter = regexp.MustCompile(`^[\s*"'(\[]*\(?[A-Z]\)?[\s*"'.:)\]]+([^\n]*)`)

// foreignLabel reports whether the letter comes with a label that shares
// no word with any option of this question ("The answer is (F).
// Business ethics management." among options about cultures): the model
// is repeating the answer of another question, such as a few-shot
// example, so the clause is not this item's answer.
func foreignLabel(seg, letter string, opt Options) bool {
	if len(opt.Choices) == 0 {
		return false
	}
	i := strings.Index(seg, letter)
	m := reAfterLetter.FindStringSubmatch(seg[i:])
	if m == nil {
		return false
	}
	rest := sentence(m[1])
	if strings.Count(rest, ",") >= 2 {
		rest = rest[:strings.IndexByte(rest, ',')] // the first of a list of labels
	}
	words := strings.FieldsFunc(strings.ToLower(rest), func(r rune) bool { return !(r >= 'a' && r <= 'z') })
	if len(words) < 2 || len(words) > 5 || strings.ContainsAny(rest, "0123456789$%=") {
		return false
	}
	all := strings.ToLower(strings.Join(opt.Choices, " "))
	content := 0
	for _, w := range words {
		if notLabel[w] {
			return false // a sentence explaining the choice, not a label
		}
		if len(w) < 4 {
			continue
		}
		content++
		if strings.Contains(all, w[:4]) {
			return false
		}
	}
	return content >= 2
}

var reListItem = regexp.MustCompile(`^\s*(?:\d{1,2}[.)]|Question \d{1,2}\b)`)

// inAnswerList reports whether position i sits on a numbered line of a
// list of answers ("1. The answer is (F).\n2. The answer is (D)."): a
// model answering several questions at once, not this item alone.
// Numbered working steps are not such a list: the neighbouring numbered
// line must give an answer too.
func inAnswerList(s string, i int) bool {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	if !reListItem.MatchString(s[start:i]) {
		return false
	}
	answers := func(line string) bool {
		return reListItem.MatchString(line) && strings.Contains(strings.ToLower(line), "answer")
	}
	if start > 0 {
		prev := s[:start-1]
		if answers(prev[strings.LastIndexByte(prev, '\n')+1:]) {
			return true
		}
	}
	if end := strings.IndexByte(s[i:], '\n'); end >= 0 {
		next := s[i+end+1:]
		if j := strings.IndexByte(next, '\n'); j >= 0 {
			next = next[:j]
		}
		return answers(next)
	}
	return false
}

// notLabel lists words that make the text after a letter a sentence
// rather than an option's label.
var notLabel = map[string]bool{"is": true, "are": true, "was": true, "were": true, "be": true, "has": true,
	"have": true, "had": true, "this": true, "that": true, "it": true, "its": true, "which": true,
	"because": true, "since": true, "so": true, "we": true, "i": true, "you": true, "can": true,
	"will": true, "would": true, "should": true, "not": true, "does": true, "do": true, "shows": true}

// Concluding words, as reConclude has them: ASCII words (matched as whole
// words, any case) and words of other scripts.
var (
	concludeWords = []string{"therefore", "thus", "hence", "so", "donc"}
	concludeOther = []string{"因此", "所以", "故", "综上", "结论", "總之", "总之", "لذا", "इसलिए"}
)

// lastConclusion is where the last concluding word of s ends: what
// reConclude's last match gives, found with plain searches from the end
// because the expression is the costliest scan of choice grading.
func lastConclusion(s string) (int, bool) {
	lower := []byte(s)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	ls := string(lower)
	best, end := -1, 0
	for _, w := range concludeWords {
		for j := len(ls); j > best; {
			i := strings.LastIndex(ls[:j], w)
			if i < 0 || i <= best {
				break
			}
			if (i == 0 || !isWordByte(ls[i-1])) && (i+len(w) == len(ls) || !isWordByte(ls[i+len(w)])) {
				best, end = i, i+len(w)
				break
			}
			j = i
		}
	}
	if !isASCII(s) {
		for _, w := range concludeOther {
			if i := strings.LastIndex(s, w); i > best {
				best, end = i, i+len(w)
			}
		}
	}
	return end, best >= 0
}
