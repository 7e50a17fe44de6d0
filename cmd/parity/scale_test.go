package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/runners"
)

// scaleModels are the four mock models of a scale database: answers of
// every outcome, with reasoning, the shape of the databases the scale
// figures in issue 11 were measured on (4 models × --samples 4).
var scaleModels = []string{"mock/oracle-80", "mock/oracle-65", "mock/oracle-50", "mock/random"}

// scaleSamples is how many answers each item gets per model.
const scaleSamples = 4

// scaleSuite is benchSuite with questions as long as GSM8K's, so request
// messages weigh what they do in a real database.
type scaleSuite struct{ benchSuite }

func (s scaleSuite) Info() parity.SuiteInfo {
	info := s.benchSuite.Info()
	info.Name = "scale"
	return info
}

func (s scaleSuite) Prompt(it parity.Item) []parity.Message {
	return []parity.Message{{Role: "user", Content: it.Question +
		" A class of students shares the work in equal parts and then checks every step twice before writing it down." +
		"\n\nPlease reason step by step, and put your final answer within \\boxed{}."}}
}

// buildScaleDB writes a results database of about samples samples (four
// mock models × four samples per item, through the real runner, client and
// store) at path, unless one is already there.
func buildScaleDB(tb testing.TB, path string, samples int) {
	tb.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	items := samples / (len(scaleModels) * scaleSamples)
	suite := scaleSuite{benchSuite{items}}
	gold := map[string]string{}
	all, err := suite.Items(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, it := range all {
		gold[it.ID] = it.Answer
	}
	cat, err := providers.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	client := providers.New(cat, providers.Options{Answers: func(ref parity.ItemRef) (string, string, bool) {
		g, ok := gold[ref.ItemID]
		return g, "number", ok
	}})
	tmp := path + ".building"
	os.Remove(tmp)
	db, err := results.Open(context.Background(), tmp)
	if err != nil {
		tb.Fatal(err)
	}
	var jobs []runners.Job
	for _, id := range scaleModels {
		m, _, err := cat.Resolve(id)
		if err != nil {
			tb.Fatal(err)
		}
		jobs = append(jobs, runners.Job{Model: m, Suite: suite, Samples: scaleSamples})
	}
	r := &runners.Runner{Client: client, Store: db, Concurrency: 64}
	if _, err := r.Run(context.Background(), jobs); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	os.RemoveAll(tmp + ".locks")
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

// scaleDir is where scale databases live: $PARITY_BENCH_DIR keeps them
// between runs of the benchmark (the 1,000,000-sample one takes minutes to
// build), otherwise a temporary directory.
func scaleDir(b *testing.B) string {
	if d := os.Getenv("PARITY_BENCH_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		return d
	}
	return b.TempDir()
}

// childRun is what one parity process took.
type childRun struct {
	wall, cpu time.Duration // cpu: user and system time, all cores
	rssMiB    float64       // peak resident memory
}

// runChild runs parity as a separate process, so its peak resident memory
// is its own. CPU time is reported beside wall time because on a shared
// machine the wall time says as much about the neighbours as about parity.
func runChild(b *testing.B, db string, args ...string) childRun {
	b.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--db", db}, args...)...)
	peak := filepath.Join(b.TempDir(), "peak")
	cmd.Env = append(os.Environ(), "PARITY_TEST_AS_MAIN=1", "HOME="+b.TempDir(), "PARITY_TEST_PEAK_FILE="+peak)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("parity %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	run := childRun{wall: time.Since(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	// Not the rusage of the child: Linux counts in it the memory of the
	// process that started it (this one, which may have just built a
	// large database), because os/exec starts children sharing its memory
	// until they exec. The child writes its own high-water mark instead.
	kb, err := os.ReadFile(peak)
	if err != nil {
		b.Fatalf("parity %s wrote no peak memory: %v", strings.Join(args, " "), err)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(kb)), 64)
	if err != nil {
		b.Fatal(err)
	}
	run.rssMiB = n / 1024
	return run
}

// writePeak writes the process's peak resident memory in kB (VmHWM from
// /proc/self/status) to path, for runChild; nothing where there is no
// /proc.
func writePeak(path string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			os.WriteFile(path, []byte(strings.TrimSuffix(strings.TrimSpace(v), " kB")), 0o644)
		}
	}
}

// add sums times and keeps the larger peak memory.
func (c childRun) add(d childRun) childRun {
	return childRun{wall: c.wall + d.wall, cpu: c.cpu + d.cpu, rssMiB: max(c.rssMiB, d.rssMiB)}
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkScale measures 'parity report' and 'parity snapshot' as separate
// processes over databases of 10,000 to 1,000,000 samples built by
// buildScaleDB: wall time, peak resident memory and the snapshot's size.
// The targets of issue 11: report over 1,000,000 samples in under 2 s and
// 200 MB, snapshot in under 30 s with memory that does not grow with the
// database.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10_000, 224_672, 514_160, 1_000_000} {
		b.Run("samples="+strconv.Itoa(n), func(b *testing.B) {
			db := filepath.Join(scaleDir(b), fmt.Sprintf("scale-%d.db", n))
			buildScaleDB(b, db, n)
			b.ResetTimer()
			var report, snapshot childRun
			var size int64
			for i := 0; i < b.N; i++ {
				report = report.add(runChild(b, db, "report", "--format", "text"))
				out := filepath.Join(b.TempDir(), "site")
				snapshot = snapshot.add(runChild(b, db, "snapshot", out))
				size = dirSize(b, out)
				os.RemoveAll(out)
			}
			n := float64(b.N)
			b.ReportMetric(report.wall.Seconds()/n, "report-s")
			b.ReportMetric(report.cpu.Seconds()/n, "report-cpu-s")
			b.ReportMetric(report.rssMiB, "report-RSS-MiB")
			b.ReportMetric(snapshot.wall.Seconds()/n, "snapshot-s")
			b.ReportMetric(snapshot.cpu.Seconds()/n, "snapshot-cpu-s")
			b.ReportMetric(snapshot.rssMiB, "snapshot-RSS-MiB")
			b.ReportMetric(float64(size)/(1<<20), "snapshot-MiB")
		})
	}
}
