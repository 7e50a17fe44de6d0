package site

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// snapshotLinks link the leaderboard of a snapshot to its run pages;
// withPairs adds its comparison pages.
var snapshotLinks = linker{run: func(id int64) string { return runPage(id, 1) }}

func comparePage(a, b int64) string {
	return "compare/" + strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(b, 10) + ".html"
}

// compareView is a comparison page: the paired comparison as the
// leaderboard states it, and every item the two runs answered differently.
type compareView struct {
	Home         string
	Title        string
	Kind         string
	A, B         compareSide
	Verdict      string
	Method       string
	Shared       int
	Excluded     int
	Gained, Lost int
	Net          string
	// Flips counts the items answered differently, listed one row each
	// between the page's head and foot.
	Flips int
}

type compareSide struct {
	Label, Model, Suite, Accuracy, Href string
	Run                                 int64
}

type flipView struct {
	Key  string
	A, B flipCell
	Gold string
}

type flipCell struct {
	ID, Result, Extracted, Href, Class string
}

// appendFlip appends one line of a comparison's table of items answered
// differently, written by hand as the samples are (see appendSample): a
// large comparison has a line per item. Hrefs are built here from run ids,
// page numbers and escaped queries, which html/template's URL handling
// leaves as they are, so escaping them as text gives the same bytes.
func appendFlip(b []byte, f flipView) []byte {
	b = append(b, "\n<tr><td>"...)
	if f.A.Href != "" {
		b = append(b, `<a href="`...)
		b = appendEscaped(b, f.A.Href)
		b = append(b, `"><code>`...)
		b = appendEscaped(b, f.Key)
		b = append(b, `</code></a>`...)
	} else {
		b = append(b, `<code>`...)
		b = appendEscaped(b, f.Key)
		b = append(b, `</code>`...)
	}
	b = append(b, `</td><td class="`...)
	b = appendEscaped(b, f.A.Class)
	b = append(b, `"><span class="badge">`...)
	b = appendEscaped(b, f.A.Result)
	b = append(b, `</span></td>`...)
	b = appendAnswerCell(b, f.A.Extracted)
	b = append(b, `<td class="`...)
	b = appendEscaped(b, f.B.Class)
	b = append(b, `">`...)
	if f.B.Href != "" {
		b = append(b, `<a href="`...)
		b = appendEscaped(b, f.B.Href)
		b = append(b, `">`...)
	}
	b = append(b, `<span class="badge">`...)
	b = appendEscaped(b, f.B.Result)
	b = append(b, `</span>`...)
	if f.B.Href != "" {
		b = append(b, `</a>`...)
	}
	b = append(b, `</td>`...)
	b = appendAnswerCell(b, f.B.Extracted)
	b = append(b, `<td><code>`...)
	b = appendEscaped(b, f.Gold)
	return append(b, `</code></td></tr>`...)
}

// appendAnswerCell appends a table cell with an extracted answer, or a
// dash when none was found.
func appendAnswerCell(b []byte, extracted string) []byte {
	if extracted == "" {
		return append(b, "<td>–</td>"...)
	}
	b = append(b, `<td><code>`...)
	b = appendEscaped(b, extracted)
	return append(b, `</code></td>`...)
}

// pairPages lists the comparisons that get a page: every pair, parity
// check and language gap, once per two runs, read the way the first table
// to list them reads them (a parity check CN first).
func pairPages(lb *reports.Leaderboard) []reports.Comparison {
	seen := map[[2]int64]bool{}
	var out []reports.Comparison
	for _, list := range [][]reports.Comparison{lb.ParityChecks, lb.LanguageGaps, lb.Comparisons} {
		for _, c := range list {
			k := [2]int64{min(c.A.Run, c.B.Run), max(c.A.Run, c.B.Run)}
			if seen[k] || c.SharedItems == 0 || c.A.Run == c.B.Run {
				continue
			}
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// withPairs links lk's comparisons to the one page of each two runs,
// whichever way a table reads them; href names the page of a and b.
func withPairs(lk linker, lb *reports.Leaderboard, href func(a, b int64) string) linker {
	pages := map[[2]int64][2]int64{}
	for _, c := range pairPages(lb) {
		pages[[2]int64{min(c.A.Run, c.B.Run), max(c.A.Run, c.B.Run)}] = [2]int64{c.A.Run, c.B.Run}
	}
	lk.pair = func(a, b int64) string {
		p, ok := pages[[2]int64{min(a, b), max(a, b)}]
		if !ok {
			return ""
		}
		return href(p[0], p[1])
	}
	return lk
}

// writeComparePages writes compare/<a>-<b>.html for every comparison on
// the leaderboard, joining the two runs' item files as they are read.
func writeComparePages(ctx context.Context, s *siteDir, lb *reports.Leaderboard, runs []parity.Run, files map[int64]runFiles) error {
	byID := make(map[int64]parity.Run, len(runs))
	for _, r := range runs {
		byID[r.ID] = r
	}
	pairs := pairPages(lb)
	if len(pairs) == 0 {
		return nil
	}
	if err := s.mkdir("compare"); err != nil {
		return err
	}
	for _, c := range pairs {
		if err := ctx.Err(); err != nil {
			return err
		}
		ra, okA := byID[c.A.Run]
		rb, okB := byID[c.B.Run]
		if !okA || !okB {
			continue
		}
		fa, fb := files[ra.ID], files[rb.ID]
		links := compareLinks{
			home: "../index.html",
			run:  func(id int64) string { return "../" + runPage(id, 1) },
			item: func(side int, r *itemRec) string {
				ref := [2]runFiles{fa, fb}[side].ref(r.first)
				return "../" + ref.page + "#" + ref.anchor
			},
		}
		err := s.write(comparePage(c.A.Run, c.B.Run), func(w io.Writer) error {
			return writeCompare(w, c, ra, rb, fa.items.items, fb.items.items, links)
		})
		if err != nil {
			return fmt.Errorf("compare runs %d and %d: %w", c.A.Run, c.B.Run, err)
		}
	}
	return nil
}

// compareLinks are where a comparison page links: the leaderboard, a
// run's page, and the first sample of an item of side 0 (run a) or 1 (run
// b), "" for no link.
type compareLinks struct {
	home string
	run  func(id int64) string
	item func(side int, r *itemRec) string
}

// writeCompare writes the page of comparison c between runs a and b from
// their items: the comparison as the leaderboard states it, then every
// item the two runs answered differently, a row at a time.
func writeCompare(w io.Writer, c reports.Comparison, a, b parity.Run, itemsA, itemsB itemSource, links compareLinks) error {
	j, err := newFlipJoin(itemsA, itemsB, reports.PairsByLanguage(a, b))
	if err != nil {
		return err
	}
	side := func(s reports.Side, r parity.Run) compareSide {
		return compareSide{Label: s.Label, Model: s.Model, Suite: suiteLabel(r), Accuracy: percent(s.Accuracy),
			Href: links.run(r.ID), Run: r.ID}
	}
	v := compareView{
		Home: links.home, Kind: c.Kind,
		Title: fmt.Sprintf("%s: run %d against run %d", c.Benchmark, c.A.Run, c.B.Run),
		A:     side(c.A, a), B: side(c.B, b),
		Verdict: c.Verdict, Method: c.Method, Shared: c.SharedItems, Excluded: c.Excluded,
		Gained: j.counts.gained, Lost: j.counts.lost, Net: fmt.Sprintf("%+d", j.counts.gained-j.counts.lost),
		Flips: j.counts.flips,
	}
	if err := compareTemplate.ExecuteTemplate(w, "compare-head", v); err != nil {
		return err
	}
	cell := func(k int, r *itemRec) flipCell {
		fc := flipCell{ID: r.ID, Result: string(r.Outcome), Extracted: r.Extracted, Class: outcomeClass(r.Outcome), Href: links.item(k, r)}
		if r.Total > 1 {
			fc.Result = fmt.Sprintf("%d/%d correct", r.Correct, r.Scored)
		}
		return fc
	}
	var row []byte
	err = j.each(func(key string, x, y *itemRec) error {
		row = appendFlip(row[:0], flipView{Key: key, A: cell(0, x), B: cell(1, y), Gold: x.Gold})
		_, err := w.Write(row)
		return err
	})
	if err != nil {
		return err
	}
	return compareTemplate.ExecuteTemplate(w, "compare-foot", v)
}

// suiteLabel names a run's suite as the leaderboard does: name, subject,
// version.
func suiteLabel(r parity.Run) string {
	return suiteName(r) + "@" + r.Suite.Version
}

var compareTemplate = template.Must(template.Must(viewerTemplate.Clone()).New("compare").Parse(`{{define "compare-head"}}` + pageStart + `
<title>{{.Title}}</title>
{{template "style"}}
</head>
<body>
<p><a href="{{.Home}}">← leaderboard</a></p>
<h1>{{.Title}}</h1>
<table>
<thead><tr><th></th><th>MODEL</th><th>SUITE</th><th class="num">ACC % (SHARED ITEMS)</th></tr></thead>
<tbody>
<tr><th>{{.A.Label}}</th><td><a href="{{.A.Href}}">run {{.A.Run}}</a>: <code>{{.A.Model}}</code></td><td><code>{{.A.Suite}}</code></td><td class="num">{{.A.Accuracy}}</td></tr>
<tr><th>{{.B.Label}}</th><td><a href="{{.B.Href}}">run {{.B.Run}}</a>: <code>{{.B.Model}}</code></td><td><code>{{.B.Suite}}</code></td><td class="num">{{.B.Accuracy}}</td></tr>
</tbody>
</table>
<p class="verdict"><strong>{{.Verdict}}</strong>{{if .Method}} ({{.Method}}){{end}}, on {{.Shared}} items both runs scored{{if .Excluded}}; {{.Excluded}} item(s) scored by one run only are left out{{end}}.</p>
<p>{{.B.Label}} is right where {{.A.Label}} is not on {{.Gained}} item(s), and wrong where {{.A.Label}} is right on {{.Lost}}: net {{.Net}} for {{.B.Label}}.</p>
<h2>Items answered differently ({{.Flips}})</h2>
{{- if .Flips}}
<div class="scroll"><table class="flips">
<thead><tr><th>ITEM</th><th>{{.A.Label}}</th><th>{{.A.Label}} ANSWER</th><th>{{.B.Label}}</th><th>{{.B.Label}} ANSWER</th><th>GOLD</th></tr></thead>
<tbody>
{{- end}}{{end}}{{define "compare-foot"}}{{if .Flips}}
</tbody>
</table></div>
{{- else}}
<p>None: the two runs agree on every shared item.</p>
{{- end}}
</body>
</html>
{{end}}`))
