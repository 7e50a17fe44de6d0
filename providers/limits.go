package providers

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/parity-bench/parity"
)

// limiter holds every piece of mutable state the Client shares between
// requests: per provider+model token buckets (RPM, TPM), per provider (and
// per capped model) AIMD concurrency gates, and per deployment replica
// health. It lives inside the Client, never in a global, so two clients in
// one process (tests, shards) never throttle each other.
type limiter struct {
	opt *Options

	mu      sync.Mutex
	buckets map[string]*bucket
	gates   map[string]*gate
	pools   map[string]*replicaPool

	// queued, when set, is told the key of a gate a request starts waiting
	// at; tests use it to know a request is queued without sleeping.
	queued func(key string)
}

func newLimiter(opt *Options) *limiter {
	return &limiter{opt: opt, buckets: map[string]*bucket{}, gates: map[string]*gate{}, pools: map[string]*replicaPool{}}
}

// bucket is a token bucket holding up to perMinute tokens and refilling at
// perMinute per minute. Reservations may take it below zero: the caller
// then waits until the debt is repaid, so concurrent callers queue in
// order instead of racing for the next token.
type bucket struct {
	perMinute float64
	tokens    float64
	last      time.Time
}

// reserve takes n tokens at now and returns how long to wait before using
// them.
func (b *bucket) reserve(n float64, now time.Time) time.Duration {
	if b.last.IsZero() {
		b.tokens, b.last = b.perMinute, now
	}
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens += dt.Minutes() * b.perMinute
		if b.tokens > b.perMinute {
			b.tokens = b.perMinute
		}
		b.last = now
	}
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.perMinute * float64(time.Minute))
}

func (l *limiter) bucket(key string, perMinute int) *bucket {
	b := l.buckets[key]
	if b == nil || b.perMinute != float64(perMinute) {
		b = &bucket{perMinute: float64(perMinute)}
		l.buckets[key] = b
	}
	return b
}

// gate caps requests in flight with additive-increase/multiplicative-
// decrease: a rate limit halves the cap (never below 1), a run of
// successes adds one back (never above max). Only a rate limit from a
// request admitted under the current cap shrinks it, so a burst of 429s
// from requests already in flight halves once, not once per request.
type gate struct {
	key                  string
	max, limit, inflight int
	successes            int
	epoch                uint64
	wake                 chan struct{}
}

func (l *limiter) gate(key string, max int) *gate {
	g := l.gates[key]
	if g == nil || g.max != max {
		g = &gate{key: key, max: max, limit: max, wake: make(chan struct{})}
		l.gates[key] = g
	}
	return g
}

// enter waits for a free slot; waiting ends with ctx.
func (l *limiter) enter(ctx context.Context, g *gate) (uint64, error) {
	for {
		l.mu.Lock()
		if g.inflight < g.limit {
			g.inflight++
			e := g.epoch
			l.mu.Unlock()
			return e, nil
		}
		wake := g.wake
		l.mu.Unlock()
		if l.queued != nil {
			l.queued(g.key)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-wake:
		}
	}
}

// leave frees a slot and adapts the cap to how the attempt ended.
func (l *limiter) leave(g *gate, epoch uint64, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g.inflight--
	switch o {
	case outcomeRateLimited:
		g.successes = 0
		if epoch == g.epoch && g.limit > 1 {
			g.limit /= 2
			g.epoch++
		}
	case outcomeOK:
		g.successes++
		if g.successes >= l.opt.RecoverAfter && g.limit < g.max {
			g.limit++
			g.successes = 0
		}
	}
	close(g.wake)
	g.wake = make(chan struct{})
}

// outcome is how an attempt ended, as far as the limits care.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeRateLimited
	outcomeReplicaFault // connection failure or 5xx: the replica may be sick
	outcomeOther
)

func outcomeOf(f *failure) outcome {
	if f == nil {
		return outcomeOK
	}
	switch f.err.Code {
	case parity.ErrRateLimit:
		return outcomeRateLimited
	case parity.ErrServer, parity.ErrNetwork, parity.ErrTimeout:
		return outcomeReplicaFault
	}
	return outcomeOther
}

// replicaPool spreads requests over the base URLs of one deployment: the
// healthy replica with the fewest requests in flight, ties in turn. A
// replica failing Options.ReplicaFailures times in a row is taken out for
// Options.ReplicaCooldown; after that it gets traffic again, and one more
// failure takes it straight back out.
//
// With Options.ReplicaConcurrency each replica also takes at most that
// many requests at once; a request finding every replica full waits for
// one to finish (wake is closed and replaced whenever one does).
type replicaPool struct {
	urls []string
	st   []replicaState
	next int
	caps []int // per replica; 0 (or none) means no cap
	wake chan struct{}
	// waiting counts requests waiting for room, so a release replaces
	// wake only when someone listens.
	waiting int
}

type replicaState struct {
	inflight, fails int
	downUntil       time.Time
}

func (l *limiter) pool(urls []string) *replicaPool {
	key := strings.Join(urls, "\x00")
	p := l.pools[key]
	if p == nil {
		p = &replicaPool{urls: urls, st: make([]replicaState, len(urls)), caps: l.opt.replicaCaps(urls), wake: make(chan struct{})}
		l.pools[key] = p
	}
	return p
}

// pick chooses a replica at now. When every replica is out, the one back
// soonest is used rather than failing the request outright. It returns -1
// when the replicas it could use are all at their cap.
func (p *replicaPool) pick(now time.Time) int {
	best := -1
	for k := range p.st {
		i := (p.next + k) % len(p.st)
		s := &p.st[i]
		if now.Before(s.downUntil) || p.full(i) {
			continue
		}
		if best < 0 || s.inflight < p.st[best].inflight {
			best = i
		}
	}
	if best < 0 {
		for i := range p.st {
			if !now.Before(p.st[i].downUntil) {
				return -1 // healthy ones exist, all full: wait for one
			}
		}
		for i := range p.st {
			if !p.full(i) && (best < 0 || p.st[i].downUntil.Before(p.st[best].downUntil)) {
				best = i
			}
		}
		if best < 0 {
			return -1
		}
	}
	p.next = (best + 1) % len(p.st)
	p.st[best].inflight++
	return best
}

// full reports whether replica i has as many requests in flight as its cap.
func (p *replicaPool) full(i int) bool {
	return i < len(p.caps) && p.caps[i] > 0 && p.st[i].inflight >= p.caps[i]
}

// replicaCaps is the cap of each of urls: its own from ReplicaCaps, else
// ReplicaConcurrency.
func (o *Options) replicaCaps(urls []string) []int {
	caps := make([]int, len(urls))
	for i, u := range urls {
		caps[i] = o.ReplicaConcurrency
		if n, ok := o.ReplicaCaps[u]; ok {
			caps[i] = n
		}
	}
	return caps
}

// healthyBesides reports whether a replica other than i is in service.
func (p *replicaPool) healthyBesides(i int, now time.Time) bool {
	for k := range p.st {
		if k != i && !now.Before(p.st[k].downUntil) {
			return true
		}
	}
	return false
}

// ticket is what one attempt holds while it runs: its gates, its replica.
type ticket struct {
	l       *limiter
	gates   []*gate
	epochs  []uint64
	pool    *replicaPool
	replica int
	baseURL string
	// charged is what the attempt reserved from the TPM bucket.
	charged int
}

// acquire admits one attempt of st: a concurrency slot from each gate, RPM
// and TPM tokens from the model's buckets (waiting with the injected
// Sleep), then a replica. It only reads st; what the attempt holds is in
// the ticket. Waiting ends with ctx.
func (l *limiter) acquire(ctx context.Context, st *call) (*ticket, error) {
	t := &ticket{l: l, baseURL: st.urls[0]}
	lim := st.limits
	l.mu.Lock()
	// The model's own cap first: a request queued behind it must not hold
	// one of the provider's slots that requests for other models could use.
	if lim.ModelConcurrency > 0 {
		t.gates = append(t.gates, l.gate(st.provider.Name+"/"+st.model, lim.ModelConcurrency))
	}
	if lim.Concurrency > 0 {
		t.gates = append(t.gates, l.gate(st.provider.Name, lim.Concurrency))
	}
	l.mu.Unlock()
	for _, g := range t.gates {
		e, err := l.enter(ctx, g)
		if err != nil {
			t.release(outcomeOther)
			return nil, err
		}
		t.epochs = append(t.epochs, e)
	}
	key := st.provider.Name + "/" + st.model
	var wait time.Duration
	l.mu.Lock()
	now := l.opt.Now()
	if lim.RPM > 0 {
		wait = max(wait, l.bucket("rpm:"+key, lim.RPM).reserve(1, now))
	}
	if lim.TPM > 0 {
		wait = max(wait, l.bucket("tpm:"+key, lim.TPM).reserve(float64(st.estimate), now))
		t.charged = st.estimate
	}
	l.mu.Unlock()
	if wait > 0 {
		if err := l.opt.Sleep(ctx, wait); err != nil {
			t.release(outcomeOther)
			return nil, err
		}
	}
	for len(st.urls) > 1 {
		l.mu.Lock()
		pool := l.pool(st.urls)
		if i := pool.pick(l.opt.Now()); i >= 0 {
			t.pool, t.replica, t.baseURL = pool, i, pool.urls[i]
			l.mu.Unlock()
			break
		}
		wake := pool.wake
		pool.waiting++
		l.mu.Unlock()
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-wake:
		}
		l.mu.Lock()
		pool.waiting--
		l.mu.Unlock()
		if err != nil {
			t.release(outcomeOther)
			return nil, err
		}
	}
	return t, nil
}

// release ends the attempt with outcome o. It must be called exactly once
// per ticket, on every path.
func (t *ticket) release(o outcome) {
	for i, g := range t.gates[:len(t.epochs)] {
		t.l.leave(g, t.epochs[i], o)
	}
	if t.pool == nil {
		return
	}
	l := t.l
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &t.pool.st[t.replica]
	s.inflight--
	if t.pool.waiting > 0 {
		close(t.pool.wake)
		t.pool.wake = make(chan struct{})
	}
	switch o {
	case outcomeReplicaFault:
		s.fails++
		if s.fails >= l.opt.ReplicaFailures {
			s.downUntil = l.opt.Now().Add(l.opt.ReplicaCooldown)
		}
	case outcomeOK:
		s.fails, s.downUntil = 0, time.Time{}
	}
}

// failover reports whether another replica can take the retry at once.
func (t *ticket) failover(f *failure) bool {
	if t.pool == nil || outcomeOf(f) != outcomeReplicaFault {
		return false
	}
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	return t.pool.healthyBesides(t.replica, t.l.opt.Now())
}

// settle charges the model's TPM bucket with what a finished request really
// used, beyond the estimate reserved when it was sent.
func (l *limiter) settle(st *call, used int) {
	if st.limits.TPM <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket("tpm:"+st.provider.Name+"/"+st.model, st.limits.TPM)
	b.reserve(float64(used-st.charged), l.opt.Now())
}

// ProviderConcurrency returns the most requests in flight the Client lets
// through to the provider of modelID, as its catalog entry sets it (or,
// for a deployment with several base URLs that all have a cap, the sum of
// their caps, when that is lower), or 0 when
// the provider has no cap. This is the one place the cap lives: the
// Client enforces it on every attempt (lowering it for a while after rate
// limits, see ConcurrencyLimit), and a worker pool asks for it to hold back
// work for a capped provider instead of tying up workers waiting on it.
func (c *Client) ProviderConcurrency(modelID string) int {
	m, p, err := c.cat.Resolve(modelID)
	if err != nil {
		return 0
	}
	n := p.Concurrency
	// Replicas that all have a cap take no more than the sum of their
	// caps, whatever the provider's own cap.
	if urls := p.URLs(m.Name, c.opt.Region); len(urls) > 1 {
		pooled := 0
		for _, k := range c.opt.replicaCaps(urls) {
			if k <= 0 {
				return max(n, 0)
			}
			pooled += k
		}
		if n <= 0 || pooled < n {
			n = pooled
		}
	}
	return max(n, 0)
}

// ConcurrencyLimit returns the in-flight cap the Client currently allows
// for the provider of modelID (lowered after rate limits, restored by
// successes), or 0 when the provider has no cap. The runner's own
// --concurrency applies on top of it.
func (c *Client) ConcurrencyLimit(modelID string) int {
	_, p, err := c.cat.Resolve(modelID)
	if err != nil || p.Concurrency <= 0 {
		return 0
	}
	c.lim.mu.Lock()
	defer c.lim.mu.Unlock()
	return c.lim.gate(p.Name, p.Concurrency).limit
}
