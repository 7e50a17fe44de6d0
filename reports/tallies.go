package reports

import (
	"bufio"
	"fmt"
	"os"

	"github.com/parity-bench/parity/reports/internal/scratch"
)

// spillTallies is how many per-item tallies a run keeps in memory; past
// it they go to a scratch file, read back a run or two at a time when the
// paired comparisons need them. A large database's leaderboard then holds
// no run's items for the whole build. A variable so tests can spill
// every run.
var spillTallies = 1 << 14

// tallyList is a run's per-item tallies in key order: in memory while
// few, then in a scratch file.
type tallyList struct {
	mem      []tally
	n        int
	inMemory bool   // no scratch file could be made
	path     string // the scratch file, once spilled
	f        *os.File
	w        *bufio.Writer
	buf      []byte
	// cache, when set, bounds how many spilled lists are held loaded at
	// once; loaded is this list's tallies while it holds them.
	cache  *tallyCache
	loaded []tally
}

// add appends t.
func (l *tallyList) add(t tally) error {
	l.n++
	if l.w == nil {
		l.mem = append(l.mem, t)
		if len(l.mem) <= spillTallies || l.inMemory {
			return nil
		}
		f, err := os.CreateTemp("", "parity-tallies-*")
		if err != nil {
			// No scratch space (a read-only system): hold them in memory,
			// as before there was a scratch file.
			l.inMemory = true
			return nil
		}
		l.f, l.path, l.w = f, f.Name(), bufio.NewWriterSize(f, 64<<10)
		for _, m := range l.mem {
			if err := l.write(m); err != nil {
				return err
			}
		}
		l.mem = nil
		return nil
	}
	return l.write(t)
}

func (l *tallyList) write(t tally) error {
	b := scratch.AppendRecord(l.buf[:0], []string{t.id, t.pair}, uint64(t.scored), uint64(t.correct))
	l.buf = b
	if _, err := l.w.Write(b); err != nil {
		return fmt.Errorf("keep item tallies in %s (set TMPDIR to a directory with room): %w", l.path, err)
	}
	return nil
}

// done ends the writing.
func (l *tallyList) done() error {
	if l.w == nil {
		return nil
	}
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.w, l.f, l.buf = nil, nil, nil
	if err != nil {
		return fmt.Errorf("keep item tallies in %s (set TMPDIR to a directory with room): %w", l.path, err)
	}
	return nil
}

// get returns the tallies, read back from the scratch file if they were
// spilled; with a cache, at most its size of spilled lists stay loaded.
func (l *tallyList) get() ([]tally, error) {
	if l == nil {
		return nil, nil
	}
	if l.path == "" {
		return l.mem, nil
	}
	if l.loaded != nil {
		l.cache.touch(l)
		return l.loaded, nil
	}
	ts, err := l.read()
	if err != nil {
		return nil, err
	}
	if l.cache != nil {
		l.loaded = ts
		l.cache.touch(l)
	}
	return ts, nil
}

func (l *tallyList) read() ([]tally, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, fmt.Errorf("read back item tallies: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	out := make([]tally, 0, l.n)
	var fields [2]string
	var nums [2]uint64
	for {
		ok, err := scratch.ReadRecord(r, fields[:], nums[:])
		if err != nil {
			return nil, fmt.Errorf("read back item tallies: %w", err)
		}
		if !ok {
			if len(out) != l.n {
				return nil, fmt.Errorf("read back item tallies: %d of %d", len(out), l.n)
			}
			return out, nil
		}
		out = append(out, tally{id: fields[0], pair: fields[1], scored: int32(nums[0]), correct: int32(nums[1])})
	}
}

// release removes the scratch file, if any.
func (l *tallyList) release() {
	if l == nil {
		return
	}
	if l.f != nil {
		l.f.Close()
	}
	if l.path != "" {
		os.Remove(l.path)
	}
	l.mem, l.loaded, l.w, l.f = nil, nil, nil, nil
}

// tallyCache keeps the most recently used spilled lists loaded, at most
// max of them: a comparison needs two at once, and as the rows are compared
// one against each of the others, the one kept is the one asked again.
type tallyCache struct {
	max  int
	held []*tallyList // least recently used first
	err  error        // the first read back that failed
}

func (c *tallyCache) touch(l *tallyList) {
	if c == nil {
		return
	}
	for i, h := range c.held {
		if h == l {
			c.held = append(c.held[:i], c.held[i+1:]...)
			break
		}
	}
	c.held = append(c.held, l)
	for len(c.held) > c.max {
		c.held[0].loaded = nil
		c.held = c.held[1:]
	}
}
