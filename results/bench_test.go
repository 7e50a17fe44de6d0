package results

import (
	"context"
	"fmt"
	"testing"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/require"
)

// BenchmarkAddSamples stores batches of 64 samples with a 2 KB raw body
// each, the shape a runner commits; it reports samples per second.
func BenchmarkAddSamples(b *testing.B) {
	const batchSize = 64
	ctx := context.Background()
	db, _ := openTemp(b)
	r := createRun(b, db, "openai/o4-mini", "gsm8k")
	batch := make([]parity.Sample, batchSize)
	for i := range batch {
		batch[i] = fullSample(r.ID, "", 0, parity.OutcomeCorrect)
		batch[i].Completion.Raw = string(make([]byte, 2048))
	}
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for i := range batch {
			batch[i].ItemID = fmt.Sprintf("item-%09d", n)
			n++
		}
		if err := db.AddSamples(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkEachSample streams a 5,000-sample run, reading each set of
// fields a command asks for.
func BenchmarkEachSample(b *testing.B) {
	const total = 5000
	ctx := context.Background()
	db, _ := openTemp(b)
	r := createRun(b, db, "openai/o4-mini", "gsm8k")
	var batch []parity.Sample
	for i := range total {
		s := fullSample(r.ID, fmt.Sprintf("item-%06d", i), 0, parity.OutcomeCorrect)
		s.Completion.Raw = string(make([]byte, 2048))
		batch = append(batch, s)
		if len(batch) == 500 {
			require.NoError(b, db.AddSamples(ctx, batch))
			batch = batch[:0]
		}
	}
	for _, fields := range []struct {
		name string
		f    SampleFields
	}{{"all", AllFields}, {"published", PublishedFields}, {"light", LightFields}, {"score", ScoreFields}} {
		b.Run("fields="+fields.name, func(b *testing.B) {
			read := 0
			for b.Loop() {
				err := db.EachSample(ctx, r.ID, SampleFilter{Fields: fields.f}, func(parity.Sample) error {
					read++
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
