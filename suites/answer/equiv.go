package answer

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

var (
	reTextSep   = regexp.MustCompile(`\\(?:text|mbox|textbf|textrm|mathrm)\s*\{\s*(?:and|or|,)\s*\}`)
	reThousands = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$`)
	reThinSpace = regexp.MustCompile(`(\d)(?:,?\s*(?:\\[,! ]|\{,\})\s*|\s)(\d{3})\b`)
	// reCJKAnd separates answers joined by a Chinese "and" ("1 和 3").
	// reRomanLetter is a single upright letter (\mathrm{N}), a variable.
	reRomanLetter = regexp.MustCompile(`\\(?:mathrm|mathit|rm)\s*\{\s*([A-Za-z])\s*\}`)
	reCJKAnd      = regexp.MustCompile(`\s*(?:和|与|及|或)\s*`)
	reDoubleSlash = regexp.MustCompile(`\\\\([a-zA-Z{}()\[\]$%,!])`)
)

// normMath turns an extracted math answer into the form the parser
// reads: delimiters, spacing commands, trailing punctuation and
// double-escaped backslashes are removed.
func normMath(s string) string {
	s = foldWidth(s)
	s = strings.TrimSpace(s)
	// Answers copied out of JSON or Python source sometimes arrive with
	// every backslash doubled; a string with "\\frac" and no single
	// command is undone.
	if reDoubleSlash.MatchString(s) && !hasSingleCommand(s) {
		s = strings.ReplaceAll(s, `\\`, `\`)
	}
	if strings.Contains(s, `\boxed`) || strings.Contains(s, `\fbox`) {
		if parts := allBoxed(s, 8); len(parts) > 0 {
			s = strings.Join(parts, ",")
		}
	}
	for _, d := range []string{`\[`, `\]`, `\(`, `\)`, "$$"} {
		s = strings.ReplaceAll(s, d, " ")
	}
	s = strings.ReplaceAll(s, `\$`, " ")
	s = strings.ReplaceAll(s, "$", " ")
	s = reTextSep.ReplaceAllString(s, " , ")
	if !isASCII(s) {
		s = reCJKAnd.ReplaceAllString(s, " , ")
	}
	for _, r := range [][2]string{
		{`\dfrac`, `\frac`}, {`\tfrac`, `\frac`}, {`\cfrac`, `\frac`}, {`\left\{`, `\{`}, {`\right\}`, `\}`},
		{`\lbrace`, `\{`}, {`\rbrace`, `\}`}, {`\lvert`, "|"}, {`\rvert`, "|"}, {`\vert`, "|"}, {`\mid`, "|"},
		{`\left|`, "|"}, {`\right|`, "|"}, {`\left(`, "("}, {`\right)`, ")"}, {`\left[`, "["}, {`\right]`, "]"},
		{`\left.`, ""}, {`\right.`, ""}, {`\%`, "%"}, {"^{\\circ}", `\circ`}, {"^\\circ", `\circ`},
		{`\displaystyle`, ""}, {`\limits`, ""}, {`\mathrm{~`, `\mathrm{`}, {`\text{~`, `\text{`},
	} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	if strings.Contains(s, `\m`) || strings.Contains(s, `\rm`) {
		s = reRomanLetter.ReplaceAllString(s, "$1")
	}
	s = reThinSpace.ReplaceAllString(s, "$1$2")
	s = reThinSpace.ReplaceAllString(s, "$1$2")
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, " .。;,\\")
	s = strings.TrimSpace(s)
	if reThousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	return s
}

func hasSingleCommand(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if s[i+1] == '\\' {
			i++
			continue
		}
		if isLetterAt(s, i+1) {
			return true
		}
	}
	return false
}

// looseText is the comparison key of last resort: case, spaces, braces,
// \text wrappers and delimiters removed.
func looseText(s string) string {
	s = strings.ToLower(normMath(s))
	for _, w := range []string{`\text`, `\mathrm`, `\mbox`, `\textbf`, `\left`, `\right`, `\!`, `\,`, `\;`, `\quad`} {
		s = strings.ReplaceAll(s, w, "")
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '{' || r == '}' {
			return -1
		}
		return r
	}, s)
}

// mathEqual is Equivalent for Math answers.
func mathEqual(pred, gold string) (bool, string) {
	if pred == "" || gold == "" {
		return false, "empty"
	}
	if looseText(pred) == looseText(gold) {
		return true, "string"
	}
	a, errA := parseAnswer(normMath(pred))
	b, errB := parseAnswer(normMath(gold))
	if errA != nil || errB != nil {
		return false, "unparsed"
	}
	a, b = simplifyUnits(a), simplifyUnits(b)
	if equal(a, b, 0) {
		if hasFree(a, 0) || hasFree(b, 0) {
			return true, "symbolic"
		}
		return true, "numeric"
	}
	// A unit on one side only ("10\text{ cm}^2" against 10, "864
	// \mbox{ inches}^2" against 864) does not make the value differ.
	pu, gu := stripUnit(pred), stripUnit(gold)
	if (pu != pred) != (gu != gold) || pu != pred && gu != gold {
		if ok, _ := mathEqual(pu, gu); ok && pu != "" && gu != "" {
			return true, "unit"
		}
	}
	return false, "differs"
}

var (
	// reUnitText is a unit written as text after a value, with an
	// optional power: \text{ cm}^2, \mbox{ inches}^2, \mathrm{~kg}.
	reUnitText = regexp.MustCompile(`(?:\\[,;!: ]|~|\s)*(?:\\(?:text|mbox|mathrm|textrm|rm)\s*\{[^{}]*\}|\^\{\s*\\(?:text|mathrm)\{[^{}]*\}\s*\})(?:\s*\^\s*\{?-?\d\}?)?\s*$`)
	// reUnitWords is a unit written as plain words after a number
	// ("5 cm", "9 customers", "12π inches per second").
	reUnitWords = regexp.MustCompile(`^(.*?(?:\d|\}|π|\\pi))\s*(?:[a-zA-Z]{2,}(?:\^\{?-?\d\}?)?\s*)+$`)
	reUnitDeg   = regexp.MustCompile(`\s*(?:\^\s*\{?\s*\\circ\s*\}?|°|\\circ|\\degree)\s*$`)
)

// stripUnit removes a trailing unit from an answer; it returns s
// unchanged when there is none. Function names are not units.
func stripUnit(s string) string {
	t := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "$", ""), `\%`, "%"))
	for i := 0; i < 4; i++ {
		u := reUnitText.ReplaceAllString(t, "")
		u = reUnitDeg.ReplaceAllString(u, "")
		if m := reUnitWords.FindStringSubmatch(u); m != nil && !reFuncWord.MatchString(u[len(m[1]):]) {
			u = m[1]
		}
		u = strings.TrimSpace(u)
		if u == t || u == "" {
			break
		}
		t = u
	}
	if t == strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "$", ""), `\%`, "%")) {
		return s
	}
	return t
}

var reFuncWord = regexp.MustCompile(`(?i)\b(?:sin|cos|tan|log|ln|exp|sqrt|pi|and|or|mod|or|for)\b`)

// simplifyUnits drops trailing words after a value ("10 square units",
// "17 any text") and turns "percent" into a percent sign.
func simplifyUnits(n *node) *node {
	switch n.op {
	case opList, opSet, opTuple, opMatrix, opUnion, opRel, opIn:
		c := *n
		c.kids = make([]*node, len(n.kids))
		for i, k := range n.kids {
			c.kids[i] = simplifyUnits(k)
		}
		return &c
	}
	if n.op != opMul {
		return n
	}
	var factors []*node
	flattenMul(n, &factors, 0)
	end := len(factors)
	pct := false
	for end > 1 && factors[end-1].op == opWord {
		switch factors[end-1].num {
		case "percent", "percentage", "pct":
			pct = true
		}
		end--
	}
	if end == len(factors) || factors[0].op == opWord {
		return n
	}
	out := factors[0]
	for _, f := range factors[1:end] {
		out = &node{op: opMul, kids: []*node{out, f}}
	}
	if pct {
		out = &node{op: opPct, kids: []*node{out}}
	}
	return out
}

func flattenMul(n *node, out *[]*node, depth int) {
	if n.op == opMul && depth < maxDepth {
		flattenMul(n.kids[0], out, depth+1)
		flattenMul(n.kids[1], out, depth+1)
		return
	}
	*out = append(*out, n)
}

// nameLike reports whether an equation side is a label rather than a
// value: it holds no number outside subscripts (x, f(x), a_{37},
// \frac{NO}{BO}, S_{ABC}:S).
func nameLike(n *node, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch n.op {
	case opNum:
		return false
	case opVar, opConst:
		return n.num != "inf"
	case opWord:
		return true
	case opAdd, opNeg, opPM:
		return false
	}
	for _, k := range n.kids {
		if !nameLike(k, depth+1) {
			return false
		}
	}
	return true
}

// valueSides lists what a relation may stand for when compared with a
// bare value: "x = 3" is 3, "k = a = 5" is 5, "x ≈ 11" is 11.
func valueSides(n *node) []*node {
	syms := strings.Split(n.num, ";")
	last := n.kids[len(n.kids)-1]
	first := n.kids[0]
	allEq := true
	for _, s := range syms {
		if s != "=" && s != "~" {
			allEq = false
		}
	}
	if !allEq {
		return nil
	}
	var out []*node
	if nameLike(first, 0) && !nameLike(last, 0) {
		out = append(out, last)
	} else if nameLike(last, 0) && !nameLike(first, 0) && len(n.kids) == 2 {
		out = append(out, first)
	} else if first.op == opVar && last.op != opVar && len(n.kids) == 2 {
		// "S = N_1/N": a single name on the left labels a symbolic value.
		out = append(out, last)
	} else if len(n.kids) > 2 || !hasFree(first, 0) && !hasFree(last, 0) {
		// A chain ("5+5+1 = 7 = 11") or a worked sum ("3/9 = 1/3")
		// states its result last.
		out = append(out, last)
	}
	if strings.Contains(n.num, "~") {
		out = append(out, first, last)
	}
	return out
}

// equal compares two parsed answers structurally, falling back to
// scalarEqual at the leaves.
func equal(a, b *node, depth int) bool {
	if depth > 30 {
		return false
	}
	d := depth + 1
	if a.String() == b.String() {
		return true
	}
	if a.op == opIn {
		return equal(a.kids[1], b, d)
	}
	if b.op == opIn {
		return equal(a, b.kids[1], d)
	}
	// Relations against bare values.
	if a.op == opRel && b.op != opRel {
		if iv := relToInterval(a); iv != nil && (b.op == opTuple || b.op == opUnion) {
			return equal(iv, b, d)
		}
		for _, v := range valueSides(a) {
			if equal(v, b, d) {
				return true
			}
		}
		if a.num == "=" && b.op != opList && b.op != opTuple {
			return false
		}
	}
	if b.op == opRel && a.op != opRel {
		return equal(b, a, d)
	}
	if a.op == opRel && b.op == opRel {
		return relEqual(a, b, d)
	}
	// Lists of assignments ("p=5, q=2; p=7, q=2") become tuples.
	if ta := assignTuples(a); ta != nil {
		if tb := assignTuples(b); tb != nil {
			return setEqual(ta, tb, d)
		}
		return equal(listOf(ta), b, d)
	}
	if assignTuples(b) != nil {
		return equal(b, a, d)
	}
	switch {
	case a.op == opList || a.op == opSet || b.op == opList || b.op == opSet:
		ka, kb := elems(a), elems(b)
		if a.op == opTuple || b.op == opTuple {
			// A bare list against a bracketed tuple keeps its order.
			if a.op == opSet || b.op == opSet {
				return false
			}
			return seqEqual(ka, kb, d)
		}
		if (a.op == opSet) != (b.op == opSet) && (len(ka) == 1) != (len(kb) == 1) {
			return false
		}
		return setEqual(ka, kb, d)
	case a.op == opUnion || b.op == opUnion:
		if a.op != b.op {
			return false
		}
		return setEqual(a.kids, b.kids, d)
	case a.op == opTuple || b.op == opTuple:
		if a.op != b.op || a.open != b.open || a.close != b.close {
			return false
		}
		return seqEqual(a.kids, b.kids, d)
	case a.op == opMatrix || b.op == opMatrix:
		if a.op != b.op || a.rows != b.rows || a.cols != b.cols {
			// A one-element-wide matrix is the same as a tuple.
			return false
		}
		return seqEqual(a.kids, b.kids, d)
	}
	return scalarEqual(a, b)
}

func elems(n *node) []*node {
	switch n.op {
	case opList, opSet, opTuple:
		return n.kids
	}
	return []*node{n}
}

func listOf(kids []*node) *node { return &node{op: opList, kids: kids} }

func seqEqual(a, b []*node, d int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equal(a[i], b[i], d) {
			return false
		}
	}
	return true
}

// setEqual treats both sides as sets: duplicates collapse and order is
// free, which is how multi-answer questions are graded by peers.
func setEqual(a, b []*node, d int) bool {
	if len(a)*len(b) > 400 {
		return false
	}
	covers := func(x, y []*node) bool {
		for _, p := range x {
			found := false
			for _, q := range y {
				if equal(p, q, d) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return covers(a, b) && covers(b, a)
}

// assignTuples reads a list of equations with plain names on the left as
// solutions: a new solution starts whenever a name repeats. It returns nil
// when the list is not of that shape.
func assignTuples(n *node) []*node {
	if n.op != opList || len(n.kids) < 2 {
		return nil
	}
	var out []*node
	seen := map[string]bool{}
	var cur []*node
	flush := func() {
		if len(cur) == 1 {
			out = append(out, cur[0])
		} else if len(cur) > 1 {
			out = append(out, &node{op: opTuple, kids: cur, open: '(', close: ')'})
		}
		cur, seen = nil, map[string]bool{}
	}
	names := []string{}
	for _, k := range n.kids {
		if k.op != opRel || k.num != "=" || !nameLike(k.kids[0], 0) || k.kids[0].op != opVar {
			return nil
		}
		name := k.kids[0].num
		if seen[name] {
			flush()
		}
		seen[name] = true
		names = append(names, name)
		cur = append(cur, k.kids[1])
	}
	flush()
	// Distinct names in one solution ("a_3 = 2, a_{37} = 19") are
	// ordered by name so their written order does not matter.
	if len(out) == 1 && out[0].op == opTuple {
		idx := make([]int, len(names))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return names[idx[i]] < names[idx[j]] })
		kids := make([]*node, len(idx))
		for i, j := range idx {
			kids[i] = out[0].kids[j]
		}
		out[0] = &node{op: opTuple, kids: kids, open: '(', close: ')'}
	}
	return out
}

// relToInterval turns "a < x <= b" and "x >= 5" into intervals.
func relToInterval(n *node) *node {
	syms := strings.Split(n.num, ";")
	inf := &node{op: opConst, num: "inf"}
	ninf := &node{op: opNeg, kids: []*node{inf}}
	br := func(sym string, open bool) byte {
		strict := sym == "<" || sym == ">"
		switch {
		case open && strict:
			return '('
		case open:
			return '['
		case strict:
			return ')'
		}
		return ']'
	}
	if len(syms) == 2 && syms[0] == syms[1] || len(syms) == 2 && strings.TrimSuffix(syms[0], "=") == strings.TrimSuffix(syms[1], "=") {
		if n.kids[1].op != opVar {
			return nil
		}
		lo, hi := n.kids[0], n.kids[2]
		s0, s1 := syms[0], syms[1]
		if strings.HasPrefix(s0, ">") {
			lo, hi, s0, s1 = hi, lo, s1, s0
		}
		if !strings.HasPrefix(s0, "<") {
			return nil
		}
		return &node{op: opTuple, kids: []*node{lo, hi}, open: br(s0, true), close: br(s1, false)}
	}
	if len(syms) != 1 {
		return nil
	}
	s := syms[0]
	l, r := n.kids[0], n.kids[1]
	if r.op == opVar && l.op != opVar {
		l, r = r, l
		s = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}[s]
	}
	if l.op != opVar {
		return nil
	}
	switch s {
	case "<", "<=":
		return &node{op: opTuple, kids: []*node{ninf, r}, open: '(', close: br(s, false)}
	case ">", ">=":
		return &node{op: opTuple, kids: []*node{r, inf}, open: br(s, true), close: ')'}
	}
	return nil
}

// relEqual compares two relations. Equations match when their right
// sides match under the same (or a plain-name) left side, or when
// lhs-rhs of one is a constant non-zero multiple of the other's.
// Inequalities match when, written as f < 0 (or f <= 0), the f's are
// positive multiples of each other.
func relEqual(a, b *node, d int) bool {
	if iva, ivb := relToInterval(a), relToInterval(b); iva != nil && ivb != nil && len(a.kids) == 3 {
		return equal(iva, ivb, d)
	}
	if len(a.kids) != 2 || len(b.kids) != 2 {
		if a.num != b.num || len(a.kids) != len(b.kids) {
			return false
		}
		return seqEqual(a.kids, b.kids, d)
	}
	fa, sa := relForm(a)
	fb, sb := relForm(b)
	if sa != sb || fa == nil || fb == nil {
		return false
	}
	if sa == "=" || sa == "~" {
		la, lb := a.kids[0], b.kids[0]
		if nameLike(la, 0) && nameLike(lb, 0) && equal(a.kids[1], b.kids[1], d) {
			return true
		}
		if equal(la, lb, d) && equal(a.kids[1], b.kids[1], d) {
			return true
		}
		return proportional(fa, fb, false)
	}
	if sa == "!=" {
		return proportional(fa, fb, false)
	}
	return proportional(fa, fb, true)
}

// relForm rewrites a two-sided relation as f op 0 with op one of
// "=", "<", "<=", "!=".
func relForm(n *node) (*node, string) {
	l, r := n.kids[0], n.kids[1]
	diff := func(x, y *node) *node {
		return &node{op: opAdd, kids: []*node{x, {op: opNeg, kids: []*node{y}}}}
	}
	switch n.num {
	case "=", "~", "!=":
		return diff(l, r), n.num
	case "<", "<=":
		return diff(l, r), n.num
	case ">":
		return diff(r, l), "<"
	case ">=":
		return diff(r, l), "<="
	}
	return nil, ""
}

// proportional checks f = k·g for one constant k (k > 0 when positive).
func proportional(f, g *node, positive bool) bool {
	var k complex128
	good := 0
	for pt := 0; pt < points; pt++ {
		cf := evalCtx{point: pt, pm: 1}
		cg := evalCtx{point: pt, pm: 1}
		vf, e1 := cf.eval(f, 0)
		vg, e2 := cg.eval(g, 0)
		if e1 != nil || e2 != nil || !finite(vf) || !finite(vg) {
			continue
		}
		if close(vg, 0) || close(vf, 0) {
			if close(vg, 0) && close(vf, 0) {
				good++
				continue
			}
			return false
		}
		r := vf / vg
		if k == 0 {
			k = r
			if positive && (real(k) <= 0 || !close(complex(0, imag(k)), 0)) {
				return false
			}
		} else if !close(r, k) {
			return false
		}
		good++
	}
	return good >= 3
}
