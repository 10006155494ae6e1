package cli

import (
	"time"

	"segue/internal/exepages"
	"segue/player"
)

// steadyAfter is how long after the first reported play head the
// interface and segue play unmap the binary's and libraries' read-only
// pages (exepages.DropReadOnlySinglePages): by then the first segments were fetched,
// the read-ahead fetched its next batch (player.refillBatch, 7 s in), the
// decoder and the device ran, so what faults back is what steady play
// uses. docs/headless-audio.md ("RSS") has the figures.
const steadyAfter = 15 * time.Second

// steadyPages calls drop once, at the first PositionEvent that comes
// s.after or more after the first one. Its observe runs in the events'
// one goroutine.
type steadyPages struct {
	after time.Duration
	now   func() time.Time
	drop  func() int
	first time.Time // of the first PositionEvent; zero before it
	done  bool
}

// newSteadyPages is steadyPages with steadyAfter, the wall clock and
// steadyDrop.
func newSteadyPages() *steadyPages {
	return &steadyPages{after: steadyAfter, now: time.Now, drop: steadyDrop}
}

// steadyDrop unmaps the pages of the read-only segments and turns the
// kernel's fault-around off for them (exepages.DropReadOnlySinglePages, a
// segment at a time, dropped before registered so that the drop does not
// hold the mmap_lock), so that what faults back is the pages steady play
// touches, not their 64 KiB neighbourhoods (docs/headless-audio.md, "One
// page a fault"). Where userfaultfd is refused the drop happens alone. It
// returns the bytes of mappings dropped.
func steadyDrop() int {
	n, _ := exepages.DropReadOnlySinglePages() // the error: fault-around stays, the drop still helps
	return n
}

// observe is a player event observer (observeAll).
func (s *steadyPages) observe(ev player.Event) {
	if _, ok := ev.(player.PositionEvent); !ok || s.done {
		return
	}
	now := s.now()
	if s.first.IsZero() {
		s.first = now
		return
	}
	if now.Sub(s.first) >= s.after {
		s.done = true
		s.drop()
	}
}
