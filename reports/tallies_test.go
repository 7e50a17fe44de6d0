package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Spilled tallies read back are held for at most the cache's size of runs,
// the least recently used let go first.
func TestTallyCacheHoldsAFewRuns(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	defer func(n int) { spillTallies = n }(spillTallies)
	spillTallies = 0
	cache := &tallyCache{max: 3}
	lists := make([]*tallyList, 5)
	for i := range lists {
		l := &tallyList{cache: cache}
		require.NoError(t, l.add(tally{id: "q1", scored: 2, correct: int32(i % 3)}))
		require.NoError(t, l.add(tally{id: "q2", pair: "2", scored: 1, correct: 1}))
		require.NoError(t, l.done())
		lists[i] = l
	}
	for _, l := range lists {
		got, err := l.get()
		require.NoError(t, err)
		assert.Equal(t, []tally{{"q1", "", 2, got[0].correct}, {"q2", "2", 1, 1}}, got)
	}
	held := 0
	for i, l := range lists {
		if l.loaded != nil {
			held++
			assert.GreaterOrEqual(t, i, 2, "the oldest are let go")
		}
	}
	assert.Equal(t, 3, held)
	// The first again: read back, and the now oldest let go.
	_, err := lists[0].get()
	require.NoError(t, err)
	assert.NotNil(t, lists[0].loaded)
	assert.Nil(t, lists[2].loaded)

	for _, l := range lists {
		path := l.path
		l.release()
		_, err := os.Stat(path)
		assert.True(t, os.IsNotExist(err), "release removes the scratch file")
	}
}

// With no scratch space (a temporary directory that cannot be written)
// the tallies stay in memory and the build goes on.
func TestTalliesWithoutScratchSpaceStayInMemory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	defer func(n int) { spillTallies = n }(spillTallies)
	spillTallies = 0
	l := &tallyList{}
	for i := range 3 {
		require.NoError(t, l.add(tally{id: fmt.Sprint(i), scored: 1, correct: 1}))
	}
	require.NoError(t, l.done())
	assert.Empty(t, l.path)
	got, err := l.get()
	require.NoError(t, err)
	assert.Len(t, got, 3)
}
