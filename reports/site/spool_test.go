package site

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// spoolThrough adds the records to a spooler in text order of their ids,
// as the store hands them over, and returns the order it gives them back.
func spoolThrough(t *testing.T, recs []spoolRec) (got []spoolRec, runs int) {
	t.Helper()
	slices.SortFunc(recs, func(a, b spoolRec) int {
		if c := strings.Compare(a.item, b.item); c != 0 {
			return c
		}
		return a.index - b.index
	})
	sp := &spooler{dir: t.TempDir()}
	defer sp.remove()
	for _, r := range recs {
		require.NoError(t, sp.add(r))
		runs = max(runs, len(sp.runs))
	}
	require.NoError(t, sp.merge(func(r *spoolRec) error {
		c := *r
		c.html = slices.Clone(r.html)
		got = append(got, c)
		return nil
	}))
	return got, runs
}

func countingOrder(recs []spoolRec) []spoolRec {
	want := slices.Clone(recs)
	slices.SortFunc(want, func(a, b spoolRec) int { return compareRecs(&a, &b) })
	return want
}

func TestSpoolerGivesCountingOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []spoolRec
	for i := range 3000 {
		var id string
		switch i % 3 {
		case 0:
			id = strconv.Itoa(rng.IntN(100000))
		case 1:
			id = "mmlu/" + []string{"algebra", "anatomy"}[rng.IntN(2)] + "/" + strconv.Itoa(rng.IntN(500))
		default:
			id = "ch" + strconv.Itoa(rng.IntN(30)) + "-q" + strconv.Itoa(rng.IntN(200))
		}
		o := parity.Outcomes[rng.IntN(len(parity.Outcomes))]
		recs = append(recs, spoolRec{item: id, index: rng.IntN(4), outcome: o, extracted: "x" + id, gold: "<g>",
			html: []byte("<p>" + id + "</p>\n")})
	}
	recs = slices.CompactFunc(countingOrder(recs), func(a, b spoolRec) bool { return compareRecs(&a, &b) == 0 })
	got, runs := spoolThrough(t, slices.Clone(recs))
	assert.Equal(t, recs, got)
	assert.LessOrEqual(t, runs, 12, "ids with numbers of a few lengths need few stretches")
}

// Ids whose text order is the reverse of their counting order need a
// stretch each; past maxSpoolRuns the spooler merges what it has and goes
// on, still in order.
func TestSpoolerMergesWhenStretchesRunOut(t *testing.T) {
	var recs []spoolRec
	for i := range 5 * maxSpoolRuns {
		id := strings.Repeat("8", i) + "9" // text: 8889 < 889 < 89 < 9, counting the reverse
		recs = append(recs, spoolRec{item: id, outcome: parity.OutcomeCorrect, html: []byte(id)})
	}
	recs = countingOrder(recs)
	got, runs := spoolThrough(t, slices.Clone(recs))
	assert.Equal(t, recs, got)
	assert.Equal(t, maxSpoolRuns, runs)
}

func TestSpoolerEmpty(t *testing.T) {
	got, runs := spoolThrough(t, nil)
	assert.Empty(t, got)
	assert.Zero(t, runs)
}

// BenchmarkSpooler spools and merges 100,000 samples with ~1 KB of HTML
// each: ids zero-padded to one length (one stretch, as in the scale
// database) and plain numbers of one to five digits (five stretches).
func BenchmarkSpooler(b *testing.B) {
	html := []byte(strings.Repeat("<p>answer</p>\n", 70))
	for _, c := range []struct {
		name string
		id   func(int) string
	}{
		{"padded", func(i int) string { return "b" + strings.Repeat("0", 7-len(strconv.Itoa(i))) + strconv.Itoa(i) }},
		{"plain", strconv.Itoa},
	} {
		b.Run(c.name, func(b *testing.B) {
			ids := make([]string, 25_000)
			for i := range ids {
				ids[i] = c.id(i)
			}
			slices.Sort(ids)
			b.SetBytes(int64(len(ids) * 4 * len(html)))
			for b.Loop() {
				sp := &spooler{dir: b.TempDir()}
				for _, id := range ids {
					for k := range 4 {
						if err := sp.add(spoolRec{item: id, index: k, outcome: parity.OutcomeCorrect, html: html}); err != nil {
							b.Fatal(err)
						}
					}
				}
				runs := len(sp.runs)
				n := 0
				if err := sp.merge(func(*spoolRec) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				sp.remove()
				if n != 4*len(ids) {
					b.Fatalf("merged %d samples, want %d", n, 4*len(ids))
				}
				b.ReportMetric(float64(runs), "stretches")
			}
		})
	}
}

// A run whose ids need several stretches: every sample is on the pages
// once, in counting order, numbered in turn, and each line of the wrong
// list links to the anchor of its own sample.
func TestSnapshotPagesFollowCountingOrderAcrossStretches(t *testing.T) {
	var ids []string
	for _, n := range []int{1, 2, 9, 10, 11, 99, 100, 101, 1000} {
		ids = append(ids, strconv.Itoa(n), "x"+strconv.Itoa(n)+"-"+strconv.Itoa(1000/n))
	}
	slices.Sort(ids) // text order, as the store reads them
	var smps []parity.Sample
	for _, id := range ids {
		for k := range 2 {
			s := snapSamples(1, 1, plainAnswers)[0]
			s.ItemID, s.Index = id, k
			if len(smps)%3 == 1 {
				s.Score.Outcome = parity.OutcomeWrong
			}
			smps = append(smps, s)
		}
	}
	lb, runs := snapFixture(t, []parity.Run{snapRun(1, "cn/model", "gsm8k", len(ids))}, [][]parity.Sample{smps})
	dir := filepath.Join(t.TempDir(), "snap")
	opt := snapOptions()
	opt.PageSize = 5
	snap, err := WriteSnapshot(context.Background(), dir, lb, runs, opt)
	require.NoError(t, err)
	files := readTree(t, dir)
	verifySums(t, files)
	for name := range files {
		assert.NotContains(t, name, "spool", "no spool file is left in the snapshot")
	}

	want := slices.Clone(smps)
	slices.SortFunc(want, func(a, b parity.Sample) int {
		return compareRecs(&spoolRec{item: a.ItemID, index: a.Index}, &spoolRec{item: b.ItemID, index: b.Index})
	})
	sample := regexp.MustCompile(`<details class="s (o-\w+)" id="s(\d+)"><summary><span class="badge">\w+</span> <code>([^<]*)</code> #(\d+)`)
	at := map[string]string{} // "page#anchor" -> item#index
	n := 0
	for p := 1; p <= snap.Manifest.Runs[0].Pages; p++ {
		page := runPage(1, p)
		for _, m := range sample.FindAllStringSubmatch(string(files[page]), -1) {
			require.Less(t, n, len(want))
			assert.Equal(t, strconv.Itoa(n+1), m[2], "anchors number the samples in turn")
			assert.Equal(t, want[n].ItemID, m[3], "sample %d", n+1)
			assert.Equal(t, strconv.Itoa(want[n].Index), m[4], "sample %d", n+1)
			assert.Equal(t, outcomeClass(want[n].Score.Outcome), m[1])
			at[relRun(page)+"#s"+m[2]] = m[3] + "#" + m[4]
			n++
		}
	}
	assert.Equal(t, len(want), n, "every sample once")

	row := regexp.MustCompile(`<tr><td><a href="([^"]+)"><code>([^<]*)</code></a></td><td class="num">(\d+)</td>`)
	rows := row.FindAllStringSubmatch(string(files[outcomePage(1, parity.OutcomeWrong, 1)]), -1)
	wrong := 0
	for _, s := range want {
		if s.Score.Outcome == parity.OutcomeWrong {
			require.Less(t, wrong, len(rows))
			r := rows[wrong]
			assert.Equal(t, s.ItemID+"#"+strconv.Itoa(s.Index), r[2]+"#"+r[3], "the list is in counting order")
			assert.Equal(t, r[2]+"#"+r[3], at[r[1]], "%s links to its own sample", r[1])
			wrong++
		}
	}
	assert.Equal(t, len(rows), wrong)
}
