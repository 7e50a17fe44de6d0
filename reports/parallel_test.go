package reports

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestEachParallelCallsEveryIndexOnce(t *testing.T) {
	var calls [50]atomic.Int32
	err := EachParallel(context.Background(), len(calls), func(ctx context.Context, i int) error {
		calls[i].Add(1)
		return nil
	})
	require.NoError(t, err)
	for i := range calls {
		assert.EqualValues(t, 1, calls[i].Load(), "index %d", i)
	}
	assert.NoError(t, EachParallel(context.Background(), 0, nil), "nothing to do")
}

// The first error is returned and cancels the context of the calls under
// way, and no call starts after it. Index 0 is always taken first and
// fails; every other call waits for the cancel, so none can finish first.
func TestEachParallelStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("disk full")
	var calls, sawCause atomic.Int32
	err := EachParallel(context.Background(), 1000, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 0 {
			return boom
		}
		<-ctx.Done()
		if errors.Is(context.Cause(ctx), boom) {
			sawCause.Add(1)
		}
		return nil
	})
	assert.ErrorIs(t, err, boom)
	assert.LessOrEqual(t, int(calls.Load()), 1+runtime.GOMAXPROCS(0), "at most one call per worker besides the failing one")
	assert.Equal(t, calls.Load()-1, sawCause.Load(), "the others were cancelled with the error as cause")
}

func TestFoldRunsStreamsEachRunAndNamesTheBadOne(t *testing.T) {
	in := benchInputs(3, 40)
	runs := make([]parity.Run, len(in))
	byID := map[int64][]parity.Sample{}
	for i, x := range in {
		runs[i] = x.Run
		byID[x.Run.ID] = x.Samples
	}
	each := func(ctx context.Context, runID int64, fn func(parity.Sample) error) error {
		for _, s := range byID[runID] {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
	accs, err := FoldRuns(context.Background(), runs, each)
	require.NoError(t, err)
	got, err := BuildFrom(accs, Options{Seed: 1})
	require.NoError(t, err)
	want, err := Build(in, Options{Seed: 1})
	require.NoError(t, err)
	// Printed, because NaN is never equal to itself.
	assert.Equal(t, fmt.Sprintf("%+v", want.Rows), fmt.Sprintf("%+v", got.Rows))

	byID[2] = append(byID[2], byID[2][0]) // a repeated key
	_, err = FoldRuns(context.Background(), runs, each)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run 2:")
}

func TestPrefetchKeepsOrderAndStopsOnErrors(t *testing.T) {
	produce := func(n int, failAt int) func(context.Context, func(parity.Sample) error) error {
		return func(ctx context.Context, yield func(parity.Sample) error) error {
			for i := range n {
				if i == failAt {
					return errors.New("disk read failed")
				}
				if err := yield(parity.Sample{ItemID: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	var got []string
	err := Prefetch(context.Background(), 4, produce(100, -1), func(s parity.Sample) error {
		got = append(got, s.ItemID)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 100)
	for i, id := range got {
		require.Equal(t, fmt.Sprint(i), id)
	}

	full := errors.New("disk full")
	seen := 0
	err = Prefetch(context.Background(), 4, produce(1000, -1), func(s parity.Sample) error {
		seen++
		if seen == 10 {
			return full
		}
		return nil
	})
	assert.Equal(t, full, err, "consume's error comes back as it is")
	assert.Equal(t, 10, seen, "nothing is consumed after it")

	err = Prefetch(context.Background(), 4, produce(1000, 50), func(parity.Sample) error { return nil })
	assert.EqualError(t, err, "disk read failed")
}
