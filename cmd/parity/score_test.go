package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScoreAgreesWithPeerGraders runs the peer graders' own test cases
// through `parity score`, one answer kind at a time, and requires the
// agreement the project promises.
func TestScoreAgreesWithPeerGraders(t *testing.T) {
	f, err := os.Open("../../suites/answer/testdata/dev-cases.jsonl")
	require.NoError(t, err)
	defer f.Close()
	byKind := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		var c struct {
			Kind string `json:"kind"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		byKind[c.Kind] = append(byKind[c.Kind], sc.Text())
	}
	require.NoError(t, sc.Err())

	flags := map[string][]string{
		"numeric": {"--kind", "number"},
		"gsm8k":   {"--kind", "number", "--last-number"},
		"mc":      {"--kind", "choice"},
		"math":    {"--kind", "math"},
	}
	total, agreed := 0, 0
	for kind, lines := range byKind {
		fl, ok := flags[kind]
		require.True(t, ok, "unknown case kind %q", kind)
		ta := newTestApp(t)
		ta.stdin = strings.Join(lines, "\n")
		out := ta.mustRun(append([]string{"score"}, fl...)...)
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			r := decode[scoreResult](t, l)
			require.NotNil(t, r.Agree, "every case carries the peer's verdict")
			total++
			if *r.Agree {
				agreed++
			}
		}
	}
	require.Equal(t, 260, total)
	t.Logf("parity score agrees with the peers on %d of %d cases", agreed, total)
	require.GreaterOrEqual(t, float64(agreed)/float64(total), 0.99)
}
