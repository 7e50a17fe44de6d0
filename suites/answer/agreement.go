package answer

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Verdict is one graded item compared with another grader's verdict.
type Verdict struct {
	ID       string
	Outcome  string // parity's outcome: correct, wrong or unparsed
	Detail   string // Result.Detail
	Expected bool   // the other grader's verdict
	Example  string // a short excerpt of the prediction, for reports
	Gold     string
	// Prediction is the whole response, for reviewed classes that apply
	// only to responses without a given pattern (SourceError.Unless).
	Prediction string
}

// Class names a disagreement class: parity's outcome and the span and
// comparison that decided it, against the other grader's verdict.
func (v Verdict) Class() string {
	src := "wrong"
	if v.Expected {
		src = "correct"
	}
	return v.Outcome + " × " + v.Detail + ", source: " + src
}

// Agrees reports whether parity and the other grader gave the same verdict.
func (v Verdict) Agrees() bool { return (v.Outcome == "correct") == v.Expected }

// SourceError is a reviewed disagreement class in which the other
// grader, not parity, is wrong, with the reason. Set matches a data set
// name ("*" for every set); Outcome and Detail match a verdict's outcome
// and its detail's leading span name ("hedge", "json/numeric"). When
// Unless is set, responses it matches are left out of the class (the
// source's own extractor read those, so its verdict may stand); when
// Only is set, the class holds just the responses it matches.
type SourceError struct {
	Set, Outcome, Detail string
	Expected             bool
	Reason               string
	Unless, Only         *regexp.Regexp
}

// Matches reports whether the reviewed class covers verdict v of set.
func (e SourceError) Matches(set string, v Verdict) bool {
	return (e.Set == "*" || e.Set == set) && e.Outcome == v.Outcome && e.Expected == v.Expected &&
		(v.Detail == e.Detail || strings.HasPrefix(v.Detail, e.Detail+"/")) &&
		(e.Unless == nil || !e.Unless.MatchString(v.Prediction)) &&
		(e.Only == nil || e.Only.MatchString(v.Prediction))
}

// ParseSourceErrors reads reviewed classes, one a line, tab-separated:
// set, parity outcome, detail, the source's verdict (true/false), reason
// and, optionally, the Unless pattern (Go regexp syntax), or the Only
// pattern written "only:PATTERN".
// Blank lines and lines starting with # are skipped.
func ParseSourceErrors(r io.Reader) ([]SourceError, error) {
	var out []SourceError
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 5 || len(f) > 6 || (f[3] != "true" && f[3] != "false") {
			return nil, fmt.Errorf("source errors line %d: want tab-separated fields: set, outcome, detail, true|false, reason[, unless-regexp]", n)
		}
		e := SourceError{Set: f[0], Outcome: f[1], Detail: f[2], Expected: f[3] == "true", Reason: f[4]}
		if len(f) == 6 {
			pat, only := strings.CutPrefix(f[5], "only:")
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, fmt.Errorf("source errors line %d: %v", n, err)
			}
			if only {
				e.Only = re
			} else {
				e.Unless = re
			}
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// ClassCount is one disagreement class with its size, one example and,
// when the class was reviewed as a source error, why.
type ClassCount struct {
	Class   string
	Count   int
	Example Verdict
	Reason  string // non-empty when the source is wrong in this class
}

// Agreement summarises how parity's verdicts on one set compare with
// another grader's.
type Agreement struct {
	Set              string
	Items, Agreed    int
	ParityCorrect    int
	SourceCorrect    int
	SourceWrongCount int // disagreements in classes reviewed as source errors
	Classes          []ClassCount
}

// Rate is the share of items on which both graders agree.
func (a Agreement) Rate() float64 { return ratio(a.Agreed, a.Items) }

// AdjustedRate counts the reviewed source errors as agreements.
func (a Agreement) AdjustedRate() float64 { return ratio(a.Agreed+a.SourceWrongCount, a.Items) }

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Summarise builds the agreement of a set from its verdicts, grouping
// the disagreements into classes, largest first.
func Summarise(set string, vs []Verdict, reviewed []SourceError) Agreement {
	a := Agreement{Set: set, Items: len(vs)}
	byClass := map[string]*ClassCount{}
	for _, v := range vs {
		if v.Outcome == "correct" {
			a.ParityCorrect++
		}
		if v.Expected {
			a.SourceCorrect++
		}
		if v.Agrees() {
			a.Agreed++
			continue
		}
		reason := ""
		for _, e := range reviewed {
			if e.Matches(set, v) {
				reason = e.Reason
				break
			}
		}
		// Items a review covers and items it leaves out are classes of
		// their own, so every class is either reviewed or not.
		key := v.Class()
		if reason != "" {
			key += " (reviewed)"
		}
		c := byClass[key]
		if c == nil {
			c = &ClassCount{Class: v.Class(), Example: v, Reason: reason}
			byClass[key] = c
		}
		c.Count++
		if reason != "" {
			a.SourceWrongCount++
		}
	}
	for _, c := range byClass {
		a.Classes = append(a.Classes, *c)
	}
	SortClasses(a.Classes)
	return a
}

// SortClasses puts the largest disagreement classes first. Ties fall to
// the class name, then unreviewed before reviewed, then the example's id,
// so a report comes out the same on every run.
func SortClasses(cs []ClassCount) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		switch {
		case a.Count != b.Count:
			return a.Count > b.Count
		case a.Class != b.Class:
			return a.Class < b.Class
		case (a.Reason == "") != (b.Reason == ""):
			return a.Reason == ""
		}
		return a.Example.ID < b.Example.ID
	})
}
