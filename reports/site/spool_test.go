package site

import (
	"math/rand/v2"
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
