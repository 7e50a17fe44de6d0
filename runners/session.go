package runners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/parity-bench/parity"
)

// unit is one request to make: a sample of an item of a job. Units are
// produced one at a time by the job's feeder, never listed up front, so
// memory does not grow with the number of items.
type unit struct {
	job    *jobState
	item   int
	sample int
}

// scored is a finished unit on its way to the writer.
type scored struct {
	job    *jobState
	sample parity.Sample
}

// cappedClient is a Client that caps the requests in flight to each
// provider, as the shared client does from its catalog for accounts that
// refuse parallel calls beyond a small number. The cap lives there; the
// runner only holds a job's units back once its provider's cap is reached,
// so that requests queued for a capped provider do not take workers the
// other models could use.
type cappedClient interface {
	parity.Client
	// ProviderConcurrency is the most requests in flight the client lets
	// through to the provider of modelID; 0 means no cap.
	ProviderConcurrency(modelID string) int
}

func providerCap(c cappedClient, modelID string) int {
	if c == nil {
		return 0
	}
	return c.ProviderConcurrency(modelID)
}

// session is one call of Runner.Run once the runs are open: a feeder per
// job, one pool of workers shared by all jobs, and one writer.
type session struct {
	c *config
	// reqCtx carries Ctrl-C and a store failure to requests; keep is the
	// caller's context without its cancellation, for the store.
	reqCtx    context.Context
	keep      context.Context
	cancelReq context.CancelCauseFunc
	jobs      []*jobState
	budget    *budget
	work      chan unit
	out       chan scored
	progress  *progress
}

func newSession(c *config, reqCtx, keep context.Context, cancelReq context.CancelCauseFunc, jobs []*jobState) *session {
	s := &session{c: c, reqCtx: reqCtx, keep: keep, cancelReq: cancelReq, jobs: jobs,
		// A few units ready, so a worker that has just stored an answer
		// takes its next unit at once. Unbuffered, every unit waited for
		// the feeder goroutine to be scheduled, and under a burst of
		// answers it sat behind hundreds of runnable goroutines: at
		// --concurrency 256 that cost over 1% of throughput. Buffers from 4
		// units to one per worker measured the same. A queued unit costs
		// nothing: do skips it once its job is stopped, and it takes its
		// share of the budget only when a worker picks it up.
		work: make(chan unit, min(c.Concurrency, 16)),
		// Room for every worker's answer plus several batches, so workers
		// go straight back to asking while the writer commits; what queues
		// here during a commit is the next batch.
		out: make(chan scored, c.Concurrency+4*c.BatchSize),
	}
	if c.MaxCost > 0 {
		s.budget = newBudget(c.MaxCost, c.MaxCostCurrency)
	}
	capped, _ := c.Client.(cappedClient)
	sems := map[string]chan struct{}{}
	for _, st := range jobs {
		st.ctx, st.stop = context.WithCancelCause(reqCtx)
		if st.complete {
			continue
		}
		if n := providerCap(capped, st.job.Model.ID); n > 0 {
			if sems[st.job.Model.Provider] == nil {
				sems[st.job.Model.Provider] = make(chan struct{}, n)
				if n < c.Concurrency {
					fmt.Fprintf(c.Log, "%s: the catalog allows %d request(s) at a time, below --concurrency %d: its runs share those %d\n",
						st.job.Model.Provider, n, c.Concurrency, n)
				}
			}
			st.sem = sems[st.job.Model.Provider]
		}
		st.priceCard = st.price()
		if s.budget != nil && st.pending > 0 {
			switch p := st.priceCard; {
			case p == nil:
				fmt.Fprintf(c.Log, "%s: no price known, so the cost limit does not apply to it\n", st.label())
			case !strings.EqualFold(p.Currency, c.MaxCostCurrency):
				fmt.Fprintf(c.Log, "%s: priced in %s but the cost limit is in %s, so the limit does not apply to it\n", st.label(), p.Currency, c.MaxCostCurrency)
			default:
				st.budgeted = true
				s.budget.stops = append(s.budget.stops, st.stop)
				// A request waiting for the job's first price must notice
				// Ctrl-C or a fatal error; AfterFunc ends with the context.
				context.AfterFunc(st.ctx, s.budget.wake)
			}
		}
	}
	s.progress = newProgress(c.Progress, c.Now, jobs)
	return s
}

// close releases the jobs' contexts once their outcome has been read.
func (s *session) close() {
	for _, st := range s.jobs {
		st.stop(nil)
	}
}

// run sends every pending unit and returns once all answers are committed,
// or the error that stopped the store.
func (s *session) run() error {
	writerDone := make(chan error, 1)
	go func() { writerDone <- s.write() }()

	var workers sync.WaitGroup
	for range s.c.Concurrency {
		workers.Go(func() {
			for u := range s.work {
				s.do(u)
				if u.job.sem != nil {
					<-u.job.sem
				}
			}
		})
	}
	var feeders sync.WaitGroup
	for _, st := range s.jobs {
		if !st.complete && st.pending > 0 {
			feeders.Go(func() { s.feed(st) })
		}
	}
	feeders.Wait()
	close(s.work)
	workers.Wait()
	close(s.out)
	return <-writerDone
}

// feed hands the job's missing samples to the workers, sample index by
// sample index, so that a run stopped early covers as many items as it can.
func (s *session) feed(st *jobState) {
	stopped := st.ctx.Done()
	for k := 0; k < st.samples; k++ {
		for i := range st.items {
			if st.done[parity.SampleKey{ItemID: st.items[i].ID, Index: k}] {
				continue
			}
			if st.sem != nil {
				select {
				case st.sem <- struct{}{}:
				case <-stopped:
					return
				}
			}
			select {
			case s.work <- unit{job: st, item: i, sample: k}:
			case <-stopped:
				if st.sem != nil {
					<-st.sem
				}
				return
			}
		}
	}
}

// do asks one sample, scores it and passes it to the writer. Answers to
// cancelled requests and fatal failures are dropped, so a later resume asks
// them again.
func (s *session) do(u unit) {
	st := u.job
	if st.ctx.Err() != nil {
		return
	}
	if st.budgeted && !s.budget.reserve(st.ctx, st) {
		return
	}
	cost, priced := 0.0, false
	if st.budgeted {
		defer func() { s.budget.settle(st, cost, priced) }()
	}
	it := &st.items[u.item]
	msgs := st.job.Suite.Prompt(*it)
	req := parity.Request{
		Model:    st.job.Model.ID,
		Messages: msgs,
		Params:   st.run.Params,
		Ref:      parity.ItemRef{Suite: st.info.Name, ItemID: it.ID, Sample: u.sample},
	}
	started := s.c.Now()
	comp, err := s.c.Client.Complete(s.reqCtx, req)
	if errors.Is(err, context.Canceled) || s.reqCtx.Err() != nil {
		return
	}
	if err != nil || comp.Error != "" {
		if comp.Error == "" {
			comp.Error = err.Error()
		}
		if comp.ErrorCode == "" {
			comp.ErrorCode = parity.CodeOf(err)
		}
		if isFatal(comp.ErrorCode) {
			st.stop(fatalError(comp, err))
			return
		}
	}
	score := st.job.Suite.Score(*it, comp)
	if comp.Error != "" && score.Outcome != parity.OutcomeError {
		// A scorer that forgot FinishOutcome must not turn a failed request
		// into a wrong answer: failures are retried, wrong answers are not.
		score.Outcome = parity.OutcomeError
	}
	if st.priceCard != nil {
		cost = st.priceCard.At(started).Cost(comp.Usage)
		priced = comp.Error == ""
	}
	s.out <- scored{job: st, sample: parity.Sample{
		RunID:      st.runID,
		ItemID:     it.ID,
		Index:      u.sample,
		Messages:   msgs,
		Gold:       it.Answer,
		RotationOf: it.RotationOf,
		Pair:       it.Pair,
		Completion: comp,
		Score:      score,
		Cost:       cost,
		StartedAt:  started,
	}}
}

// fatalError is the cause a job is stopped with: a *parity.Error whose code
// is the fatal one, keeping the client's error when it has that code.
func fatalError(comp parity.Completion, err error) error {
	if err != nil && parity.CodeOf(err) == comp.ErrorCode {
		return err
	}
	return &parity.Error{Code: comp.ErrorCode, Message: comp.Error}
}

// write commits scored samples by group commit: it waits for one sample,
// takes whatever else is already queued (at most BatchSize) and commits them
// together at once. A sample therefore never waits for others to arrive; it
// waits only while an earlier commit runs, and batches grow exactly when
// commits are the bottleneck. After a failed commit it keeps draining so that
// no worker blocks, and returns the error once the workers are done.
func (s *session) write() error {
	var failed error
	size := s.c.BatchSize
	owners := make([]*jobState, 0, size)
	defer s.progress.close()
	for {
		sc, ok := <-s.out
		if !ok {
			return failed
		}
		if failed != nil {
			continue
		}
		// A fresh slice each time, in case the store kept the one it was
		// given, sized to what is queued: most batches are small.
		batch := append(make([]parity.Sample, 0, min(size, 1+len(s.out))), sc.sample)
		owners = append(owners[:0], sc.job)
		closed := false
	drain:
		for len(batch) < size {
			select {
			case sc, ok := <-s.out:
				if !ok {
					closed = true
					break drain
				}
				batch = append(batch, sc.sample)
				owners = append(owners, sc.job)
			default:
				break drain
			}
		}
		if err := s.commit(batch, owners); err != nil {
			failed = err
			s.cancelReq(err)
		}
		clear(owners)
		if closed {
			return failed
		}
	}
}

// commit stores one batch and then counts it, so that counts and progress
// only ever show what is safely on disk.
func (s *session) commit(batch []parity.Sample, owners []*jobState) error {
	if err := s.c.Store.AddSamples(s.keep, batch); err != nil {
		return fmt.Errorf("commit %d samples: %w", len(batch), err)
	}
	var reported []*jobState
	for i := range batch {
		st, o := owners[i], batch[i].Score.Outcome
		st.counts[o]++
		if !o.Scored() {
			st.failed++
		} else {
			st.stored++
		}
		if st.run.ModelReported == "" && batch[i].Completion.ModelReported != "" {
			st.run.ModelReported = batch[i].Completion.ModelReported
			reported = append(reported, st)
		}
		s.progress.count(st.index, o)
	}
	s.progress.add()
	for _, st := range reported {
		if err := s.c.Store.UpdateRun(s.keep, st.run); err != nil {
			return fmt.Errorf("save reported model of run %d: %w", st.runID, err)
		}
	}
	return nil
}

// budget estimates the spend of budgeted jobs: what answered requests
// cost, plus each job's requests in flight at that job's mean cost so far
// (models differ in price, so one job's mean says nothing of another's).
// Until a job's first answer is priced its cost is unknown, so it sends one
// request at a time and the other jobs wait for that answer: a tight budget
// is never overrun by a first wave of concurrent requests. Only each
// model's very first request is sent without an estimate.
type budget struct {
	mu       sync.Mutex
	cond     *sync.Cond
	max      float64
	currency string
	spent    float64
	jobs     map[*jobState]*jobSpend
	reached  bool
	stops    []context.CancelCauseFunc
}

// jobSpend is one job's share of the budget.
type jobSpend struct {
	spent    float64
	priced   int
	inflight int
}

func newBudget(max float64, currency string) *budget {
	b := &budget{max: max, currency: currency, jobs: map[*jobState]*jobSpend{}}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// wake releases requests waiting for a first price, when ctx ends.
func (b *budget) wake() {
	b.mu.Lock()
	b.cond.Broadcast()
	b.mu.Unlock()
}

func (b *budget) job(st *jobState) *jobSpend {
	j := b.jobs[st]
	if j == nil {
		j = &jobSpend{}
		b.jobs[st] = j
	}
	return j
}

// reserve allows one more request of st unless the estimate would pass the
// limit, in which case it stops every budgeted job. It waits while st's
// probe request is in flight, and gives up when ctx ends.
func (b *budget) reserve(ctx context.Context, st *jobState) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	j := b.job(st)
	for !b.reached && ctx.Err() == nil && b.mustWait(j) {
		b.cond.Wait()
	}
	if b.reached || ctx.Err() != nil {
		return false
	}
	estimate := b.spent
	for _, o := range b.jobs {
		if o.priced > 0 {
			estimate += float64(o.inflight) * o.spent / float64(o.priced)
		}
	}
	if j.priced > 0 {
		estimate += j.spent / float64(j.priced)
	}
	if estimate > b.max {
		b.reached = true
		for _, stop := range b.stops {
			stop(errBudgetStop)
		}
		b.cond.Broadcast()
		return false
	}
	j.inflight++
	return true
}

// settle ends a reserved request. Failed requests add their cost (usually
// none) but do not count towards the mean, which would otherwise drop.
func (b *budget) settle(st *jobState, cost float64, priced bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	j := b.job(st)
	j.inflight--
	b.spent += cost
	j.spent += cost
	if priced {
		j.priced++
	}
	b.cond.Broadcast()
}

// mustWait says whether a request of j has to wait: j's own probe is in
// flight, or j's cost is known but another job's probe is in flight, whose
// cost the estimate cannot include yet.
func (b *budget) mustWait(j *jobSpend) bool {
	if j.priced == 0 {
		return j.inflight > 0
	}
	for _, o := range b.jobs {
		if o.priced == 0 && o.inflight > 0 {
			return true
		}
	}
	return false
}

func (b *budget) hit() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reached
}

func (b *budget) spentSoFar() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}
