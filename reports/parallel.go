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
// stream from each, several runs at once (see EachParallel). Memory grows
// with the items of a run, not with its samples.
func FoldRuns(ctx context.Context, runs []parity.Run, each SampleSource) ([]*Accumulator, error) {
	accs := make([]*Accumulator, len(runs))
	err := EachParallel(ctx, len(runs), func(ctx context.Context, i int) error {
		acc := NewAccumulator(runs[i])
		err := each(ctx, runs[i].ID, func(s parity.Sample) error {
			if err := acc.Add(&s); err != nil {
				return fmt.Errorf("run %d: %w", runs[i].ID, err)
			}
			return nil
		})
		accs[i] = acc
		return err
	})
	if err != nil {
		return nil, err
	}
	return accs, nil
}
