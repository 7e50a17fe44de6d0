package answer

import (
	"regexp"
	"strings"
)

var (
	reChoiceMarker = regexp.MustCompile(`(?i)(?:\banswers?\s*(?:is)?\s*[:：]|(?:correct|final|best|right)\s+(?:answer|option|choice)\s*(?:is|:)?|\b(?:answer|option|choice)\s+is\b|\bis\s+option\b|答案\s*(?:应该|应)?\s*(?:是|为|為|選|选)?\s*[:：]?|正确(?:答案|选项)\s*(?:是|为)?\s*[:：]?|选择|选项|選|选)`)
	reLeadLetter   = regexp.MustCompile(`^[\s*"'“‘\[(]*\(?([A-Z])\)?(?:[\s*"'”’\]).:,;!]|$)`)
	reGoldLetter   = regexp.MustCompile(`^\s*[(\[]?([A-Za-z])(?:[)\].:\s]|$)`)
	reAltLetter    = regexp.MustCompile(`^[\s*"'”’)\].]*(?:or|/|,|and|或|和|与|还是|&)\s*[*"'“(\[]*[A-Z](?:[^A-Za-z]|$)`)
	reEither       = regexp.MustCompile(`(?i)^[\s*]*(?:either|both|maybe|possibly|或者|可能是)\b`)
	reBoldLetter   = regexp.MustCompile(`\*\*\s*\(?([A-Z])\)?\s*[.:)]?\s*\*\*`)
	reWordLetter   = regexp.MustCompile(`(?:^|[^A-Za-z])([A-Z])(?:[^A-Za-z']|$)`)
	reLeadWord     = regexp.MustCompile(`^[a-z]`) // "I am", "A cat": a word, not a choice
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

func normOption(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.Trim(s, " .。*\"'"))), " ")
}

// optionText matches a segment against the option texts themselves.
func optionText(seg string, opt Options) (string, bool) {
	t := normOption(seg)
	if t == "" {
		return "", false
	}
	found := -1
	for i, c := range opt.Choices {
		if c := normOption(c); c != "" && t == c {
			return string(rune('A' + i)), true
		}
	}
	for i, c := range opt.Choices {
		if c := normOption(c); len(c) >= 3 && strings.Contains(t, c) {
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
		if l, ok, hedge := letterAt(b, opt); ok || hedge {
			return l, "boxed", ok
		}
		if l, ok := optionText(b, opt); ok {
			return l, "boxed-text", true
		}
	}
	if locs := reChoiceMarker.FindAllStringIndex(s, -1); len(locs) > 0 {
		for i := len(locs) - 1; i >= 0; i-- {
			seg := s[locs[i][1]:]
			if j := strings.IndexByte(seg, '\n'); j >= 0 {
				seg = seg[:j]
			}
			if strings.TrimSpace(seg) == "" {
				continue
			}
			seg = reTextCmd.ReplaceAllString(strings.ReplaceAll(seg, "$", ""), "$1")
			l, ok, hedge := letterAt(seg, opt)
			if hedge {
				return "", "hedge", false
			}
			if ok {
				return l, "answer-is", true
			}
			if l, ok := optionText(sentence(seg), opt); ok {
				return l, "answer-text", true
			}
		}
	}
	t := strings.TrimSpace(s)
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
	if m := reGoldLetter.FindStringSubmatch(g); m != nil {
		return strings.ToUpper(m[1])
	}
	if l, ok := optionText(g, opt); ok {
		return l
	}
	return strings.ToUpper(g)
}
