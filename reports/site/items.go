package site

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/internal/scratch"
)

// A snapshot's comparison pages need every run's items: how each was
// answered and where its first sample sits on the run's pages. Kept in
// memory for every run until the comparisons are written, they were most
// of a large snapshot's heap (about 130 bytes an item, a quarter of a
// million items at a million samples). Instead each run's items go to a
// file, in counting order of their ids, as its pages are written, and a
// comparison reads the two files side by side.

// itemRec is one item of a run: its folded samples and the position of
// its first sample in the run's pages, counting from 0 (-1 when unknown).
type itemRec struct {
	reports.ItemResult
	first int64
}

// itemWriter writes a run's items to a temporary file, folding the
// samples it is given, which must come grouped by item.
type itemWriter struct {
	f    *os.File
	w    *bufio.Writer
	buf  []byte
	cur  itemRec
	open bool
	n    int
}

func newItemWriter(dir string) (*itemWriter, error) {
	f, err := os.CreateTemp(dir, ".items-*")
	if err != nil {
		return nil, fmt.Errorf("keep items: %w", err)
	}
	return &itemWriter{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// add folds in the sample at position pos of the run's pages.
func (w *itemWriter) add(rec *spoolRec, pos int) error {
	if !w.open || w.cur.ID != rec.item {
		if err := w.flush(); err != nil {
			return err
		}
		w.cur = itemRec{ItemResult: reports.ItemResult{ID: rec.item, Pair: rec.pair, Outcome: rec.outcome,
			Extracted: rec.extracted, Gold: rec.gold, Index: rec.index}, first: int64(pos)}
		w.open = true
	}
	it := &w.cur.ItemResult
	it.Total++
	if rec.outcome.Scored() {
		it.Scored++
		if rec.outcome == parity.OutcomeCorrect {
			it.Correct++
		}
	}
	return nil
}

// flush writes the item being folded.
func (w *itemWriter) flush() error {
	if !w.open {
		return nil
	}
	w.open = false
	w.n++
	it := &w.cur
	// first is -1 for "unknown", stored one higher.
	b := scratch.AppendRecord(w.buf[:0], []string{it.ID, it.Pair, string(it.Outcome), it.Extracted, it.Gold},
		uint64(it.Index), uint64(it.Total), uint64(it.Scored), uint64(it.Correct), uint64(it.first+1))
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("keep items: %w", err)
	}
	return nil
}

// finish writes the last item and returns the file's items.
func (w *itemWriter) finish() (*itemFile, error) {
	if err := w.flush(); err != nil {
		return nil, err
	}
	if err := w.w.Flush(); err != nil {
		return nil, fmt.Errorf("keep items: %w", err)
	}
	// Closed until read, so a snapshot of many runs holds no descriptor
	// per run.
	path := w.f.Name()
	if err := w.f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("keep items: %w", err)
	}
	return &itemFile{path: path, n: w.n}, nil
}

func (w *itemWriter) remove() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// itemFile is a run's items, written, to be read as often as needed.
type itemFile struct {
	path string
	n    int
}

func (f *itemFile) remove() {
	if f != nil {
		os.Remove(f.path)
	}
}

// items returns a cursor over the file's items in the order written.
func (f *itemFile) items() itemCursor {
	if f == nil {
		return &sliceCursor{}
	}
	file, err := os.Open(f.path)
	if err != nil {
		return &fileCursor{err: fmt.Errorf("read back items: %w", err)}
	}
	return &fileCursor{f: file, r: bufio.NewReaderSize(file, 64<<10)}
}

// itemCursor reads a run's items one at a time: next returns nil at the
// end. The item returned stays valid until the following call. close
// releases what the cursor holds, whether or not it was read to the end.
type itemCursor interface {
	next() (*itemRec, error)
	close()
}

// itemSource opens a cursor over a run's items, as often as asked, each
// time in the same order.
type itemSource func() itemCursor

type fileCursor struct {
	f   *os.File
	r   *bufio.Reader
	rec itemRec
	err error // the file could not be opened
}

func (c *fileCursor) close() {
	if c.f != nil {
		c.f.Close()
	}
}

func (c *fileCursor) next() (*itemRec, error) {
	if c.err != nil {
		return nil, c.err
	}
	var fields [5]string
	var nums [5]uint64
	ok, err := scratch.ReadRecord(c.r, fields[:], nums[:])
	if err != nil {
		return nil, fmt.Errorf("read back items: %w", err)
	}
	if !ok {
		return nil, nil
	}
	first := int64(nums[4]) - 1
	c.rec = itemRec{ItemResult: reports.ItemResult{ID: fields[0], Pair: fields[1], Outcome: parity.Outcome(fields[2]),
		Extracted: fields[3], Gold: fields[4], Index: int(nums[0]), Total: int(nums[1]), Scored: int(nums[2]), Correct: int(nums[3])}, first: first}
	return &c.rec, nil
}

// sliceCursor reads items held in memory.
type sliceCursor struct {
	items []itemRec
	i     int
}

func (c *sliceCursor) close() {}

func (c *sliceCursor) next() (*itemRec, error) {
	if c.i >= len(c.items) {
		return nil, nil
	}
	c.i++
	return &c.items[c.i-1], nil
}

func sliceItems(items []itemRec) itemSource {
	return func() itemCursor { return &sliceCursor{items: items} }
}

// flipCounts are what a comparison page says before its table.
type flipCounts struct{ gained, lost, flips int }

// errUnordered stops a join whose sources are not in counting order of
// the pairing key.
var errUnordered = errors.New("items not in key order")

// flipJoin pairs the items of two runs by key (the item id, or Pair for
// two languages of one aligned suite, as reports.Diff pairs them) to list
// the items they answered differently: both scored, with different shares
// of correct samples.
type flipJoin struct {
	a, b   itemSource
	key    func(*itemRec) string
	counts flipCounts
	// For sources out of key order: a's items sorted by key, and b's by
	// key with the last of a key winning, as reports.Diff has them.
	xs []itemRec
	ys map[string]*itemRec
}

// newFlipJoin counts the flips, which a page states before listing them.
// Sources in counting order of the key are joined as they are read, two
// items at a time; any other order (a user suite whose pairing keys do not
// sort like its ids, or repeat) is found by this first pass, and then the
// items are held in memory.
func newFlipJoin(a, b itemSource, byPair bool) (*flipJoin, error) {
	j := &flipJoin{a: a, b: b, key: func(r *itemRec) string { return r.ID }}
	if byPair {
		j.key = func(r *itemRec) string { return cmp.Or(r.Pair, r.ID) }
	}
	counts, err := joinFlips(a(), b(), j.key, nil)
	switch {
	case errors.Is(err, errUnordered):
		if err := j.load(); err != nil {
			return nil, err
		}
		return j, j.each(func(string, *itemRec, *itemRec) error { return nil })
	case err != nil:
		return nil, err
	}
	j.counts = counts
	return j, nil
}

// load reads both runs' items into memory.
func (j *flipJoin) load() error {
	c := j.a()
	defer func() { c.close() }()
	for {
		r, err := c.next()
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		j.xs = append(j.xs, *r)
	}
	slices.SortStableFunc(j.xs, func(p, q itemRec) int { return reports.CompareIDs(j.key(&p), j.key(&q)) })
	j.ys = map[string]*itemRec{}
	c.close()
	c = j.b()
	for {
		r, err := c.next()
		if err != nil {
			return err
		}
		if r == nil {
			return nil
		}
		y := *r
		j.ys[j.key(&y)] = &y
	}
}

// each calls fn with every flip in counting order of the key.
func (j *flipJoin) each(fn func(key string, x, y *itemRec) error) error {
	if j.ys == nil {
		_, err := joinFlips(j.a(), j.b(), j.key, fn)
		return err
	}
	j.counts = flipCounts{}
	for i := range j.xs {
		x := &j.xs[i]
		k := j.key(x)
		if y, ok := j.ys[k]; ok && j.counts.add(x, y) {
			if err := fn(k, x, y); err != nil {
				return err
			}
		}
	}
	return nil
}

// add counts x and y, one item of each run, if they differ, and says so.
func (c *flipCounts) add(x, y *itemRec) bool {
	if x.Scored == 0 || y.Scored == 0 || x.Share() == y.Share() {
		return false
	}
	c.flips++
	if y.Share() > x.Share() {
		c.gained++
	} else {
		c.lost++
	}
	return true
}

// joinFlips walks two cursors in step by key. With fn nil it only counts,
// and reads both sides to the end to check their order; with fn it lists
// the flips of sources that pass already checked.
func joinFlips(ca, cb itemCursor, key func(*itemRec) string, fn func(key string, x, y *itemRec) error) (flipCounts, error) {
	defer ca.close()
	defer cb.close()
	var counts flipCounts
	var prevA, prevB string
	advance := func(c itemCursor, prev *string, started bool) (*itemRec, error) {
		r, err := c.next()
		if err != nil || r == nil {
			return r, err
		}
		k := key(r)
		if started && reports.CompareIDs(*prev, k) >= 0 {
			return nil, errUnordered
		}
		*prev = k
		return r, nil
	}
	x, err := advance(ca, &prevA, false)
	if err != nil {
		return counts, err
	}
	y, err := advance(cb, &prevB, false)
	if err != nil {
		return counts, err
	}
	for x != nil && y != nil {
		kx, ky := key(x), key(y)
		switch c := reports.CompareIDs(kx, ky); {
		case c < 0:
			x, err = advance(ca, &prevA, true)
		case c > 0:
			y, err = advance(cb, &prevB, true)
		default:
			if counts.add(x, y) && fn != nil {
				if err := fn(kx, x, y); err != nil {
					return counts, err
				}
			}
			if x, err = advance(ca, &prevA, true); err == nil {
				y, err = advance(cb, &prevB, true)
			}
		}
		if err != nil {
			return counts, err
		}
	}
	if fn != nil {
		return counts, nil // the counting pass checked the order
	}
	// The rest of the longer side has no partner, but a key out of order
	// there still means the join may have missed pairs.
	for _, rest := range []struct {
		c    itemCursor
		r    *itemRec
		prev *string
	}{{ca, x, &prevA}, {cb, y, &prevB}} {
		for r := rest.r; r != nil; {
			if r, err = advance(rest.c, rest.prev, true); err != nil {
				return counts, err
			}
		}
	}
	return counts, nil
}
