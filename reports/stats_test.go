package reports

import (
	"math"
	"math/rand/v2"
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

func TestMcNemar(t *testing.T) {
	// Exact two-sided values 2·Σ_{k≤min(b,c)} C(n,k)/2^n, computed with
	// Python's fractions and math.comb.
	tests := []struct {
		name         string
		onlyA, onlyB int
		want         float64
	}{
		{"8 to 2 discordant", 8, 2, 0.109375},
		{"symmetric in its arguments", 2, 8, 0.109375},
		{"balanced", 5, 5, 1},
		{"no discordant item", 0, 0, 1},
		{"one discordant item", 0, 1, 1},
		{"10 to 0", 10, 0, 2.0 / 1024},
		{"30 to 12", 30, 12, 0.007915897334896727},
		{"largest exact integer table", 40, 22, 0.030015864349067292},
		{"smallest log-gamma table", 40, 23, 0.04295654552438921},
		{"balanced at the integer limit", 31, 31, 1},
		{"large n stays finite", 400, 350, 0.07350777405843545},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, McNemar(tt.onlyA, tt.onlyB), 1e-12)
		})
	}
	assert.True(t, math.IsNaN(McNemar(-1, 3)))
}

func TestSignFlipTestExact(t *testing.T) {
	tenUp := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	tests := []struct {
		name  string
		diffs []float64
		want  float64
	}{
		// Only all-plus and all-minus reach |sum| = 10.
		{"ten positive differences", tenUp, 2.0 / 1024},
		{"zeros do not count", append([]float64{0, 0, 0}, tenUp...), 2.0 / 1024},
		{"no difference at all", []float64{0, 0}, 1},
		{"empty", nil, 1},
		// K=4 differences; 62 of the 512 sign vectors of the nine non-zero
		// values reach |sum| = 2.75, by enumeration in Python fractions.
		{"per-item means of four samples", []float64{0.25, 0.5, -0.25, 0.75, 0.25, 0, 0.5, -0.5, 0.25, 1}, 62.0 / 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, SignFlipTest(tt.diffs, 100, 1), 1e-12)
		})
	}
}

func TestSignFlipTestEqualsMcNemarOnBinaryDiffs(t *testing.T) {
	for b := 0; b <= 10; b++ {
		for c := 0; b+c <= ExactSignFlipMax; c++ {
			var d []float64
			for range b {
				d = append(d, 1)
			}
			for range c {
				d = append(d, -1)
			}
			d = append(d, 0, 0)
			assert.InDelta(t, McNemar(b, c), SignFlipTest(d, 0, 1), 1e-12, "b=%d c=%d", b, c)
		}
	}
}

func TestSignFlipTestMonteCarlo(t *testing.T) {
	// 18 non-zero differences of mixed magnitude: above the exact limit,
	// small enough to enumerate here independently of the grouping by
	// magnitude and popcount the test uses.
	d := []float64{0.25, 0.5, 0.25, -0.25, 0.75, 1, 0.5, 0.25, -0.5, 0.25, 0.5, 0.25, -0.25, 0.75, 0.25, 0.5, -1, 0.25, 0}
	var nz []float64
	obs := 0.0
	for _, x := range d {
		if x != 0 {
			nz = append(nz, x)
			obs += x
		}
	}
	require.Greater(t, len(nz), ExactSignFlipMax)
	hits := 0
	for mask := range 1 << len(nz) {
		s := 0.0
		for i, x := range nz {
			if mask&(1<<i) != 0 {
				s += x
			} else {
				s -= x
			}
		}
		if math.Abs(s) >= math.Abs(obs)-1e-9 {
			hits++
		}
	}
	exact := float64(hits) / float64(int(1)<<len(nz))

	const resamples = 20000
	p := SignFlipTest(d, resamples, 7)
	se := math.Sqrt(exact * (1 - exact) / resamples)
	assert.InDelta(t, exact, p, 4*se+1.0/resamples, "exact %g", exact)
	assert.Equal(t, p, SignFlipTest(d, resamples, 7), "same seed, same p-value")

	// 40 wins out of 40: the true p is 2^-39, so no random assignment
	// reaches it and the estimate is its floor, never zero.
	forty := make([]float64, 40)
	for i := range forty {
		forty[i] = 1
	}
	assert.Equal(t, 1.0/(1+resamples), SignFlipTest(forty, resamples, 3))
	assert.True(t, math.IsNaN(SignFlipTest(forty, 0, 3)), "Monte Carlo without resamples cannot answer")
}

func TestBinomialMatchesPMF(t *testing.T) {
	// Binomial(10, 0.3) probabilities from Python's exact fractions.
	pmf := []float64{0.0282475249, 0.121060821, 0.2334744405, 0.266827932, 0.200120949,
		0.1029193452, 0.036756909, 0.009001692, 0.0014467005, 0.000137781, 5.9049e-06}
	rng := rand.New(rand.NewPCG(1, 2))
	const draws = 200000
	counts := make([]int, 11)
	for range draws {
		counts[binomial(rng, 10, 0.3)]++
	}
	for k, p := range pmf {
		se := math.Sqrt(p * (1 - p) / draws)
		assert.InDelta(t, p, float64(counts[k])/draws, 4*se+1e-5, "P(X=%d)", k)
	}
}

func TestBinomialMoments(t *testing.T) {
	tests := []struct {
		n int
		p float64
	}{{5000, 0.2}, {7, 0.95}, {1, 0.5}, {300, 0.001}, {2500, 0.5}}
	for _, tt := range tests {
		rng := rand.New(rand.NewPCG(uint64(tt.n), 9))
		const draws = 20000
		var sum, sq float64
		for range draws {
			x := float64(binomial(rng, tt.n, tt.p))
			sum += x
			sq += x * x
		}
		m := sum / draws
		v := sq/draws - m*m
		wantM, wantV := float64(tt.n)*tt.p, float64(tt.n)*tt.p*(1-tt.p)
		assert.InDelta(t, wantM, m, 4*math.Sqrt(wantV/draws)+1e-9, "mean n=%d p=%g", tt.n, tt.p)
		assert.InEpsilon(t, wantV, v, 0.05, "variance n=%d p=%g", tt.n, tt.p)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	assert.Equal(t, 0, binomial(rng, 0, 0.5))
	assert.Equal(t, 0, binomial(rng, 10, 0))
	assert.Equal(t, 10, binomial(rng, 10, 1))
}

func TestResampleMeansPathsAgree(t *testing.T) {
	// 4,000 per-item differences on a K=4 grid. The bootstrap distribution
	// of the mean has variance popvar/n whichever way it is drawn.
	levels := []float64{-1, -0.5, -0.25, 0, 0, 0, 0.25, 0.5, 0.75, 1}
	values := make([]float64, 4000)
	for i := range values {
		values[i] = levels[(i*7)%len(levels)]
	}
	m := mean(values)
	popvar := 0.0
	for _, v := range values {
		popvar += (v - m) * (v - m)
	}
	popvar /= float64(len(values))
	wantSD := math.Sqrt(popvar / float64(len(values)))
	require.True(t, useMultinomial(values), "few levels, many items")
	for _, multinomial := range []bool{false, true} {
		stats := resampleMeans(values, 4000, rand.New(rand.NewPCG(5, 6)), multinomial)
		sm := mean(stats)
		sd := 0.0
		for _, s := range stats {
			sd += (s - sm) * (s - sm)
		}
		sd = math.Sqrt(sd / float64(len(stats)))
		assert.InDelta(t, m, sm, 4*wantSD/math.Sqrt(4000), "multinomial=%v", multinomial)
		assert.InEpsilon(t, wantSD, sd, 0.06, "multinomial=%v", multinomial)
	}
}

func TestPairedBootstrap(t *testing.T) {
	diffs := make([]float64, 200)
	for i := range diffs {
		switch {
		case i%10 < 3:
			diffs[i] = 1
		case i%10 == 3:
			diffs[i] = -1
		}
	}
	d := mean(diffs) // 0.2
	lo, hi := PairedBootstrap(diffs, 2000, 11, 0.95)
	lo2, hi2 := PairedBootstrap(diffs, 2000, 11, 0.95)
	assert.Equal(t, lo, lo2, "same seed, same interval")
	assert.Equal(t, hi, hi2)
	assert.Less(t, lo, d)
	assert.Greater(t, hi, d)
	// Normal approximation: sd of the mean = sqrt((0.4 - 0.04)/200) ≈ 0.0424.
	assert.InDelta(t, d-1.96*0.0424, lo, 0.02)
	assert.InDelta(t, d+1.96*0.0424, hi, 0.02)

	for i := range diffs {
		diffs[i] = -diffs[i]
	}
	lo, hi = PairedBootstrap(diffs, 2000, 11, 0.95)
	assert.Less(t, hi, 0.0, "differences are not clamped to [0,1]")
	assert.Greater(t, lo, -1.0)

	lo, hi = PairedBootstrap([]float64{1}, 100, 1, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi))
}
