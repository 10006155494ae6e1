package player

import (
	"time"

	"segue/catalog"
)

// clockSlack is how long after a second of the track is heard the clock
// reports it, so that the position it reads is past that second.
const clockSlack = 5 * time.Millisecond

// clockOpening is how often the clock looks while the render loop opens
// the current track's stream (a start, a seek, a skip).
const clockOpening = 250 * time.Millisecond

// clock reports the position heard (PositionEvent) as each second of the
// current track is heard, for an output that holds seconds of audio
// (Delayer). The render loop writes to such an output a batch at a time
// (ALSA: a device period, 2 s) and reported the position only then: the
// interface's clock and play --json's progress moved by two seconds,
// behind what was heard by up to a period. The clock sleeps until the
// next second is heard, and while paused or idle until a command pokes
// the player (issue 14: no wake-up while nothing plays).
func (p *Player) clock() {
	t := time.NewTimer(time.Hour) // reset before each use (Go 1.23 timers: no stale tick)
	defer t.Stop()
	for before := int64(-1); ; {
		p.mu.Lock()
		w := p.wake
		var tick <-chan time.Time
		if _, current := p.queue.Current(); current && !p.paused {
			next := clockOpening
			if ts := p.cur; ts != nil {
				heard := p.heardLocked(ts)
				if p.lastPos >= 0 && heard/catalog.SampleRate != p.lastPos/catalog.SampleRate {
					p.lastPos = heard
					p.emit(PositionEvent{TrackID: ts.track.ID, Position: samplesToDuration(heard), Duration: ts.duration()})
				}
				next = samplesToDuration(catalog.SampleRate-heard%catalog.SampleRate) + clockSlack
				if heard == before { // nothing is heard (a start, a stall): no spinning at a second's edge
					next = time.Second
				}
				before = heard
			}
			t.Reset(next)
			tick = t.C
		}
		p.mu.Unlock()
		select {
		case <-tick:
		case <-w:
		case <-p.ctx.Done():
			return
		}
	}
}
