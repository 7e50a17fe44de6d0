package reports

import (
	"cmp"
	"slices"
	"strconv"
)

// englishSubject names the baseline language of multilingual suites.
const englishSubject = "en"

// languageGaps compares each model on the same problems asked in English
// and in another language: the "Chinese vs English" question, answered on
// aligned items (MGSM asks the same 250 problems in 11 languages) rather
// than across unrelated benchmarks such as MMLU and CMMLU. Side A is the
// other language, so a negative Diff means the model does worse in it.
//
// It pairs, for every model, setting and suite, its English run with each
// run of another subject, on the items whose Pair keys both runs share.
// Suites whose subjects are not aligned translations (MMLU's subjects are
// different questions) have no pair keys, so they are never paired.
func languageGaps(rows []scoredRow, opt Options) []Comparison {
	aligned := func(r scoredRow) ([]tally, bool) {
		if r.row.Subject == "" || r.row.CircularItems > 0 || r.tallies.n == 0 {
			return nil, false
		}
		ts := r.items()
		out := make([]tally, len(ts))
		for i, t := range ts {
			if t.pair == "" {
				return nil, false
			}
			out[i] = tally{id: t.pair, scored: t.scored, correct: t.correct}
		}
		// compare walks both runs in key order.
		slices.SortFunc(out, func(a, b tally) int { return cmp.Compare(a.id, b.id) })
		return out, true
	}
	var out []Comparison
	var buf pairBuffers
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
			c, swapped, ok := compare(scoredRow{other.row, &tallyList{mem: otherTallies, n: len(otherTallies)}},
				scoredRow{en.row, &tallyList{mem: enTallies, n: len(enTallies)}}, opt, &buf)
			if !ok {
				continue
			}
			if swapped {
				c = c.swapped()
			}
			c.Benchmark = en.row.Suite
			out = append(out, c.labelled(KindLanguage, other.row.Subject, englishSubject))
		}
	}
	slices.SortStableFunc(out, func(x, y Comparison) int {
		return cmp.Or(cmp.Compare(x.Benchmark, y.Benchmark), cmp.Compare(x.A.Model, y.A.Model), cmp.Compare(x.A.Label, y.A.Label))
	})
	return out
}

// Section text and layout of the language-gap table in text, Markdown and
// HTML.
const (
	languageTitle = "Language gap"
	languageBlurb = "Each model on the same problems asked in English and in another language (aligned items), paired; differences in percentage points, other − en."
)

var languageHeader = []string{"SUITE", "MODEL", "LANGUAGE", "SHARED", "EN %", "OTHER %", "VERDICT"}

func languageCells(g Comparison, labels map[int64]string) []string {
	return []string{g.Benchmark, labels[g.A.Run], g.A.Label, strconv.Itoa(g.SharedItems), pct(g.B.Accuracy), pct(g.A.Accuracy), g.Verdict}
}
