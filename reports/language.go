package reports

import (
	"cmp"
	"fmt"
	"slices"
)

// LanguageGap compares one model on the same problems asked in English and
// in another language: the "Chinese vs English" question, answered on
// aligned items (MGSM asks the same 250 problems in 11 languages) rather
// than across unrelated benchmarks such as MMLU and CMMLU. Diff and its
// interval are Other minus English, so a negative Diff means the model does
// worse in the other language.
type LanguageGap struct {
	Model, Suite string
	// Language is the other language's subject ("zh").
	Language                       string
	EnglishRun, OtherRun           int64
	SharedItems                    int
	EnglishAccuracy, OtherAccuracy float64
	Diff, CILow, CIHigh, PValue    float64
	Method                         string
	// Verdict reads "tied (p=0.52; zh − en = -1.2 points, ...)" or "zh behind
	// en by 8.0 points (95% CI 3.1–12.9, p=0.002)".
	Verdict string
}

// englishSubject names the baseline language of multilingual suites.
const englishSubject = "en"

// languageGaps pairs, for every model, setting and suite, its English run with each
// run of another subject, on the items whose Pair keys both runs share.
// Suites whose subjects are not aligned translations (MMLU's subjects are
// different questions) have no pair keys, so they are never paired.
func languageGaps(rows []scoredRow, opt Options) []LanguageGap {
	aligned := func(r scoredRow) ([]tally, bool) {
		if r.row.Subject == "" || r.row.CircularItems > 0 || len(r.tallies) == 0 {
			return nil, false
		}
		out := make([]tally, len(r.tallies))
		for i, t := range r.tallies {
			if t.pair == "" {
				return nil, false
			}
			out[i] = tally{id: t.pair, scored: t.scored, correct: t.correct}
		}
		// compare walks both runs in key order.
		slices.SortFunc(out, func(a, b tally) int { return cmp.Compare(a.id, b.id) })
		return out, true
	}
	var out []LanguageGap
	var a, b, d []float64
	for _, en := range rows {
		if en.row.Subject != englishSubject {
			continue
		}
		enTallies, ok := aligned(en)
		if !ok {
			continue
		}
		for _, other := range rows {
			// One model means one setting too: English with thinking set
			// against Chinese without would measure the switch, not the
			// language.
			if other.row.Model != en.row.Model || other.row.Suite != en.row.Suite || other.row.Subject == englishSubject ||
				other.row.SuiteVersion != en.row.SuiteVersion || other.row.Thinking != en.row.Thinking {
				continue
			}
			otherTallies, ok := aligned(other)
			if !ok {
				continue
			}
			var c Comparison
			c, a, b, d, ok = compare(scoredRow{other.row, otherTallies}, scoredRow{en.row, enTallies}, opt, a, b, d)
			if !ok {
				continue
			}
			g := LanguageGap{Model: en.row.Model, Suite: en.row.Suite, Language: other.row.Subject,
				EnglishRun: en.row.RunID, OtherRun: other.row.RunID, SharedItems: c.SharedItems,
				PValue: c.PValue, Method: c.Method}
			if c.RunA == other.row.RunID {
				g.OtherAccuracy, g.EnglishAccuracy = c.AccA, c.AccB
				g.Diff, g.CILow, g.CIHigh = c.Diff, c.CILow, c.CIHigh
			} else {
				g.OtherAccuracy, g.EnglishAccuracy = c.AccB, c.AccA
				g.Diff, g.CILow, g.CIHigh = -c.Diff, -c.CIHigh, -c.CILow
			}
			g.Verdict = languageVerdict(g)
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(x, y LanguageGap) int {
		return cmp.Or(cmp.Compare(x.Suite, y.Suite), cmp.Compare(x.Model, y.Model), cmp.Compare(x.Language, y.Language))
	})
	return out
}

// languageVerdict words an Other − English difference like parityVerdict.
func languageVerdict(g LanguageGap) string {
	diff, lo, hi := g.Diff, g.CILow, g.CIHigh
	if g.PValue < Significance && diff != 0 {
		word := "ahead of"
		if diff < 0 {
			word, diff, lo, hi = "behind", -diff, -hi, -lo
		}
		s := fmt.Sprintf("%s %s %s by %s points (", g.Language, word, englishSubject, points(diff))
		if ci := ciText(lo, hi); ci != "" {
			s += ci + ", "
		}
		return s + pText(g.PValue) + ")"
	}
	s := fmt.Sprintf("tied (%s; %s − %s = %s points", pText(g.PValue), g.Language, englishSubject, points(diff))
	if ci := ciText(lo, hi); ci != "" {
		s += ", " + ci
	}
	return s + ")"
}

// Section text and layout of the language-gap table in text, Markdown and
// HTML.
const (
	languageTitle = "Language gap"
	languageBlurb = "Each model on the same problems asked in English and in another language (aligned items), paired; differences in percentage points, other − en."
)

var languageHeader = []string{"SUITE", "MODEL", "LANGUAGE", "SHARED", "EN %", "OTHER %", "VERDICT"}

func languageCells(g LanguageGap, labels map[int64]string) []string {
	return []string{g.Suite, labels[g.OtherRun], g.Language, fmt.Sprint(g.SharedItems), pct(g.EnglishAccuracy), pct(g.OtherAccuracy), g.Verdict}
}
