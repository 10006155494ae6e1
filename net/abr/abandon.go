package abr

import (
	"fmt"
	"time"
)

// Figures of AbandonRule (dash.js AbandonRequestsRule abandons a request
// whose projected time exceeds 1.8 times the segment's expected time, after
// a grace period).
const (
	AbandonMultiplier = 1.8
	AbandonGrace      = 500 * time.Millisecond
)

// Inflight is a download under way: its level, how long it has run, and
// the buffer when it was requested.
type Inflight struct {
	Level   int
	Elapsed time.Duration
	Buffer  time.Duration
}

// AbandonRule says whether to give up a download that will not arrive in
// time and which level to fetch instead. A download is given up when it has
// run AbandonMultiplier times what the estimate expected (at least
// AbandonGrace) and the buffer left is shorter than the time already spent:
// a download that is not half done by now would run the buffer dry. The
// replacement is the highest lower level whose segment fits in half the
// buffer left at the rate this download has shown at best.
func AbandonRule(m Metrics, f Inflight) (Choice, bool) {
	if f.Level <= 0 {
		return Choice{}, false
	}
	expected := m.Segment.Seconds() // unknown estimate: one segment's time
	if m.Throughput > 0 {
		expected = m.segKbit(f.Level) / m.Throughput
	}
	el := f.Elapsed.Seconds()
	left := f.Buffer.Seconds() - el
	if f.Elapsed < AbandonGrace || el < AbandonMultiplier*expected || left >= el {
		return Choice{}, false
	}
	bound := m.segKbit(f.Level) / el // the rate cannot be higher than this
	if m.Throughput > 0 {
		bound = min(bound, m.Throughput)
	}
	l := min(m.highestFitting(bound, max(left, 0)/2), f.Level-1)
	return Choice{l, fmt.Sprintf("%s still loading after %.1f s with %.1f s buffered: %s instead", m.Levels[f.Level].Name, el, max(left, 0), m.Levels[l].Name)}, true
}

// Abandon applies AbandonRule to a download and, when it says so, records
// what the download showed (its segment over the time so far is an upper
// bound of the rate) and returns the level to fetch instead (the drop is
// recorded when that level is used: Chose).
func (c *Controller) Abandon(m Metrics, f Inflight, bytes int) (Choice, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Last, m.Throughput = c.last, c.est.Kbps()
	ch, ok := AbandonRule(m, f)
	if !ok {
		return ch, false
	}
	c.est.Add(bytes, f.Elapsed.Seconds(), m.Segment.Seconds())
	return ch, true
}
