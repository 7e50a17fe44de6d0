package answer

import (
	"errors"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits that keep hostile or runaway input cheap: every recursive descent
// checks depth, and inputs above maxExprLen are not parsed at all (they
// fall back to plain string comparison).
const (
	maxDepth   = 200
	maxExprLen = 4000
	maxNodes   = 5000
)

var errParse = errors.New("answer: cannot parse expression")

var reFracStart = regexp.MustCompile(`^\\[dt]?frac\s*(?:\d\d|\{\d+\}\s*\{\d+\})`)

// node is one vertex of a parsed answer. Scalars, structures (tuples,
// sets, intervals, matrices, lists) and relations share one type so that
// comparison can walk both sides together.
type node struct {
	op    string // see the op constants below
	num   string // literal text for opNum, name for opVar/opFunc/opWord
	kids  []*node
	open  byte // bracket kinds for tuples and intervals: '(' '[' ; ')' ']'
	close byte
	rows  int // matrix shape
	cols  int
}

const (
	opNum    = "num"
	opVar    = "var"
	opConst  = "const" // pi, e, i, inf
	opAdd    = "+"
	opMul    = "*"
	opDiv    = "/"
	opPow    = "^"
	opNeg    = "neg"
	opPM     = "pm" // a ± b
	opFunc   = "func"
	opFact   = "!"
	opPct    = "%"
	opAbs    = "abs"
	opTuple  = "tuple"  // bracketed list: tuple, point or interval
	opSet    = "set"    // \{ ... \}
	opList   = "list"   // bare comma/and separated answers
	opMatrix = "matrix" // kids row-major
	opUnion  = "union"
	opRel    = "rel" // num holds the chain of relation symbols, ";"-joined
	opWord   = "word"
	opIn     = "in" // x \in S
)

// parser is a recursive-descent parser over a normalised LaTeX/ASCII
// answer. It works directly on the string so that LaTeX's brace-less
// arguments (\frac12, \sqrt3) can read exactly one character.
type parser struct {
	s     string
	pos   int
	depth int
	nodes int
}

// parseAnswer parses a normalised answer string into a node tree.
func parseAnswer(s string) (n *node, err error) {
	if len(s) > maxExprLen {
		return nil, errParse
	}
	p := &parser{s: s}
	n, err = p.parseList()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return nil, errParse
	}
	return n, nil
}

func (p *parser) newNode(n node) (*node, error) {
	p.nodes++
	if p.nodes > maxNodes {
		return nil, errParse
	}
	return &n, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return errParse
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '~' {
			p.pos++
			continue
		}
		// Spacing commands carry no meaning in an answer.
		if c == '\\' && p.pos+1 < len(p.s) {
			switch p.s[p.pos+1] {
			case ',', ';', '!', ' ', ':':
				p.pos += 2
				continue
			}
			for _, w := range []string{`\quad`, `\qquad`, `\left`, `\right`, `\displaystyle`, `\big`, `\Big`, `\bigg`, `\Bigg`} {
				if strings.HasPrefix(p.s[p.pos:], w) && !isLetterAt(p.s, p.pos+len(w)) {
					p.pos += len(w)
					if (w == `\left` || w == `\right`) && p.pos < len(p.s) && p.s[p.pos] == '.' {
						p.pos++
					}
					goto next
				}
			}
		}
		return
	next:
	}
}

func isLetterAt(s string, i int) bool {
	return i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z')
}

func (p *parser) peekStr(w string) bool {
	p.skipSpace()
	return strings.HasPrefix(p.s[p.pos:], w)
}

// peekCmd reports whether the next token is the LaTeX command name
// (without a following letter, so \in does not match \infty).
func (p *parser) peekCmd(name string) bool {
	p.skipSpace()
	return strings.HasPrefix(p.s[p.pos:], name) && !isLetterAt(p.s, p.pos+len(name))
}

// isSep reports a list separator at the current position and consumes it.
func (p *parser) acceptSep() bool {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return false
	}
	switch p.s[p.pos] {
	case ',', ';':
		p.pos++
		// "19, 46, and 82": a run of separators counts once.
		for p.acceptSep() {
		}
		return true
	}
	for _, w := range []string{"and", "or"} {
		if strings.HasPrefix(p.s[p.pos:], w) && !isLetterAt(p.s, p.pos+len(w)) {
			p.pos += len(w)
			for p.acceptSep() {
			}
			return true
		}
	}
	return false
}

func (p *parser) parseList() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	first, err := p.parseRel()
	if err != nil {
		return nil, err
	}
	items := []*node{first}
	for p.acceptSep() {
		p.skipSpace()
		if p.pos >= len(p.s) || strings.ContainsRune(")]}", rune(p.s[p.pos])) || p.peekStr(`\}`) {
			break // trailing separator
		}
		n, err := p.parseRel()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) == 1 {
		return first, nil
	}
	return p.newNode(node{op: opList, kids: items})
}

var relSyms = []struct{ text, sym string }{
	{`\leqslant`, "<="}, {`\geqslant`, ">="}, {`\leq`, "<="}, {`\geq`, ">="}, {`\le`, "<="}, {`\ge`, ">="},
	{`\lt`, "<"}, {`\gt`, ">"}, {`\neq`, "!="}, {`\ne`, "!="}, {`\approx`, "~"}, {`\equiv`, "="},
	{`\in`, "in"}, {"<=", "<="}, {">=", ">="}, {"!=", "!="}, {"==", "="}, {"=", "="}, {"<", "<"}, {">", ">"},
	{"≤", "<="}, {"≥", ">="}, {"≠", "!="}, {"≈", "~"}, {"∈", "in"},
}

func (p *parser) acceptRel() string {
	p.skipSpace()
	rest := p.s[p.pos:]
	for _, r := range relSyms {
		if strings.HasPrefix(rest, r.text) {
			if r.text[0] == '\\' && isLetterAt(rest, len(r.text)) {
				continue
			}
			p.pos += len(r.text)
			return r.sym
		}
	}
	return ""
}

func (p *parser) parseRel() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	first, err := p.parseUnion()
	if err != nil {
		return nil, err
	}
	var syms []string
	kids := []*node{first}
	for {
		sym := p.acceptRel()
		if sym == "" {
			break
		}
		n, err := p.parseUnion()
		if err != nil {
			return nil, err
		}
		syms = append(syms, sym)
		kids = append(kids, n)
	}
	if len(syms) == 0 {
		return first, nil
	}
	if len(syms) == 1 && syms[0] == "in" {
		return p.newNode(node{op: opIn, kids: kids})
	}
	return p.newNode(node{op: opRel, num: strings.Join(syms, ";"), kids: kids})
}

func (p *parser) parseUnion() (*node, error) {
	first, err := p.parseSum()
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for p.peekCmd(`\cup`) || p.peekStr("∪") {
		if p.peekCmd(`\cup`) {
			p.pos += len(`\cup`)
		} else {
			p.pos += len("∪")
		}
		n, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return p.newNode(node{op: opUnion, kids: kids})
}

func (p *parser) acceptPM() bool {
	p.skipSpace()
	for _, w := range []string{`\pm`, `\mp`, "±", "∓", "+-"} {
		if strings.HasPrefix(p.s[p.pos:], w) && !(w[0] == '\\' && isLetterAt(p.s, p.pos+len(w))) {
			p.pos += len(w)
			return true
		}
	}
	return false
}

func (p *parser) parseSum() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var left *node
	var err error
	if p.acceptPM() {
		t, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		zero, _ := p.newNode(node{op: opNum, num: "0"})
		left, err = p.newNode(node{op: opPM, kids: []*node{zero, t}})
		if err != nil {
			return nil, err
		}
	} else if left, err = p.parseTerm(); err != nil {
		return nil, err
	}
	for {
		if p.acceptPM() {
			r, err := p.parseTerm()
			if err != nil {
				return nil, err
			}
			if left, err = p.newNode(node{op: opPM, kids: []*node{left, r}}); err != nil {
				return nil, err
			}
			continue
		}
		p.skipSpace()
		if p.pos >= len(p.s) {
			return left, nil
		}
		c := p.s[p.pos]
		if c != '+' && c != '-' && !strings.HasPrefix(p.s[p.pos:], "−") {
			return left, nil
		}
		if c == '+' || c == '-' {
			p.pos++
		} else {
			p.pos += len("−")
		}
		r, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		if c != '+' {
			if r, err = p.newNode(node{op: opNeg, kids: []*node{r}}); err != nil {
				return nil, err
			}
		}
		if left, err = p.newNode(node{op: opAdd, kids: []*node{left, r}}); err != nil {
			return nil, err
		}
	}
}

var mulSyms = []string{`\cdot`, `\times`, `\div`, "**", "*", "/", ":", "×", "÷", "·", "⋅"}

func (p *parser) parseTerm() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		rest := p.s[p.pos:]
		op := ""
		for _, m := range mulSyms {
			if strings.HasPrefix(rest, m) && !(m[0] == '\\' && isLetterAt(rest, len(m))) {
				if m == "**" {
					break // power, handled lower down
				}
				op = m
				break
			}
		}
		var r *node
		switch {
		case op != "":
			p.pos += len(op)
			if r, err = p.parseUnary(); err != nil {
				return nil, err
			}
			if op == "/" || op == ":" || op == `\div` || op == "÷" {
				left, err = p.newNode(node{op: opDiv, kids: []*node{left, r}})
			} else {
				left, err = p.newNode(node{op: opMul, kids: []*node{left, r}})
			}
		case p.startsPrimary():
			mixed := left.op == opNum && !strings.ContainsAny(left.num, ".eE") && reFracStart.MatchString(p.s[p.pos:])
			if r, err = p.parsePower(); err != nil {
				return nil, err
			}
			if mixed && r.op == opDiv && r.kids[0].op == opNum && r.kids[1].op == opNum {
				// 1\frac12 is the mixed number one and a half.
				left, err = p.newNode(node{op: opAdd, kids: []*node{left, r}})
				break
			}
			left, err = p.newNode(node{op: opMul, kids: []*node{left, r}})
		default:
			return left, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// startsPrimary decides whether juxtaposition means implicit
// multiplication ("2x", "x(y+1)", "3\sqrt2").
func (p *parser) startsPrimary() bool {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return false
	}
	c := p.s[p.pos]
	switch {
	case c >= '0' && c <= '9', c == '.' && p.pos+1 < len(p.s) && isDigit(p.s[p.pos+1]):
		return true
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		rest := p.s[p.pos:]
		for _, w := range []string{"and", "or"} {
			if strings.HasPrefix(rest, w) && !isLetterAt(rest, len(w)) {
				return false
			}
		}
		return true
	case c == '(' || c == '{':
		return true
	case c == '[':
		// A bracket after a value starts an interval in a list, not a
		// product, unless it only groups: "\frac14[\cos 2t + \sin 2t]".
		return groupingBracket(p.s[p.pos:])
	case c == '\\':
		rest := p.s[p.pos+1:]
		if strings.HasPrefix(rest, "{") {
			return true
		}
		name := leadingLetters(rest)
		switch name {
		case "cdot", "times", "div", "cup", "pm", "mp", "in", "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq",
			"approx", "equiv", "end", "leqslant", "geqslant", "quad", "qquad", "right":
			return false
		}
		return name != ""
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	return r == 'π' || r == '√' || r == '∞' || unicode.Is(unicode.Greek, r)
}

func leadingLetters(s string) string {
	i := 0
	for i < len(s) && isLetterAt(s, i) {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) parseUnary() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipSpace()
	if p.pos < len(p.s) && (p.s[p.pos] == '-' || p.s[p.pos] == '+') {
		neg := p.s[p.pos] == '-'
		p.pos++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if neg {
			return p.newNode(node{op: opNeg, kids: []*node{x}})
		}
		return x, nil
	}
	if strings.HasPrefix(p.s[p.pos:], "−") {
		p.pos += len("−")
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opNeg, kids: []*node{x}})
	}
	return p.parsePower()
}

func (p *parser) parsePower() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	base, err := p.parsePostfix()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if strings.HasPrefix(p.s[p.pos:], "**") || (p.pos < len(p.s) && p.s[p.pos] == '^') {
		if p.s[p.pos] == '^' {
			p.pos++
		} else {
			p.pos += 2
		}
		var exp *node
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '{' || p.pos < len(p.s) && p.s[p.pos] != '-' && p.s[p.pos] != '(' {
			exp, err = p.parseArg()
		} else {
			exp, err = p.parseUnary()
		}
		if err != nil {
			return nil, err
		}
		if exp.op == opConst && exp.num == "circ" {
			return p.postfixTail(base) // degrees: 90^\circ is 90
		}
		n, err := p.newNode(node{op: opPow, kids: []*node{base, exp}})
		if err != nil {
			return nil, err
		}
		return p.postfixTail(n)
	}
	return base, nil
}

func (p *parser) parsePostfix() (*node, error) {
	n, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	return p.postfixTail(n)
}

func (p *parser) postfixTail(n *node) (*node, error) {
	var err error
	for {
		p.skipSpace()
		rest := p.s[p.pos:]
		switch {
		case strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!="):
			p.pos++
			n, err = p.newNode(node{op: opFact, kids: []*node{n}})
		case strings.HasPrefix(rest, `\%`):
			p.pos += 2
			n, err = p.newNode(node{op: opPct, kids: []*node{n}})
		case strings.HasPrefix(rest, "%"):
			p.pos++
			n, err = p.newNode(node{op: opPct, kids: []*node{n}})
		case strings.HasPrefix(rest, "°"):
			p.pos += len("°")
		case strings.HasPrefix(rest, `\circ`) || strings.HasPrefix(rest, `\degree`):
			p.pos += len(`\circ`)
			if strings.HasPrefix(rest, `\degree`) {
				p.pos++
			}
		case strings.HasPrefix(rest, "'") && n.op == opVar:
			p.pos++
			n, err = p.newNode(node{op: opVar, num: n.num + "'"})
		default:
			return n, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// parseArg reads one LaTeX macro argument: a braced group or a single
// character/command, as TeX itself does for \frac12 or x^2.
func (p *parser) parseArg() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, errParse
	}
	c := p.s[p.pos]
	switch {
	case c == '{':
		p.pos++
		n, err := p.parseList()
		if err != nil {
			return nil, err
		}
		if !p.peekStr("}") {
			return nil, errParse
		}
		p.pos++
		return n, nil
	case isDigit(c):
		p.pos++
		return p.newNode(node{op: opNum, num: string(c)})
	case isLetterAt(p.s, p.pos):
		p.pos++
		return p.letterNode(string(c))
	}
	return p.parsePrimary()
}

var funcNames = map[string]bool{
	"sin": true, "cos": true, "tan": true, "sec": true, "csc": true, "cot": true,
	"arcsin": true, "arccos": true, "arctan": true, "sinh": true, "cosh": true, "tanh": true,
	"log": true, "ln": true, "lg": true, "exp": true, "sqrt": true, "abs": true,
	"asin": true, "acos": true, "atan": true,
}

// ignoredCmds are font and decoration commands whose argument is the
// content itself.
var ignoredCmds = map[string]bool{
	"mathbf": true, "mathrm": true, "mathit": true, "boldsymbol": true, "bm": true, "operatorname": true,
	"overline": true, "overrightarrow": true, "vec": true, "hat": true, "bar": true, "widehat": true,
	"mathbb": true, "mathcal": true, "boxed": true, "fbox": true, "underline": true, "textit": true,
	"emph": true, "mathsf": true, "tilde": true, "widetilde": true, "dot": true, "ddot": true,
}

var greek = map[string]bool{
	"alpha": true, "beta": true, "gamma": true, "delta": true, "epsilon": true, "varepsilon": true, "zeta": true,
	"eta": true, "theta": true, "vartheta": true, "iota": true, "kappa": true, "lambda": true, "mu": true,
	"nu": true, "xi": true, "rho": true, "sigma": true, "tau": true, "upsilon": true, "phi": true,
	"varphi": true, "chi": true, "psi": true, "omega": true, "Gamma": true, "Delta": true, "Theta": true,
	"Lambda": true, "Xi": true, "Pi": true, "Sigma": true, "Phi": true, "Psi": true, "Omega": true,
}

func (p *parser) letterNode(name string) (*node, error) {
	switch name {
	case "e", "i":
		return p.newNode(node{op: opConst, num: name})
	}
	return p.newNode(node{op: opVar, num: name})
}

// parseSubscript appends a subscript to a name: a_{37} and a_37 both
// become the variable "a_37".
func (p *parser) parseSubscript() string {
	if p.pos >= len(p.s) || p.s[p.pos] != '_' {
		return ""
	}
	p.pos++
	if p.pos < len(p.s) && p.s[p.pos] == '{' {
		end := matchBrace(p.s, p.pos)
		if end < 0 {
			return ""
		}
		sub := p.s[p.pos+1 : end]
		p.pos = end + 1
		return "_" + strings.Join(strings.Fields(strings.NewReplacer("{", "", "}", "").Replace(sub)), "")
	}
	start := p.pos
	for p.pos < len(p.s) && (isDigit(p.s[p.pos]) || isLetterAt(p.s, p.pos)) {
		p.pos++
		if !isDigit(p.s[p.pos-1]) {
			break
		}
	}
	return "_" + p.s[start:p.pos]
}

// matchBrace returns the index of the brace closing the one at i, or -1.
func matchBrace(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func (p *parser) parsePrimary() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, errParse
	}
	c := p.s[p.pos]
	switch {
	case isDigit(c) || c == '.' && p.pos+1 < len(p.s) && isDigit(p.s[p.pos+1]):
		return p.parseNumber()
	case c == '(' || c == '[':
		return p.parseBracket()
	case c == '{':
		p.pos++
		n, err := p.parseList()
		if err != nil {
			return nil, err
		}
		if !p.peekStr("}") {
			return nil, errParse
		}
		p.pos++
		return n, nil
	case c == '|':
		p.pos++
		n, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		if !p.peekStr("|") {
			return nil, errParse
		}
		p.pos++
		return p.newNode(node{op: opAbs, kids: []*node{n}})
	case isLetterAt(p.s, p.pos):
		return p.parseName()
	case c == '\\':
		return p.parseCommand()
	}
	r, size := utf8.DecodeRuneInString(p.s[p.pos:])
	switch {
	case r == 'π':
		p.pos += size
		return p.newNode(node{op: opConst, num: "pi"})
	case r == '∞':
		p.pos += size
		return p.newNode(node{op: opConst, num: "inf"})
	case r == '√':
		p.pos += size
		x, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opFunc, num: "sqrt", kids: []*node{x}})
	case unicode.Is(unicode.Greek, r):
		p.pos += size
		return p.newNode(node{op: opVar, num: string(r) + p.parseSubscript()})
	}
	return nil, errParse
}

func (p *parser) parseNumber() (*node, error) {
	start := p.pos
	for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == '.' && p.pos+1 < len(p.s) && isDigit(p.s[p.pos+1]) {
		p.pos++
		for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
			p.pos++
		}
	}
	// Scientific notation: 1e3, 2.5E-4 (but not "2e" meaning 2·e).
	if p.pos+1 < len(p.s) && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		j := p.pos + 1
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		if j < len(p.s) && isDigit(p.s[j]) {
			for j < len(p.s) && isDigit(p.s[j]) {
				j++
			}
			p.pos = j
		}
	}
	lit := p.s[start:p.pos]
	// A base subscript: 204_5 is 204 in base five.
	if p.pos < len(p.s) && p.s[p.pos] == '_' {
		save := p.pos
		sub := p.parseSubscript()
		if base, ok := parseBaseNumber(lit, strings.TrimPrefix(sub, "_")); ok {
			return p.newNode(node{op: opNum, num: base})
		}
		p.pos = save
		return nil, errParse
	}
	return p.newNode(node{op: opNum, num: lit})
}

func parseBaseNumber(digits, base string) (string, bool) {
	b := 0
	for _, c := range base {
		if c < '0' || c > '9' || b > 36 {
			return "", false
		}
		b = b*10 + int(c-'0')
	}
	if b < 2 || b > 36 {
		return "", false
	}
	v, ok := new(big.Int).SetString(digits, b)
	if !ok {
		return "", false
	}
	return v.String(), true
}

func (p *parser) parseBracket() (*node, error) {
	open := p.s[p.pos]
	p.pos++
	p.skipSpace()
	var items []*node
	for {
		n, err := p.parseRel()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
		p.skipSpace()
		if p.pos < len(p.s) && (p.s[p.pos] == ',' || p.s[p.pos] == ';') {
			p.pos++
			continue
		}
		break
	}
	p.skipSpace()
	if p.pos >= len(p.s) || (p.s[p.pos] != ')' && p.s[p.pos] != ']') {
		return nil, errParse
	}
	closeB := p.s[p.pos]
	p.pos++
	if len(items) == 1 && (open == '(' && closeB == ')' || open == '[' && closeB == ']') {
		return items[0], nil // plain grouping
	}
	if len(items) == 1 {
		return nil, errParse
	}
	return p.newNode(node{op: opTuple, kids: items, open: open, close: closeB})
}

// parseName reads ASCII identifiers: single letters are variables (so
// "xy" is x·y), known function names apply to their argument, and longer
// runs are words (units, "odd", "undefined").
func (p *parser) parseName() (*node, error) {
	word := leadingLetters(p.s[p.pos:])
	switch {
	case word == "pi":
		p.pos += 2
		return p.newNode(node{op: opConst, num: "pi"})
	case word == "oo" || word == "inf" || word == "infty" || word == "infinity":
		p.pos += len(word)
		return p.newNode(node{op: opConst, num: "inf"})
	case funcNames[word]:
		p.pos += len(word)
		return p.parseFuncArgs(word)
	case len(word) >= 3:
		p.pos += len(word)
		return p.newNode(node{op: opWord, num: strings.ToLower(word)})
	}
	p.pos++
	name := word[:1]
	if sub := p.parseSubscript(); sub != "" {
		return p.newNode(node{op: opVar, num: name + sub})
	}
	return p.letterNode(name)
}

// scriptArg parses the argument after mark ('_' or '^') when mark is the
// next character past any space, and returns nil otherwise.
func (p *parser) scriptArg(mark byte) (*node, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != mark {
		return nil, nil
	}
	p.pos++
	return p.parseArg()
}

func (p *parser) parseFuncArgs(name string) (*node, error) {
	switch name {
	case "asin":
		name = "arcsin"
	case "acos":
		name = "arccos"
	case "atan":
		name = "arctan"
	case "lg":
		name = "log"
	}
	// \log_2 x
	base, err := p.scriptArg('_')
	if err != nil {
		return nil, err
	}
	// \sin^2 x means (\sin x)^2.
	power, err := p.scriptArg('^')
	if err != nil {
		return nil, err
	}
	var arg *node
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		arg, err = p.parsePostfix()
	} else {
		arg, err = p.parsePower()
	}
	if err != nil {
		return nil, err
	}
	f, err := p.newNode(node{op: opFunc, num: name, kids: []*node{arg}})
	if err != nil {
		return nil, err
	}
	if base != nil {
		lb, err := p.newNode(node{op: opFunc, num: "ln", kids: []*node{base}})
		if err != nil {
			return nil, err
		}
		f.num = "ln"
		if f, err = p.newNode(node{op: opDiv, kids: []*node{f, lb}}); err != nil {
			return nil, err
		}
	}
	if power != nil {
		return p.newNode(node{op: opPow, kids: []*node{f, power}})
	}
	return f, nil
}

func (p *parser) parseCommand() (*node, error) {
	rest := p.s[p.pos+1:]
	if strings.HasPrefix(rest, "{") { // \{ ... \} is a set
		p.pos += 2
		p.skipSpace()
		if p.peekStr(`\}`) {
			p.pos += 2
			return p.newNode(node{op: opSet})
		}
		n, err := p.parseList()
		if err != nil {
			return nil, err
		}
		if !p.peekStr(`\}`) {
			return nil, errParse
		}
		p.pos += 2
		kids := []*node{n}
		if n.op == opList {
			kids = n.kids
		}
		return p.newNode(node{op: opSet, kids: kids})
	}
	if strings.HasPrefix(rest, "$") { // \$ currency sign
		p.pos += 2
		return p.parsePrimary()
	}
	name := leadingLetters(rest)
	if name == "" {
		return nil, errParse
	}
	p.pos += 1 + len(name)
	switch {
	case name == "frac" || name == "dfrac" || name == "tfrac" || name == "cfrac":
		a, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		b, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opDiv, kids: []*node{a, b}})
	case name == "binom" || name == "dbinom" || name == "tbinom":
		a, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		b, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opFunc, num: "binom", kids: []*node{a, b}})
	case name == "sqrt":
		p.skipSpace()
		var root *node
		if p.pos < len(p.s) && p.s[p.pos] == '[' {
			end := strings.IndexByte(p.s[p.pos:], ']')
			if end < 0 {
				return nil, errParse
			}
			r, err := parseSub(p, p.s[p.pos+1:p.pos+end])
			if err != nil {
				return nil, err
			}
			root = r
			p.pos += end + 1
		}
		x, err := p.parseArg()
		if err != nil {
			return nil, err
		}
		if root == nil {
			return p.newNode(node{op: opFunc, num: "sqrt", kids: []*node{x}})
		}
		one, _ := p.newNode(node{op: opNum, num: "1"})
		inv, err := p.newNode(node{op: opDiv, kids: []*node{one, root}})
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opPow, kids: []*node{x, inv}})
	case name == "pi":
		return p.newNode(node{op: opConst, num: "pi"})
	case name == "infty" || name == "infin":
		return p.newNode(node{op: opConst, num: "inf"})
	case name == "circ" || name == "degree":
		return p.newNode(node{op: opConst, num: "circ"})
	case name == "emptyset" || name == "varnothing":
		return p.newNode(node{op: opSet})
	case name == "text" || name == "textbf" || name == "mbox" || name == "textrm" || name == "texttt" || name == "textnormal":
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '{' {
			return nil, errParse
		}
		end := matchBrace(p.s, p.pos)
		if end < 0 {
			return nil, errParse
		}
		inner := p.s[p.pos+1 : end]
		p.pos = end + 1
		if w := strings.TrimSpace(inner); w != "" && leadingLetters(w) == w && (len(w) >= 2 || inner[0] == ' ') {
			return p.newNode(node{op: opWord, num: strings.ToLower(w)})
		}
		return parseSub(p, inner)
	case ignoredCmds[name]:
		return p.parseArg()
	case name == "begin":
		return p.parseMatrix()
	case funcNames[name]:
		return p.parseFuncArgs(name)
	case greek[name]:
		return p.newNode(node{op: opVar, num: name + p.parseSubscript()})
	case name == "lfloor" || name == "lceil":
		closer := `\rfloor`
		fn := "floor"
		if name == "lceil" {
			closer, fn = `\rceil`, "ceil"
		}
		n, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		if !p.peekStr(closer) {
			return nil, errParse
		}
		p.pos += len(closer)
		return p.newNode(node{op: opFunc, num: fn, kids: []*node{n}})
	case name == "sum" || name == "prod":
		// Sums are compared by structure only (the body and bounds),
		// which is enough for answers that restate a recurrence.
		var lo, hi *node
		for i := 0; i < 2; i++ {
			p.skipSpace()
			if p.pos < len(p.s) && (p.s[p.pos] == '_' || p.s[p.pos] == '^') {
				c := p.s[p.pos]
				p.pos++
				a, err := p.parseArg()
				if err != nil {
					return nil, err
				}
				if c == '_' {
					lo = a
				} else {
					hi = a
				}
			}
		}
		if lo == nil || hi == nil {
			return nil, errParse
		}
		body, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		return p.newNode(node{op: opFunc, num: name, kids: []*node{lo, hi, body}})
	case name == "dots" || name == "ldots" || name == "cdots":
		return p.newNode(node{op: opWord, num: "..."})
	}
	return nil, errParse
}

// parseSub parses an embedded fragment (a \text{} body, a root index)
// with the same depth budget as the outer parse.
func parseSub(p *parser, s string) (*node, error) {
	q := &parser{s: s, depth: p.depth, nodes: p.nodes}
	q.skipSpace()
	if q.pos >= len(q.s) {
		return q.newNode(node{op: opWord, num: ""})
	}
	n, err := q.parseList()
	if err == nil {
		q.skipSpace()
		if q.pos < len(q.s) {
			err = errParse
		}
	}
	p.nodes = q.nodes
	if err != nil {
		// Free text: keep it as one word so text answers compare as text.
		return p.newNode(node{op: opWord, num: strings.ToLower(strings.Join(strings.Fields(s), " "))})
	}
	return n, nil
}

func (p *parser) parseMatrix() (*node, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != '{' {
		return nil, errParse
	}
	end := matchBrace(p.s, p.pos)
	if end < 0 {
		return nil, errParse
	}
	env := p.s[p.pos+1 : end]
	if !strings.HasSuffix(env, "matrix") && env != "array" {
		return nil, errParse
	}
	p.pos = end + 1
	if env == "array" { // column spec
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '{' {
			e := matchBrace(p.s, p.pos)
			if e < 0 {
				return nil, errParse
			}
			p.pos = e + 1
		}
	}
	closer := `\end{` + env + `}`
	stop := strings.Index(p.s[p.pos:], closer)
	if stop < 0 {
		return nil, errParse
	}
	body := p.s[p.pos : p.pos+stop]
	p.pos += stop + len(closer)
	var cells []*node
	rows, cols := 0, -1
	for _, row := range strings.Split(body, `\\`) {
		if strings.TrimSpace(row) == "" {
			continue
		}
		parts := strings.Split(row, "&")
		if cols >= 0 && len(parts) != cols {
			return nil, errParse
		}
		cols = len(parts)
		for _, c := range parts {
			n, err := parseSub(p, c)
			if err != nil {
				return nil, err
			}
			cells = append(cells, n)
		}
		rows++
	}
	if rows == 0 {
		return nil, errParse
	}
	return p.newNode(node{op: opMatrix, kids: cells, rows: rows, cols: cols})
}

// String renders a node canonically; it is the last-resort comparison
// for values that cannot be evaluated (huge powers, infinities, words).
func (n *node) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

func (n *node) write(b *strings.Builder, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.op {
	case opNum:
		b.WriteString(trimNumber(n.num))
		return
	case opVar, opConst, opWord:
		b.WriteString(n.num)
		return
	}
	if n.op == opAdd || n.op == opMul {
		// Sums and products print their flattened operands sorted, so
		// the canonical form ignores commutative reordering.
		var parts []*node
		flattenOp(n, n.op, &parts, depth)
		strs := make([]string, len(parts))
		for i, k := range parts {
			var sb strings.Builder
			k.write(&sb, depth+1)
			strs[i] = sb.String()
		}
		sort.Strings(strs)
		b.WriteString(n.op + "(" + strings.Join(strs, ",") + ")")
		return
	}
	b.WriteString(n.op)
	if n.op == opFunc || n.op == opRel {
		b.WriteString(":" + n.num)
	}
	if n.op == opTuple {
		b.WriteByte(n.open)
	}
	if n.op == opMatrix {
		b.WriteString(strconv.Itoa(n.rows) + "x" + strconv.Itoa(n.cols))
	}
	b.WriteByte('(')
	for i, k := range n.kids {
		if i > 0 {
			b.WriteByte(',')
		}
		k.write(b, depth+1)
	}
	b.WriteByte(')')
	if n.op == opTuple {
		b.WriteByte(n.close)
	}
}

func flattenOp(n *node, op string, out *[]*node, depth int) {
	if n.op == op && depth < maxDepth {
		flattenOp(n.kids[0], op, out, depth+1)
		flattenOp(n.kids[1], op, out, depth+1)
		return
	}
	*out = append(*out, n)
}

// trimNumber drops insignificant zeros so "4.0" and "4" print alike.
func trimNumber(s string) string {
	if strings.ContainsAny(s, "eE") || !strings.Contains(s, ".") {
		s = strings.TrimLeft(s, "0")
		if s == "" || s[0] == '.' {
			s = "0" + s
		}
		return s
	}
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	s = strings.TrimLeft(s, "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	return s
}

// groupingBracket reports whether s starts with a square bracket that
// holds one expression (no top-level comma or semicolon) and closes
// with "]", as brackets used for grouping do.
func groupingBracket(s string) bool {
	depth := 0
	for i := 0; i < len(s) && i < maxExprLen; i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', '}':
			depth--
		case ']':
			depth--
			if depth == 0 {
				return i > 1
			}
		case ',', ';':
			if depth == 1 {
				return false
			}
		}
		if depth <= 0 {
			return false
		}
	}
	return false
}
