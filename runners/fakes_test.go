package runners

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parity-bench/parity"
)

// fakeSuite has n numbered items whose answer is the item number. It grades
// a completion correct when its content equals the answer.
type fakeSuite struct {
	name    string
	n       int
	subject func(i int) string
	// sloppy skips FinishOutcome, like a buggy scorer would.
	sloppy bool
}

func (s *fakeSuite) Info() parity.SuiteInfo {
	return parity.SuiteInfo{Name: s.name, Version: "1", Kind: "number", Scorer: "exact", ScorerVersion: "1", Items: s.n, DataSHA256: "d", PromptHash: "p"}
}

func (s *fakeSuite) Items(ctx context.Context) ([]parity.Item, error) {
	items := make([]parity.Item, s.n)
	for i := range items {
		items[i] = parity.Item{ID: strconv.Itoa(i), Question: "q" + strconv.Itoa(i), Answer: strconv.Itoa(i)}
		if s.subject != nil {
			items[i].Subject = s.subject(i)
		}
	}
	return items, nil
}

func (s *fakeSuite) Prompt(it parity.Item) []parity.Message {
	return []parity.Message{{Role: "user", Content: it.Question}}
}

func (s *fakeSuite) Score(it parity.Item, c parity.Completion) parity.Score {
	sc := parity.Score{Scorer: "exact", ScorerVersion: "1", Extracted: c.Content}
	if !s.sloppy {
		if o, ok := parity.FinishOutcome(c, c.Content != ""); ok {
			sc.Outcome = o
			return sc
		}
	}
	if c.Content == it.Answer {
		sc.Outcome = parity.OutcomeCorrect
	} else {
		sc.Outcome = parity.OutcomeWrong
	}
	return sc
}

// fakeClient answers with fn and measures concurrency, overall and per
// provider (the part of the model id before the slash).
type fakeClient struct {
	fn func(ctx context.Context, req parity.Request) (parity.Completion, error)

	calls    atomic.Int64
	mu       sync.Mutex
	inflight map[string]int
	peak     map[string]int
	total    int
	maxTotal int
	asked    []parity.SampleKey
	// caps are the per-provider concurrency caps the client reports.
	caps map[string]int
}

// ProviderConcurrency reports the cap of the model's provider, as the shared
// client does from its catalog.
func (c *fakeClient) ProviderConcurrency(modelID string) int { return c.caps[providerOf(modelID)] }

func newClient(fn func(ctx context.Context, req parity.Request) (parity.Completion, error)) *fakeClient {
	return &fakeClient{fn: fn, inflight: map[string]int{}, peak: map[string]int{}}
}

// correctClient answers every request with the gold answer.
func correctClient() *fakeClient {
	return newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
		return parity.Completion{Content: req.Ref.ItemID, FinishReason: parity.FinishStop}, nil
	})
}

func providerOf(model string) string {
	p, _, _ := strings.Cut(model, "/")
	return p
}

func (c *fakeClient) Complete(ctx context.Context, req parity.Request) (parity.Completion, error) {
	c.calls.Add(1)
	p := providerOf(req.Model)
	c.mu.Lock()
	if req.Ref.ItemID != "" { // judge requests name no item
		c.asked = append(c.asked, parity.SampleKey{ItemID: req.Ref.ItemID, Index: req.Ref.Sample})
	}
	c.inflight[p]++
	c.peak[p] = max(c.peak[p], c.inflight[p])
	c.total++
	c.maxTotal = max(c.maxTotal, c.total)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inflight[p]--
		c.total--
		c.mu.Unlock()
	}()
	return c.fn(ctx, req)
}

// inFlight returns the requests in flight for a provider ("" for all).
func (c *fakeClient) inFlight(provider string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if provider == "" {
		return c.total
	}
	return c.inflight[provider]
}

// fakeStore keeps runs and samples in memory and enforces the Store
// contract: a stored key may only be replaced when its outcome was error.
type fakeStore struct {
	mu      sync.Mutex
	runs    []parity.Run
	samples map[int64]map[parity.SampleKey]parity.Sample
	batches []int
	// failAdd makes every AddSamples from that call number (1-based) on fail.
	failAdd int
	adds    int
	// committed, when set, receives the size of each committed batch.
	committed chan int
	// gate, when set, holds every AddSamples until it is closed, like a
	// slow disk; held is closed when the first one starts waiting.
	gate     chan struct{}
	held1st  chan struct{}
	heldOnce sync.Once
	updates  int
	// held are the lock names taken, as Store.Lock would by another
	// process; a name already held makes Lock fail with ErrBusy.
	held map[string]bool
}

func (s *fakeStore) Lock(ctx context.Context, name string, wait bool) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]bool{}
	}
	if s.held[name] {
		return nil, parity.Errorf(parity.ErrBusy, "%s is held", name)
	}
	s.held[name] = true
	return func() {
		s.mu.Lock()
		delete(s.held, name)
		s.mu.Unlock()
	}, nil
}

// holdLock takes name as another process would, until the test ends.
func (s *fakeStore) holdLock(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]bool{}
	}
	s.held[name] = true
}

func (s *fakeStore) heldLocks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.held {
		out = append(out, n)
	}
	return out
}

func newStore() *fakeStore {
	return &fakeStore{samples: map[int64]map[parity.SampleKey]parity.Sample{}}
}

func (s *fakeStore) CreateRun(ctx context.Context, r *parity.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ID = int64(len(s.runs) + 1)
	s.runs = append(s.runs, *r)
	return nil
}

func (s *fakeStore) LatestRun(ctx context.Context, fp string) (*parity.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.runs) - 1; i >= 0; i-- {
		if s.runs[i].Fingerprint == fp {
			r := s.runs[i]
			return &r, nil
		}
	}
	return nil, nil
}

func (s *fakeStore) SampleKeys(ctx context.Context, id int64) (map[parity.SampleKey]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := map[parity.SampleKey]bool{}
	for k, smp := range s.samples[id] {
		if smp.Score.Outcome != parity.OutcomeError {
			keys[k] = true
		}
	}
	return keys, nil
}

func (s *fakeStore) AddSamples(ctx context.Context, batch []parity.Sample) error {
	if s.gate != nil {
		if s.held1st != nil {
			s.heldOnce.Do(func() { close(s.held1st) })
		}
		<-s.gate
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fake store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adds++
	if s.failAdd > 0 && s.adds >= s.failAdd {
		return fmt.Errorf("fake store: disk full")
	}
	for _, smp := range batch {
		if old, ok := s.samples[smp.RunID][smp.Key()]; ok && old.Score.Outcome != parity.OutcomeError {
			return fmt.Errorf("fake store: duplicate sample %v of run %d", smp.Key(), smp.RunID)
		}
	}
	for _, smp := range batch {
		if s.samples[smp.RunID] == nil {
			s.samples[smp.RunID] = map[parity.SampleKey]parity.Sample{}
		}
		s.samples[smp.RunID][smp.Key()] = smp
	}
	s.batches = append(s.batches, len(batch))
	if s.committed != nil {
		select {
		case s.committed <- len(batch):
		default:
		}
	}
	return nil
}

func (s *fakeStore) UpdateRun(ctx context.Context, r *parity.Run) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fake store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates++
	s.runs[r.ID-1] = *r
	return nil
}

func (s *fakeStore) run(id int64) parity.Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[id-1]
}

func (s *fakeStore) sampleCount(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.samples[id])
}

func (s *fakeStore) outcomes(id int64) map[parity.Outcome]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[parity.Outcome]int{}
	for _, smp := range s.samples[id] {
		out[smp.Score.Outcome]++
	}
	return out
}

func (s *fakeStore) batchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.batches)
}

// fixedClock returns a Now that always says the same instant.
func fixedClock() func() time.Time {
	t := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}

func model(provider string) parity.Model {
	return parity.Model{ID: provider + "/m", Provider: provider, Name: "m", Origin: "mock"}
}
