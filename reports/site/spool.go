package site

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/internal/scratch"
)

// A run's samples come from the store in text order of their item ids,
// the order of its samples file, while its pages list them as people
// count (item 2 before item 10). The two orders differ only where digit
// strings of different lengths meet, so the samples in text order fall
// into a few stretches that are each already in counting order: one per
// length of the numbers in the ids, in practice. A spooler writes each
// sample, its HTML rendered once, to the file of the stretch it extends,
// and merging those files gives the samples in counting order, with
// memory that does not grow with the run.

// maxSpoolRuns caps the stretches kept apart. Ids whose order needs more
// (a text order close to the reverse of the counting order) merge what
// they have into one file and start again: slower, never wrong.
const maxSpoolRuns = 32

// spoolRec is one sample in a spool: what a page and the list of its
// outcome show, its HTML after the opening tag rendered in advance.
type spoolRec struct {
	item, pair string
	index      int
	outcome    parity.Outcome
	// extracted and gold fill the outcome lists and the run's item file.
	extracted, gold string
	html            []byte
}

func compareRecs(a, b *spoolRec) int {
	return cmp.Or(reports.CompareIDs(a.item, b.item), cmp.Compare(a.index, b.index))
}

// spoolRun is one file of records in counting order.
type spoolRun struct {
	f    *os.File
	w    *bufio.Writer
	last spoolRec // html not kept
}

// spooler sorts records into counting order through files in dir.
type spooler struct {
	dir  string
	runs []*spoolRun
	buf  []byte
}

// add spools rec; rec.html may be reused by the caller afterwards.
func (s *spooler) add(rec spoolRec) error {
	i := 0
	// The runs' last records are in decreasing order, so the first that
	// rec may follow is the one with the greatest last record below it,
	// which keeps the runs as few as they can be.
	for i < len(s.runs) && compareRecs(&s.runs[i].last, &rec) >= 0 {
		i++
	}
	if i == len(s.runs) && i == maxSpoolRuns {
		if err := s.compact(); err != nil {
			return err
		}
		i = 1
	}
	if i == len(s.runs) {
		r, err := s.newRun()
		if err != nil {
			return err
		}
		s.runs = append(s.runs, r)
	}
	return s.runs[i].write(&rec, &s.buf)
}

func (s *spooler) newRun() (*spoolRun, error) {
	f, err := os.CreateTemp(s.dir, ".spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool samples: %w", err)
	}
	return &spoolRun{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// write appends rec to the run: each field a length and its bytes.
func (r *spoolRun) write(rec *spoolRec, buf *[]byte) error {
	b := scratch.AppendRecord((*buf)[:0], []string{rec.item, rec.pair, string(rec.outcome), rec.extracted, rec.gold},
		uint64(rec.index), uint64(len(rec.html)))
	*buf = b
	if _, err := r.w.Write(b); err != nil {
		return fmt.Errorf("spool samples: %w", err)
	}
	if _, err := r.w.Write(rec.html); err != nil {
		return fmt.Errorf("spool samples: %w", err)
	}
	r.last = spoolRec{item: rec.item, index: rec.index}
	return nil
}

// compact merges every run into one.
func (s *spooler) compact() error {
	into, err := s.newRun()
	if err != nil {
		return err
	}
	if err := s.merge(func(rec *spoolRec) error { return into.write(rec, &s.buf) }); err != nil {
		into.remove()
		return err
	}
	s.remove()
	s.runs = []*spoolRun{into}
	return nil
}

// spoolReader reads one run back.
type spoolReader struct {
	r   *bufio.Reader
	rec spoolRec
	ok  bool
}

func (sr *spoolReader) next() error {
	var fields [5]string
	var nums [2]uint64
	ok, err := scratch.ReadRecord(sr.r, fields[:], nums[:])
	if err != nil || !ok {
		sr.ok = false
		return err
	}
	index, n := nums[0], nums[1]
	html := sr.rec.html
	if uint64(cap(html)) < n {
		html = make([]byte, n)
	}
	html = html[:n]
	if _, err := io.ReadFull(sr.r, html); err != nil {
		return err
	}
	sr.rec = spoolRec{item: fields[0], pair: fields[1], outcome: parity.Outcome(fields[2]), extracted: fields[3], gold: fields[4], index: int(index), html: html}
	sr.ok = true
	return nil
}

// merge calls fn with every spooled record in counting order. The record
// and its html are valid only during the call.
func (s *spooler) merge(fn func(*spoolRec) error) error {
	readers := make([]*spoolReader, 0, len(s.runs))
	for _, r := range s.runs {
		if err := r.w.Flush(); err != nil {
			return fmt.Errorf("spool samples: %w", err)
		}
		if _, err := r.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("spool samples: %w", err)
		}
		sr := &spoolReader{r: bufio.NewReaderSize(r.f, 64<<10)}
		if err := sr.next(); err != nil {
			return fmt.Errorf("read back spooled samples: %w", err)
		}
		if sr.ok {
			readers = append(readers, sr)
		}
	}
	for len(readers) > 0 {
		low := 0
		for i := 1; i < len(readers); i++ {
			if compareRecs(&readers[i].rec, &readers[low].rec) < 0 {
				low = i
			}
		}
		sr := readers[low]
		if err := fn(&sr.rec); err != nil {
			return err
		}
		if err := sr.next(); err != nil {
			return fmt.Errorf("read back spooled samples: %w", err)
		}
		if !sr.ok {
			readers = append(readers[:low], readers[low+1:]...)
		}
	}
	return nil
}

// remove deletes the spool files.
func (s *spooler) remove() {
	for _, r := range s.runs {
		r.remove()
	}
	s.runs = nil
}

func (r *spoolRun) remove() {
	r.f.Close()
	os.Remove(r.f.Name())
}
