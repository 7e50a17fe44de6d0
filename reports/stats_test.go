package reports

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWilson(t *testing.T) {
	// Reference values computed by hand from
	// (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) with z = 1.96.
	tests := []struct {
		name           string
		correct, n     int
		wantLo, wantHi float64
	}{
		{"none of ten", 0, 10, 0, 0.27754},
		{"half of ten", 5, 10, 0.23659, 0.76341},
		{"all of ten", 10, 10, 0.72246, 1},
		{"eighty one of 263", 81, 263, 0.25529, 0.36621},
		{"one of one", 1, 1, 0.20654, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := Wilson(tt.correct, tt.n, 1.96)
			assert.InDelta(t, tt.wantLo, lo, 1e-5)
			assert.InDelta(t, tt.wantHi, hi, 1e-5)
		})
	}
}

func TestWilsonInvalid(t *testing.T) {
	for _, c := range []struct{ correct, n int }{{0, 0}, {3, 2}, {-1, 4}} {
		lo, hi := Wilson(c.correct, c.n, Z95)
		assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "Wilson(%d, %d)", c.correct, c.n)
	}
}

// passAtKByEnumeration counts, over every k-subset of n samples whose first
// c are correct, the share that contains a correct sample.
func passAtKByEnumeration(n, c, k int) float64 {
	hit, total := 0, 0
	for mask := 0; mask < 1<<n; mask++ {
		if popcount(mask) != k {
			continue
		}
		total++
		if mask&(1<<c-1) != 0 {
			hit++
		}
	}
	return float64(hit) / float64(total)
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestPassAtKMatchesEnumeration(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k++ {
				assert.InDelta(t, passAtKByEnumeration(n, c, k), PassAtK(n, c, k), 1e-12, "n=%d c=%d k=%d", n, c, k)
			}
		}
	}
}

func TestPassAtK(t *testing.T) {
	tests := []struct {
		name    string
		n, c, k int
		want    float64
	}{
		{"pass@1 is the correct share", 10, 3, 1, 0.3},
		{"too few wrong to fill k", 5, 4, 2, 1},
		{"none correct", 16, 0, 4, 0},
		// 1 - C(190,100)/C(200,100), from exact integer binomials; C(200,100)
		// is about 9e58, so the naive ratio of factorials would overflow.
		{"large n stays stable", 200, 10, 100, 0.99922897},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, PassAtK(tt.n, tt.c, tt.k), 1e-5)
		})
	}
	for _, bad := range [][3]int{{0, 0, 1}, {4, 1, 0}, {4, 1, 5}, {4, 5, 1}, {4, -1, 1}} {
		assert.True(t, math.IsNaN(PassAtK(bad[0], bad[1], bad[2])), "PassAtK%v", bad)
	}
}

func TestClusterBootstrap(t *testing.T) {
	means := []float64{1, 1, 0.75, 0.5, 0.5, 0.25, 0, 0, 1, 0.25}
	lo, hi := ClusterBootstrap(means, 2000, 7, 0.95)
	lo2, hi2 := ClusterBootstrap(means, 2000, 7, 0.95)
	assert.Equal(t, lo, lo2, "same seed, same interval")
	assert.Equal(t, hi, hi2, "same seed, same interval")
	// Normal approximation: mean 0.525, sd of the mean ≈ 0.127, so the
	// percentile interval sits near 0.525 ± 0.25.
	assert.InDelta(t, 0.28, lo, 0.06)
	assert.InDelta(t, 0.77, hi, 0.06)
	assert.Less(t, lo, mean(means))
	assert.Greater(t, hi, mean(means))

	lo, hi = ClusterBootstrap([]float64{0.5, 0.5, 0.5}, 100, 1, 0.95)
	assert.Equal(t, 0.5, lo, "identical clusters leave no spread")
	assert.Equal(t, 0.5, hi)

	lo, hi = ClusterBootstrap([]float64{1}, 100, 1, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "one cluster has no spread to resample")
}

func TestNearestRank(t *testing.T) {
	twenty := make([]int, 20)
	for i := range twenty {
		twenty[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []int
		p      float64
		want   int
	}{
		{"empty", nil, 50, 0},
		{"single", []int{7}, 95, 7},
		{"median of five", []int{1, 2, 3, 4, 5}, 50, 3},
		{"median of four is the lower middle", []int{1, 2, 3, 4}, 50, 2},
		{"p95 of twenty is the 19th", twenty, 95, 19},
		{"p100 is the max", twenty, 100, 20},
		{"p0 is the min", twenty, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, NearestRank(tt.sorted, tt.p))
		})
	}
}
