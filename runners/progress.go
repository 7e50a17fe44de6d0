package runners

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// progress draws one line per job (model × suite) on a terminal, redrawn
// in place: samples committed out of those to ask, the accuracy so far,
// the rate, the errors and the time left, so a reader sees which model or
// suite the time goes to. Only the writer touches it; a nil *progress
// draws nothing.
type progress struct {
	w      io.Writer
	now    func() time.Time
	start  time.Time
	jobs   []*jobProgress
	width  int // of the widest label
	digits int // of the largest total
	drawn  int // lines on screen from the last draw
	last   time.Time
}

// jobProgress is one job's line.
type jobProgress struct {
	label                  string
	total, done            int
	correct, graded, error int
}

// redrawEvery throttles drawing: a fast mock run commits thousands of
// samples a second, and redrawing each time would cost more than the work.
const redrawEvery = 100 * time.Millisecond

func newProgress(w io.Writer, now func() time.Time, jobs []*jobState) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, now: now, start: now(), jobs: make([]*jobProgress, len(jobs))}
	pending := 0
	for i, st := range jobs {
		jp := &jobProgress{label: st.label()}
		if !st.complete {
			jp.total = st.pending
			pending += st.pending
		}
		p.jobs[i] = jp
		p.width = max(p.width, len([]rune(jp.label)))
		p.digits = max(p.digits, len(fmt.Sprint(jp.total)))
	}
	if pending == 0 {
		return nil
	}
	return p
}

// count adds one committed sample of job i.
func (p *progress) count(i int, o parity.Outcome) {
	if p == nil {
		return
	}
	j := p.jobs[i]
	j.done++
	switch {
	case !o.Scored():
		j.error++
	case o == parity.OutcomeCorrect:
		j.correct++
		j.graded++
	default:
		j.graded++
	}
}

// add redraws after a committed batch, at most every redrawEvery.
func (p *progress) add() {
	if p == nil {
		return
	}
	if now := p.now(); p.drawn == 0 || now.Sub(p.last) >= redrawEvery {
		p.draw(now)
	}
}

// close draws the final state and leaves it on screen.
func (p *progress) close() {
	if p == nil {
		return
	}
	p.draw(p.now())
}

func (p *progress) draw(now time.Time) {
	p.last = now
	elapsed := now.Sub(p.start)
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dF", p.drawn) // back to the first line
	}
	p.drawn = 0
	for _, j := range p.jobs {
		if j.total == 0 {
			continue
		}
		b.WriteString("\x1b[2K")
		b.WriteString(j.line(p.width, p.digits, elapsed))
		b.WriteByte('\n')
		p.drawn++
	}
	io.WriteString(p.w, b.String()) // drawing errors must not stop a run
}

// line is one job's progress: label, done/total, accuracy, rate, errors,
// time left.
func (j *jobProgress) line(width, digits int, elapsed time.Duration) string {
	acc := "  --  "
	if j.graded > 0 {
		acc = fmt.Sprintf("%5.1f%%", 100*float64(j.correct)/float64(j.graded))
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(j.done) / s
	}
	eta := "--"
	switch {
	case j.done >= j.total:
		eta = "done"
	case rate > 0:
		eta = (time.Duration(float64(j.total-j.done)/rate) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("%-*s  %*d/%-*d  acc %s  %6.1f/s  %d error(s)  ETA %s",
		width, j.label, digits, j.done, digits, j.total, acc, rate, j.error, eta)
}
