package reports

import (
	"cmp"
	"math"
	mathbits "math/bits"
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
	lo, hi = percentileBootstrap(clusterMeans, resamples, seed, confidence)
	if math.IsNaN(lo) {
		return lo, hi
	}
	return clamp01(lo), clamp01(hi)
}

// PairedBootstrap returns a percentile bootstrap interval at the given
// confidence for the mean of per-item differences between two runs on the
// items both scored. Resampling the differences, rather than each run on its
// own, keeps an item's difficulty shared by the two runs, so a model that is
// consistently better on the same items gets a narrow interval even when the
// two accuracy intervals overlap. It is the same resampling as
// ClusterBootstrap without the [0,1] clamp, since differences run from -1 to
// 1. With fewer than two items or no resamples it returns NaN bounds.
func PairedBootstrap(diffs []float64, resamples int, seed int64, confidence float64) (lo, hi float64) {
	return percentileBootstrap(diffs, resamples, seed, confidence)
}

// percentileBootstrap is the one bootstrap of the package: the percentile
// interval of the means of resamples drawn with replacement from values.
func percentileBootstrap(values []float64, resamples int, seed int64, confidence float64) (lo, hi float64) {
	if len(values) < 2 || resamples <= 0 || confidence <= 0 || confidence >= 1 {
		return math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x853c49e6748fea9b))
	stats := resampleMeans(values, resamples, rng, useMultinomial(values))
	slices.Sort(stats)
	alpha := (1 - confidence) / 2
	return NearestRank(stats, alpha*100), NearestRank(stats, (1-alpha)*100)
}

// useMultinomial reports whether values take so few distinct values that
// drawing how many times each value is picked beats drawing every item.
// Per-item scores do: one sample per item gives 0 or 1, four give five
// levels, and a paired difference of those a handful more. The threshold
// weighs a binomial draw (a log-gamma and a walk of about one standard
// deviation) against a few nanoseconds per item drawn directly.
func useMultinomial(values []float64) bool {
	distinct := 0
	seen := slices.Clone(values)
	slices.Sort(seen)
	for i, v := range seen {
		if i == 0 || v != seen[i-1] {
			distinct++
		}
	}
	return 40*distinct < len(values)
}

// resampleMeans returns the means of resamples bootstrap resamples of values.
// A resample's mean depends only on how many times each distinct value was
// drawn, and those counts are multinomial with probabilities proportional to
// how often each value occurs. With multinomial set the counts are drawn as
// a chain of binomials (count of the first value out of n, of the second out
// of what is left, and so on), which has exactly the distribution of drawing
// n items with replacement but costs a few draws per distinct value instead
// of one per item: that is what keeps every paired comparison of a large
// leaderboard inside the time budget of one build.
func resampleMeans(values []float64, resamples int, rng *rand.Rand, multinomial bool) []float64 {
	n := len(values)
	stats := make([]float64, resamples)
	if !multinomial {
		for b := range stats {
			sum := 0.0
			for range n {
				sum += values[rng.IntN(n)]
			}
			stats[b] = sum / float64(n)
		}
		return stats
	}
	levels, counts := distinctCounts(values)
	for b := range stats {
		left, mass := n, n
		sum := 0.0
		for j, v := range levels {
			if left == 0 {
				break
			}
			x := left
			if j < len(levels)-1 {
				x = binomial(rng, left, float64(counts[j])/float64(mass))
			}
			sum += float64(x) * v
			left -= x
			mass -= counts[j]
		}
		stats[b] = sum / float64(n)
	}
	return stats
}

// distinctCounts returns the distinct values in ascending order with how
// often each occurs.
func distinctCounts(values []float64) ([]float64, []int) {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	var levels []float64
	var counts []int
	for i, v := range sorted {
		if i > 0 && v == sorted[i-1] {
			counts[len(counts)-1]++
			continue
		}
		levels = append(levels, v)
		counts = append(counts, 1)
	}
	return levels, counts
}

// binomial draws from Binomial(n, p) by inversion, visiting outcomes from the
// mode outwards (mode, mode+1, mode-1, ...) so that the expected number of
// steps is about one standard deviation rather than n. Each outcome's
// probability comes from its neighbour's by the ratio of successive binomial
// terms; only the mode's is computed from log-gamma. The standard library
// has no binomial sampler and the module takes no dependency for one.
func binomial(rng *rand.Rand, n int, p float64) int {
	switch {
	case n <= 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	q := 1 - p
	mode := min(n, int(float64(n+1)*p))
	lg := func(k int) float64 { v, _ := math.Lgamma(float64(k) + 1); return v }
	pm := math.Exp(lg(n) - lg(mode) - lg(n-mode) + float64(mode)*math.Log(p) + float64(n-mode)*math.Log(q))
	u := rng.Float64()
	if u < pm {
		return mode
	}
	u -= pm
	odds := p / q
	lo, hi, plo, phi := mode, mode, pm, pm
	for lo > 0 || hi < n {
		if hi < n {
			phi *= float64(n-hi) / float64(hi+1) * odds
			hi++
			if u < phi {
				return hi
			}
			u -= phi
		}
		if lo > 0 {
			plo *= float64(lo) / float64(n-lo+1) / odds
			lo--
			if u < plo {
				return lo
			}
			u -= plo
		}
	}
	// Only rounding leaves u above the total probability of one.
	return mode
}

// McNemar returns the two-sided exact McNemar p-value for paired binary
// outcomes: onlyA items only the first run got right, onlyB items only the
// second did. Items both got right or both got wrong say nothing about which
// run is better, so under the null of no difference each discordant item is a
// fair coin and the test is a binomial sign test on them. The exact test is
// used instead of the chi-squared approximation because benchmarks often
// have few discordant items. Two-sided means twice the smaller tail, capped
// at 1.
func McNemar(onlyA, onlyB int) float64 {
	n := onlyA + onlyB
	if onlyA < 0 || onlyB < 0 {
		return math.NaN()
	}
	if n == 0 {
		return 1
	}
	if n <= 62 {
		// Exact: the binomial coefficients and their partial sum fit in
		// 64 bits, so common small tables give exact p-values.
		var c, sum uint64 = 1, 1
		for k := 0; k < min(onlyA, onlyB); k++ {
			hi, lo := mathbits.Mul64(c, uint64(n-k))
			c, _ = mathbits.Div64(hi, lo, uint64(k+1))
			sum += c
		}
		return math.Min(1, math.Ldexp(float64(sum), 1-n))
	}
	lgn, _ := math.Lgamma(float64(n) + 1)
	tail := 0.0
	for k := 0; k <= min(onlyA, onlyB); k++ {
		a, _ := math.Lgamma(float64(k) + 1)
		b, _ := math.Lgamma(float64(n-k) + 1)
		tail += math.Exp(lgn - a - b - float64(n)*math.Ln2)
	}
	return math.Min(1, 2*tail)
}

// ExactSignFlipMax is the largest number of non-zero differences for which
// SignFlipTest enumerates every sign assignment (2^16 sums); above it the
// test samples assignments at random.
const ExactSignFlipMax = 16

// DefaultPermutations is the number of random sign assignments SignFlipTest
// draws when Options.Permutations is zero: the Monte Carlo standard error
// of a p-value near 0.05 is then about 0.002, small beside the 0.05
// threshold the verdicts use.
const DefaultPermutations = 10000

// SignFlipTest returns the two-sided p-value of the paired sign-flip
// permutation test of "the per-item differences are symmetric around zero":
// under that null each difference is as likely to have come out negated, so
// the p-value is the share of sign assignments whose sum is at least as far
// from zero as the observed one. It needs no normality, which per-item
// accuracies (a few levels between 0 and 1) do not have. Zero differences
// are dropped, as their sign does not matter. Up to ExactSignFlipMax
// non-zero differences every assignment is enumerated and the p-value is
// exact; above it resamples assignments are drawn with a generator seeded by
// seed, and the p-value is (1 + hits) / (1 + resamples) so that it is never
// zero. On differences of -1, 0 and 1 the exact test equals McNemar.
func SignFlipTest(diffs []float64, resamples int, seed int64) float64 {
	var abs []float64
	observed, total := 0.0, 0.0
	for _, d := range diffs {
		if d != 0 && !math.IsNaN(d) {
			abs = append(abs, math.Abs(d))
			observed += d
			total += math.Abs(d)
		}
	}
	if len(abs) == 0 {
		return 1
	}
	// Sums that differ only by rounding count as reaching the observed one.
	limit := math.Abs(observed) - 1e-9*total
	if len(abs) <= ExactSignFlipMax {
		hits := 0
		for mask := range 1 << len(abs) {
			sum := 0.0
			for i, a := range abs {
				if mask&(1<<i) != 0 {
					sum += a
				} else {
					sum -= a
				}
			}
			if math.Abs(sum) >= limit {
				hits++
			}
		}
		return float64(hits) / float64(int(1)<<len(abs))
	}
	if resamples <= 0 {
		return math.NaN()
	}
	// Group equal magnitudes: the sum of c copies of a with random signs is
	// a·(2·heads − c), and heads is the popcount of c random bits.
	levels, counts := distinctCounts(abs)
	rng := rand.New(rand.NewPCG(uint64(seed), 0xda3e39cb94b95bdb))
	hits := 0
	for range resamples {
		sum := 0.0
		for j, a := range levels {
			heads := 0
			for c := counts[j]; c > 0; c -= 64 {
				bits := rng.Uint64()
				if c < 64 {
					bits &= 1<<c - 1
				}
				heads += mathbits.OnesCount64(bits)
			}
			sum += a * float64(2*heads-counts[j])
		}
		if math.Abs(sum) >= limit {
			hits++
		}
	}
	return float64(1+hits) / float64(1+resamples)
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
