package runners

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitFor fails the test instead of hanging when a signal never comes. It
// may run inside fake clients, so it reports with Errorf, not Fatalf.
func waitFor(t *testing.T, ch <-chan struct{}, what string) bool {
	t.Helper()
	select {
	case <-ch:
		return true
	case <-time.After(10 * time.Second):
		t.Errorf("timed out waiting for %s", what)
		return false
	}
}

// gate holds the requests that pass it until want of them are waiting,
// then lets them all go: a test can see that the runner had that many in
// flight at once. Once open it holds nothing, so extra requests show in
// the counts instead of hanging the test.
type gate struct {
	mu      sync.Mutex
	want    int
	waiting int
	open    chan struct{}
}

func newGate(want int) *gate { return &gate{want: want, open: make(chan struct{})} }

func (g *gate) pass(t *testing.T) {
	g.mu.Lock()
	select {
	case <-g.open:
		g.mu.Unlock()
		return
	default:
	}
	g.waiting++
	if g.waiting == g.want {
		close(g.open)
	}
	g.mu.Unlock()
	waitFor(t, g.open, strconv.Itoa(g.want)+" requests in flight together")
}

func newRunner(c parity.Client, s parity.Store) *Runner {
	return &Runner{Client: c, Store: s, Now: fixedClock(), Concurrency: 4}
}

func TestRunKnownAnswers(t *testing.T) {
	serverErr := &parity.Error{Code: parity.ErrServer, Message: "503 after 4 attempts"}
	tests := []struct {
		name    string
		sloppy  bool
		answer  func(i, sample int) (parity.Completion, error)
		want    map[parity.Outcome]int
		status  string
		note    string
		errCode parity.ErrorCode
	}{
		{
			name: "all correct",
			answer: func(i, _ int) (parity.Completion, error) {
				return parity.Completion{Content: strconv.Itoa(i), FinishReason: parity.FinishStop}, nil
			},
			want:   map[parity.Outcome]int{parity.OutcomeCorrect: 60},
			status: StatusComplete,
		},
		{
			name: "every outcome",
			answer: func(i, sample int) (parity.Completion, error) {
				switch i % 5 {
				case 0:
					return parity.Completion{Content: strconv.Itoa(i), FinishReason: parity.FinishStop}, nil
				case 1:
					return parity.Completion{Content: "nope", FinishReason: parity.FinishStop}, nil
				case 2:
					return parity.Completion{FinishReason: parity.FinishLength}, nil
				case 3:
					return parity.Completion{FinishReason: parity.FinishContentFilter}, nil
				}
				return parity.Completion{Attempts: 4}, serverErr
			},
			want: map[parity.Outcome]int{parity.OutcomeCorrect: 12, parity.OutcomeWrong: 12,
				parity.OutcomeTruncated: 12, parity.OutcomeRefused: 12, parity.OutcomeError: 12},
			status:  StatusPartial,
			note:    "12 samples failed; run again to retry them",
			errCode: parity.ErrPartial,
		},
		{
			name:   "scorer ignoring the error is overruled",
			sloppy: true,
			answer: func(i, _ int) (parity.Completion, error) {
				if i < 3 {
					return parity.Completion{}, errors.New("connection reset")
				}
				return parity.Completion{Content: strconv.Itoa(i)}, nil
			},
			want:    map[parity.Outcome]int{parity.OutcomeCorrect: 54, parity.OutcomeError: 6},
			status:  StatusPartial,
			note:    "6 samples failed; run again to retry them",
			errCode: parity.ErrPartial,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
				i, err := strconv.Atoi(req.Ref.ItemID)
				if err != nil || req.Ref.Suite == "" {
					return parity.Completion{}, errors.New("no item reference")
				}
				c, cerr := tt.answer(i, req.Ref.Sample)
				c.ModelReported = "m-2025"
				c.Usage = parity.Usage{PromptTokens: 10, CompletionTokens: 20}
				return c, cerr
			})
			store := newStore()
			var log bytes.Buffer
			r := newRunner(client, store)
			r.Log = &log
			suite := &fakeSuite{name: "toy", n: 30, sloppy: tt.sloppy}
			price := &parity.Price{Input: 1, Output: 2, Currency: "USD"}
			res, err := r.Run(context.Background(), []Job{{Model: model("mock"), Suite: suite, Samples: 2, Price: price, BaseURL: "http://x"}})
			if tt.errCode == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.errCode, parity.CodeOf(err))
			}
			require.Len(t, res, 1)
			got := res[0]
			assert.Equal(t, tt.status, got.Status)
			assert.Equal(t, tt.want, got.Counts)
			assert.Equal(t, 60, got.Target)
			assert.Equal(t, 60-tt.want[parity.OutcomeError], got.Done)
			assert.Equal(t, tt.want, store.outcomes(got.Run.ID))
			assert.EqualValues(t, 60, client.calls.Load())

			run := store.run(got.Run.ID)
			assert.Equal(t, tt.note, run.Note)
			assert.Equal(t, "m-2025", run.ModelReported)
			assert.Equal(t, 30, run.Items)
			assert.Equal(t, "http://x", run.BaseURL)
			assert.Equal(t, parity.Version, run.ParityVersion)
			assert.Equal(t, parity.RunFingerprint(run), run.Fingerprint)
			assert.False(t, run.FinishedAt.IsZero())
			wantStatus := parity.RunComplete
			if tt.status == StatusPartial {
				wantStatus = parity.RunPartial
			}
			assert.Equal(t, wantStatus, run.Status)

			smp := store.samples[got.Run.ID][parity.SampleKey{ItemID: "5", Index: 1}]
			assert.Equal(t, "5", smp.Gold)
			assert.Equal(t, []parity.Message{{Role: "user", Content: "q5"}}, smp.Messages)
			assert.Equal(t, fixedClock()(), smp.StartedAt)
			assert.InDelta(t, (10*1+20*2)/1e6, smp.Cost, 1e-12)
			if smp.Score.Outcome == parity.OutcomeError {
				assert.NotEmpty(t, smp.Completion.Error)
				assert.NotEmpty(t, smp.Completion.ErrorCode)
			}
			assert.Contains(t, log.String(), "mock/m on toy: new run 1")
			assert.Contains(t, log.String(), "mock/m on toy: run 1 "+tt.status)
		})
	}
}

func TestErrorCodeRecorded(t *testing.T) {
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		switch req.Ref.ItemID {
		case "0":
			return parity.Completion{}, &parity.Error{Code: parity.ErrTimeout, Message: "no answer in 10m"}
		case "1":
			return parity.Completion{}, errors.New("plain failure")
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	store := newStore()
	res, err := newRunner(client, store).Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 3}}})
	require.Error(t, err)
	got := store.samples[res[0].Run.ID]
	assert.Equal(t, parity.ErrTimeout, got[parity.SampleKey{ItemID: "0"}].Completion.ErrorCode)
	assert.Equal(t, "no answer in 10m", got[parity.SampleKey{ItemID: "0"}].Completion.Error)
	assert.Equal(t, parity.ErrInternal, got[parity.SampleKey{ItemID: "1"}].Completion.ErrorCode)
	assert.Equal(t, "plain failure", got[parity.SampleKey{ItemID: "1"}].Completion.Error)
}

// The first four requests wait until all four are in flight, which only
// happens if the pool fills every slot. Then item 0 stays stuck while the
// other three slots must carry every remaining item: no waves.
func TestConcurrencySaturatedAndRefilled(t *testing.T) {
	const n, limit = 40, 4
	allIn := make(chan struct{})
	var fill sync.Once
	othersDone := make(chan struct{})
	var client *fakeClient
	var fast int
	client = newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		i, _ := strconv.Atoi(req.Ref.ItemID)
		if i < limit {
			if client.inFlight("") == limit {
				fill.Do(func() { close(allIn) })
			}
			select {
			case <-allIn:
			case <-ctx.Done():
				return parity.Completion{}, ctx.Err()
			}
		}
		if i == 0 {
			if !waitFor(t, othersDone, "the other items while item 0 is stuck") {
				return parity.Completion{}, errors.New("stuck")
			}
		} else {
			client.mu.Lock()
			fast++
			if fast == n-1 {
				close(othersDone)
			}
			client.mu.Unlock()
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	store := newStore()
	r := newRunner(client, store)
	r.Concurrency = limit
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := r.Run(ctx, []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: n}}})
	require.NoError(t, err)
	assert.Equal(t, StatusComplete, res[0].Status)
	assert.Equal(t, limit, client.maxTotal)
	assert.Equal(t, n, store.sampleCount(res[0].Run.ID))
}

// Provider a may have two requests in flight and b three, in a pool of six.
// a's requests hold their slots until b has finished, and b's wait until a
// holds both of its slots: a's limit is reached, never passed, and never
// blocks b. Without the limits a or b would take every slot and deadlock.
func TestProviderConcurrency(t *testing.T) {
	const nb = 20
	aFull := make(chan struct{})
	var fill sync.Once
	bDone := make(chan struct{})
	var client *fakeClient
	var bCount int
	client = newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		switch providerOf(req.Model) {
		case "a":
			if client.inFlight("a") == 2 {
				fill.Do(func() { close(aFull) })
			}
			if !waitFor(t, bDone, "provider b to finish") {
				return parity.Completion{}, errors.New("stuck")
			}
		case "b":
			if !waitFor(t, aFull, "provider a to fill its two slots") {
				return parity.Completion{}, errors.New("stuck")
			}
			client.mu.Lock()
			bCount++
			if bCount == nb {
				close(bDone)
			}
			client.mu.Unlock()
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	store := newStore()
	r := newRunner(client, store)
	r.Concurrency = 6
	var log strings.Builder
	r.Log = &log
	client.caps = map[string]int{"a": 2, "b": 3}
	res, err := r.Run(context.Background(), []Job{
		{Model: model("a"), Suite: &fakeSuite{name: "s", n: 10}},
		{Model: model("b"), Suite: &fakeSuite{name: "s", n: nb}},
		{Model: model("a"), Suite: &fakeSuite{name: "t", n: 1}},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(log.String(), "a: the catalog allows 2 request(s) at a time, below --concurrency 6"), "said once per provider: %s", log.String())
	assert.Equal(t, 2, client.peak["a"])
	assert.LessOrEqual(t, client.peak["b"], 3)
	assert.LessOrEqual(t, client.maxTotal, 6)
	assert.Equal(t, StatusComplete, res[0].Status)
	assert.Equal(t, StatusComplete, res[1].Status)
}

func TestResumeAfterCancel(t *testing.T) {
	const items, samples = 50, 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := newStore()
	store.gate = make(chan struct{})
	var once sync.Once
	client := newClient(func(rctx context.Context, req parity.Request) (parity.Completion, error) {
		if req.Ref.ItemID == "20" {
			cancel()
			once.Do(func() { close(store.gate) })
		}
		if req.Ref.ItemID >= "20" && len(req.Ref.ItemID) == 2 {
			<-rctx.Done()
			return parity.Completion{}, rctx.Err()
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	r := newRunner(client, store)
	// The store holds every commit until the cancel, so the samples can
	// only reach it on a context that survived the cancel.
	job := Job{Model: model("p"), Suite: &fakeSuite{name: "s", n: items}, Samples: samples}

	res, err := r.Run(ctx, []Job{job})
	require.Error(t, err)
	assert.Equal(t, parity.ErrInterrupted, parity.CodeOf(err))
	assert.ErrorIs(t, err, context.Canceled)
	first := res[0]
	assert.Equal(t, StatusPartial, first.Status)
	stored := store.sampleCount(first.Run.ID)
	assert.Positive(t, stored)
	assert.Less(t, stored, items*samples)
	assert.Equal(t, stored, first.Done)
	assert.Equal(t, map[parity.Outcome]int{parity.OutcomeCorrect: stored}, store.outcomes(first.Run.ID), "cancelled requests are not recorded")
	run := store.run(first.Run.ID)
	assert.Equal(t, parity.RunPartial, run.Status)
	assert.Equal(t, "interrupted", run.Note)
	assert.False(t, run.FinishedAt.IsZero())

	client2 := correctClient()
	var log bytes.Buffer
	r2 := newRunner(client2, store)
	r2.Log = &log
	res, err = r2.Run(context.Background(), []Job{job})
	require.NoError(t, err)
	assert.Equal(t, first.Run.ID, res[0].Run.ID)
	assert.Equal(t, StatusComplete, res[0].Status)
	assert.EqualValues(t, items*samples-stored, client2.calls.Load(), "only missing samples are asked")
	assert.Equal(t, items*samples, store.sampleCount(first.Run.ID))
	for _, k := range client2.asked {
		_, before := store.samples[first.Run.ID][k]
		assert.True(t, before)
	}
	assert.Contains(t, log.String(), "resuming run 1: "+strconv.Itoa(stored)+"/100 done")
	assert.Equal(t, parity.RunComplete, store.run(first.Run.ID).Status)
	assert.Empty(t, store.run(first.Run.ID).Note)
}

func TestAlreadyCompleteAndFresh(t *testing.T) {
	store := newStore()
	job := Job{Model: model("p"), Suite: &fakeSuite{name: "s", n: 12}, Samples: 3, Seed: 1, Limit: 10}
	_, err := newRunner(correctClient(), store).Run(context.Background(), []Job{job})
	require.NoError(t, err)

	tests := []struct {
		name      string
		fresh     bool
		wantCalls int64
		wantRun   int64
		status    string
	}{
		{"already complete sends nothing", false, 0, 1, StatusAlreadyComplete},
		{"fresh starts a new run", true, 30, 2, StatusComplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := correctClient()
			var log bytes.Buffer
			r := newRunner(client, store)
			r.Log = &log
			j := job
			j.Fresh = tt.fresh
			res, err := r.Run(context.Background(), []Job{j})
			require.NoError(t, err)
			assert.Equal(t, tt.wantCalls, client.calls.Load())
			assert.Equal(t, tt.wantRun, res[0].Run.ID)
			assert.Equal(t, tt.status, res[0].Status)
			assert.Equal(t, 30, res[0].Done)
			assert.Equal(t, 30, res[0].Target)
			if !tt.fresh {
				assert.Contains(t, log.String(), "already complete (run 1)")
			}
		})
	}
}

func TestFailedSamplesRetriedOnResume(t *testing.T) {
	store := newStore()
	job := Job{Model: model("p"), Suite: &fakeSuite{name: "s", n: 20}}
	flaky := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		if i, _ := strconv.Atoi(req.Ref.ItemID); i%5 == 0 {
			return parity.Completion{}, &parity.Error{Code: parity.ErrRateLimit, Message: "429"}
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	res, err := newRunner(flaky, store).Run(context.Background(), []Job{job})
	require.Error(t, err)
	assert.Equal(t, parity.ErrPartial, parity.CodeOf(err))
	assert.Equal(t, 4, res[0].Counts[parity.OutcomeError])
	assert.Equal(t, "4 samples failed; run again to retry them", store.run(1).Note)

	client := correctClient()
	res, err = newRunner(client, store).Run(context.Background(), []Job{job})
	require.NoError(t, err)
	assert.EqualValues(t, 4, client.calls.Load())
	assert.Equal(t, StatusComplete, res[0].Status)
	assert.Equal(t, map[parity.Outcome]int{parity.OutcomeCorrect: 20}, store.outcomes(1))
}

func TestFatalErrorStopsOnlyItsJob(t *testing.T) {
	for _, code := range []parity.ErrorCode{parity.ErrCredentials, parity.ErrBalance, parity.ErrNotFound} {
		t.Run(string(code), func(t *testing.T) {
			var badCalls atomic.Int64
			client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
				if providerOf(req.Model) == "bad" {
					badCalls.Add(1)
					return parity.Completion{}, &parity.Error{Code: code, Message: "set BAD_API_KEY"}
				}
				return parity.Completion{Content: req.Ref.ItemID}, nil
			})
			store := newStore()
			r := newRunner(client, store)
			r.Concurrency = 2
			res, err := r.Run(context.Background(), []Job{
				{Model: model("bad"), Suite: &fakeSuite{name: "s", n: 50}},
				{Model: model("good"), Suite: &fakeSuite{name: "s", n: 50}},
			})
			require.Error(t, err)
			assert.Equal(t, code, parity.CodeOf(err))
			assert.Contains(t, err.Error(), "set BAD_API_KEY")

			bad, good := res[0], res[1]
			assert.Equal(t, StatusPartial, bad.Status)
			assert.Equal(t, code, parity.CodeOf(bad.Err))
			assert.Equal(t, 0, store.sampleCount(bad.Run.ID), "fatal failures are not recorded")
			assert.Equal(t, "stopped: set BAD_API_KEY", store.run(bad.Run.ID).Note)
			assert.Equal(t, parity.RunPartial, store.run(bad.Run.ID).Status)
			assert.Less(t, client.calls.Load(), int64(50+10), "the bad job stops after a few requests")
			// Units of the bad job already queued for the workers are
			// dropped, not sent: only requests in flight when the first
			// fatal answer came can reach the provider.
			assert.LessOrEqual(t, badCalls.Load(), int64(r.Concurrency), "queued units of a stopped job are not sent")

			assert.Equal(t, StatusComplete, good.Status)
			assert.NoError(t, good.Err)
			assert.Equal(t, 50, store.sampleCount(good.Run.ID))
		})
	}
}

func TestBudget(t *testing.T) {
	// One output token at 1e6 per million tokens costs exactly 1.
	answer := func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		return parity.Completion{Content: req.Ref.ItemID, Usage: parity.Usage{CompletionTokens: 1}}, nil
	}
	tests := []struct {
		name      string
		currency  string
		wantCalls int64
		wantErr   parity.ErrorCode
		wantLog   string
	}{
		{"limit stops the run", "USD", 5, parity.ErrBudget, ""},
		{"currency is matched case-insensitively", "usd", 5, parity.ErrBudget, ""},
		{"other currency is not limited", "CNY", 20, "", "priced in USD but the cost limit is in CNY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := newClient(answer)
			store := newStore()
			var log bytes.Buffer
			r := newRunner(client, store)
			r.Concurrency, r.Log = 1, &log
			r.MaxCost, r.MaxCostCurrency = 5.5, tt.currency
			res, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 20},
				Price: &parity.Price{Output: 1e6, Currency: "USD"}}})
			assert.Equal(t, tt.wantCalls, client.calls.Load())
			assert.Equal(t, int(tt.wantCalls), store.sampleCount(res[0].Run.ID))
			assert.Contains(t, log.String(), tt.wantLog)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.wantErr, parity.CodeOf(err))
			assert.Equal(t, StatusPartial, res[0].Status)
			assert.Equal(t, "budget reached", store.run(res[0].Run.ID).Note)
		})
	}
}

// Group commit: while the first commit is held, the other answers queue up
// and go into the next commits together, never more than BatchSize at once.
func TestBatchesFormWhileACommitRuns(t *testing.T) {
	store := newStore()
	store.gate, store.held1st = make(chan struct{}), make(chan struct{})
	// With one worker, being asked item k means the answer to item k-1 is
	// already queued for the writer. Item 1 is answered once the first
	// commit is under way, and the commit ends when item 29 is asked.
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		switch req.Ref.ItemID {
		case "1":
			if !waitFor(t, store.held1st, "the first commit") {
				return parity.Completion{}, errors.New("stuck")
			}
		case "29":
			close(store.gate)
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	// The writer's queue holds Concurrency + 4 × BatchSize = 29 answers,
	// so the 28 answers between the first and the last all fit in it.
	r := newRunner(client, store)
	r.Concurrency, r.BatchSize = 1, 7
	_, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 30}}})
	require.NoError(t, err)
	sizes := store.batchSizes()
	require.GreaterOrEqual(t, len(sizes), 6)
	assert.Equal(t, 1, sizes[0], "the first answer is committed alone, at once")
	assert.Equal(t, []int{7, 7, 7, 7}, sizes[1:5], "28 answers queued behind it, taken 7 at a time")
	total := 0
	for _, n := range sizes {
		assert.LessOrEqual(t, n, 7)
		total += n
	}
	assert.Equal(t, 30, total)
}

// With a batch size of 1000 and one worker, the second request is answered
// only once the first sample is committed: a sample never waits for a batch
// to fill or for a timer.
func TestSampleCommittedWithoutWaitingForOthers(t *testing.T) {
	store := newStore()
	store.committed = make(chan int, 10)
	committed := make(chan struct{})
	go func() {
		<-store.committed
		close(committed)
	}()
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		if req.Ref.ItemID == "1" {
			if !waitFor(t, committed, "the first commit") {
				return parity.Completion{}, errors.New("stuck")
			}
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	r := newRunner(client, store)
	r.Concurrency, r.BatchSize = 1, 1000
	_, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 3}}})
	require.NoError(t, err)
	assert.Equal(t, 1, store.batchSizes()[0])
}

func TestStoreFailureStopsEverything(t *testing.T) {
	store := newStore()
	store.failAdd = 2
	r := newRunner(correctClient(), store)
	r.BatchSize = 5
	res, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 200}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
	assert.Equal(t, parity.ErrInternal, parity.CodeOf(err))
	assert.Equal(t, StatusPartial, res[0].Status)
	sizes := store.batchSizes()
	require.Len(t, sizes, 1, "nothing is committed after the failure")
	assert.Equal(t, sizes[0], store.sampleCount(res[0].Run.ID), "only the first batch was stored")
	assert.Equal(t, sizes[0], res[0].Done)
	assert.Contains(t, store.run(res[0].Run.ID).Note, "saving samples failed")
}

func TestSetupErrors(t *testing.T) {
	suite := &fakeSuite{name: "s", n: 5, subject: func(i int) string { return "algebra" }}
	tests := []struct {
		name string
		jobs []Job
		want string
	}{
		{"duplicate jobs", []Job{{Model: model("p"), Suite: suite}, {Model: model("p"), Suite: suite, Samples: 1}}, "jobs 1 and 2 are the same"},
		{"fresh job repeated by a resumable one", []Job{{Model: model("p"), Suite: suite, Fresh: true}, {Model: model("p"), Suite: suite}}, "jobs 1 and 2 are the same"},
		{"unknown subject", []Job{{Model: model("p"), Suite: suite, Subject: "poetry"}}, `no items selected from s subject "poetry"`},
		{"no suite", []Job{{Model: model("p")}}, "job 1 has no suite"},
		{"no model", []Job{{Suite: suite}}, "job 1 has no model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, store := correctClient(), newStore()
			_, err := newRunner(client, store).Run(context.Background(), tt.jobs)
			require.Error(t, err)
			assert.Equal(t, parity.ErrUsage, parity.CodeOf(err))
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, store.runs)
			assert.Zero(t, client.calls.Load())
		})
	}
}

func TestSubjectAndProgress(t *testing.T) {
	suite := &fakeSuite{name: "s", n: 40, subject: func(i int) string { return []string{"a", "b"}[i%2] }}
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		if req.Ref.ItemID == "2" {
			return parity.Completion{Content: "wrong"}, nil
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	store := newStore()
	var bar bytes.Buffer
	r := newRunner(client, store)
	r.Progress = &bar
	res, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: suite, Subject: "a"}})
	require.NoError(t, err)
	assert.Equal(t, 20, res[0].Target)
	for _, k := range client.asked {
		i, _ := strconv.Atoi(k.ItemID)
		assert.Zero(t, i%2, "only subject a is asked")
	}
	out := bar.String()
	assert.Contains(t, out, "acc  95.0%")
	assert.Contains(t, out, "20/20")
	assert.True(t, strings.HasSuffix(out, "\n"))
}

func TestTwoFreshJobsMakeTwoRuns(t *testing.T) {
	store := newStore()
	suite := &fakeSuite{name: "s", n: 5}
	client := correctClient()
	res, err := newRunner(client, store).Run(context.Background(), []Job{
		{Model: model("p"), Suite: suite, Fresh: true},
		{Model: model("p"), Suite: suite, Fresh: true},
	})
	require.NoError(t, err)
	assert.NotEqual(t, res[0].Run.ID, res[1].Run.ID)
	assert.EqualValues(t, 10, client.calls.Load())
	assert.Equal(t, 5, store.sampleCount(res[0].Run.ID))
	assert.Equal(t, 5, store.sampleCount(res[1].Run.ID))
}

// With 32 requests allowed in flight and a budget of 5.5 requests, the
// spend must still stop at 5: the first request goes alone until its cost
// is known, and then exactly the four that the estimate fits go out at
// once. The client holds those four until all of them have arrived, so the
// test sees that they were in flight together; a fifth would not be held,
// and would show in the count.
func TestBudgetHoldsAtHighConcurrency(t *testing.T) {
	var arrived atomic.Int64
	together := newGate(4)
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		if arrived.Add(1) > 1 {
			together.pass(t)
		}
		return parity.Completion{Content: req.Ref.ItemID, Usage: parity.Usage{CompletionTokens: 1}}, nil
	})
	store := newStore()
	r := newRunner(client, store)
	r.Concurrency = 32
	r.MaxCost, r.MaxCostCurrency = 5.5, "USD"
	res, err := r.Run(context.Background(), []Job{{Model: model("p"), Suite: &fakeSuite{name: "s", n: 200},
		Price: &parity.Price{Output: 1e6, Currency: "USD"}}})
	require.Error(t, err)
	assert.Equal(t, parity.ErrBudget, parity.CodeOf(err))
	assert.Equal(t, int64(5), client.calls.Load(), "never more than the budget buys")
	assert.Equal(t, 4, client.maxTotal, "the probe alone, then four at once")
	assert.Equal(t, 5, store.sampleCount(res[0].Run.ID))
}

// Two models priced 1 and 10 per request share a budget of 30. Both first
// requests are in flight together (the client holds them until both have
// come), so neither model runs ahead on a price the other has not learnt
// yet. After them (spent 11) the dear model may send one more (21) but not
// two (31): each job's requests in flight are estimated at its own mean,
// so the expensive one cannot hide behind the cheap one's average (5.5,
// which would let three more go and spend 41). Whatever order the workers
// reserve in, the counts are exact. The dear model has three items, so its
// requests waiting for a price can never take every worker from the cheap
// model's first one.
func TestBudgetEstimatesEachModelAtItsOwnPrice(t *testing.T) {
	probes := newGate(2)
	var mu sync.Mutex
	seen := map[string]bool{}
	client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		mu.Lock()
		first := !seen[req.Model]
		seen[req.Model] = true
		mu.Unlock()
		if first {
			probes.pass(t)
		}
		return parity.Completion{Content: req.Ref.ItemID, Usage: parity.Usage{CompletionTokens: 1}}, nil
	})
	store := newStore()
	r := newRunner(client, store)
	r.Concurrency = 16
	r.MaxCost, r.MaxCostCurrency = 30, "USD"
	res, err := r.Run(context.Background(), []Job{
		{Model: model("cheap"), Suite: &fakeSuite{name: "s", n: 1}, Price: &parity.Price{Output: 1e6, Currency: "USD"}},
		{Model: model("dear"), Suite: &fakeSuite{name: "s", n: 3}, Price: &parity.Price{Output: 10e6, Currency: "USD"}},
	})
	require.Error(t, err)
	assert.Equal(t, parity.ErrBudget, parity.CodeOf(err))
	assert.Equal(t, 1, store.sampleCount(res[0].Run.ID))
	assert.Equal(t, 2, store.sampleCount(res[1].Run.ID), "the probe and one more")
}

// TestBudgetEstimateIsPerJob drives the estimate step by step, with the
// requests in flight exactly where the test puts them.
func TestBudgetEstimateIsPerJob(t *testing.T) {
	ctx := context.Background()
	b := newBudget(30, "USD")
	cheap, dear := &jobState{}, &jobState{}
	require.True(t, b.reserve(ctx, cheap), "each model's first request goes without an estimate")
	require.True(t, b.reserve(ctx, dear))
	b.settle(cheap, 1, true)
	b.settle(dear, 10, true)
	require.True(t, b.reserve(ctx, dear), "11 spent + 10 = 21")
	assert.False(t, b.reserve(ctx, dear), "11 + 10 in flight + 10 = 31; at the mean of both jobs (5.5) it would be 26.5")
	assert.True(t, b.hit())
	assert.False(t, b.reserve(ctx, cheap), "once reached, nothing more goes out")
}

func TestRunHeldByAnotherProcessIsRefused(t *testing.T) {
	store := newStore()
	client := correctClient()
	job := Job{Model: model("p"), Suite: &fakeSuite{name: "s", n: 10}}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	interrupting := newClient(func(c context.Context, req parity.Request) (parity.Completion, error) {
		calls++
		if calls == 3 {
			cancel()
		}
		return parity.Completion{Content: req.Ref.ItemID}, nil
	})
	r := newRunner(interrupting, store)
	r.Concurrency = 1
	res, err := r.Run(ctx, []Job{job})
	require.Error(t, err)
	runID := res[0].Run.ID
	assert.Empty(t, store.heldLocks(), "every claim is released when Run returns")

	store.holdLock(parity.RunLockName(runID)) // another process resumed it
	_, err = newRunner(client, store).Run(context.Background(), []Job{job})
	require.Error(t, err)
	assert.Equal(t, parity.ErrBusy, parity.CodeOf(err))
	assert.Contains(t, err.Error(), "another parity process")
	assert.Contains(t, err.Error(), "--fresh")
	assert.Zero(t, client.calls.Load(), "nothing is asked twice")
	assert.Equal(t, parity.RunPartial, store.run(runID).Status, "the other process's run is left alone")

	fresh := job
	fresh.Fresh = true
	res, err = newRunner(client, store).Run(context.Background(), []Job{fresh})
	require.NoError(t, err, "--fresh starts a separate run")
	assert.NotEqual(t, runID, res[0].Run.ID)
}
