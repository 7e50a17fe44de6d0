package results

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)

	minimal := &parity.Run{Model: parity.Model{ID: "mock/echo"}, Suite: parity.SuiteInfo{Name: "gsm8k"}, Samples: 1}
	zeroParams := fullRun("openai/o4-mini", "math500")
	zeroParams.Params = parity.Params{Temperature: ptr(0.0), TopP: ptr(0.0), Seed: ptr(0)}
	zeroParams.Price = nil
	zeroParams.Warnings = nil
	zeroParams.FinishedAt = time.Time{}

	tests := []struct {
		name string
		run  *parity.Run
	}{
		{"every field set", fullRun("deepseek/deepseek-reasoner", "gsm8k")},
		{"explicit zero params, no price", zeroParams},
		{"minimal", minimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, db.CreateRun(ctx, tt.run))
			require.NotZero(t, tt.run.ID)
			require.NotEmpty(t, tt.run.Fingerprint, "filled in when empty")
			require.NotEmpty(t, tt.run.Status, "filled in when empty")
			got, err := db.Run(ctx, tt.run.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.run, got)
		})
	}

	got, err := db.Run(ctx, zeroParams.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Params.Temperature, "an explicit 0 must not become 'unset'")
	assert.Zero(t, *got.Params.Temperature)
	got, err = db.Run(ctx, minimal.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Params.Temperature)
	assert.Nil(t, got.Price)
	assert.Equal(t, parity.RunRunning, got.Status)

	err = db.CreateRun(ctx, minimal)
	assert.ErrorContains(t, err, "already stored")
}

func TestUpdateRun(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "dashscope/qwen3-max", "gsm8k")
	r.Status = parity.RunPartial
	r.FinishedAt = t0.Add(time.Hour)
	r.ModelReported = "qwen3-max-2025"
	r.Warnings = append(r.Warnings, "budget reached")
	r.Note = "budget"
	require.NoError(t, db.UpdateRun(ctx, r))
	got, err := db.Run(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, r, got)

	missing := *r
	missing.ID = 999
	err = db.UpdateRun(ctx, &missing)
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err))
}

func TestRunNotFound(t *testing.T) {
	db, _ := openTemp(t)
	_, err := db.Run(context.Background(), 12)
	require.Error(t, err)
	assert.Equal(t, parity.ErrNotFound, parity.CodeOf(err))
	assert.Equal(t, "run 12 not found: list runs with `parity runs`", err.Error())
}

func TestLatestRun(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	none, err := db.LatestRun(ctx, "nope")
	require.NoError(t, err)
	assert.Nil(t, none)

	first := createRun(t, db, "ark/doubao-seed", "gsm8k")
	createRun(t, db, "ark/doubao-seed", "math500")
	second := createRun(t, db, "ark/doubao-seed", "gsm8k")
	require.Equal(t, first.Fingerprint, second.Fingerprint)
	got, err := db.LatestRun(ctx, first.Fingerprint)
	require.NoError(t, err)
	assert.Equal(t, second, got)
}

func TestSampleRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")

	noJudge := fullSample(r.ID, "b", 0, parity.OutcomeWrong)
	noJudge.Judge = nil
	emptyJudge := fullSample(r.ID, "c", 0, parity.OutcomeUnparsed)
	emptyJudge.Judge = &parity.Score{Outcome: parity.OutcomeWrong}
	bare := parity.Sample{RunID: r.ID, ItemID: "d", Index: 3, Score: parity.Score{Outcome: parity.OutcomeError}}

	tests := []struct {
		name   string
		sample parity.Sample
	}{
		{"every field set", fullSample(r.ID, "a", 1, parity.OutcomeCorrect)},
		{"judge nil", noJudge},
		{"judge with empty fields", emptyJudge},
		{"only key and outcome", bare},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, db.AddSamples(ctx, []parity.Sample{tt.sample}))
			got, err := db.Samples(ctx, r.ID, SampleFilter{ItemID: tt.sample.ItemID})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tt.sample, got[0])
		})
	}
}

func TestAddSamplesReplacesOnlyErrors(t *testing.T) {
	tests := []struct {
		name     string
		stored   parity.Outcome // "" when nothing is stored first
		incoming parity.Outcome
		wantErr  bool
	}{
		{"new key", "", parity.OutcomeCorrect, false},
		{"error retried and answered", parity.OutcomeError, parity.OutcomeCorrect, false},
		{"error retried and failed again", parity.OutcomeError, parity.OutcomeError, false},
		{"correct asked again", parity.OutcomeCorrect, parity.OutcomeWrong, true},
		{"wrong asked again", parity.OutcomeWrong, parity.OutcomeWrong, true},
		{"truncated overwritten by error", parity.OutcomeTruncated, parity.OutcomeError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, _ := openTemp(t)
			r := createRun(t, db, "openai/o4-mini", "gsm8k")
			if tt.stored != "" {
				require.NoError(t, db.AddSamples(ctx, []parity.Sample{smallSample(r.ID, "q1", 0, tt.stored, 5)}))
			}
			// The conflicting sample sits between two new ones: a refused
			// batch must leave neither of them behind.
			batch := []parity.Sample{
				smallSample(r.ID, "q0", 0, parity.OutcomeCorrect, 5),
				fullSample(r.ID, "q1", 0, tt.incoming),
				smallSample(r.ID, "q2", 0, parity.OutcomeCorrect, 5),
			}
			err := db.AddSamples(ctx, batch)
			got, qerr := db.Samples(ctx, r.ID, SampleFilter{})
			require.NoError(t, qerr)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrDuplicate)
				assert.Contains(t, err.Error(), "q1#0")
				require.Len(t, got, 1, "the whole batch is rolled back")
				assert.Equal(t, tt.stored, got[0].Score.Outcome, "the stored sample is untouched")
				return
			}
			require.NoError(t, err)
			require.Len(t, got, 3)
			assert.Equal(t, batch[1], got[1], "replacement stores every field")
		})
	}
}

func TestAddSamplesDuplicateWithinBatch(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	err := db.AddSamples(ctx, []parity.Sample{
		smallSample(r.ID, "q", 0, parity.OutcomeCorrect, 5),
		smallSample(r.ID, "q", 0, parity.OutcomeWrong, 5),
	})
	require.ErrorIs(t, err, ErrDuplicate)
	assert.Zero(t, countSamples(t, db, r.ID))
}

func TestAddSamplesRejectsBadSamples(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	badJudge := smallSample(r.ID, "q", 0, parity.OutcomeCorrect, 5)
	badJudge.Judge = &parity.Score{}
	tests := []struct {
		name   string
		sample parity.Sample
		want   string
	}{
		{"no run", smallSample(0, "q", 0, parity.OutcomeCorrect, 5), "create the run first"},
		{"unknown run", smallSample(r.ID+100, "q", 0, parity.OutcomeCorrect, 5), "FOREIGN KEY"},
		{"no item", smallSample(r.ID, "", 0, parity.OutcomeCorrect, 5), "no valid key"},
		{"no outcome", smallSample(r.ID, "q", 0, "", 5), "unknown outcome"},
		{"bad judge", badJudge, "judge: unknown outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := []parity.Sample{smallSample(r.ID, "ok", 0, parity.OutcomeCorrect, 5), tt.sample}
			err := db.AddSamples(ctx, batch)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Zero(t, countSamples(t, db, r.ID), "nothing of a failed batch is kept")
		})
	}
}

func TestAddSamplesCanceledContextKeepsNothing(t *testing.T) {
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	batch := []parity.Sample{smallSample(r.ID, "a", 0, parity.OutcomeCorrect, 5)}
	require.Error(t, db.AddSamples(ctx, batch))
	assert.Zero(t, countSamples(t, db, r.ID))
}

func TestSampleKeysSkipErrors(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	other := createRun(t, db, "openai/o4-mini", "math500")
	var batch []parity.Sample
	for i, o := range parity.Outcomes {
		batch = append(batch, smallSample(r.ID, "q", i, o, 5))
	}
	batch = append(batch, smallSample(other.ID, "q", 0, parity.OutcomeCorrect, 5))
	require.NoError(t, db.AddSamples(ctx, batch))

	keys, err := db.SampleKeys(ctx, r.ID)
	require.NoError(t, err)
	want := map[parity.SampleKey]bool{}
	for i, o := range parity.Outcomes {
		if o != parity.OutcomeError {
			want[parity.SampleKey{ItemID: "q", Index: i}] = true
		}
	}
	assert.Equal(t, want, keys)

	keys, err = db.SampleKeys(ctx, 999)
	require.NoError(t, err)
	assert.Empty(t, keys)
}

func TestSecretsAreNotStored(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	s := smallSample(r.ID, "q", 0, parity.OutcomeError, 0)
	s.Completion.Raw = `{"error":{"message":"Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz"}}`
	s.Completion.Error = "401: request had header Authorization: Bearer abcdefgh12345678; key ak-0a1b2c3d4e5f6a7b invalid"
	require.NoError(t, db.AddSamples(ctx, []parity.Sample{s}))
	got, err := db.Samples(ctx, r.ID, SampleFilter{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.NotContains(t, got[0].Completion.Raw, "sk-abcdefghijklmnopqrstuvwxyz")
	assert.NotContains(t, got[0].Completion.Error, "abcdefgh12345678")
	assert.Contains(t, got[0].Completion.Error, "Bearer [REDACTED]")
	assert.NotContains(t, got[0].Completion.Error, "0a1b2c3d4e5f6a7b", "keys of every shape parity.ScrubSecrets knows")

	// A run's note quotes the error that stopped it.
	r.Note = "stopped: 401: request had header Authorization: Bearer abcdefgh12345678"
	require.NoError(t, db.UpdateRun(ctx, r))
	r2 := fullRun("openai/o4-mini", "mmlu")
	r2.Note = "setup failed: x-api-key: abcd1234efgh5678"
	require.NoError(t, db.CreateRun(ctx, r2))
	for _, id := range []int64{r.ID, r2.ID} {
		got, err := db.Run(ctx, id)
		require.NoError(t, err)
		assert.NotContains(t, got.Note, "12345678", "run %d", id)
		assert.Contains(t, got.Note, "[REDACTED]", "run %d", id)
	}
}

// TestReopenAfterAbandonedRun simulates a process that stops without
// finishing its run: the run stays "running" and every committed batch is
// there for the resume.
func TestReopenAfterAbandonedRun(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	r := &parity.Run{Model: parity.Model{ID: "mock/echo"}, Suite: parity.SuiteInfo{Name: "gsm8k"}, Samples: 2, Items: 30}
	require.NoError(t, db.CreateRun(ctx, r))
	for b := range 3 {
		var batch []parity.Sample
		for i := range 10 {
			batch = append(batch, smallSample(r.ID, fmt.Sprintf("item-%02d", b*10+i), 0, parity.OutcomeCorrect, 100))
		}
		require.NoError(t, db.AddSamples(ctx, batch))
	}
	require.NoError(t, db.Close())

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	got, err := db.LatestRun(ctx, r.Fingerprint)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, parity.RunRunning, got.Status)
	keys, err := db.SampleKeys(ctx, got.ID)
	require.NoError(t, err)
	assert.Len(t, keys, 30)
}

const childEnv = "PARITY_RESULTS_KILL_CHILD"

// TestKilledWriterKeepsCommittedBatches kills a writing process with SIGKILL
// at an arbitrary moment and checks that the database holds every batch the
// writer reported committed, and no part of the batch it was writing.
func TestKilledWriterKeepsCommittedBatches(t *testing.T) {
	const batchSize = 16
	if path := os.Getenv(childEnv); path != "" {
		writeUntilKilled(path, batchSize)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	r := &parity.Run{Model: parity.Model{ID: "mock/echo"}, Suite: parity.SuiteInfo{Name: "gsm8k"}, Samples: 1}
	require.NoError(t, db.CreateRun(ctx, r))
	require.NoError(t, db.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterKeepsCommittedBatches$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	committed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() && committed < 8*batchSize {
		if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			committed, err = strconv.Atoi(n)
			require.NoError(t, err)
		}
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.GreaterOrEqual(t, committed, 8*batchSize, "the child never reported enough commits")

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	stored := 0
	require.NoError(t, db.EachSample(ctx, r.ID, SampleFilter{}, func(s parity.Sample) error {
		stored++
		assert.Len(t, s.Completion.Raw, 1000, "a stored sample is whole")
		return nil
	}))
	t.Logf("child reported %d samples committed; %d stored after the kill", committed, stored)
	assert.GreaterOrEqual(t, stored, committed, "every reported commit survives")
	assert.Zero(t, stored%batchSize, "no partial batch is stored")
}

// writeUntilKilled is the child side of the kill test: it stores batches
// and reports each commit on stdout until the parent kills it.
func writeUntilKilled(path string, batchSize int) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	const runID = 1
	for b := 0; b < 100000; b++ {
		batch := make([]parity.Sample, batchSize)
		for i := range batch {
			batch[i] = smallSample(runID, fmt.Sprintf("item-%07d", b*batchSize+i), 0, parity.OutcomeCorrect, 1000)
		}
		if err := db.AddSamples(ctx, batch); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("committed %d\n", (b+1)*batchSize)
	}
	os.Exit(0)
}

// TestFullDiskKeepsNothingOfTheBatch fills the file mid-batch: the batch
// fails with one line and nothing of it stays.
func TestFullDiskKeepsNothingOfTheBatch(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	r := createRun(t, db, "openai/o4-mini", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeCorrect)
	var pages int
	require.NoError(t, db.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages))
	_, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+2))
	require.NoError(t, err)
	var batch []parity.Sample
	for i := range 50 {
		batch = append(batch, smallSample(r.ID, fmt.Sprintf("big-%d", i), 0, parity.OutcomeCorrect, 4000))
	}
	err = db.AddSamples(ctx, batch)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk is full")
	assert.NotContains(t, err.Error(), "\n")
	assert.Equal(t, 3, countSamples(t, db, r.ID), "the failed batch left nothing")
	r.Note = "saving samples failed"
	assert.NoError(t, db.UpdateRun(ctx, r), "the handle still works for small writes")
}
