package runners

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parity-bench/parity"
)

// benchStore counts samples and keeps nothing, so that the benchmarks
// measure the runner and not a growing map.
type benchStore struct {
	samples atomic.Int64
	onAdd   func()
}

func (s *benchStore) CreateRun(ctx context.Context, r *parity.Run) error { r.ID = 1; return nil }
func (s *benchStore) Lock(ctx context.Context, name string, wait bool) (func(), error) {
	return func() {}, nil
}
func (s *benchStore) LatestRun(ctx context.Context, fp string) (*parity.Run, error) {
	return nil, nil
}
func (s *benchStore) SampleKeys(ctx context.Context, id int64) (map[parity.SampleKey]bool, error) {
	return nil, nil
}
func (s *benchStore) UpdateRun(ctx context.Context, r *parity.Run) error { return nil }
func (s *benchStore) AddSamples(ctx context.Context, batch []parity.Sample) error {
	s.samples.Add(int64(len(batch)))
	if s.onAdd != nil {
		s.onAdd()
	}
	return nil
}

// benchSuite hands out a prebuilt item list, so its memory is not counted
// as the runner's.
type benchSuite struct {
	fakeSuite
	items []parity.Item
}

func newBenchSuite(n int) *benchSuite {
	s := &benchSuite{fakeSuite: fakeSuite{name: "bench", n: n}}
	s.items, _ = s.fakeSuite.Items(context.Background())
	return s
}

func (s *benchSuite) Items(ctx context.Context) ([]parity.Item, error) { return s.items, nil }

// sleepClient answers correctly after a fixed latency, like a remote API
// with unlimited capacity. It adds up the time it really slept, since timers
// overshoot on a busy machine and the runner should not be blamed for that.
type sleepClient struct {
	latency time.Duration
	slept   *atomic.Int64
}

func (c sleepClient) Complete(ctx context.Context, req parity.Request) (parity.Completion, error) {
	if c.latency > 0 {
		start := time.Now()
		t := time.NewTimer(c.latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return parity.Completion{}, ctx.Err()
		}
		if c.slept != nil {
			c.slept.Add(int64(time.Since(start)))
		}
	}
	return parity.Completion{Content: req.Ref.ItemID, FinishReason: parity.FinishStop,
		Usage: parity.Usage{PromptTokens: 100, CompletionTokens: 400}}, nil
}

// BenchmarkRunner runs b.N items through the runner and reports the rate,
// and for a fixed latency the share of the ideal concurrency ÷ latency.
func BenchmarkRunner(b *testing.B) {
	for _, latency := range []time.Duration{0, 10 * time.Millisecond, 100 * time.Millisecond} {
		for _, conc := range []int{64, 256} {
			b.Run(fmt.Sprintf("latency=%s/concurrency=%d", latency, conc), func(b *testing.B) {
				suite := newBenchSuite(b.N)
				store := &benchStore{}
				var slept atomic.Int64
				r := &Runner{Client: sleepClient{latency, &slept}, Store: store, Concurrency: conc}
				job := Job{Model: model("bench"), Suite: suite, Price: &parity.Price{Input: 1, Output: 2, Currency: "USD"}}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				if _, err := r.Run(context.Background(), []Job{job}); err != nil {
					b.Fatal(err)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				if got := store.samples.Load(); got != int64(b.N) {
					b.Fatalf("stored %d samples, want %d", got, b.N)
				}
				rate := float64(b.N) / elapsed.Seconds()
				b.ReportMetric(rate, "items/s")
				if latency > 0 {
					ideal := float64(conc) / latency.Seconds()
					b.ReportMetric(100*rate/ideal, "%ideal")
					// The same against the latency the client really had.
					mean := time.Duration(slept.Load() / int64(b.N))
					b.ReportMetric(100*rate/(float64(conc)/mean.Seconds()), "%ideal-measured")
				}
			})
		}
	}
}

// BenchmarkRunnerMemory runs 10k and 100k items per operation at zero
// latency. Besides B/op (all garbage included) it reports the peak live heap
// over the baseline (items already built), measured after a forced GC every
// few commits, and that growth per item. What remains is parity.Select's
// copy of the item list (one Item header, 96 bytes, per item): nothing per
// request is materialised up front.
func BenchmarkRunnerMemory(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("items="+strconv.Itoa(n), func(b *testing.B) {
			suite := newBenchSuite(n)
			var mu sync.Mutex
			var peak uint64
			var ms runtime.MemStats
			calls := 0
			store := &benchStore{onAdd: func() {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls%100 == 0 { // a forced GC is slow; sample it
					runtime.GC()
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
			}}
			r := &Runner{Client: sleepClient{}, Store: store, Concurrency: 64}
			job := Job{Model: model("bench"), Suite: suite}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.Run(context.Background(), []Job{job}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			grown := 0.0
			if peak > base {
				grown = float64(peak - base)
			}
			b.ReportMetric(grown/(1<<20), "live-heap-MB")
			b.ReportMetric(grown/float64(n), "live-B/item")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
