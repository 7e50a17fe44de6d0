package answer

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// realDir holds the real completion sets of issue 8, beside the checkout
// (CI keeps a copy of shared/ next to the repository).
const realDir = "../../../shared/scoring/real"

// realFloor lowers the 97% bar (agreement with reviewed source errors
// counted for parity) for a set that cannot reach it yet, to the figure
// docs/agreement.md reports, so a regression still fails. Every set
// reaches 97% with grader 1.2.1, so it is empty; keep it that way.
var realFloor = map[string]float64{}

type realLine struct {
	ID         string   `json:"id"`
	Prediction string   `json:"prediction"`
	Gold       string   `json:"gold"`
	Choices    []string `json:"choices"`
	Expected   bool     `json:"expected"`
	Kind       string   `json:"kind"`
}

func readReal(t *testing.T, path string) []realLine {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	sc := bufio.NewScanner(gz)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var out []realLine
	for sc.Scan() {
		var l realLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l))
		out = append(out, l)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestRealAgreement grades every real completion set and requires 97%
// agreement with the source's verdicts, reviewed source errors counted
// for parity (suites/answer/testdata/source-errors.tsv), or the set's
// recorded floor.
func TestRealAgreement(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "*.jsonl.gz"))
	if len(files) == 0 {
		t.Skipf("no real completion sets in %s (a copy of shared/ beside the checkout); run make agreement where it exists", realDir)
	}
	if testing.Short() {
		t.Skip("grading 67k real completions takes a while; run without -short")
	}
	if raceEnabled {
		t.Skip("grading is pure and single-item; under the race detector 67k real completions take minutes, so run this without -race")
	}
	rf, err := os.Open("testdata/source-errors.tsv")
	require.NoError(t, err)
	reviewed, err := ParseSourceErrors(rf)
	rf.Close()
	require.NoError(t, err)
	for _, path := range files {
		set := strings.TrimSuffix(filepath.Base(path), ".jsonl.gz")
		lines := readReal(t, path)
		vs := make([]Verdict, len(lines))
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(lines); i += workers {
					l := lines[i]
					k, err := ParseKind(l.Kind)
					if err != nil {
						k = Math
					}
					r := Grade(k, l.Prediction, l.Gold, Options{Choices: l.Choices})
					out := "unparsed"
					switch {
					case r.Correct:
						out = "correct"
					case r.Found:
						out = "wrong"
					}
					vs[i] = Verdict{ID: l.ID, Outcome: out, Detail: r.Detail, Expected: l.Expected, Prediction: l.Prediction}
				}
			}(w)
		}
		wg.Wait()
		sum := Summarise(set, vs, reviewed)
		floor, ok := realFloor[set]
		if !ok {
			floor = 0.97
		}
		t.Logf("%-55s %5d items: agreement %.2f%%, adjusted %.2f%%", set, sum.Items, 100*sum.Rate(), 100*sum.AdjustedRate())
		require.GreaterOrEqual(t, sum.AdjustedRate(), floor, "%s: agreement with the source fell; see make agreement", set)
	}
}
