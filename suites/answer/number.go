package answer

import (
	"math/big"
	"regexp"
	"strings"
)

// numVal is a parsed plain number. pct marks a trailing percent sign,
// which parity accepts both as "of 100" and as the bare number.
type numVal struct {
	rat *big.Rat
	pct bool
}

var (
	reUnitTail  = regexp.MustCompile(`(?i)^(.*?\d)\s*(?:\\text\{[^{}]*\}|\\mbox\{[^{}]*\}|[\p{L}²³/$€£¥°\s.]+)*$`)
	reNumClean  = strings.NewReplacer(`\$`, "", "$", "", `\!`, "", `\,`, "", `\ `, "", "{,}", ",", "€", "", "£", "", "¥", "", "**", "")
	reGroupSp   = regexp.MustCompile(`^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$`)
	reGroupComa = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$`)
	reDotGroups = regexp.MustCompile(`^-?\d{1,3}(?:\.\d{3})+$`)
	reDecComma  = regexp.MustCompile(`^-?\d+,\d+$`)
	reFracSlash = regexp.MustCompile(`^(-?\d+)\s*/\s*(\d+)$`)
	reLatexFrac = regexp.MustCompile(`^(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}$`)
	reMixed     = regexp.MustCompile(`^(-?\d+)\s+(\d+)/(\d+)$`)
)

var vulgar = map[rune][2]int64{'½': {1, 2}, '⅓': {1, 3}, '⅔': {2, 3}, '¼': {1, 4}, '¾': {3, 4}, '⅕': {1, 5}, '⅛': {1, 8}}

// NormalizeNumber parses a plain numeric answer ("1,234", "1 000",
// "$5.00", "50%", "-½", "3/4", "12 apples") to its exact decimal value as
// a string. It reports false for anything that is not a single number.
func NormalizeNumber(s string) (string, bool) {
	v, ok := parseNumber(s)
	if !ok {
		return "", false
	}
	out := v.rat.RatString()
	if v.rat.IsInt() {
		out = v.rat.Num().String()
	}
	if v.pct {
		out += "%"
	}
	return out, true
}

func parseNumber(s string) (numVal, bool) {
	s = foldWidth(strings.TrimSpace(s))
	if len(s) > 200 || s == "" {
		return numVal{}, false
	}
	s = reNumClean.Replace(s)
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "."))
	var v numVal
	for _, p := range []string{`\%`, "%", " percent", "percent"} {
		if strings.HasSuffix(s, p) {
			s, v.pct = strings.TrimSpace(strings.TrimSuffix(s, p)), true
			break
		}
	}
	if reChineseNum.MatchString(s) {
		c, ok := chineseNumber(s)
		if !ok {
			return numVal{}, false
		}
		v.rat, _ = new(big.Rat).SetString(c)
		return v, true
	}
	if m := reUnitTail.FindStringSubmatch(s); m != nil {
		s = strings.TrimSpace(m[1])
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	r := new(big.Rat)
	switch {
	case reGroupSp.MatchString(s):
		s = strings.ReplaceAll(s, " ", "")
	case reGroupComa.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	case reDecComma.MatchString(s):
		s = strings.Replace(s, ",", ".", 1)
	}
	if m := reFracSlash.FindStringSubmatch(s); m != nil {
		if _, ok := r.SetString(m[1] + "/" + m[2]); !ok {
			return numVal{}, false
		}
	} else if m := reLatexFrac.FindStringSubmatch(s); m != nil {
		if _, ok := r.SetString(m[1] + m[2] + "/" + m[3]); !ok {
			return numVal{}, false
		}
	} else if m := reMixed.FindStringSubmatch(s); m != nil {
		w, _ := new(big.Rat).SetString(m[1])
		f, ok := new(big.Rat).SetString(m[2] + "/" + m[3])
		if !ok {
			return numVal{}, false
		}
		r.Add(w, f)
	} else {
		last, size := lastRune(s)
		if q, ok := vulgar[last]; ok {
			r.SetFrac64(q[0], q[1])
			if whole := s[:len(s)-size]; whole != "" {
				w, ok := new(big.Rat).SetString(whole)
				if !ok || strings.ContainsAny(whole, "eE/") {
					return numVal{}, false
				}
				r.Add(r, w)
			}
		} else {
			if strings.ContainsAny(s, " /") || s == "" || strings.HasPrefix(s, "+") {
				return numVal{}, false
			}
			if len(s) > 2 && (s[0] == '0' && (s[1] == 'x' || s[1] == 'b')) {
				return numVal{}, false
			}
			if _, ok := r.SetString(s); !ok {
				return numVal{}, false
			}
		}
	}
	if neg {
		r.Neg(r)
	}
	v.rat = r
	return v, true
}

func lastRune(s string) (rune, int) {
	for r := range vulgar {
		if strings.HasSuffix(s, string(r)) {
			return r, len(string(r))
		}
	}
	return 0, 0
}

var chineseDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var chineseUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000}

// chineseNumber reads Chinese numerals such as 三, 十二, 一百零五, 两千, 三万.
func chineseNumber(s string) (string, bool) {
	var total, section, digit int64
	seen := false
	for _, r := range s {
		switch {
		case r == '万' || r == '亿':
			mult := int64(10000)
			if r == '亿' {
				mult = 100000000
			}
			section += digit
			if section == 0 {
				section = 1
			}
			total = (total + section) * mult
			if total > 1e15 {
				return "", false
			}
			section, digit = 0, 0
		case chineseUnits[r] > 0:
			if digit == 0 {
				digit = 1 // 十二 is twelve
			}
			section += digit * chineseUnits[r]
			digit = 0
		default:
			d, ok := chineseDigits[r]
			if !ok {
				return "", false
			}
			digit = d
		}
		seen = true
	}
	if !seen {
		return "", false
	}
	return big.NewInt(total + section + digit).String(), true
}

// numberEqual compares two plain numbers: exactly, or with relTol when
// either is not an integer; a percent on one side may be read as /100.
func numberEqual(a, b numVal) bool {
	if a.rat.Cmp(b.rat) == 0 {
		return true
	}
	hundred := big.NewRat(100, 1)
	if a.pct && new(big.Rat).Quo(a.rat, hundred).Cmp(b.rat) == 0 || b.pct && new(big.Rat).Quo(b.rat, hundred).Cmp(a.rat) == 0 {
		return true
	}
	if a.rat.IsInt() && b.rat.IsInt() {
		return false
	}
	fa, _ := a.rat.Float64()
	fb, _ := b.rat.Float64()
	return close(complex(fa, 0), complex(fb, 0))
}
