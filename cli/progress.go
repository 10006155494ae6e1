package cli

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// countProgress reports a job of total steps on stderr, so that a long one
// is never silent: a bar with the count on a terminal, else a line at each
// tenth naming the share done ("playlist import: matching 25% (1 of 4)",
// not that share rounded down to the tenth). It returns the
// function to call with the steps done so far; it prints nothing for a job
// of no steps.
func (a *app) countProgress(desc string, total int) func(done int) {
	if total <= 0 {
		return func(int) {}
	}
	if isTerminal(a.stderr) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		return func(done int) { bar.Set(done) }
	}
	last := -1
	return func(done int) {
		if tenth := done * 10 / total; tenth != last {
			last = tenth
			fmt.Fprintf(a.stderr, "%s %d%% (%d of %d)\n", desc, done*100/total, done, total)
		}
	}
}

// tallyBar is a bar for a count with no known total (a walk of a blob
// store): a spinner with the count so far, for a terminal.
func (a *app) tallyBar(desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond))
}

// stepProgress is countProgress for a job that learns its total at its
// first step (the cache package's ...Each calls): the function to give it
// as its progress callback.
func (a *app) stepProgress(desc string) func(done, total int64) {
	var step func(int)
	return func(done, total int64) {
		if step == nil {
			step = a.countProgress(desc, int(total))
		}
		step(int(done))
	}
}
