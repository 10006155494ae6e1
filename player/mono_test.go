package player

import (
	"testing"
	"time"
)

// The origin's outage was timed in wall-clock UnixNano, compared with
// time.Since(time.Unix(0, ns)), which has no monotonic reading: a clock
// step (NTP, suspend and resume, the user setting the time) made the
// player take the origin for gone for hours, or never. The times kept are
// now offsets on the monotonic clock since the process started.
func TestOutageIsTimedOnTheMonotonicClock(t *testing.T) {
	var p Player
	p.markUnreachable()
	since, until := p.unreachableSince.Load(), p.unreachableUntil.Load()
	// a wall-clock UnixNano is about 1.8e18; an offset since the process
	// started is at most the test run's length
	if since <= 0 || since > int64(24*time.Hour) {
		t.Errorf("unreachableSince is %d; want nanoseconds on the monotonic clock since the process started", since)
	}
	if got := time.Duration(until - since); got != unreachableFor {
		t.Errorf("unreachableUntil is %v after unreachableSince; want unreachableFor (%v)", got, unreachableFor)
	}
	if !p.unreachable() || p.offline() {
		t.Errorf("just marked: unreachable %v, offline %v; want true, false", p.unreachable(), p.offline())
	}
	p.unreachableSince.Store(monoNow() - int64(OfflineAfter))
	if !p.offline() {
		t.Error("unreachable for OfflineAfter: offline is false; want true")
	}
	p.reachable()
	if p.unreachable() || p.offline() {
		t.Errorf("after a download: unreachable %v, offline %v; want false, false", p.unreachable(), p.offline())
	}
}
