package player

import (
	"fmt"
	"testing"
	"time"
)

// busyAnswer is an origin's 503 with Retry-After: 2 (catalog.RetryLater).
type busyAnswer struct{}

func (busyAnswer) Error() string             { return "503 Service Unavailable" }
func (busyAnswer) RetryAfter() time.Duration { return 2 * time.Second }

// The origin's "ask again later" is timed once for the player, not per
// fetch: past BusyFor every later answer counts as unreachable, until a
// download from the origin ends the outage or none such came for BusyFor.
func TestBusyWaitIsThePlayers(t *testing.T) {
	p := &Player{opts: Options{BusyFor: time.Minute}}
	busy := fmt.Errorf("fetch segment 0: %w", busyAnswer{})
	check := func(when string, want bool) {
		t.Helper()
		wait, ok := p.busyWait(busy)
		if ok != want || ok && wait != 2*time.Second {
			t.Errorf("%s: busyWait = %v, %v; want %v (2s when true)", when, wait, ok, want)
		}
	}
	if _, ok := p.busyWait(fmt.Errorf("fetch segment 0: %w", errOffline)); ok {
		t.Error("busyWait is true for an error without Retry-After; want false")
	}
	check("first answer", true)
	check("second answer, for another track", true)
	p.busySince.Add(-int64(time.Minute))
	check("answering so for BusyFor", false)
	check("the next track after that", false)
	p.busySince.Store(0) // a download from the origin
	check("after a download from the origin", true)
	p.busySince.Add(-int64(time.Minute))
	p.busyLast.Add(-int64(time.Minute))
	check("after BusyFor without such an answer", true)
}
