package answer

import (
	"errors"
	"hash/fnv"
	"math"
	"math/big"
	"math/cmplx"
	"strconv"
	"strings"
)

var errEval = errors.New("answer: cannot evaluate")

// evalCtx fixes how the ambiguous parts of an expression are read for one
// evaluation: the values of free variables, the branch of ±, and whether
// a percent sign divides by 100.
type evalCtx struct {
	point int     // which random point to use for variables
	pm    float64 // +1 or -1
	pct   bool    // true: 50% is 0.5; false: 50% is 50
	steps int
}

// varValue gives each variable name a deterministic pseudo-random value
// per point, so both sides of a comparison see the same assignment.
// Values stay in (0.6, 2.6) to keep logs and square roots on their
// principal real branch.
func varValue(name string, point int) complex128 {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{byte(point), byte(point >> 8)})
	u := float64(h.Sum64()>>11) / float64(1<<53)
	return complex(0.6+2*u, 0)
}

func (c *evalCtx) eval(n *node, depth int) (complex128, error) {
	c.steps++
	if depth > maxDepth || c.steps > 20*maxNodes {
		return 0, errEval
	}
	d := depth + 1
	switch n.op {
	case opNum:
		f, _, err := big.ParseFloat(n.num, 10, 64, big.ToNearestEven)
		if err != nil {
			return 0, errEval
		}
		v, _ := f.Float64()
		return complex(v, 0), nil
	case opConst:
		switch n.num {
		case "pi":
			return math.Pi, nil
		case "e":
			return math.E, nil
		case "i":
			return 1i, nil
		case "inf":
			return complex(math.Inf(1), 0), nil
		}
		return 0, errEval
	case opVar:
		return varValue(n.num, c.point), nil
	case opNeg:
		x, err := c.eval(n.kids[0], d)
		return -x, err
	case opPct:
		x, err := c.eval(n.kids[0], d)
		if c.pct {
			x /= 100
		}
		return x, err
	case opAbs:
		x, err := c.eval(n.kids[0], d)
		return complex(cmplx.Abs(x), 0), err
	case opFact:
		x, err := c.eval(n.kids[0], d)
		if err != nil || imag(x) != 0 || real(x) < 0 || real(x) != math.Trunc(real(x)) {
			return 0, errEval
		}
		return complex(math.Gamma(real(x)+1), 0), nil
	case opAdd, opMul, opDiv, opPow, opPM:
		a, b, err := c.evalPair(n, d)
		if err != nil {
			return 0, err
		}
		switch n.op {
		case opAdd:
			return a + b, nil
		case opPM:
			return a + complex(c.pm, 0)*b, nil
		case opMul:
			return a * b, nil
		case opDiv:
			if b == 0 {
				return 0, errEval
			}
			return a / b, nil
		}
		return power(a, b), nil
	case opFunc:
		if n.num == "binom" {
			a, b, err := c.evalPair(n, d)
			if err != nil {
				return 0, err
			}
			ga, _ := math.Lgamma(real(a) + 1)
			gb, _ := math.Lgamma(real(b) + 1)
			gc, _ := math.Lgamma(real(a) - real(b) + 1)
			return complex(math.Round(math.Exp(ga-gb-gc)), 0), nil
		}
		x, err := c.eval(n.kids[0], d)
		if err != nil {
			return 0, err
		}
		return applyFunc(n.num, x)
	}
	return 0, errEval
}

// evalPair evaluates the two operands of a binary node.
func (c *evalCtx) evalPair(n *node, depth int) (a, b complex128, err error) {
	if a, err = c.eval(n.kids[0], depth); err != nil {
		return 0, 0, err
	}
	b, err = c.eval(n.kids[1], depth)
	return a, b, err
}

// power keeps integer powers of reals exact-ish and real, because
// cmplx.Pow of a negative base gives tiny imaginary noise.
func power(a, b complex128) complex128 {
	if imag(a) == 0 && imag(b) == 0 {
		if real(b) == math.Trunc(real(b)) || real(a) >= 0 {
			return complex(math.Pow(real(a), real(b)), 0)
		}
		// Odd roots of negatives stay real: (-8)^(1/3) = -2.
		if inv := 1 / real(b); math.Abs(inv-math.Round(inv)) < 1e-9 && int64(math.Round(inv))%2 != 0 {
			return complex(-math.Pow(-real(a), real(b)), 0)
		}
	}
	if a == 0 {
		return 0
	}
	return cmplx.Pow(a, b)
}

func applyFunc(name string, x complex128) (complex128, error) {
	switch name {
	case "sqrt":
		if imag(x) == 0 && real(x) >= 0 {
			return complex(math.Sqrt(real(x)), 0), nil
		}
		return cmplx.Sqrt(x), nil
	case "sin":
		return cmplx.Sin(x), nil
	case "cos":
		return cmplx.Cos(x), nil
	case "tan":
		return cmplx.Tan(x), nil
	case "sec":
		return 1 / cmplx.Cos(x), nil
	case "csc":
		return 1 / cmplx.Sin(x), nil
	case "cot":
		return 1 / cmplx.Tan(x), nil
	case "arcsin":
		return cmplx.Asin(x), nil
	case "arccos":
		return cmplx.Acos(x), nil
	case "arctan":
		return cmplx.Atan(x), nil
	case "sinh":
		return cmplx.Sinh(x), nil
	case "cosh":
		return cmplx.Cosh(x), nil
	case "tanh":
		return cmplx.Tanh(x), nil
	case "ln", "log":
		// \log without a base is read as natural log, as sympy and the
		// MATH dataset's graders do; log_b has been rewritten already.
		if x == 0 {
			return 0, errEval
		}
		return cmplx.Log(x), nil
	case "exp":
		return cmplx.Exp(x), nil
	case "abs":
		return complex(cmplx.Abs(x), 0), nil
	case "floor":
		return complex(math.Floor(real(x)), 0), nil
	case "ceil":
		return complex(math.Ceil(real(x)), 0), nil
	}
	return 0, errEval
}

// exactRat evaluates expressions built only from literals and + - * / and
// small integer powers exactly, so large integers are never compared
// through float rounding (12345678901 vs 12345678902).
func exactRat(n *node, depth int) (*big.Rat, bool) {
	if depth > maxDepth {
		return nil, false
	}
	switch n.op {
	case opNum:
		if len(n.num) > 400 {
			return nil, false
		}
		r, ok := new(big.Rat).SetString(n.num)
		return r, ok
	case opNeg:
		r, ok := exactRat(n.kids[0], depth+1)
		if !ok {
			return nil, false
		}
		return r.Neg(r), true
	case opAdd, opMul, opDiv:
		a, b, ok := exactPair(n, depth+1)
		if !ok {
			return nil, false
		}
		switch n.op {
		case opAdd:
			return a.Add(a, b), true
		case opMul:
			return a.Mul(a, b), true
		}
		if b.Sign() == 0 {
			return nil, false
		}
		return a.Quo(a, b), true
	case opPow:
		a, b, ok := exactPair(n, depth+1)
		if !ok || !b.IsInt() || b.Num().BitLen() > 12 {
			return nil, false
		}
		e := b.Num().Int64()
		if e < 0 || e > 2048 || a.Num().BitLen()*int(e) > 20000 || a.Denom().BitLen()*int(e) > 20000 {
			return nil, false
		}
		num := new(big.Int).Exp(a.Num(), big.NewInt(e), nil)
		den := new(big.Int).Exp(a.Denom(), big.NewInt(e), nil)
		return new(big.Rat).SetFrac(num, den), true
	}
	return nil, false
}

// exactPair is exactRat on the two operands of a binary node.
func exactPair(n *node, depth int) (a, b *big.Rat, ok bool) {
	if a, ok = exactRat(n.kids[0], depth); !ok {
		return nil, nil, false
	}
	b, ok = exactRat(n.kids[1], depth)
	return a, b, ok
}

// Tolerances for numeric comparison. relTol is relative to the larger
// magnitude; absTol only rescues values that should be exactly zero.
const (
	relTol = 1e-6
	absTol = 1e-9
)

func close(a, b complex128) bool {
	if cmplx.IsNaN(a) || cmplx.IsNaN(b) || cmplx.IsInf(a) || cmplx.IsInf(b) {
		return false
	}
	diff := cmplx.Abs(a - b)
	scale := math.Max(cmplx.Abs(a), cmplx.Abs(b))
	if diff <= relTol*scale {
		return true
	}
	// The absolute tolerance is for rounding noise around zero
	// (sin(pi) against 0); two small non-zero quantities (1.02e-10 m
	// against 3.61e-10 m) are compared relatively like any others.
	return diff <= absTol && math.Min(cmplx.Abs(a), cmplx.Abs(b)) == 0
}

func finite(a complex128) bool { return !cmplx.IsNaN(a) && !cmplx.IsInf(a) }

// decimalLiteral reports whether n is a plain decimal number (possibly
// negated) and how many digits follow the point and how many are
// significant; rounded answers like 1.732 for √3 are judged by these.
// repeatingFraction reports whether n is p/q (or -p/q) with integer p and
// q whose reduced denominator has a prime factor other than 2 and 5, so its
// decimal expansion repeats forever.
func repeatingFraction(n *node) bool {
	if n.op == opNeg {
		n = n.kids[0]
	}
	if n.op != opDiv || len(n.kids) != 2 {
		return false
	}
	p, ok1 := smallInt(n.kids[0])
	q, ok2 := smallInt(n.kids[1])
	if !ok1 || !ok2 || q == 0 {
		return false
	}
	g := gcd(p, q)
	q /= g
	for q%2 == 0 {
		q /= 2
	}
	for q%5 == 0 {
		q /= 5
	}
	return q != 1
}

func smallInt(n *node) (int64, bool) {
	if n.op != opNum || strings.ContainsAny(n.num, ".eE") || len(n.num) > 12 {
		return 0, false
	}
	v, err := strconv.ParseInt(n.num, 10, 64)
	return v, err == nil && v > 0
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func decimalLiteral(n *node) (decimals, sig int, ok bool) {
	if n.op == opNeg {
		n = n.kids[0]
	}
	if n.op != opNum || strings.ContainsAny(n.num, "eE") {
		return 0, 0, false
	}
	i := strings.IndexByte(n.num, '.')
	if i < 0 {
		return 0, 0, false
	}
	digits := strings.TrimLeft(strings.Replace(n.num, ".", "", 1), "0")
	return len(n.num) - i - 1, len(digits), true
}

func hasFree(n *node, depth int) bool {
	if depth > maxDepth {
		return true
	}
	if n.op == opVar || n.op == opWord {
		return true
	}
	for _, k := range n.kids {
		if hasFree(k, depth+1) {
			return true
		}
	}
	return false
}

func hasOp(n *node, op string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if n.op == op {
		return true
	}
	for _, k := range n.kids {
		if hasOp(k, op, depth+1) {
			return true
		}
	}
	return false
}

// scalarEqual compares two scalar expressions: exactly when both are
// rational literals of integer value, otherwise by evaluation at several
// points with relTol. ± is matched branch-for-branch and a percent sign
// may be read either as "of 100" or dropped (see docs/scoring.md).
func scalarEqual(a, b *node) bool {
	if ra, ok := exactRat(a, 0); ok {
		if rb, ok := exactRat(b, 0); ok {
			if ra.Cmp(rb) == 0 {
				return true
			}
			if ra.IsInt() && rb.IsInt() {
				return false
			}
		}
	}
	pctA, pctB := hasOp(a, opPct, 0), hasOp(b, opPct, 0)
	pmA, pmB := hasOp(a, opPM, 0), hasOp(b, opPM, 0)
	if pmA != pmB {
		return false
	}
	pcts := [][2]bool{{false, false}}
	if pctA || pctB {
		pcts = append(pcts, [2]bool{pctA, pctB}, [2]bool{true, true})
	}
	for _, pc := range pcts {
		if !pmA {
			if evalMatch(a, b, 1, 1, pc) {
				return true
			}
			continue
		}
		if evalMatch(a, b, 1, 1, pc) && evalMatch(a, b, -1, -1, pc) ||
			evalMatch(a, b, 1, -1, pc) && evalMatch(a, b, -1, 1, pc) {
			return true
		}
	}
	return false
}

const points = 6

func evalMatch(a, b *node, pmA, pmB float64, pct [2]bool) bool {
	free := hasFree(a, 0) || hasFree(b, 0)
	n := 1
	if free {
		n = points
	}
	good := 0
	for pt := 0; pt < n; pt++ {
		ca := evalCtx{point: pt, pm: pmA, pct: pct[0]}
		cb := evalCtx{point: pt, pm: pmB, pct: pct[1]}
		va, errA := ca.eval(a, 0)
		vb, errB := cb.eval(b, 0)
		if errA != nil || errB != nil {
			if free {
				continue
			}
			return false
		}
		if !finite(va) || !finite(vb) {
			if free {
				continue
			}
			// Overflowing values (2^{2025}) cannot be told apart
			// numerically; compare their structure instead.
			return a.String() == b.String()
		}
		if close(va, vb) || roundedMatch(a, b, va, vb) {
			good++
			continue
		}
		return false
	}
	return good > 0 && (!free || good >= 3)
}

// roundedMatch accepts a decimal literal that is the other side rounded
// or truncated to the literal's own precision (1.732 for \sqrt3, 125.663
// for 40\pi), provided the literal has at least three significant digits
// and the other side is not itself a plain literal. Two significant digits
// are enough, rounded only, when the other side is a fraction of integers
// whose decimal expansion never ends (0.33 for 1/3): such a value cannot be
// written exactly as a decimal, while 0.13 for 1/8 or 1.4 for \sqrt2 stay
// wrong.
func roundedMatch(a, b *node, va, vb complex128) bool {
	try := func(lit, other *node, vl, vo complex128) bool {
		dec, sig, ok := decimalLiteral(lit)
		if !ok || sig < 2 {
			return false
		}
		if sig == 2 {
			if !repeatingFraction(other) || dec > 15 || imag(vo) != 0 {
				return false
			}
			scale := math.Pow10(dec)
			return math.Abs(real(vl)*scale-math.Round(real(vo)*scale)) < 1e-6
		}
		if _, _, lit2 := decimalLiteral(other); lit2 || other.op == opNum {
			return false
		}
		if imag(vo) != 0 || dec > 15 {
			return false
		}
		scale := math.Pow10(dec)
		x, v := real(vl)*scale, real(vo)*scale
		return math.Abs(x-math.Round(v)) < 1e-6 || math.Abs(x-math.Trunc(v)) < 1e-6
	}
	return try(a, b, va, vb) || try(b, a, vb, va)
}
