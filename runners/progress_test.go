package runners

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestProgressDrawsALinePerJob(t *testing.T) {
	clock := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	jobs := []*jobState{
		{index: 0, job: Job{Model: parity.Model{ID: "deepseek/deepseek-reasoner"}}, info: parity.SuiteInfo{Name: "gsm8k"}, pending: 4},
		{index: 1, job: Job{Model: parity.Model{ID: "openai/o4-mini"}}, info: parity.SuiteInfo{Name: "math500"}, pending: 2},
		{index: 2, job: Job{Model: parity.Model{ID: "x/y"}}, info: parity.SuiteInfo{Name: "done"}, complete: true},
	}
	var out strings.Builder
	p := newProgress(&out, now, jobs)
	require.NotNil(t, p)
	p.count(0, parity.OutcomeCorrect)
	p.count(0, parity.OutcomeWrong)
	p.count(1, parity.OutcomeError)
	clock = clock.Add(2 * time.Second)
	p.add()
	first := out.String()
	assert.Equal(t, 2, strings.Count(first, "\n"), "one line per job left to run")
	assert.Contains(t, first, "deepseek/deepseek-reasoner on gsm8k  2/4  acc  50.0%     1.0/s  0 error(s)  ETA 2s")
	assert.Contains(t, first, "openai/o4-mini on math500            1/2  acc   --       0.5/s  1 error(s)  ETA 2s")
	assert.NotContains(t, first, "\x1b[2F", "the first draw moves nothing")

	p.count(1, parity.OutcomeCorrect)
	clock = clock.Add(10 * time.Millisecond)
	p.add()
	assert.Equal(t, first, out.String(), "redraws are throttled")
	p.close()
	last := strings.TrimPrefix(out.String(), first)
	assert.True(t, strings.HasPrefix(last, "\x1b[2F\x1b[2K"), "the block is redrawn in place: %q", last)
	assert.Contains(t, last, "2/2  acc 100.0%")
	assert.Contains(t, last, "ETA done")
}

func TestProgressDrawsNothingWithoutWork(t *testing.T) {
	done := []*jobState{{job: Job{Model: parity.Model{ID: "a/b"}}, info: parity.SuiteInfo{Name: "s"}, complete: true}}
	assert.Nil(t, newProgress(&strings.Builder{}, time.Now, done))
	assert.Nil(t, newProgress(nil, time.Now, done))
	var p *progress
	p.count(0, parity.OutcomeCorrect) // a nil progress is a no-op
	p.add()
	p.close()
}
