package runners

import (
	"fmt"
	"io"
	"time"

	"github.com/parity-bench/parity"
	"github.com/schollz/progressbar/v3"
)

// progress draws one bar for all jobs: samples committed out of those to
// ask, rate, time left and the running accuracy. Only the writer touches it;
// a nil *progress draws nothing.
type progress struct {
	bar     *progressbar.ProgressBar
	correct int
	graded  int
	desc    string
}

func newProgress(w io.Writer, total int) *progress {
	if w == nil || total <= 0 {
		return nil
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("acc  --  "),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("samples"),
		progressbar.OptionSetPredictTime(true),
		// A fast mock run commits thousands of samples a second; redrawing
		// each time would cost more than the work.
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return &progress{bar: bar}
}

// count adds one committed outcome to the running accuracy.
func (p *progress) count(o parity.Outcome) {
	if p == nil || !o.Scored() {
		return
	}
	p.graded++
	if o == parity.OutcomeCorrect {
		p.correct++
	}
}

// add moves the bar by n committed samples.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	if p.graded > 0 {
		if d := fmt.Sprintf("acc %5.1f%%", 100*float64(p.correct)/float64(p.graded)); d != p.desc {
			p.desc = d
			p.bar.Describe(d)
		}
	}
	_ = p.bar.Add(n) // drawing errors must not stop a run
}

// close leaves the bar where it is when the run stopped short.
func (p *progress) close() {
	if p == nil || p.bar.IsFinished() {
		return
	}
	_ = p.bar.Exit()
}
