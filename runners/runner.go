// Package runners asks models the questions of benchmark suites and keeps
// every scored answer. A Runner takes jobs (one model on one suite each),
// resumes what an earlier process left unfinished, sends the missing
// requests through one bounded worker pool shared by all jobs, scores the
// answers with each suite's scorer and commits them to a parity.Store in
// batches from a single writer, so SQLite never sits in a request's path.
package runners

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// The values of Result.Status.
const (
	// StatusComplete means every sample of the run is stored and none failed.
	StatusComplete = "complete"
	// StatusAlreadyComplete means an earlier process completed the run, so
	// nothing was asked this time.
	StatusAlreadyComplete = "already-complete"
	// StatusPartial means samples are missing or failed; the same job run
	// again resumes it.
	StatusPartial = "partial"
)

// DefaultConcurrency is the number of requests in flight when
// Runner.Concurrency is zero: enough to hide latency without tripping the
// rate limits of most accounts.
const DefaultConcurrency = 8

// DefaultBatchSize is the most samples per commit when Runner.BatchSize is
// zero. Batches only reach it when answers arrive faster than SQLite
// commits; larger ones save little once WAL is on.
const DefaultBatchSize = 64

// Job is one model answering one suite with fixed settings.
type Job struct {
	Model  parity.Model
	Suite  parity.Suite
	Params parity.Params
	// Samples is how many answers are drawn per item; values below 1 mean 1.
	Samples int
	// Limit selects a seeded subset of that many items; 0 means all.
	Limit int
	Seed  int64
	// Subject keeps only the items of one subset; "" keeps all.
	Subject string
	// ShardIndex and ShardCount, when ShardCount > 1, keep only shard
	// ShardIndex (1 … ShardCount) of the selected items (see
	// parity.ShardItems); the run records the shard, and parity merge
	// joins the shards' runs into one.
	ShardIndex, ShardCount int
	// BaseURL is recorded in the run (it is part of the resume key) and is
	// not used to send anything: the Client knows where to send.
	BaseURL string
	// Price, when known, turns token usage into cost.
	Price *parity.Price
	// Fresh starts a new run even when an unfinished one could be resumed.
	Fresh bool
	// Warnings are settings the provider cannot honour, kept with the run.
	Warnings []string
}

// Runner runs jobs. The zero value of each optional field picks a default;
// Client and Store are required.
type Runner struct {
	Client parity.Client
	Store  parity.Store
	// Concurrency bounds the requests in flight across all jobs.
	Concurrency int
	// BatchSize is the most samples committed in one transaction. Samples
	// never wait for a batch to fill: the writer commits whatever is queued
	// as soon as it is free (group commit).
	BatchSize int
	// Progress receives a progress bar; nil shows none.
	Progress io.Writer
	// Log receives one line per job when it starts and ends; nil discards.
	Log io.Writer
	// Now stamps runs and samples; nil means time.Now.
	Now func() time.Time
	// MaxCost stops sending once the estimated spend of this invocation
	// would pass it; 0 means no limit. It applies to jobs whose price is in
	// MaxCostCurrency only, since amounts in different currencies do not add.
	MaxCost         float64
	MaxCostCurrency string
}

// Result is how one job ended.
type Result struct {
	// Run is the stored run as it was left.
	Run parity.Run
	// Status is StatusComplete, StatusAlreadyComplete or StatusPartial.
	Status string
	// Done counts the run's stored samples that need not be asked again
	// (earlier processes included); Target is Items × Samples.
	Done, Target int
	// Counts tallies the outcomes of the samples stored by this invocation;
	// samples stored by an earlier process are not re-read.
	Counts map[parity.Outcome]int
	// Err says why the run is partial; nil when it is complete.
	Err error
}

// errBudgetStop is the cancellation cause of jobs stopped by the cost limit.
var errBudgetStop = errors.New("budget reached")

// Run runs the jobs together and returns one Result per job, in order. The
// error is nil when every run is complete; otherwise it carries a
// parity.ErrorCode telling the caller why: the store failed, ErrInterrupted
// when ctx was cancelled, the code of a fatal provider error (credentials,
// balance, unknown model), ErrBudget, or ErrPartial when samples failed.
// Samples already scored are committed even when ctx is cancelled.
func (r *Runner) Run(ctx context.Context, jobs []Job) ([]Result, error) {
	if r.Client == nil || r.Store == nil {
		return nil, parity.Errorf(parity.ErrInternal, "runner needs a client and a store")
	}
	cfg := r.config()
	states := make([]*jobState, len(jobs))
	for i, job := range jobs {
		st, err := cfg.load(ctx, i, job)
		if err != nil {
			return nil, err
		}
		states[i] = st
	}
	if err := checkDuplicates(states); err != nil {
		return nil, err
	}
	defer func() {
		for _, st := range states {
			if st.unlock != nil {
				st.unlock()
			}
		}
	}()
	// The store's own context must outlive a Ctrl-C so that what was
	// already scored still reaches the disk and runs are marked partial.
	keep := context.WithoutCancel(ctx)
	for i, st := range states {
		if err := cfg.open(ctx, st); err != nil {
			cfg.abandon(keep, states[:i], err)
			return nil, err
		}
		cfg.logStart(st)
	}

	reqCtx, cancelReq := context.WithCancelCause(ctx)
	defer cancelReq(nil)
	s := newSession(cfg, reqCtx, keep, cancelReq, states)
	defer s.close()
	storeErr := s.run()

	results := make([]Result, len(states))
	for i, st := range states {
		results[i] = cfg.finish(keep, st, ctx.Err() != nil, storeErr)
		cfg.logEnd(st, results[i])
	}
	return results, summarize(ctx, storeErr, s.budget, results)
}

// config is a Runner with its defaults filled in.
type config struct {
	Runner
}

func (r *Runner) config() *config {
	c := &config{*r}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// checkDuplicates rejects two jobs with the same fingerprint unless both
// start fresh runs: the later one would resume the earlier one's run and
// ask every missing sample a second time.
func checkDuplicates(states []*jobState) error {
	seen := map[string]*jobState{}
	for _, st := range states {
		first, ok := seen[st.run.Fingerprint]
		if ok && !(first.job.Fresh && st.job.Fresh) {
			return parity.Errorf(parity.ErrUsage, "jobs %d and %d are the same (%s with the same settings): list each model and suite once",
				first.index+1, st.index+1, st.label())
		}
		if !ok {
			seen[st.run.Fingerprint] = st
		}
	}
	return nil
}

func samplesOf(j Job) int {
	if j.Samples < 1 {
		return 1
	}
	return j.Samples
}

// abandon marks runs that were opened before setup failed as partial, so a
// later process resumes them instead of finding them "running".
func (c *config) abandon(ctx context.Context, opened []*jobState, cause error) {
	for _, st := range opened {
		if st.complete {
			continue
		}
		st.run.Status = parity.RunPartial
		st.run.FinishedAt = c.Now()
		st.run.Note = "setup of another job failed: " + cause.Error()
		_ = c.Store.UpdateRun(ctx, st.run) // the setup error is the one worth reporting
	}
}

// finish decides how a job ended, saves that in its run and builds its Result.
func (c *config) finish(ctx context.Context, st *jobState, interrupted bool, storeErr error) Result {
	res := Result{Target: st.run.Target(), Counts: st.counts}
	if st.complete {
		res.Run, res.Status, res.Done = *st.run, StatusAlreadyComplete, res.Target
		return res
	}
	res.Done = st.prior + st.stored
	var notes []string
	var reasons []error
	cause := context.Cause(st.ctx)
	var fatal *parity.Error
	switch {
	case res.Done == res.Target:
	case storeErr != nil:
		notes = append(notes, "saving samples failed: "+storeErr.Error())
		reasons = append(reasons, storeErr)
	case errors.As(cause, &fatal) && isFatal(fatal.Code):
		notes = append(notes, "stopped: "+cause.Error())
		reasons = append(reasons, cause)
	case interrupted:
		notes = append(notes, "interrupted")
		reasons = append(reasons, parity.Errorf(parity.ErrInterrupted, "interrupted with %d of %d samples done; run the same command again to resume", res.Done, res.Target))
	case errors.Is(cause, errBudgetStop):
		notes = append(notes, "budget reached")
		reasons = append(reasons, parity.Errorf(parity.ErrBudget, "cost limit reached with %d of %d samples done; raise the limit or run again to continue", res.Done, res.Target))
	}
	if st.failed > 0 {
		notes = append(notes, fmt.Sprintf("%d samples failed; run again to retry them", st.failed))
		reasons = append(reasons, parity.Errorf(parity.ErrPartial, "%d samples failed; run the same command again to retry them", st.failed))
	}
	if res.Done < res.Target && len(notes) == 0 {
		missing := res.Target - res.Done
		notes = append(notes, fmt.Sprintf("%d samples missing; run again to finish", missing))
		reasons = append(reasons, parity.Errorf(parity.ErrPartial, "%d samples missing; run the same command again to finish", missing))
	}

	st.run.FinishedAt = c.Now()
	if res.Done == res.Target {
		st.run.Status, st.run.Note = parity.RunComplete, ""
		res.Status = StatusComplete
	} else {
		st.run.Status, st.run.Note = parity.RunPartial, strings.Join(notes, "; ")
		res.Status = StatusPartial
		res.Err = reasons[0]
	}
	if err := c.Store.UpdateRun(ctx, st.run); err != nil && res.Err == nil {
		res.Status = StatusPartial
		res.Err = fmt.Errorf("save run %d: %w", st.run.ID, err)
	}
	res.Run = *st.run
	return res
}

// summarize picks the error Run returns, most urgent first: a broken store,
// a Ctrl-C, a fatal provider error, the cost limit, then failed samples.
func summarize(ctx context.Context, storeErr error, b *budget, results []Result) error {
	if storeErr != nil {
		code := parity.CodeOf(storeErr)
		return &parity.Error{Code: code, Err: storeErr,
			Message: "answers could not be saved, so the run stopped (check the database file and free disk space, then run again to resume)"}
	}
	partial := 0
	for _, res := range results {
		if res.Status == StatusPartial {
			partial++
		}
	}
	if ctx.Err() != nil && partial > 0 {
		return &parity.Error{Code: parity.ErrInterrupted, Err: ctx.Err(),
			Message: fmt.Sprintf("interrupted: %d run(s) saved as partial; run the same command again to resume", partial)}
	}
	for _, res := range results {
		if res.Err != nil && isFatal(parity.CodeOf(res.Err)) {
			return &parity.Error{Code: parity.CodeOf(res.Err), Err: res.Err,
				Message: fmt.Sprintf("%s on %s stopped", res.Run.Model.ID, res.Run.Suite.Name)}
		}
	}
	if b != nil && b.hit() && partial > 0 {
		return parity.Errorf(parity.ErrBudget, "cost limit of %g %s reached (spent about %.4f): %d run(s) saved as partial; raise the limit or run again to continue",
			b.max, b.currency, b.spentSoFar(), partial)
	}
	failed, partials := 0, 0
	for _, res := range results {
		if res.Status != StatusPartial {
			continue
		}
		partials++
		if res.Err != nil {
			failed += res.Target - res.Done
		}
	}
	if partials > 0 {
		return parity.Errorf(parity.ErrPartial, "%d run(s) partial with %d samples missing or failed; run the same command again to retry them", partials, failed)
	}
	return nil
}

// isFatal reports whether an error code condemns every request of a model,
// not just one: asking again would fail the same way.
func isFatal(code parity.ErrorCode) bool {
	switch code {
	case parity.ErrCredentials, parity.ErrBalance, parity.ErrNotFound:
		return true
	}
	return false
}
