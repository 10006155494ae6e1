package cli

import (
	"testing"
	"time"

	"segue/player"
)

// TestSteadyPagesDropsOnceAfterThePlayHeadRan: the drop comes with the
// first position reported steadyAfter or more after the first one, once,
// and other events never bring it.
func TestSteadyPagesDropsOnceAfterThePlayHeadRan(t *testing.T) {
	clock := time.Unix(1000, 0)
	drops := 0
	s := &steadyPages{after: steadyAfter, now: func() time.Time { return clock }, drop: func() int { drops++; return 0 }}
	step := func(d time.Duration, ev player.Event) {
		clock = clock.Add(d)
		s.observe(ev)
	}
	step(0, player.StateEvent{State: player.Playing})
	step(time.Minute, player.StateEvent{State: player.Playing}) // no play head yet
	step(0, player.PositionEvent{Position: time.Second})
	step(steadyAfter-time.Second, player.PositionEvent{Position: steadyAfter})
	step(time.Minute, player.TrackEvent{})
	if drops != 0 {
		t.Fatalf("dropped %d times before a position %v after the first", drops, steadyAfter)
	}
	step(0, player.PositionEvent{Position: steadyAfter + time.Second})
	if drops != 1 {
		t.Fatalf("dropped %d times at the first position %v after the first, want 1", drops, steadyAfter)
	}
	step(time.Hour, player.PositionEvent{Position: time.Hour})
	if drops != 1 {
		t.Fatalf("dropped %d times in all, want once", drops)
	}
}
