package reports

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// canaryRun builds a canary run of 30 items with the given samples per
// item; answer(i, k) gives item i's k-th answer ("" wrong, else correct
// with that text), tokens and latency are per item.
func canaryRun(id int64, samples int, model string, answer func(i, k int) string, tokens func(i int) int, latency func(i int) time.Duration) Input {
	r := run(id, "lab/m", "CN", "canary", 30, samples)
	r.Suite.DataSHA256 = "mix"
	var ss []parity.Sample
	for i := 0; i < 30; i++ {
		for k := 0; k < samples; k++ {
			a := answer(i, k)
			o := parity.OutcomeCorrect
			if a == "" {
				o, a = parity.OutcomeWrong, "wrong"
			}
			ss = append(ss, parity.Sample{RunID: id, ItemID: "q" + strconv.Itoa(i), Index: k,
				Score: parity.Score{Outcome: o, Extracted: a},
				Completion: parity.Completion{Content: "The answer is " + a, ModelReported: model,
					Usage: parity.Usage{CompletionTokens: tokens(i)}, Latency: latency(i)}})
		}
	}
	return Input{Run: r, Samples: ss}
}

func same(i, _ int) string       { return strconv.Itoa(i) }
func tok(i int) int              { return 500 + 37*i }
func lat(i int) time.Duration    { return time.Duration(800+20*i) * time.Millisecond }
func drifted(c CanaryCheck) bool { return c.Drifted }

func TestCanarySignals(t *testing.T) {
	baseline := canaryRun(1, 2, "m-0528", same, tok, lat)
	tests := []struct {
		name    string
		check   Input
		what    []string
		changed []string // signals changed without counting as drift
		changes int
	}{
		{"unchanged", canaryRun(2, 1, "m-0528", same, tok, lat), nil, nil, 0},
		{"another model behind the name", canaryRun(2, 1, "m-0915", same, tok, lat), []string{"model id"}, nil, 0},
		{"answers changed", canaryRun(2, 1, "m-0528", func(i, k int) string {
			if i%3 == 0 {
				return ""
			}
			return same(i, k)
		}, tok, lat), []string{"verdicts", "answers", "answer text"}, nil, 10},
		{"twice the tokens", canaryRun(2, 1, "m-0528", same, func(i int) int { return 2 * tok(i) }, lat), []string{"completion tokens"}, nil, 0},
		{"slower, same model", canaryRun(2, 1, "m-0528", same, tok, func(i int) time.Duration { return 3 * lat(i) }), nil, []string{"latency"}, 0},
		{"a few tokens more is not drift", canaryRun(2, 1, "m-0528", same, func(i int) int { return tok(i) + 20 }, lat), nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Canary(baseline, tt.check, 1)
			require.NoError(t, err)
			assert.Equal(t, 30, c.Items)
			assert.Equal(t, tt.what, c.What)
			assert.Equal(t, len(tt.what) > 0, drifted(c))
			var changed []string
			for _, s := range c.Signals {
				if s.Changed && !s.Drift {
					changed = append(changed, s.Name)
				}
			}
			assert.Equal(t, tt.changed, changed)
			assert.Len(t, c.Changes, tt.changes)
		})
	}
}

// TestCanaryNoise: a model whose answers at temperature 0 already varied
// between the baseline's two samples is not called drifted for varying as
// much in the check; a small change against a perfectly repeatable
// baseline is not drift either.
func TestCanaryNoise(t *testing.T) {
	noisy := canaryRun(1, 2, "m", func(i, k int) string {
		if k == 1 && i%4 == 0 {
			return strconv.Itoa(i) + "b" // a different but correct answer
		}
		return same(i, k)
	}, tok, lat)
	check := canaryRun(2, 1, "m", func(i, k int) string {
		if i%4 == 1 {
			return strconv.Itoa(i) + "b"
		}
		return same(i, k)
	}, tok, lat)
	c, err := Canary(noisy, check, 1)
	require.NoError(t, err)
	assert.False(t, c.Drifted, "%+v", c.Signals)
	assert.Len(t, c.Changes, 8)

	steady := canaryRun(1, 2, "m", same, tok, lat)
	c, err = Canary(steady, canaryRun(2, 1, "m", func(i, k int) string {
		if i == 3 {
			return "3b"
		}
		return same(i, k)
	}, tok, lat), 1)
	require.NoError(t, err)
	assert.False(t, c.Drifted, "one changed answer of 30 is within noise")
}

func TestCanaryRefusesAnotherSet(t *testing.T) {
	a := canaryRun(1, 2, "m", same, tok, lat)
	b := canaryRun(2, 1, "m", same, tok, lat)
	b.Run.Suite.DataSHA256 = "other"
	_, err := Canary(a, b, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "record a new baseline")
}

func TestBinomialTail(t *testing.T) {
	assert.InDelta(t, 1, binomialTail(10, 0, 0.3), 1e-12)
	assert.InDelta(t, 0.5, binomialTail(1, 1, 0.5), 1e-12)
	assert.InDelta(t, 1-0.7*0.7, binomialTail(2, 1, 0.3), 1e-12)
	assert.InDelta(t, 0.3*0.3, binomialTail(2, 2, 0.3), 1e-12)
}

// TestCanaryAnswersTestIsCalibrated simulates checks of a model that has
// not changed but answers noisily at temperature 0 (each ask departs from
// its usual answer with probability q): the answers test must raise a
// false alarm about as rarely as CanaryAlpha says, whatever the noise.
// A model that changed a third of its answers on top of that noise must
// be caught nearly always.
func TestCanaryAnswersTestIsCalibrated(t *testing.T) {
	const trials, n = 4000, 30
	for _, q := range []float64{0, 0.05, 0.2, 0.35} {
		rng := rand.New(rand.NewPCG(1, uint64(q*100)))
		draw := func() int {
			if rng.Float64() < q {
				return 1 + rng.IntN(1000)
			}
			return 0
		}
		alarms, caught := 0, 0
		for k := 0; k < trials; k++ {
			changed, shifted, noise := 0, 0, 0
			for i := 0; i < n; i++ {
				b0, b1, c := draw(), draw(), draw()
				if b0 != b1 {
					noise++
				}
				if b0 != c {
					changed++
				}
				if b0 != c || i%3 == 0 { // a third of the items answered anew
					shifted++
				}
			}
			if changeSignal("answers", changed, noise, n, n).Drift {
				alarms++
			}
			if changeSignal("answers", shifted, noise, n, n).Drift {
				caught++
			}
		}
		t.Logf("noise %.2f: false alarms %.4f, a third changed caught %.3f", q, float64(alarms)/trials, float64(caught)/trials)
		assert.LessOrEqual(t, float64(alarms)/trials, 2*CanaryAlpha, "false alarms at noise %.2f", q)
		if q <= 0.05 {
			assert.GreaterOrEqual(t, float64(caught)/trials, 0.9, "power at noise %.2f", q)
		}
	}
}
