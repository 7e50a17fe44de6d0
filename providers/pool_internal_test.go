package providers

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReplicaPoolCap(t *testing.T) {
	p := &replicaPool{urls: []string{"a", "b"}, st: make([]replicaState, 2), caps: []int{1, 1}, wake: make(chan struct{})}
	now := time.Unix(0, 0)
	assert.Equal(t, 0, p.pick(now))
	assert.Equal(t, 1, p.pick(now))
	assert.Equal(t, -1, p.pick(now), "both replicas at their cap")
	p.st[1].inflight--
	assert.Equal(t, 1, p.pick(now), "room again")

	p.st[0].inflight, p.st[1].inflight = 0, 1
	p.st[0].downUntil = now.Add(time.Minute)
	assert.Equal(t, -1, p.pick(now), "a healthy replica is full: wait for it rather than use one that is out")
	p.st[1].downUntil = now.Add(2 * time.Minute)
	assert.Equal(t, 0, p.pick(now), "all out: the one back soonest with room")
	assert.Equal(t, -1, p.pick(now), "all out and full")
}

// BenchmarkReplicaAcquire measures what the pool adds to each attempt:
// choosing the least busy of eight capped replicas and releasing it, from
// as many goroutines as the benchmark runs, so the one lock is contended.
func BenchmarkReplicaAcquire(b *testing.B) {
	urls := []string{"http://r1/v1", "http://r2/v1", "http://r3/v1", "http://r4/v1", "http://r5/v1", "http://r6/v1", "http://r7/v1", "http://r8/v1"}
	opt := &Options{ReplicaConcurrency: 1 << 20, ReplicaFailures: 3, ReplicaCooldown: time.Minute, Now: time.Now}
	l := newLimiter(opt)
	st := &call{provider: &Provider{Name: "cluster"}, model: "m", urls: urls}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			t, err := l.acquire(ctx, st)
			if err != nil {
				b.Fatal(err)
			}
			t.release(outcomeOK)
		}
	})
}
