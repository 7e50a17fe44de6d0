package reports

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Z95 is the standard normal quantile for a two-sided 95% interval, the
// confidence level every leaderboard interval uses.
const Z95 = 1.959963984540054

// DefaultBootstrap is the number of cluster-bootstrap resamples used when
// Options.Bootstrap is zero: enough that the 2.5% and 97.5% quantiles move by
// well under a tenth of a point between seeds on benchmark-sized suites.
const DefaultBootstrap = 2000

// Wilson returns the Wilson score interval for correct successes out of n
// independent trials at normal quantile z. It is used instead of the plain
// normal (Wald) interval because it stays inside [0,1] and keeps a sensible
// width at 0% and 100%, which small suites and strong models hit often.
// It returns NaN bounds when n is not positive.
func Wilson(correct, n int, z float64) (lo, hi float64) {
	if n <= 0 || correct < 0 || correct > n {
		return math.NaN(), math.NaN()
	}
	nf := float64(n)
	p := float64(correct) / nf
	z2 := z * z
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return clamp01(centre - half), clamp01(centre + half)
}

// PassAtK is the unbiased pass@k estimator of Chen et al. (2021): the
// probability that at least one of k answers drawn without replacement from n
// samples, c of them correct, is correct, i.e. 1 - C(n-c,k)/C(n,k). The ratio
// of binomials is evaluated as a running product of (1 - k/i) so that it
// neither overflows nor loses precision for large n. It returns NaN when the
// arguments do not describe a valid draw (k outside 1..n, c outside 0..n).
func PassAtK(n, c, k int) float64 {
	if n <= 0 || k <= 0 || k > n || c < 0 || c > n {
		return math.NaN()
	}
	if n-c < k {
		// Every k-subset must contain a correct sample.
		return 1
	}
	miss := 1.0
	for i := n - c + 1; i <= n; i++ {
		miss *= 1 - float64(k)/float64(i)
	}
	return 1 - miss
}

// ClusterBootstrap returns a percentile bootstrap interval at the given
// confidence (0.95 for 95%) for the mean of clusterMeans, resampling whole
// clusters with replacement. Leaderboards pass one mean per item, so the
// several samples drawn for one item move together: they share the item's
// difficulty and are not independent, and treating them as independent
// trials would make the interval too narrow. The generator is seeded with
// seed, so the same input always gives the same interval. When every cluster
// has the same mean the interval collapses to that value; with fewer than two
// clusters or no resamples it returns NaN bounds.
func ClusterBootstrap(clusterMeans []float64, resamples int, seed int64, confidence float64) (lo, hi float64) {
	n := len(clusterMeans)
	if n < 2 || resamples <= 0 || confidence <= 0 || confidence >= 1 {
		return math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x853c49e6748fea9b))
	stats := make([]float64, resamples)
	for b := range stats {
		sum := 0.0
		for range n {
			sum += clusterMeans[rng.IntN(n)]
		}
		stats[b] = sum / float64(n)
	}
	slices.Sort(stats)
	alpha := (1 - confidence) / 2
	return clamp01(NearestRank(stats, alpha*100)), clamp01(NearestRank(stats, (1-alpha)*100))
}

// NearestRank returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It is an actual observation, never an interpolation, so a p95
// latency is a latency some request really had. It returns the zero value
// for an empty slice; p at or below 0 gives the minimum.
func NearestRank[T cmp.Ordered](sorted []T, p float64) T {
	var zero T
	if len(sorted) == 0 {
		return zero
	}
	// Multiply before dividing and allow for rounding, so p95 of 20 values
	// is rank 19 and not 20.
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

func clamp01(x float64) float64 {
	return math.Max(0, math.Min(1, x))
}
