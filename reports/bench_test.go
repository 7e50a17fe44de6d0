package reports

import (
	"fmt"
	"testing"
	"time"

	"github.com/parity-bench/parity"
)

// benchInputs builds runs of 1,250 items with four samples each, so Build
// takes the cluster-bootstrap path on every row.
func benchInputs(runs, perRun int) []Input {
	in := make([]Input, runs)
	for r := range in {
		id := int64(r + 1)
		run := parity.Run{
			ID:      id,
			Status:  parity.RunComplete,
			Model:   parity.Model{ID: fmt.Sprintf("p/m%d", r), Provider: "p", Origin: []string{"CN", "West"}[r%2]},
			Suite:   parity.SuiteInfo{Name: "aime", Version: "1"},
			Samples: 4,
			Items:   perRun / 4,
			Price:   &parity.Price{Currency: "CNY"},
		}
		ss := make([]parity.Sample, perRun)
		for i := range ss {
			out := parity.Outcomes[(i*7+r)%len(parity.Outcomes)]
			ss[i] = parity.Sample{
				RunID:      id,
				ItemID:     fmt.Sprintf("item-%05d", i/4),
				Index:      i % 4,
				Score:      parity.Score{Outcome: out, Extracted: fmt.Sprint(i % 3), Scorer: "math", ScorerVersion: "1"},
				Completion: parity.Completion{Latency: time.Duration(i%997) * time.Millisecond, Usage: parity.Usage{CompletionTokens: i % 4000}},
				Cost:       0.0001,
			}
		}
		in[r] = Input{Run: run, Samples: ss}
	}
	return in
}

func BenchmarkBuild(b *testing.B) {
	in := benchInputs(10, 5000)
	opt := Options{Currency: "USD", Rates: map[string]float64{"CNY->USD": 0.14}, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(in, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// pairedInputs builds runs of one suite with items items of k samples each,
// where model r is right on an item-dependent share growing with r, so every
// pair has concordant and discordant items as real leaderboards do.
func pairedInputs(runs, items, k int) []Input {
	in := make([]Input, runs)
	for r := range in {
		id := int64(r + 1)
		ss := make([]parity.Sample, 0, items*k)
		for i := range items {
			for s := range k {
				out := parity.OutcomeWrong
				if (i*31+s*17+r*7)%100 < 40+3*r {
					out = parity.OutcomeCorrect
				}
				ss = append(ss, parity.Sample{
					RunID:  id,
					ItemID: fmt.Sprintf("item-%05d", i),
					Index:  s,
					Score:  parity.Score{Outcome: out, Extracted: "1", Scorer: "math", ScorerVersion: "1"},
				})
			}
		}
		in[r] = Input{
			Run: parity.Run{
				ID: id, Status: parity.RunComplete,
				Model:   parity.Model{ID: fmt.Sprintf("p/m%d", r), Provider: "p", Origin: []string{"CN", "West"}[r%2]},
				Suite:   parity.SuiteInfo{Name: "bench", Version: "1"},
				Samples: k, Items: items,
			},
			Samples: ss,
		}
	}
	return in
}

// BenchmarkComparisons is Build on 10 models × 5,000 items: 45 paired
// comparisons with bootstrap intervals and tests. With one sample per item
// the tests are McNemar's; with four, the Monte Carlo sign-flip test.
func BenchmarkComparisons(b *testing.B) {
	for _, k := range []int{1, 4} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			in := pairedInputs(10, 5000, k)
			b.ReportAllocs()
			for b.Loop() {
				lb, err := Build(in, Options{Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				if len(lb.Comparisons) != 45 {
					b.Fatalf("%d comparisons", len(lb.Comparisons))
				}
			}
		})
	}
}
