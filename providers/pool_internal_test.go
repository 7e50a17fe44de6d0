package providers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReplicaPoolCap(t *testing.T) {
	p := &replicaPool{urls: []string{"a", "b"}, st: make([]replicaState, 2), cap: 1, wake: make(chan struct{})}
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
