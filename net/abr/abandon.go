package abr

import (
	"fmt"
	"math"
	"time"
)

// Figures of AbandonRule. AbandonMultiplier and AbandonGrace are dash.js
// AbandonRequestsRule's (a request whose projected time exceeds 1.8 times
// the segment's expected time, after a grace period). AbandonMargin is
// how much longer than the projected time to finish the buffer left must
// be for a download to go on: the rate of a request in flight is measured
// over a few seconds and wobbles (ours, dash.js compares the bytes left
// with the replacement's instead). AbandonMeasure is how long the bytes
// received must have been counting before the rate they show is trusted
// (dash.js waits for 6 progress samples, minThroughputSamplesThreshold):
// over the first half second the rate includes the wait for the first
// byte and misses the read in progress (1 KiB is 68 ms at 120 kbit/s),
// so on issue 12's oscillation trace 6 KiB after 0.5 s showed 98 kbit/s
// on a 120 kbit/s link and gave up a 320k segment that had 1.8 s to
// spare; the second drop of 320k that followed kept it out of the refill
// for 30 s (SwitchHistoryRule).
const (
	AbandonMultiplier = 1.8
	AbandonGrace      = 500 * time.Millisecond
	AbandonMeasure    = time.Second
	AbandonMargin     = 1.25
)

// Inflight is a download under way: its level, how long it has run, the
// buffer when it was requested, and Loaded of its Size bytes received so
// far (Loaded 0: nothing arrived yet or progress is not reported).
type Inflight struct {
	Level        int
	Elapsed      time.Duration
	Buffer       time.Duration
	Loaded, Size int
}

// AbandonRule says whether to give up a download that will not arrive in
// time and which level to fetch instead. After AbandonGrace:
//   - with bytes received, from AbandonMeasure on, the rate they show
//     projects the time to finish; the download goes on while
//     AbandonMargin times that fits in the buffer left, or while the
//     replacement would take longer than finishing (dash.js: the bytes
//     left against the replacement's total);
//   - with none, it is given up when it has run AbandonMultiplier times
//     what the estimate expected and the buffer left is shorter than the
//     time already spent (a download not half done would run it dry).
//
// The replacement is the highest lower level whose segment fits in half
// the buffer left at the rate this download has shown (at best).
func AbandonRule(m Metrics, f Inflight) (Choice, bool) {
	if f.Level <= 0 || f.Elapsed < AbandonGrace {
		return Choice{}, false
	}
	el := f.Elapsed.Seconds()
	left := max(f.Buffer.Seconds()-el, 0)
	var rate, finish float64 // kbit/s shown, seconds to finish
	if f.Loaded > 0 {
		if f.Elapsed < AbandonMeasure {
			return Choice{}, false
		}
		rate = kbit(f.Loaded) / el
		finish = kbit(f.Size-f.Loaded) / rate
		if AbandonMargin*finish <= left {
			return Choice{}, false
		}
	} else {
		expected := m.Segment.Seconds() // unknown estimate: one segment's time
		if m.Throughput > 0 {
			expected = m.segKbit(f.Level) / m.Throughput
		}
		if el < AbandonMultiplier*expected || left >= el {
			return Choice{}, false
		}
		rate = m.segKbit(f.Level) / el // the rate cannot be higher than this
		if m.Throughput > 0 {
			rate = min(rate, m.Throughput)
		}
		finish = math.Inf(1)
	}
	l := min(m.highestFitting(rate, left/2), f.Level-1)
	if m.segKbit(l)/rate >= finish {
		return Choice{}, false // finishing is sooner than starting again lower
	}
	return Choice{l, fmt.Sprintf("%s still loading after %.1f s with %.1f s buffered: %s instead", m.Levels[f.Level].Name, el, left, m.Levels[l].Name)}, true
}

// kbit is n bytes in kbit.
func kbit(n int) float64 { return float64(n) * 8 / 1000 }

// Abandon applies AbandonRule to a download and, when it says so, records
// what the download showed (its segment over the time so far is an upper
// bound of the rate) and returns the level to fetch instead (the drop is
// recorded when that level is used: Chose). What it showed is the bytes
// received over the time so far, or, with none reported, its size over
// that time (an upper bound of the rate).
func (c *Controller) Abandon(m Metrics, f Inflight) (Choice, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Last, m.Throughput = c.last, c.est.Kbps()
	ch, ok := AbandonRule(m, f)
	if !ok {
		return ch, false
	}
	shown := f.Size
	if f.Loaded > 0 {
		shown = f.Loaded
	}
	c.est.Add(shown, f.Elapsed.Seconds(), m.Segment.Seconds())
	return ch, true
}
