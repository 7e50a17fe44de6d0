package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scoreInput writes n lines: line i answers i+1 when i is even and 0 when
// it is odd, and carries another grader's verdict that is wrong on every
// tenth line.
func scoreInput(t testing.TB, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		pred := i + 1
		if i%2 == 1 {
			pred = 0
		}
		expected := i%2 == 0
		if i%10 == 0 {
			expected = !expected
		}
		fmt.Fprintf(&b, `{"prediction":"so the answer is \\boxed{%d}","gold":"%d","expected":%v}`+"\n", pred, i+1, expected)
	}
	path := filepath.Join(t.TempDir(), "preds.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// A long input is graded in chunks; the output and the summary are those
// of one pass over the whole input: lines numbered on across chunks, every
// disagreement counted in its class.
func TestScoreStreamsInChunks(t *testing.T) {
	n := 2*scoreChunk + 7
	ta := newTestApp(t)
	out := ta.mustRun("score", "--kind", "number", scoreInput(t, n))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, n)
	for _, i := range []int{0, scoreChunk, n - 1} {
		r := decode[scoreResult](t, lines[i])
		assert.Equal(t, i+1, r.Line)
		assert.Equal(t, fmt.Sprint(i+1), r.Gold)
		assert.Equal(t, i%2 == 0, r.Correct)
	}
	errText := ta.stderr.String()
	assert.Contains(t, errText, fmt.Sprintf("scored %d: correct %d", n, (n+1)/2))
	disagree := (n + 9) / 10
	assert.Contains(t, errText, fmt.Sprintf("agreement with \"expected\": %d of %d", n-disagree, n))
	// Every tenth line is even, so all disagreements fall in one class,
	// counted across the chunks and shown with the first line's example.
	assert.Contains(t, errText, fmt.Sprintf("%5d  correct × boxed/numeric, source: wrong  e.g. line 1:", disagree))
	assert.Equal(t, 1, strings.Count(errText, "e.g."), errText)
}

// A bad line far into a file stops the grading before any result is
// written: the file is checked whole first.
func TestScoreBadLineInALongFileWritesNothing(t *testing.T) {
	path := scoreInput(t, scoreChunk+10)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("{not json\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	ta := newTestApp(t)
	code := ta.run(context.Background(), "score", "--kind", "number", path)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, ta.stdout.String())
	assert.Contains(t, ta.stderr.String(), fmt.Sprintf("preds.jsonl:%d: not a JSON object", scoreChunk+11))
}

// BenchmarkScoreStream grades inputs of growing length: the live heap stays
// flat because lines are read, graded (on every core) and written a chunk
// at a time. The live heap is measured exactly, by a full collection every
// 2 MiB of output, since the heap including uncollected garbage depends on
// how much CPU the collector gets on a busy machine.
func BenchmarkScoreStream(b *testing.B) {
	for _, n := range []int{20_000, 200_000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			path := scoreInput(b, n)
			fi, err := os.Stat(path)
			require.NoError(b, err)
			out := &liveHeapProbe{every: 2 << 20}
			b.ResetTimer()
			for range b.N {
				var stderr strings.Builder
				a := &app{stdin: strings.NewReader(""), stdout: out, stderr: &stderr,
					getenv: func(string) string { return "" }, now: time.Now, isTerminal: func(io.Writer) bool { return false }}
				if code := a.main(context.Background(), []string{"score", "--kind", "number", path}); code != 0 {
					b.Fatal(stderr.String())
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(fi.Size())/(1<<20), "input-MiB")
			b.ReportMetric(float64(out.peak)/(1<<20), "peak-live-heap-MiB")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
		})
	}
}

// liveHeapProbe discards what is written to it and, every so many bytes,
// collects garbage and records the heap left: what the program holds.
type liveHeapProbe struct {
	every, since int
	peak         uint64
}

func (p *liveHeapProbe) Write(b []byte) (int, error) {
	p.since += len(b)
	if p.since >= p.every {
		p.since = 0
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.peak = max(p.peak, ms.HeapAlloc)
	}
	return len(b), nil
}
