package runners

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// jobState is one job while it runs. Fields after the marker belong to the
// writer goroutine until it has exited.
type jobState struct {
	index   int
	job     Job
	samples int
	info    parity.SuiteInfo
	items   []parity.Item
	run     *parity.Run
	runID   int64 // copied so workers never read the run the writer updates
	resumed bool
	// complete means an earlier process completed the run.
	complete bool
	// done holds the keys an earlier process stored; prior counts those
	// among the selected items and pending what is left to ask.
	done    map[parity.SampleKey]bool
	prior   int
	pending int
	// sem bounds the job's provider, when it has a limit.
	sem chan struct{}
	// priceCard turns usage into cost; budgeted jobs count against
	// Runner.MaxCost.
	priceCard *parity.Price
	budgeted  bool
	// ctx stops the job's feeding; its cause says why (fatal error, budget).
	ctx  context.Context
	stop context.CancelCauseFunc
	// unlock releases the process's claim on the run; nil when none is held.
	unlock func()

	// Owned by the writer.
	stored int // samples committed this time with an outcome other than error
	failed int // samples committed this time with outcome error
	counts map[parity.Outcome]int
}

func (st *jobState) label() string {
	l := st.job.Model.ID + " on " + st.info.Name
	if st.job.Subject != "" {
		l += ":" + st.job.Subject
	}
	if st.job.ShardCount > 1 {
		l += fmt.Sprintf(" (shard %d/%d)", st.job.ShardIndex, st.job.ShardCount)
	}
	return l
}

// load reads and selects the job's items and builds its run, touching no
// store, so that a bad job is reported before any run is opened.
func (c *config) load(ctx context.Context, i int, job Job) (*jobState, error) {
	if job.Suite == nil {
		return nil, parity.Errorf(parity.ErrUsage, "job %d has no suite: pick one with --suite", i+1)
	}
	if job.Model.ID == "" {
		return nil, parity.Errorf(parity.ErrUsage, "job %d has no model: pick one with --model", i+1)
	}
	st := &jobState{index: i, job: job, samples: samplesOf(job), info: job.Suite.Info(), counts: map[parity.Outcome]int{}}
	all, err := job.Suite.Items(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", st.info.Name, err)
	}
	st.items = parity.Select(all, job.Subject, job.Limit, job.Seed)
	if len(st.items) == 0 {
		what := st.info.Name
		if job.Subject != "" {
			what += fmt.Sprintf(" subject %q", job.Subject)
		}
		return nil, parity.Errorf(parity.ErrUsage, "no items selected from %s: check the subject name with the suite list", what)
	}
	params := job.Params
	if s, ok := job.Suite.(parity.StopSequencer); ok && params.Stop == nil {
		params.Stop = s.StopSequences()
	}
	run := &parity.Run{
		Status:        parity.RunRunning,
		Model:         job.Model,
		BaseURL:       job.BaseURL,
		Suite:         st.info,
		Params:        params,
		Samples:       st.samples,
		Limit:         job.Limit,
		Seed:          job.Seed,
		Subject:       job.Subject,
		Items:         len(st.items),
		ParityVersion: parity.Version,
		GitRevision:   parity.GitRevision,
		StartedAt:     c.Now(),
		Price:         job.Price,
		Warnings:      job.Warnings,
	}
	run.Fingerprint = parity.RunFingerprint(*run)
	if job.ShardCount > 1 {
		if job.ShardIndex < 1 || job.ShardIndex > job.ShardCount {
			return nil, parity.Errorf(parity.ErrUsage, "shard %d/%d does not exist: number shards from 1 to %d", job.ShardIndex, job.ShardCount, job.ShardCount)
		}
		run.Shard = &parity.Shard{Index: job.ShardIndex, Count: job.ShardCount, Items: len(st.items), Whole: run.Fingerprint}
		st.items = parity.ShardItems(st.items, job.ShardIndex, job.ShardCount)
		if len(st.items) == 0 {
			return nil, parity.Errorf(parity.ErrUsage, "shard %s of %s has no items: %d items cannot be split %d ways; use fewer shards",
				run.Shard, st.info.Name, run.Shard.Items, job.ShardCount)
		}
		run.Items = len(st.items)
		run.Fingerprint = parity.RunFingerprint(*run)
	}
	st.run = run
	return st, nil
}

// open finds the run to continue or creates a new one, and works out which
// samples are still to be asked.
//
// Two processes must never work on one run, so the decision is taken while
// holding the fingerprint's lock, and the run's own lock is held from then
// until the job ends (see Store.Lock).
func (c *config) open(ctx context.Context, st *jobState) error {
	unlockFP, err := c.Store.Lock(ctx, parity.FingerprintLockName(st.run.Fingerprint), true)
	if err != nil {
		return fmt.Errorf("open a run for %s: %w", st.label(), err)
	}
	defer unlockFP()
	if !st.job.Fresh {
		latest, err := c.Store.LatestRun(ctx, st.run.Fingerprint)
		if err != nil {
			return fmt.Errorf("look up earlier runs of %s: %w", st.label(), err)
		}
		if latest != nil && latest.Status == parity.RunComplete {
			st.run, st.runID, st.complete = latest, latest.ID, true
			return nil
		}
		if latest != nil {
			unlock, err := c.Store.Lock(ctx, parity.RunLockName(latest.ID), false)
			if err != nil {
				if parity.CodeOf(err) == parity.ErrBusy {
					return parity.Errorf(parity.ErrBusy, "run %d (%s) is being worked on by another parity process: wait for it to finish, or add --fresh to start a separate run",
						latest.ID, st.label())
				}
				return fmt.Errorf("claim run %d: %w", latest.ID, err)
			}
			st.unlock = unlock
			keys, err := c.Store.SampleKeys(ctx, latest.ID)
			if err != nil {
				return fmt.Errorf("read samples of run %d: %w", latest.ID, err)
			}
			latest.Status, latest.Note = parity.RunRunning, ""
			latest.FinishedAt = time.Time{}
			if err := c.Store.UpdateRun(ctx, latest); err != nil {
				return fmt.Errorf("reopen run %d: %w", latest.ID, err)
			}
			st.run, st.runID, st.resumed, st.done = latest, latest.ID, true, keys
		}
	}
	if !st.resumed {
		if err := c.Store.CreateRun(ctx, st.run); err != nil {
			return fmt.Errorf("create run for %s: %w", st.label(), err)
		}
		st.runID = st.run.ID
		unlock, err := c.Store.Lock(ctx, parity.RunLockName(st.runID), false)
		if err != nil {
			return fmt.Errorf("claim run %d: %w", st.runID, err)
		}
		st.unlock = unlock
	}
	for s := 0; s < st.samples; s++ {
		for i := range st.items {
			if st.done[parity.SampleKey{ItemID: st.items[i].ID, Index: s}] {
				st.prior++
			}
		}
	}
	st.pending = st.run.Target() - st.prior
	return nil
}

// price is the run's price card; a resumed run keeps the one it started with.
func (st *jobState) price() *parity.Price {
	if st.run.Price != nil {
		return st.run.Price
	}
	return st.job.Price
}

func (c *config) logStart(st *jobState) {
	switch {
	case st.complete:
		fmt.Fprintf(c.Log, "%s: already complete (run %d), nothing to ask\n", st.label(), st.runID)
	case st.resumed:
		fmt.Fprintf(c.Log, "%s: resuming run %d: %d/%d done\n", st.label(), st.runID, st.prior, st.run.Target())
	default:
		fmt.Fprintf(c.Log, "%s: new run %d: %d items × %d samples\n", st.label(), st.runID, st.run.Items, st.samples)
	}
}

func (c *config) logEnd(st *jobState, res Result) {
	if res.Status == StatusAlreadyComplete {
		return
	}
	line := fmt.Sprintf("%s: run %d %s, %d/%d done", st.label(), st.runID, res.Status, res.Done, res.Target)
	if acc, n, ok := parity.Accuracy(res.Counts); ok {
		line += fmt.Sprintf(", acc %.1f%% over %d new samples", acc*100, n)
	}
	if res.Run.Note != "" {
		line += " (" + res.Run.Note + ")"
	}
	fmt.Fprintln(c.Log, strings.TrimSpace(line))
}
