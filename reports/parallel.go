package reports

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/parity-bench/parity"
)

// EachParallel calls fn for every index below n, on as many goroutines as
// there are cores, and returns the first error, which also cancels the
// context the other calls get. The runs of a report are independent of one
// another, so folding them this way uses every core of the machine.
func EachParallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// SampleSource streams one run's samples to fn in key order, stopping at
// fn's first error and returning it (results.DB.EachSample fits).
type SampleSource func(ctx context.Context, runID int64, fn func(parity.Sample) error) error

// FoldRuns folds the samples of every run into its accumulator as they
// stream from each, several runs at once (see EachParallel), and settles
// each run as its samples end. Memory grows with the items of the runs
// being read, up to spillTallies each, not with their samples; give the
// accumulators to BuildFrom, which removes their scratch files.
func FoldRuns(ctx context.Context, runs []parity.Run, each SampleSource) ([]*Accumulator, error) {
	accs := make([]*Accumulator, len(runs))
	err := EachParallel(ctx, len(runs), func(ctx context.Context, i int) error {
		acc := NewAccumulator(runs[i])
		accs[i] = acc
		err := each(ctx, runs[i].ID, func(s parity.Sample) error {
			if err := acc.Add(&s); err != nil {
				return fmt.Errorf("run %d: %w", runs[i].ID, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// The run's samples are all in: what it keeps from here on is its
		// tallies, which a large run has on disk.
		if err := acc.settle(); err != nil {
			return fmt.Errorf("run %d: %w", runs[i].ID, err)
		}
		return nil
	})
	if err != nil {
		for _, acc := range accs {
			if acc != nil {
				acc.tallies.release()
			}
		}
		return nil, err
	}
	return accs, nil
}

// Prefetch runs produce on a goroutine of its own and hands the samples it
// yields to consume on the caller's, in order and at most depth ahead, so
// reading the next samples overlaps with what consume does with this one:
// one run's stream gets two cores. An error on either side stops both and
// is returned; consume's comes back as it is.
func Prefetch(ctx context.Context, depth int, produce func(ctx context.Context, yield func(parity.Sample) error) error, consume func(parity.Sample) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan parity.Sample, depth)
	produced := make(chan error, 1)
	go func() {
		defer close(ch)
		produced <- produce(ctx, func(s parity.Sample) error {
			select {
			case ch <- s:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	for s := range ch {
		if err := consume(s); err != nil {
			cancel(err)
			for range ch {
			}
			<-produced
			return err
		}
	}
	return <-produced
}
