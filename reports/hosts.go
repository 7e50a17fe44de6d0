package reports

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
)

// KindHost is one open model served by a host (A) against the same model
// on its maker's own API, or, without it, on the best host (B).
const KindHost = "host"

// hostGaps answers "does this host serve the model faithfully?": for every
// benchmark and setting, runs of one canonical open model on two or more
// providers are paired on the items both scored. The reference (side B) is
// the maker's own API when it was run, else the host with the highest
// accuracy; every other run is side A, so a negative Diff means the host
// does worse than the reference.
func hostGaps(rows []scoredRow, opt Options) []Comparison {
	type key struct{ benchmark, canonical, thinking string }
	groups := map[key][]scoredRow{}
	var keys []key
	for _, r := range rows {
		if r.row.Canonical == "" {
			continue
		}
		k := key{r.row.Benchmark(), strings.ToLower(r.row.Canonical), r.row.Thinking}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []Comparison
	var buf pairBuffers
	for _, k := range keys {
		g := groups[k]
		providers := map[string]bool{}
		for _, r := range g {
			providers[r.row.Provider] = true
		}
		if len(providers) < 2 {
			continue
		}
		ref := g[0]
		for _, r := range g[1:] {
			switch {
			case r.row.MakerAPI && !ref.row.MakerAPI:
				ref = r
			case r.row.MakerAPI == ref.row.MakerAPI && r.row.Accuracy > ref.row.Accuracy:
				ref = r
			}
		}
		for _, r := range g {
			if r.row.RunID == ref.row.RunID || r.row.Provider == ref.row.Provider {
				continue
			}
			c, swapped, ok := compare(r, ref, opt, &buf)
			if !ok {
				continue
			}
			if swapped {
				c = c.swapped()
			}
			c.Benchmark = k.benchmark
			out = append(out, c.labelled(KindHost, r.row.Provider, ref.row.Provider))
		}
	}
	slices.SortStableFunc(out, func(x, y Comparison) int {
		return cmp.Or(cmp.Compare(x.Benchmark, y.Benchmark), cmp.Compare(x.B.Model, y.B.Model), cmp.Compare(x.A.Label, y.A.Label))
	})
	return out
}

// Section text and layout of the host table in text, Markdown and HTML.
const (
	hostTitle = "Same model, different hosts"
	hostBlurb = "One open model run on several providers, each host paired with the maker's own API (or, without it, the best host) on the items both scored; DIFF = host − reference in points. TRUNC and ERR are the shares of truncated and failed samples, host / reference."
)

var hostHeader = []string{"SUITE", "MODEL", "HOST", "REFERENCE", "SHARED", "HOST %", "REF %", "TRUNC %", "ERR %", "OUT TOK", "P50", "COST", "VERDICT"}

func hostCells(g Comparison, rows map[int64]Row) []string {
	host, ref := rows[g.A.Run], rows[g.B.Run]
	pair := func(f func(Row) string) string { return f(host) + " / " + f(ref) }
	return []string{g.Benchmark, host.Canonical, g.A.Label, g.B.Label, strconv.Itoa(g.SharedItems),
		pct(g.A.Accuracy), pct(g.B.Accuracy),
		pair(func(r Row) string { return pct(share(r, parity.OutcomeTruncated)) }),
		pair(func(r Row) string { return pct(share(r, parity.OutcomeError)) }),
		pair(func(r Row) string { return tokens(r, r.MeanCompletionTokens) }),
		pair(func(r Row) string { return duration(r.LatencyP50) }),
		pair(costCell), g.Verdict}
}

// share is the fraction of a row's samples with that outcome.
func share(r Row, outcome parity.Outcome) float64 {
	total := 0
	for _, n := range r.Outcomes {
		total += n
	}
	if total == 0 {
		return math.NaN()
	}
	return float64(r.Outcomes[outcome]) / float64(total)
}
